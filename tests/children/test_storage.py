"""Documents encrypted at rest: not readable on disk, streamed back decrypted, a changed byte
detected (an error, never wrong bytes), key rotation re-encrypts everything, plaintext files
from before encryption still read and encrypted by the rotation."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from core.documents.encryption import HEADER, MAGIC, SEGMENT, Cipher, StorageIntegrityError, key_id
from core.documents.rotation import rotate_storage_key
from core.documents.storage import LocalDiskStore, key_for
from core.plugins.registry import CategoryRegistry
from core.settings import Settings, SettingsError, load_settings
from schema.app import create_app
from tests.children.conftest import Children
from tests.ipas.helpers import attachment
from tests.registration.helpers import PDF

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def _files(settings: Settings) -> list[Path]:
    return [p for p in settings.storage_dir.rglob("*") if p.is_file()]


async def _get(app: object, path: str, token: str) -> httpx.Response:
    async with LifespanManager(app) as manager:  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as h:
            return await h.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_stored_files_are_not_readable_as_plaintext(
    given: Children, settings: Settings
) -> None:
    # when
    await attachment(given.scene, "care-plan.pdf")

    # then
    [stored] = _files(settings)
    raw = stored.read_bytes()
    assert raw.startswith(MAGIC)
    assert b"%PDF" not in raw and PDF[:20] not in raw


async def test_a_download_streams_the_original_bytes(given: Children) -> None:
    # given
    s = given.scene
    document = await attachment(s, "care-plan.pdf")

    # when
    response = await s.client.http.get(
        f"/documents/{document}", headers={"Authorization": f"Bearer {s.caseworker.token}"}
    )

    # then
    assert response.status_code == 200
    assert response.content.startswith(PDF)
    assert int(response.headers["content-length"]) == len(response.content)


async def test_a_flipped_byte_answers_an_error_not_the_bytes(
    given: Children, settings: Settings
) -> None:
    # given
    s = given.scene
    document = await attachment(s, "care-plan.pdf")
    [stored] = _files(settings)
    raw = bytearray(stored.read_bytes())
    raw[HEADER + 5] ^= 0x01
    stored.chmod(0o644)
    stored.write_bytes(bytes(raw))

    # when
    response = await s.client.http.get(
        f"/documents/{document}", headers={"Authorization": f"Bearer {s.caseworker.token}"}
    )

    # then
    assert response.status_code == 500
    assert b"%PDF" not in response.content
    assert "integrity" in response.json()["error"]


async def test_a_changed_later_segment_stops_the_stream_before_its_bytes(tmp_path: Path) -> None:
    # given: three segments, the second changed
    store = LocalDiskStore(tmp_path, Cipher([os.urandom(32)]))
    data = os.urandom(SEGMENT * 2 + 100)
    blob = await store.put(data)
    path = tmp_path / blob.key
    raw = bytearray(path.read_bytes())
    raw[HEADER + SEGMENT + 16 + 3] ^= 0x80
    path.chmod(0o644)
    path.write_bytes(bytes(raw))

    # when
    received = b""
    with pytest.raises(StorageIntegrityError):
        async for chunk in store.chunks(blob.key):
            received += chunk

    # then: only the first segment, which was right
    assert received == data[:SEGMENT]


async def test_a_file_cut_short_is_detected(tmp_path: Path) -> None:
    store = LocalDiskStore(tmp_path, Cipher([os.urandom(32)]))
    data = os.urandom(SEGMENT * 2)
    blob = await store.put(data)
    path = tmp_path / blob.key
    raw = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(raw[: HEADER + SEGMENT + 16])  # the last segment dropped

    with pytest.raises(StorageIntegrityError):
        _ = [chunk async for chunk in store.chunks(blob.key)]


async def test_rotation_re_encrypts_every_file_and_old_keys_are_read_until_then(
    given: Children, settings: Settings, registry: CategoryRegistry
) -> None:
    # given: two files under key A
    s = given.scene
    under_a = settings.model_copy(update={"storage_key": KEY_A})
    store_a = LocalDiskStore(under_a.storage_dir, Cipher(under_a.storage_keys()))
    first = await store_a.put(PDF + b"one")
    await store_a.put(PDF + b"two")
    document = await attachment(s, "care-plan.pdf")  # under the tests' own key
    # the new key; the old ones: A, and the tests' default key (derived from the secret)
    derived = base64.b64encode(
        hashlib.sha256(b"portal-storage-key:" + settings.secret_key.encode()).digest()
    ).decode()
    rotated_settings = settings.model_copy(
        update={"storage_key": KEY_B, "storage_old_keys": f"{KEY_A},{derived}"}
    )
    before = await _get(
        create_app(rotated_settings, registry=registry),
        f"/documents/{document}",
        s.caseworker.token,
    )

    # when
    report = rotate_storage_key(rotated_settings, batch_size=1)

    # then
    assert before.status_code == 200 and before.content.startswith(PDF)
    assert (report.total, report.rotated) == (3, 3)
    new_id = key_id(base64.b64decode(KEY_B))
    assert all(p.read_bytes()[len(MAGIC) : len(MAGIC) + 8] == new_id for p in _files(settings))
    only_b = settings.model_copy(update={"storage_key": KEY_B, "storage_old_keys": ""})
    after = await _get(
        create_app(only_b, registry=registry), f"/documents/{document}", s.caseworker.token
    )
    assert after.status_code == 200 and after.content.startswith(PDF)
    store_b = LocalDiskStore(only_b.storage_dir, Cipher(only_b.storage_keys()))
    assert await store_b.read(first.key) == PDF + b"one"
    assert rotate_storage_key(only_b).rotated == 0  # again: nothing left to do


async def test_plaintext_files_from_before_are_read_and_encrypted_by_the_rotation(
    tmp_path: Path,
) -> None:
    # given: a file written before encryption (as the demo data was)
    data = PDF + b"legacy"
    digest = hashlib.sha256(data).hexdigest()
    path = tmp_path / key_for(digest)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    settings = Settings(storage_dir=tmp_path, storage_key=KEY_A, env="test")
    store = LocalDiskStore(tmp_path, Cipher(settings.storage_keys()))
    assert await store.read(key_for(digest)) == data

    # when
    report = rotate_storage_key(settings)

    # then
    assert (report.rotated, report.plaintext) == (1, 1)
    assert path.read_bytes().startswith(MAGIC)
    assert await store.read(key_for(digest)) == data


def test_production_requires_a_storage_key() -> None:
    with pytest.raises(SettingsError, match="PORTAL_STORAGE_KEY"):
        load_settings(env="production", secret_key="s" * 40)


def test_a_storage_key_must_be_32_bytes() -> None:
    with pytest.raises(SettingsError, match="PORTAL_STORAGE_KEY"):
        load_settings(storage_key=base64.b64encode(b"short").decode())
