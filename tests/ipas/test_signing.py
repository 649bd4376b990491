"""Signing: one signature per side, by a signatory or a delegate on their behalf."""

from __future__ import annotations

from sqlalchemy import select

from core.identity.roles import OrganisationKind, Role
from core.models import Notification, OutboxEmail
from tests.ipas.given import Scene
from tests.ipas.helpers import codes, generate, ready, sign, user_id
from tests.ipas.operations import GRANT, REVOKE


async def _notified(db, kind: str) -> set:
    async with db.session() as session:
        return set(
            await session.scalars(select(Notification.user_id).where(Notification.kind == kind))
        )


async def test_enabling_notifies_both_sides_signatories_and_their_delegates(
    ipa_scene: Scene, db
) -> None:
    # given
    s = ipa_scene
    delegate = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_USER)
    await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.provider_signatory.token)
    # when
    await ready(s)
    # then
    assert await _notified(db, "IPA_READY_TO_SIGN") == {
        s.la_signatory.user_id,
        s.provider_signatory.user_id,
        delegate.user_id,
    }
    async with db.session() as session:
        emails = set(
            await session.scalars(
                select(OutboxEmail.recipient).where(OutboxEmail.kind == "IPA_READY_TO_SIGN")
            )
        )
    assert emails == {s.la_signatory.email, s.provider_signatory.email, delegate.email}


async def test_both_sides_signing_makes_it_signed_and_notifies_both(ipa_scene: Scene, db) -> None:
    # given
    s = ipa_scene
    ipa = await ready(s)
    # when
    first = await sign(s.provider_signatory.token, s, ipa["id"])
    second = await sign(s.la_signatory.token, s, ipa["id"])
    # then
    assert first["userErrors"] == [] and first["ipa"]["status"] == "READY_FOR_SIGNING"
    assert second["userErrors"] == []
    signed = second["ipa"]
    assert signed["status"] == "SIGNED" and signed["signedAt"]
    assert [
        (g["party"], g["signedBy"]["id"], g["onBehalfOf"], g["contentHash"])
        for g in signed["signatures"]
    ] == [
        ("PROVIDER", user_id(s.provider_signatory), None, ipa["contentHash"]),
        ("LOCAL_AUTHORITY", user_id(s.la_signatory), None, ipa["contentHash"]),
    ]
    assert signed["contentHash"] == ipa["contentHash"]
    notified = await _notified(db, "IPA_SIGNED")
    assert {
        s.la_signatory.user_id,
        s.provider_signatory.user_id,
        s.caseworker.user_id,
        s.provider_user.user_id,
    } <= notified


async def test_a_non_signatory_cannot_sign(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await ready(s)
    # when
    by_provider_user = await sign(s.provider_user.token, s, ipa["id"])
    by_caseworker = await sign(s.caseworker.token, s, ipa["id"])
    # then
    assert codes(by_provider_user) == ["FORBIDDEN"]
    assert codes(by_caseworker) == ["FORBIDDEN"]
    assert by_caseworker["ipa"] is None


async def test_a_signatory_of_another_organisation_cannot_sign(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await ready(s)
    other_provider = await s.people.organisation(OrganisationKind.PROVIDER)
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    foreign_provider = await s.people.signed_in(other_provider, Role.PROVIDER_SIGNATORY)
    foreign_la = await s.people.signed_in(other_la, Role.LA_SIGNATORY)
    # when
    attempts = [
        await sign(foreign_provider.token, s, ipa["id"]),
        await sign(foreign_la.token, s, ipa["id"]),
        await sign(foreign_la.token, s, ipa["id"], on_behalf_of=user_id(s.la_signatory)),
    ]
    # then
    assert [codes(a) for a in attempts] == [["NOT_FOUND"]] * 3


async def test_a_delegate_signs_on_behalf_with_both_names_recorded(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    delegate = await s.people.caseworker(s.la_id)
    granted = (
        await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.la_signatory.token)
    )["grantSigningAuthority"]
    assert granted["userErrors"] == []
    ipa = await ready(s)
    # when
    payload = await sign(delegate.token, s, ipa["id"], on_behalf_of=user_id(s.la_signatory))
    # then
    assert payload["userErrors"] == []
    [signature] = payload["ipa"]["signatures"]
    assert signature["party"] == "LOCAL_AUTHORITY"
    assert signature["signedBy"]["id"] == user_id(delegate)
    assert signature["onBehalfOf"]["id"] == user_id(s.la_signatory)
    assert signature["signedBy"]["name"] and signature["onBehalfOf"]["name"]
    assert signature["contentHash"] == ipa["contentHash"]


async def test_a_revoked_delegate_cannot_sign(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    delegate = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_USER)
    await s.client.data(GRANT, {"userId": user_id(delegate)}, token=s.provider_signatory.token)
    await s.client.data(REVOKE, {"userId": user_id(delegate)}, token=s.provider_signatory.token)
    ipa = await ready(s)
    # when
    payload = await sign(delegate.token, s, ipa["id"], on_behalf_of=user_id(s.provider_signatory))
    # then
    assert codes(payload) == ["FORBIDDEN"]
    assert payload["userErrors"][0]["field"] == ["input", "onBehalfOfUserId"]


async def test_no_one_signs_on_behalf_of_someone_who_did_not_authorise_them(
    ipa_scene: Scene,
) -> None:
    # given
    s = ipa_scene
    colleague = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_USER)
    ipa = await ready(s)
    # when
    payload = await sign(colleague.token, s, ipa["id"], on_behalf_of=user_id(s.provider_signatory))
    # then
    assert codes(payload) == ["FORBIDDEN"]


async def test_the_same_side_cannot_sign_twice(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    second_signatory = await s.people.signed_in(s.la_id, Role.LA_SIGNATORY)
    ipa = await ready(s)
    await sign(s.la_signatory.token, s, ipa["id"])
    # when
    again = await sign(s.la_signatory.token, s, ipa["id"])
    colleague = await sign(second_signatory.token, s, ipa["id"])
    # then
    assert codes(again) == ["INVALID_STATE"]
    assert codes(colleague) == ["INVALID_STATE"]


async def test_a_draft_cannot_be_signed(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    draft = await generate(s)
    # when
    by_staff_signatory = await s.people.signed_in(s.la_id, Role.LA_CASEWORKER, Role.LA_SIGNATORY)
    payload = await sign(by_staff_signatory.token, s, draft["id"])
    # then
    assert codes(payload) == ["INVALID_STATE"]


async def test_a_signed_ipa_takes_no_more_signatures(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await ready(s)
    await sign(s.la_signatory.token, s, ipa["id"])
    await sign(s.provider_signatory.token, s, ipa["id"])
    other = await s.people.signed_in(s.provider.organisation_id, Role.PROVIDER_SIGNATORY)
    # when
    payload = await sign(other.token, s, ipa["id"])
    # then
    assert codes(payload) == ["INVALID_STATE"]
