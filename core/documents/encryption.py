"""Documents at rest: AES-256-GCM (``cryptography``) in segments, so a file is decrypted as a
stream and any change to it is detected before its bytes are used.

A stored file is a header and segments::

    MAGIC (6) | key id (8) | nonce prefix (7) | segment 0 | segment 1 | ... | last segment

Each segment is up to ``SEGMENT`` bytes of plaintext encrypted with its own nonce (the prefix,
the segment's number and a last-segment flag: Tink's streaming construction) and the header as
associated data, so a segment cannot be changed, moved, dropped or cut off without its tag
failing; the key id names which key (the current one, or an old one during a rotation).
A file without the header is a plaintext file from before encryption: read as it is, until
``portal rotate-storage-key`` encrypts it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"\x89PENC1"
SEGMENT = 64 * 1024
TAG = 16
_PREFIX = 7
HEADER = len(MAGIC) + 8 + _PREFIX


class StorageIntegrityError(Exception):
    """A stored file failed its check: changed, cut short, or under an unknown key."""


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"portal storage key id", hashlib.sha256).digest()[:8]


class Cipher:
    """Encrypts with the first key; decrypts with any of them (rotation)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one storage key")
        self.current = keys[0]
        self.current_id = key_id(keys[0])
        self._by_id = {key_id(k): AESGCM(k) for k in keys}

    @staticmethod
    def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
        return prefix + struct.pack(">I?", number, last)

    def encrypt(self, data: bytes) -> bytes:
        prefix = os.urandom(_PREFIX)
        header = MAGIC + self.current_id + prefix
        aead = self._by_id[self.current_id]
        parts = [header]
        count = max(1, -(-len(data) // SEGMENT))
        for number in range(count):
            chunk = data[number * SEGMENT : (number + 1) * SEGMENT]
            nonce = self._nonce(prefix, number, number == count - 1)
            parts.append(aead.encrypt(nonce, chunk, header))
        return b"".join(parts)

    def decryptor(self, header: bytes) -> SegmentReader:
        """A reader of the segments that follow ``header`` (the first ``HEADER`` bytes)."""
        if len(header) != HEADER or not header.startswith(MAGIC):
            raise StorageIntegrityError("the stored file's header is damaged")
        aead = self._by_id.get(header[len(MAGIC) : len(MAGIC) + 8])
        if aead is None:
            raise StorageIntegrityError(
                "the stored file is under a key that is not configured (PORTAL_STORAGE_KEY or "
                "PORTAL_STORAGE_OLD_KEYS)"
            )
        return SegmentReader(aead, header)

    def is_current(self, header: bytes) -> bool:
        return header.startswith(MAGIC) and header[len(MAGIC) : len(MAGIC) + 8] == self.current_id

    def decrypt(self, blob: bytes) -> bytes:
        """The plaintext of a whole stored file (a legacy plaintext file as it is)."""
        if not blob.startswith(MAGIC):
            return blob
        reader = self.decryptor(blob[:HEADER])
        body = blob[HEADER:]
        size = SEGMENT + TAG
        segments = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        return b"".join(
            reader.open(segment, last=index == len(segments) - 1)
            for index, segment in enumerate(segments)
        )


class SegmentReader:
    """Opens the segments of one file in order; any failure is a StorageIntegrityError."""

    def __init__(self, aead: AESGCM, header: bytes) -> None:
        self._aead = aead
        self._header = header
        self._prefix = header[-_PREFIX:]
        self._number = 0

    def open(self, segment: bytes, *, last: bool) -> bytes:
        nonce = Cipher._nonce(self._prefix, self._number, last)
        try:
            plain = self._aead.decrypt(nonce, segment, self._header)
        except InvalidTag:
            raise StorageIntegrityError(
                f"the stored file failed its integrity check at segment {self._number}"
            ) from None
        self._number += 1
        return plain


def iter_segments(read: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """``(segment, is_last)`` from an iterator of reads of ``SEGMENT + TAG`` bytes each."""
    current = next(read, b"")
    while True:
        following = next(read, b"")
        yield current, not following
        if not following:
            return
        current = following
