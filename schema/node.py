"""The ``Node`` interface and opaque global ids (``base64url("Type:uuid")``)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import strawberry

from core.errors import NotFound


@strawberry.interface(description="An object with an opaque, globally unique id.")
class Node:
    id: strawberry.ID


_URL_SAFE = bytes.maketrans(b"+/", b"-_")
#: ``base64url("Type:")`` by type name where that prefix is a whole number of 3-byte groups
#: (so it encodes alone), else "": every row of a list makes an id.
_PREFIXES: dict[str, str] = {}


def _prefix(type_name: str) -> str:
    head = f"{type_name}:".encode()
    if len(head) % 3:
        prefix = ""
    else:
        prefix = binascii.b2a_base64(head, newline=False).translate(_URL_SAFE).decode()
    _PREFIXES[type_name] = prefix
    return prefix


def encode_id(type_name: str, key: uuid.UUID) -> strawberry.ID:
    # base64.urlsafe_b64encode, without its two Python layers. A type whose "Type:" is whole
    # 3-byte groups encodes only the key's 32 hex digits (30 bytes, then 2: one "=" to drop).
    prefix = _PREFIXES.get(type_name)
    if prefix is None:
        prefix = _prefix(type_name)
    encoded: Any
    if prefix:
        raw = binascii.b2a_base64(key.hex.encode(), newline=False)
        encoded = prefix + raw[:43].translate(_URL_SAFE).decode()
    else:
        raw = binascii.b2a_base64(f"{type_name}:{key.hex}".encode(), newline=False)
        encoded = raw.translate(_URL_SAFE).rstrip(b"=").decode()
    return encoded  # strawberry.ID: a NewType (calling it costs a Python call)


def decode_any_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """``(type name, key)`` of a global id, or None when it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, uuid.UUID(hex=key)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def decode_id(
    global_id: str, type_name: str, *, field: tuple[str, ...] = ("input", "id")
) -> uuid.UUID:
    """The key of ``global_id`` if it names a ``type_name``; else NOT_FOUND on ``field``."""
    decoded = decode_any_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise NotFound(f"No {type_name} with id {global_id!r} was found.", field=field)
    return decoded[1]


NodeResolver = Callable[[Any, uuid.UUID], Awaitable[object | None]]
#: How ``node(id)`` fetches each type, *as the viewer may see it* (else None); None until
#: :func:`set_node_resolvers` is called from the wiring (schema/wiring.py) at start-up.
_NODE_RESOLVERS: dict[str, NodeResolver] | None = None


def set_node_resolvers(resolvers: Mapping[str, NodeResolver]) -> None:
    """Put ``resolvers`` (type name -> resolver) in force; calling it again with the same
    resolvers changes nothing. Only the wiring calls it (:func:`schema.wiring.wire_schema`)."""
    global _NODE_RESOLVERS
    _NODE_RESOLVERS = dict(resolvers)


def node_resolvers() -> Mapping[str, NodeResolver]:
    """The resolvers in force; RuntimeError when none were set (the schema was not wired)."""
    if _NODE_RESOLVERS is None:
        raise RuntimeError(
            "The node resolvers were never set: call schema.wiring.wire_schema() at start-up "
            "(create_app and the tests' conftest do)."
        )
    return _NODE_RESOLVERS


async def resolve_node(info: Any, global_id: str) -> object | None:
    resolvers = node_resolvers()
    decoded = decode_any_id(global_id)
    if decoded is None:
        return None
    resolver = resolvers.get(decoded[0])
    if resolver is None:
        return None
    return await resolver(info, decoded[1])
