"""Finding 3: a signatory-only user sees no case details by any path.

``IPA.referral`` was redacted for them but ``IPA.offer.referral`` was not: what a viewer sees of
a referral is now decided in one place, whatever the path.
"""

from __future__ import annotations

import pytest

from tests.ipas.given import Scene
from tests.ipas.helpers import ready

PATHS = """
query ($id: ID!) {
  node(id: $id) {
    ... on IndividualPlacementAgreement {
      referral { summary postcode details children { age needs } documents { id } }
      offer { referral { summary postcode details children { age needs } documents { id }
                         offers { id } thread { id } } }
    }
  }
}"""


@pytest.mark.parametrize("side", ["la_signatory", "provider_signatory"])
async def test_a_signatory_only_user_sees_no_case_details_through_the_ipas_offer(
    ipa_scene: Scene, side: str
) -> None:
    # given an IPA put before the signatories
    s = ipa_scene
    ipa = await ready(s)
    signatory = getattr(s, side)

    # when
    node = (await s.client.data(PATHS, {"id": ipa["id"]}, token=signatory.token))["node"]

    # then both paths give the same, redacted referral
    through_offer = dict(node["offer"]["referral"])
    assert through_offer.pop("offers") == []
    assert through_offer.pop("thread") is None
    assert through_offer == node["referral"]
    assert through_offer["summary"] == ""
    assert through_offer["postcode"] is None
    assert through_offer["details"] == {}
    assert all(child["needs"] is None for child in through_offer["children"])
    assert through_offer["documents"] == []


async def test_case_staff_see_the_case_through_the_ipas_offer(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await ready(s)

    # when
    node = (await s.client.data(PATHS, {"id": ipa["id"]}, token=s.caseworker.token))["node"]

    # then
    assert node["offer"]["referral"]["summary"] != ""
    assert node["offer"]["referral"]["summary"] == node["referral"]["summary"]
