"""The print views and PDFs of offers and IPAs answer exactly those who see the object through
the API (``node(id:)``): one rule in core, so the page, the PDF and the API cannot disagree."""

from __future__ import annotations

from typing import Any

from schema.node import encode_id
from tests.ipas.given import Scene
from tests.ipas.helpers import enable, generate
from tests.ipas.test_print import _get

NODE = "query ($id: ID!) { node(id: $id) { id } }"


async def _everyone(s: Scene) -> dict[str, str | None]:
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    return {
        "LA caseworker": s.caseworker.token,
        "provider admin": s.provider_user.token,
        "LA signatory": s.la_signatory.token,
        "provider signatory": s.provider_signatory.token,
        "another provider's admin": (await s.people.provider_admin()).token,
        "another LA's caseworker": (await s.people.caseworker(other_la)).token,
        "platform admin": (await s.people.platform_admin()).token,
        "nobody": None,
    }


async def _seen_through_api(s: Scene, global_id: str, token: str | None) -> bool:
    data: dict[str, Any] = await s.client.data(NODE, {"id": global_id}, token=token or "")
    return data["node"] is not None


async def _answers(s: Scene, global_id: str, kind: str, token: str | None) -> tuple[int, int]:
    printed = await _get(s, f"/{kind}/{global_id}/print", token=token)
    pdf = await _get(s, f"/{kind}/{global_id}.pdf", token=token)
    return printed.status_code, pdf.status_code


async def _assert_agree(s: Scene, global_id: str, kind: str, people: dict[str, str | None]):
    seen = {}
    for who, token in people.items():
        api = await _seen_through_api(s, global_id, token)
        expected = (200, 200) if api else (404, 404)
        assert await _answers(s, global_id, kind, token) == expected, (who, kind, api)
        seen[who] = api
    return seen


async def test_the_offer_print_view_and_pdf_follow_the_api(ipa_scene: Scene) -> None:
    # given an accepted offer with a draft IPA (then put before the signatories), and another
    # accepted offer with none
    s = ipa_scene
    key = await s.offer()
    offer = encode_id("Offer", key)
    ipa = await generate(s, key)
    without_ipa = encode_id("Offer", await s.offer())
    everyone = await _everyone(s)
    # when / then: every caller gets the page and the PDF exactly when the API shows the offer
    before = await _assert_agree(s, offer, "offers", everyone)
    await enable(s, ipa["id"])
    after = await _assert_agree(s, offer, "offers", everyone)
    # and the rule is the one intended: the parties' staff, and signatories once an IPA drawn
    # from the offer is before them
    staff = {"LA caseworker", "provider admin"}
    assert {who for who, seen in before.items() if seen} == staff
    assert {who for who, seen in after.items() if seen} == staff | {
        "LA signatory",
        "provider signatory",
    }
    assert await _assert_agree(s, without_ipa, "offers", everyone) == before


async def test_the_ipa_print_view_and_pdf_follow_the_api(ipa_scene: Scene) -> None:
    # given a draft IPA, then the same IPA put before the signatories
    s = ipa_scene
    ipa = await generate(s)
    everyone = await _everyone(s)
    # when / then
    before = await _assert_agree(s, ipa["id"], "ipas", everyone)
    await enable(s, ipa["id"])
    after = await _assert_agree(s, ipa["id"], "ipas", everyone)
    staff = {"LA caseworker", "provider admin"}
    assert {who for who, seen in before.items() if seen} == staff
    assert {who for who, seen in after.items() if seen} == staff | {
        "LA signatory",
        "provider signatory",
    }
