"""Where document bytes live: a small interface, and the local-disk implementation.

Blobs are content-addressed by their sha256 and written once: storing bytes that are already
there changes nothing, and nothing is ever overwritten or deleted through this interface. An
object store (S3 and the like) can replace the disk by implementing :class:`DocumentStore`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.settings import Settings

CHUNK_BYTES = 256 * 1024
_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredBlob:
    """What the store made of some bytes: its key (for the Document row), digest and size."""

    key: str
    sha256: str
    size: int


class DocumentStore(Protocol):
    async def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` (once: the same bytes again are not written again)."""
        ...

    def chunks(self, key: str) -> AsyncIterator[bytes]:
        """The bytes stored under ``key``, in chunks; FileNotFoundError if there are none."""
        ...

    async def exists(self, key: str) -> bool: ...


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


class LocalDiskStore:
    """Blobs under ``root/<first two hex digits>/<sha256>``, read-only once written.

    A write goes to a temporary file in the same directory, is flushed to disk, then linked
    into place: a reader never sees half a file, and an existing blob is never replaced.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys are ours, never a user's; refuse anything else
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        blob = StoredBlob(key=key_for(digest), sha256=digest, size=len(data))
        await asyncio.to_thread(self._write_once, self._path(blob.key), data)
        return blob

    @staticmethod
    def _write_once(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o444)
            try:
                os.link(temporary, path)  # fails if the blob appeared meanwhile: never replace
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)

    async def chunks(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def read(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.chunks(key)])

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)


def document_store(settings: Settings) -> DocumentStore:
    """The configured store (the disk under ``PORTAL_STORAGE_DIR``)."""
    return LocalDiskStore(settings.storage_dir)
