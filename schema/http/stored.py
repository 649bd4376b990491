"""Answering with stored bytes (a document, an export's zip): how they stream and are named."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*`` (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def started(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The stored bytes, their first segment read (decrypted and checked) now, before an answer
    starts: a changed or missing file raises here (the store's error), never streams wrong
    bytes. A later segment that fails ends the stream short, which clients report."""
    first = await anext(chunks, b"")

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    return body()
