"""Relay connections: ``PageInfo`` and keyset cursors on ``(created_at, id)``.

Shared by every connection; a cursor is opaque to clients and names the last row seen, so
paging costs one indexed range scan however deep it goes (no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

import strawberry
from graphql import GraphQLError


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None = None
    end_cursor: str | None = None


def encode_cursor(created_at: datetime, key: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{key.hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The keyset of a cursor from :func:`encode_cursor`; a GraphQL error otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, uuid.UUID(hex=key)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise GraphQLError(
            f"after: {cursor!r} is not a cursor of this list; pass an endCursor it returned.",
            extensions={"code": "INVALID"},
        ) from None
