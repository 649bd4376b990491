"""The printable IPA and offer pages: the caller's credentials, 404 for anyone else, escaped."""

from __future__ import annotations

from core.identity.roles import Role
from schema.node import encode_id
from tests.ipas.given import Scene
from tests.ipas.helpers import enable, generate, sign, update_draft, user_id
from tests.ipas.operations import GRANT


async def _get(s: Scene, path: str, token: str | None = None, cookie: str | None = None):
    http = s.client.http
    http.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cookie:
        http.cookies.set("portal_session", cookie)
    response = await http.get(path, headers=headers)
    http.cookies.clear()
    return response


async def _signed(s: Scene) -> dict:
    delegate = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_USER)
    await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.provider_signatory.token)
    ipa = await generate(s)
    await update_draft(
        s, ipa["id"], fields={"additionalTerms": "<script>alert('x')</script> & more"}
    )
    ipa = await enable(s, ipa["id"])
    await sign(delegate.token, s, ipa["id"], on_behalf_of=user_id(s.provider_signatory))
    return (await sign(s.la_signatory.token, s, ipa["id"]))["ipa"]


async def test_the_ipa_prints_with_its_hash_signatures_and_escaped_terms(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await _signed(s)
    # when
    response = await _get(s, f"/ipas/{ipa['id']}/print", token=s.caseworker.token)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "private, no-store"
    page = response.text
    assert ipa["contentHash"] in page
    assert ipa["terms"]["referralReference"] in page
    assert "&pound;1250.00" in page and "Oak House" in page and "SC123456" in page
    for signature in ipa["signatures"]:
        assert signature["signedBy"]["name"] in page
    assert ipa["signatures"][0]["onBehalfOf"]["name"] in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page


async def test_who_may_print_the_ipa(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    draft = await generate(s)
    ready = await enable(s, (await generate(s))["id"])
    stranger = await s.people.provider_admin()
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    other_caseworker = await s.people.caseworker(other_la)
    # when / then
    assert (
        await _get(s, f"/ipas/{draft['id']}/print", token=s.provider_user.token)
    ).status_code == 200
    assert (
        await _get(s, f"/ipas/{draft['id']}/print", cookie=s.caseworker.token)
    ).status_code == 200
    assert (
        await _get(s, f"/ipas/{ready['id']}/print", token=s.la_signatory.token)
    ).status_code == 200
    for path, token in (
        (f"/ipas/{draft['id']}/print", s.la_signatory.token),
        (f"/ipas/{draft['id']}/print", stranger.token),
        (f"/ipas/{ready['id']}/print", other_caseworker.token),
        (f"/ipas/{ready['id']}/print", None),
        ("/ipas/not-an-id/print", s.caseworker.token),
        (f"/ipas/{encode_id('Referral', s.la_id)}/print", s.caseworker.token),
    ):
        assert (await _get(s, path, token=token)).status_code == 404, (path, token)


async def test_the_accepted_offer_prints_for_its_parties_only(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    ipa = await generate(s, offer)
    path = f"/offers/{encode_id('Offer', offer)}/print"
    stranger = await s.people.provider_admin()
    # when
    la = await _get(s, path, token=s.caseworker.token)
    provider = await _get(s, path, token=s.provider_user.token)
    # then
    assert la.status_code == 200 and provider.status_code == 200
    assert "&pound;1250.00" in la.text and "Oak House" in la.text and "Bedroom set-up" in la.text
    assert (await _get(s, path, token=stranger.token)).status_code == 404
    assert (await _get(s, path, token=s.la_signatory.token)).status_code == 404
    assert (await _get(s, path)).status_code == 404
    await enable(s, ipa["id"])
    assert (await _get(s, path, token=s.la_signatory.token)).status_code == 200
