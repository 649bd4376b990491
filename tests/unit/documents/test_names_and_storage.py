"""File names that a multipart client could not send, and the store's write-once rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.documents.encryption import Cipher
from core.documents.sniff import sanitise_name
from core.documents.storage import LocalDiskStore


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("in\x00sur\nance\t.pdf", "insurance.pdf"),
        ("report\u202egnp.pdf", "reportgnp.pdf"),  # a right-to-left override hides the real end
        ("", "document"),
        (None, "document"),
        ("....", "document"),
        ("a/b/../../", "document"),
    ],
)
def test_control_and_format_characters_are_removed(raw: str | None, clean: str) -> None:
    assert sanitise_name(raw) == clean


async def test_the_store_never_overwrites_a_blob(tmp_path: Path) -> None:
    # given
    store = LocalDiskStore(tmp_path, Cipher([os.urandom(32)]))
    blob = await store.put(b"original")
    path = tmp_path / blob.key
    before = path.stat()

    # when
    again = await store.put(b"original")

    # then
    assert again == blob
    assert path.stat().st_ino == before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert await store.read(blob.key) == b"original"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


async def test_the_store_refuses_keys_that_are_not_its_own(tmp_path: Path) -> None:
    store = LocalDiskStore(tmp_path, Cipher([os.urandom(32)]))
    with pytest.raises(ValueError):
        await store.exists("../../etc/passwd")
