"""Who sees which IPA: staff of both sides, signatories once it is before them, nobody else."""

from __future__ import annotations

import pytest

from core.identity.roles import Role
from core.querycount import count_queries
from tests.ipas.given import Scene
from tests.ipas.helpers import attachment, enable, generate, ready, sign, update_draft, user_id
from tests.ipas.operations import GRANT, IPAS, NODE, REFERRAL_IPA, REFERRALS
from tests.referrals.homes import HomeSpec, provider_with_homes


async def _ids(s: Scene, token: str, status: str | None = None) -> list[str]:
    return [i["id"] for i in (await s.client.data(IPAS, {"status": status}, token=token))["ipas"]]


async def test_a_signatory_only_user_sees_only_the_ipas_before_them(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    draft = await generate(s)
    awaiting = await ready(s)
    # when
    la_side = await _ids(s, s.la_signatory.token)
    provider_side = await _ids(s, s.provider_signatory.token, "READY_FOR_SIGNING")
    referrals = (await s.client.data(REFERRALS, token=s.la_signatory.token))["referrals"]
    # then
    assert la_side == [awaiting["id"]] and draft["id"] not in la_side
    assert provider_side == [awaiting["id"]]
    assert referrals == {"totalCount": 0, "edges": []}


async def test_a_signatory_only_user_sees_no_case_details_behind_the_ipa(
    ipa_scene: Scene,
) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    await update_draft(s, ipa["id"], documentIds=[await attachment(s)])
    await enable(s, ipa["id"])
    # when
    [seen] = (await s.client.data(IPAS, token=s.provider_signatory.token))["ipas"]
    referral_node = await s.client.data(
        REFERRAL_IPA, {"id": seen["referral"]["id"]}, token=s.provider_signatory.token
    )
    # then
    assert seen["referral"]["reference"] == ipa["terms"]["referralReference"]
    assert seen["referral"]["summary"] == ""
    assert seen["referral"]["documents"] == []
    assert len(seen["documents"]) == 1
    assert referral_node["node"] is None


async def test_a_delegate_sees_the_ipas_awaiting_their_principal(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    delegate = await s.people.signed_in(s.la_id, Role.LA_SIGNATORY)
    await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.la_signatory.token)
    awaiting = await ready(s)
    # when
    seen = await _ids(s, delegate.token)
    # then
    assert seen == [awaiting["id"]]


async def test_staff_see_their_organisations_ipas_and_nobody_else_does(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    draft = await generate(s)
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    other_caseworker = await s.people.caseworker(other_la)
    other_provider = await s.people.provider_admin()
    platform = await s.people.platform_admin()
    # when / then
    assert await _ids(s, s.caseworker.token) == [draft["id"]]
    assert await _ids(s, s.provider_user.token) == [draft["id"]]
    for stranger in (other_caseworker, other_provider, platform):
        assert await _ids(s, stranger.token) == []
        node = await s.client.data(NODE, {"id": draft["id"]}, token=stranger.token)
        assert node["node"] is None
    assert await _ids(s, "") == []
    assert await _ids(s, s.caseworker.token, "SIGNED") == []


async def test_the_node_of_an_ipa_follows_the_same_rule(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    draft = await generate(s)
    # when
    staff = await s.client.data(NODE, {"id": draft["id"]}, token=s.provider_user.token)
    signatory = await s.client.data(NODE, {"id": draft["id"]}, token=s.la_signatory.token)
    # then
    assert staff["node"] == {"id": draft["id"], "status": "DRAFT"}
    assert signatory["node"] is None


async def test_referral_ipa_is_the_live_ipa_for_its_parties_only(ipa_scene: Scene, people) -> None:
    # given
    s = ipa_scene
    rival = await provider_with_homes(
        people, HomeSpec(name="Birch House"), name="Birch Homes", managing_la=s.la_id
    )
    referral_id, _ = await s.referral()
    ipa = await generate(s, await s.offer(referral_id))
    from schema.node import encode_id

    referral = encode_id("Referral", referral_id)
    # when
    la = await s.client.data(REFERRAL_IPA, {"id": referral}, token=s.caseworker.token)
    winner = await s.client.data(REFERRAL_IPA, {"id": referral}, token=s.provider_user.token)
    loser = await s.client.data(REFERRAL_IPA, {"id": referral}, token=rival.admin.token)
    # then
    assert la["node"]["ipa"] == {"id": ipa["id"], "status": "DRAFT"}
    assert winner["node"]["ipa"] == {"id": ipa["id"], "status": "DRAFT"}
    assert loser["node"] is not None and loser["node"]["ipa"] is None


async def test_attachments_download_for_both_sides_and_no_one_else(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    document = await attachment(s)
    await update_draft(s, ipa["id"], documentIds=[document])
    stranger = await s.people.provider_admin()
    http = s.client.http

    async def status(token: str) -> int:
        http.cookies.clear()
        response = await http.get(
            f"/documents/{document}", headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code

    # when / then: a draft's attachments are for staff
    assert await status(s.provider_user.token) == 200
    assert await status(s.provider_signatory.token) == 404
    await enable(s, ipa["id"])
    assert await status(s.provider_signatory.token) == 200
    assert await status(s.la_signatory.token) == 200
    assert await status(stranger.token) == 404


QUERY = """
query { ipas {
  signatures { signedBy { name } onBehalfOf { name } }
  documents { name }
  referral { reference }
} }"""


async def _statements(s: Scene, token: str) -> int:
    with count_queries() as counter:
        await s.client.data(QUERY, token=token)
    return counter.count


async def _signed_ipas(s: Scene, count: int) -> None:
    delegate = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_USER)
    await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.provider_signatory.token)
    for _ in range(count):
        ipa = await generate(s)
        await update_draft(s, ipa["id"], documentIds=[await attachment(s)])
        await enable(s, ipa["id"])
        await sign(delegate.token, s, ipa["id"], on_behalf_of=user_id(s.provider_signatory))
        await sign(s.la_signatory.token, s, ipa["id"])


@pytest.mark.parametrize("who", ["caseworker", "provider_user", "la_signatory"])
async def test_the_list_costs_the_same_statements_for_2_and_6_ipas(
    people, client, who: str
) -> None:
    from tests.ipas.given import scene

    # given
    few = await scene(people, client)
    many = await scene(people, client, la=("Coventry", "COV"), provider_name="Birch Homes")
    await _signed_ipas(few, 2)
    await _signed_ipas(many, 6)
    # when
    counts = [await _statements(x, getattr(x, who).token) for x in (few, many)]
    # then
    assert counts[0] == counts[1]
    listed = (await client.data(QUERY, token=getattr(many, who).token))["ipas"]
    assert len(listed) == 6
    assert all(len(i["signatures"]) == 2 and i["documents"] for i in listed)
