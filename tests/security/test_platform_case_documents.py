"""Finding 5: the download rule and the object rule are the same rule; the platform operator,
which ``node()`` keeps from referrals, messages and IPAs, downloads none of their documents."""

from __future__ import annotations

import pytest

from tests.identity.world import World
from tests.registration.helpers import PDF
from tests.security.given import approve, download_status, uploaded


@pytest.mark.parametrize("kind", ["REFERRAL_FORM", "IPA_ATTACHMENT", "CASE_DOCUMENT", "OTHER"])
async def test_the_platform_admin_cannot_download_an_las_case_documents(
    world: World, kind: str
) -> None:
    # given
    document = (await uploaded(world, "caseworker", kind, PDF))["document"]

    # when
    status = await download_status(world, "platform_admin", document["id"])
    node = await world.client.execute(
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": document["id"]},
        token=await world.token("platform_admin"),
    )

    # then
    assert status == 404
    assert node["data"]["node"] is None


async def test_the_platform_admin_downloads_a_providers_profile_documents(world: World) -> None:
    # given
    await approve(world)
    document = (await uploaded(world, "provider_admin", "INSURANCE", PDF))["document"]

    # when
    status = await download_status(world, "platform_admin", document["id"])

    # then
    assert status == 200
