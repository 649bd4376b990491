"""Finding 1: what a provider uploads is not seen by every LA.

Profile documents (insurance, Ofsted certificate, ...) are seen by the LAs once the provider is
approved, and before that by its managing LA only. Everything else (``CASE_DOCUMENT``, ``OTHER``)
is seen only by the parties of what it is attached to; each organisation has a storage quota.
"""

from __future__ import annotations

import pytest

from schema.node import encode_id
from tests.identity.world import World
from tests.registration.helpers import PDF
from tests.security.given import approve, download_status, uploaded

PROFILE = """
query ($id: ID!) { node(id: $id) { ... on Organisation { documents { id kind } } } }
"""


async def _listed(world: World, who: str, organisation: str) -> list[str]:
    provider = encode_id("Organisation", await world.org(organisation))
    body = await world.client.execute(PROFILE, {"id": provider}, token=await world.token(who))
    node = body["data"]["node"]
    return [d["id"] for d in node["documents"]] if node else []


@pytest.mark.parametrize("kind", ["CASE_DOCUMENT", "OTHER"])
async def test_a_providers_case_documents_are_not_on_its_profile_for_any_la(
    world: World, kind: str
) -> None:
    # given
    await approve(world)
    document = (await uploaded(world, "provider_admin", kind, PDF))["document"]

    # when
    listed = await _listed(world, "other_caseworker", "provider")
    status = await download_status(world, "other_caseworker", document["id"])
    own = await download_status(world, "provider_user", document["id"])

    # then
    assert document["kind"] == kind
    assert document["id"] not in listed
    assert status == 404
    assert own == 200


async def test_an_unapproved_providers_profile_documents_are_seen_by_its_managing_la_only(
    world: World,
) -> None:
    # given: the provider signed up (managed by "la") and is not approved
    document = (await uploaded(world, "provider_admin", "INSURANCE", PDF))["document"]

    # when
    other_la = await download_status(world, "other_caseworker", document["id"])
    other_la_listed = await _listed(world, "other_caseworker", "provider")
    managing_la = await download_status(world, "caseworker", document["id"])

    # then
    assert other_la == 404
    assert other_la_listed == []
    assert managing_la == 200


async def test_an_approved_providers_profile_documents_are_seen_by_every_la(world: World) -> None:
    # given
    await approve(world)
    document = (await uploaded(world, "provider_admin", "INSURANCE", PDF))["document"]

    # when
    status = await download_status(world, "other_caseworker", document["id"])
    listed = await _listed(world, "other_caseworker", "provider")

    # then
    assert status == 200
    assert listed == [document["id"]]


async def test_both_sides_upload_case_documents(world: World) -> None:
    # when
    la = await uploaded(world, "caseworker", "CASE_DOCUMENT", PDF)
    provider = await uploaded(world, "provider_user", "CASE_DOCUMENT", PDF)

    # then
    assert la["userErrors"] == [] and provider["userErrors"] == []
