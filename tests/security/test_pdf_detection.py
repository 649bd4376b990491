"""Finding 17: a PDF starts with its header at offset 0 and opens as a PDF; HTML with a
script and ``%PDF-`` in its first kilobyte is not one."""

from __future__ import annotations

import pytest

from tests.identity.world import World
from tests.registration.helpers import PDF
from tests.security.given import uploaded


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(document.cookie)</script><!-- %PDF-1.4 --></html>",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>",
    ],
    ids=["header-not-at-offset-0", "header-but-no-pdf"],
)
async def test_a_file_that_is_not_a_readable_pdf_is_refused(world: World, data: bytes) -> None:
    # when
    result = await uploaded(world, "provider_admin", "INSURANCE", data, filename="cert.pdf")

    # then
    (error,) = result["userErrors"]
    assert error["field"] == ["input", "file"]
    assert result["document"] is None


async def test_a_real_pdf_is_accepted(world: World) -> None:
    # when
    result = await uploaded(world, "provider_admin", "INSURANCE", PDF, filename="cert.pdf")

    # then
    assert result["userErrors"] == []
