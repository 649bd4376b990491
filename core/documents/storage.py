"""Where document bytes live: a small interface, and the local-disk implementation.

Blobs are content-addressed by the sha256 of their plaintext and written once: storing bytes
that are already there changes nothing. They are encrypted at rest (``core.documents.
encryption``: AES-256-GCM under PORTAL_STORAGE_KEY) and read back as a decrypted stream. Only
two things replace or remove a blob: ``portal rotate-storage-key`` (the same plaintext under the
new key) and the retention purge (a blob nothing refers to any more). An object store (S3 and
the like) can replace the disk by implementing :class:`DocumentStore`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.documents.encryption import (
    HEADER,
    MAGIC,
    SEGMENT,
    TAG,
    Cipher,
    StorageIntegrityError,
    iter_segments,
)
from core.settings import Settings

__all__ = ["DocumentStore", "LocalDiskStore", "StorageIntegrityError", "StoredBlob"]

CHUNK_BYTES = 256 * 1024
_KEY = re.compile(r"^(?:[0-9a-f]{2}/[0-9a-f]{64}|exports/[0-9a-f]{32})$")


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

    async def put_named(self, key: str, data: bytes) -> None:
        """Store ``data`` under a key of our own choosing (an export), replacing any."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob (the purge's, for blobs nothing refers to any more)."""
        ...


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


class LocalDiskStore:
    """Blobs under ``root/<first two hex digits>/<sha256>``, read-only once written.

    A write goes to a temporary file in the same directory, is flushed to disk, then linked
    into place: a reader never sees half a file, and an existing blob is never replaced
    (a rotation replaces it atomically with the same plaintext under the new key).
    """

    def __init__(self, root: Path, cipher: Cipher) -> None:
        self.root = Path(root)
        self.cipher = cipher

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys are ours, never a user's; refuse anything else
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        blob = StoredBlob(key=key_for(digest), sha256=digest, size=len(data))
        path = self._path(blob.key)
        if not await asyncio.to_thread(path.exists):
            await asyncio.to_thread(_write, path, self.cipher.encrypt(data), replace=False)
        return blob

    async def put_named(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(_write, self._path(key), self.cipher.encrypt(data), replace=True)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def chunks(self, key: str) -> AsyncIterator[bytes]:
        """The plaintext, a segment at a time; StorageIntegrityError (before any of its
        bytes) for a segment that was changed."""
        path = self._path(key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            header = await asyncio.to_thread(handle.read, HEADER)
            if not header.startswith(MAGIC):  # plaintext from before encryption
                if header:
                    yield header
                while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                    yield chunk
                return
            reader = self.cipher.decryptor(header)

            def reads() -> Iterator[bytes]:
                while True:
                    yield handle.read(SEGMENT + TAG)

            segments = iter_segments(reads())
            while True:
                found = await asyncio.to_thread(next, segments, None)
                if found is None:
                    return
                segment, last = found
                plain = reader.open(segment, last=last)
                if plain:
                    yield plain
                if last:
                    return
        finally:
            handle.close()

    def keys(self) -> Iterator[str]:
        """Every stored blob's key (documents and exports)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                key = f"{folder.name}/{path.name}"
                if _KEY.match(key):
                    yield key

    def rotate(self, key: str) -> bool:
        """Re-encrypt one blob under the current key (a plaintext one too); False when it
        already is. Blocking: the rotation command runs it in batches."""
        path = self._path(key)
        with path.open("rb") as handle:
            header = handle.read(HEADER)
        if self.cipher.is_current(header):
            return False
        plain = self.cipher.decrypt(path.read_bytes())
        _write(path, self.cipher.encrypt(plain), replace=True)
        return True

    async def read(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.chunks(key)])

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)


def _write(path: Path, data: bytes, *, replace: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o444)
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails if the blob appeared meanwhile: never replace
        except FileExistsError:
            pass
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def storage_cipher(settings: Settings) -> Cipher:
    return Cipher(settings.storage_keys())


def document_store(settings: Settings) -> LocalDiskStore:
    """The configured store (the disk under ``PORTAL_STORAGE_DIR``), encrypting with
    PORTAL_STORAGE_KEY and reading the old keys too."""
    return LocalDiskStore(settings.storage_dir, storage_cipher(settings))
