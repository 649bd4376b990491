"""The global ids the GraphQL API gives (schema/node.py), made by hand for the baselines."""

from __future__ import annotations

import base64


def global_id(type_name: str, key: object) -> str:
    hex_key = (
        key.hex if hasattr(key, "hex") and not isinstance(key, str) else str(key).replace("-", "")
    )
    return base64.urlsafe_b64encode(f"{type_name}:{hex_key}".encode()).decode().rstrip("=")
