"""Finding 10: a spreadsheet cannot pin the server.

Every XML part of the workbook is capped (a styles.xml that inflates to megabytes was parsed
whole), and the reading runs in a child process with memory, CPU and wall-clock limits.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from core.settings import Settings
from tests.identity.world import World
from tests.registration.helpers import HOME, UPLOAD_SPREADSHEET, fill, template, upload_data


def with_styles_inflating_to(workbook: bytes, size: int) -> bytes:
    """``workbook`` with its styles.xml padded by varied fonts to about ``size`` bytes: its
    compression ratio stays that of real XML (far under every ratio guard)."""
    rng = random.Random(20)
    fonts = []
    length = 0
    while length < size:
        font = f'<font><sz val="11"/><name val="F{rng.getrandbits(64):016x}"/></font>'
        fonts.append(font)
        length += len(font)
    styles = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts></styleSheet>'
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = styles if member.filename == "xl/styles.xml" else source.read(member)
            target.writestr(member.filename, content)
    return buffer.getvalue()


async def _upload(world: World, data: bytes) -> dict:
    await world.org("la")
    return (
        await upload_data(
            world.client.http,
            UPLOAD_SPREADSHEET,
            {},
            filename="r.xlsx",
            data=data,
            token=await world.token("provider_admin"),
        )
    )["uploadRegistrationSpreadsheet"]


async def test_an_inflated_styles_part_is_refused_before_it_is_parsed(world: World) -> None:
    # given a valid registration whose styles.xml unpacks to 3 MB at a modest ratio
    await world.org("la")
    data = with_styles_inflating_to(fill(await template(world.client.http)), 3 * 1024 * 1024)
    ratio = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()) / len(data)

    # when
    result = await _upload(world, data)

    # then
    assert ratio < 20
    (error,) = result["userErrors"]
    assert "xl/styles.xml" in error["message"]
    assert result["registration"] is None


def _limited(database_url: str, tmp_path: Path, **limits: object) -> Settings:
    from tests.conftest import TEST_SECRET_KEY

    return Settings(
        database_url=database_url,
        storage_dir=tmp_path / "storage",
        secret_key=TEST_SECRET_KEY,
        env="test",
        **limits,  # type: ignore[arg-type]
    )


class TestTheParsersMemoryLimit:
    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path) -> Settings:
        # Below what the loaded interpreter already maps: any allocation for the file fails.
        return _limited(database_url, tmp_path, spreadsheet_parse_memory_bytes=1024 * 1024)

    async def test_a_workbook_over_the_parsers_memory_limit_is_refused_clearly(
        self, world: World
    ) -> None:
        # given a valid registration of 300 homes
        await world.org("la")
        data = fill(await template(world.client.http), homes=[HOME] * 300)

        # when
        result = await _upload(world, data)

        # then
        (error,) = result["userErrors"]
        assert "more memory or time" in error["message"]
        assert error["field"] == ["input", "file"]


class TestTheParsersTimeLimit:
    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path) -> Settings:
        return _limited(database_url, tmp_path, spreadsheet_parse_timeout_seconds=0.01)

    async def test_a_workbook_read_slower_than_the_limit_is_refused_clearly(
        self, world: World
    ) -> None:
        # given a valid registration
        await world.org("la")
        data = fill(await template(world.client.http))

        # when
        result = await _upload(world, data)

        # then
        (error,) = result["userErrors"]
        assert "more memory or time" in error["message"]
