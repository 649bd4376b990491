"""Finding 1: an organisation's documents have a storage quota, smaller before approval."""

from __future__ import annotations

import pytest

from core.settings import Settings
from tests.identity.world import World
from tests.registration.helpers import PDF
from tests.security.given import approve, uploaded

FILE = PDF + b"%" * 400


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests' settings with small quotas."""
    return settings.model_copy(
        update={
            "unapproved_storage_quota_bytes": 2 * len(FILE),
            "storage_quota_bytes": 4 * len(FILE),
        }
    )


async def test_an_unapproved_provider_cannot_upload_past_its_quota(world: World) -> None:
    # given
    for _ in range(2):
        assert (await uploaded(world, "provider_admin", "OTHER", FILE))["userErrors"] == []

    # when
    third = await uploaded(world, "provider_admin", "OTHER", FILE)

    # then
    (error,) = third["userErrors"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert third["document"] is None


async def test_an_approved_provider_has_the_larger_quota(world: World) -> None:
    # given
    await approve(world)
    for _ in range(4):
        assert (await uploaded(world, "provider_admin", "OTHER", FILE))["userErrors"] == []

    # when
    fifth = await uploaded(world, "provider_admin", "OTHER", FILE)

    # then
    assert [e["code"] for e in fifth["userErrors"]] == ["QUOTA_EXCEEDED"]
