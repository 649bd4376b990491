"""Sending: the right providers, and only they, receive a referral (contract section 6)."""

from sqlalchemy import select, update

from core.identity.roles import OrganisationKind, Role
from core.models import DeliveryHome, Notification, OutboxEmail, ReferralDelivery
from schema.node import decode_any_id
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import (
    CREATE,
    DECLINE,
    NODE,
    REFERRALS,
    SEND,
    SETTINGS,
    UPDATE,
    WITHDRAW,
    referral_input,
)


async def _sent(client, la, **kwargs) -> dict:
    created = (await client.data(CREATE, referral_input(**kwargs), token=la.caseworker.token))[
        "createReferral"
    ]
    assert created["userErrors"] == [], created["userErrors"]
    sent = await client.data(SEND, {"id": created["referral"]["id"]}, token=la.caseworker.token)
    assert sent["sendReferral"]["userErrors"] == []
    return {
        "id": created["referral"]["id"],
        "deliveredCount": sent["sendReferral"]["deliveredCount"],
    }


async def _visible_to(client, provider) -> list[str]:
    data = await client.data(REFERRALS, {"first": 50}, token=provider.admin.token)
    return [e["node"]["id"] for e in data["referrals"]["edges"]]


async def test_a_referral_reaches_only_providers_with_a_matching_home(
    people: People, la, client
) -> None:
    residential = await provider_with_homes(people, HomeSpec("RESIDENTIAL"))
    fostering = await provider_with_homes(people, HomeSpec("FOSTERING"))
    sent = await _sent(client, la)
    assert sent["deliveredCount"] == 1
    assert await _visible_to(client, residential) == [sent["id"]]
    assert await _visible_to(client, fostering) == []
    assert (await client.data(NODE, {"id": sent["id"]}, token=fostering.admin.token))[
        "node"
    ] is None


async def test_a_home_whose_ages_exclude_one_sibling_does_not_match(
    people: People, la, client
) -> None:
    teens = await provider_with_homes(people, HomeSpec(min_age=12, max_age=17))
    everyone = await provider_with_homes(people, HomeSpec(min_age=5, max_age=17))
    sent = await _sent(
        client, la, children=[{"age": 14, "gender": "FEMALE"}, {"age": 9, "gender": "FEMALE"}]
    )
    assert await _visible_to(client, teens) == []
    assert await _visible_to(client, everyone) == [sent["id"]]


async def test_a_home_that_does_not_accept_one_siblings_gender_does_not_match(
    people: People, la, client
) -> None:
    girls = await provider_with_homes(people, HomeSpec(genders=("FEMALE",)))
    mixed = await provider_with_homes(people, HomeSpec(genders=("FEMALE", "MALE")))
    sent = await _sent(
        client, la, children=[{"age": 14, "gender": "FEMALE"}, {"age": 13, "gender": "MALE"}]
    )
    assert await _visible_to(client, girls) == []
    assert await _visible_to(client, mixed) == [sent["id"]]


async def test_a_home_without_a_bed_for_each_sibling_does_not_match(
    people: People, la, client
) -> None:
    small = await provider_with_homes(people, HomeSpec(beds=1))
    sent = await _sent(
        client, la, children=[{"age": 14, "gender": "FEMALE"}, {"age": 13, "gender": "FEMALE"}]
    )
    assert sent["deliveredCount"] == 0
    assert await _visible_to(client, small) == []


async def test_a_provider_not_yet_approved_receives_nothing(people: People, la, client) -> None:
    pending = await provider_with_homes(people, HomeSpec(), status="PENDING_APPROVAL")
    await _sent(client, la)
    assert await _visible_to(client, pending) == []


async def test_the_delivery_says_which_homes_matched(people: People, la, client) -> None:
    provider = await provider_with_homes(
        people,
        HomeSpec(name="Oak"),
        HomeSpec(name="Ash", min_age=15),
        HomeSpec(name="Elm", category="FOSTERING"),
    )
    await _sent(client, la)
    data = await client.data(
        "{ referrals { edges { node { myDelivery { status version } } } } }",
        token=provider.admin.token,
    )
    assert data["referrals"]["edges"][0]["node"]["myDelivery"] == {"status": "NEW", "version": 1}


async def test_sending_again_without_an_edit_delivers_to_nobody(people: People, la, client) -> None:
    await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    again = await client.data(SEND, {"id": sent["id"]}, token=la.caseworker.token)
    assert again["sendReferral"]["deliveredCount"] == 0
    data = await client.data(NODE, {"id": sent["id"]}, token=la.caseworker.token)
    assert len(data["node"]["deliveries"]) == 1


async def test_a_decliner_does_not_get_an_unchanged_resend_but_gets_an_edited_one(
    people: People, la, client
) -> None:
    # given a provider that declined version 1
    provider = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    declined = await client.data(
        DECLINE, {"id": sent["id"], "reason": "No vacancy this month"}, token=provider.admin.token
    )
    assert declined["declineReferral"]["referral"]["myDelivery"] == {
        "status": "DECLINED",
        "declineReason": "No vacancy this month",
    }
    # when the LA sends again without an edit
    unchanged = await client.data(SEND, {"id": sent["id"]}, token=la.caseworker.token)
    # then nothing is delivered
    assert unchanged["sendReferral"]["deliveredCount"] == 0
    # when the LA edits and sends again
    await client.data(
        UPDATE,
        {"input": {"id": sent["id"], "summary": "Now also open to Solihull."}},
        token=la.caseworker.token,
    )
    edited = await client.data(SEND, {"id": sent["id"]}, token=la.caseworker.token)
    # then the decliner receives version 2
    assert edited["sendReferral"]["deliveredCount"] == 1
    data = await client.data(NODE, {"id": sent["id"]}, token=provider.admin.token)
    assert data["node"]["myDelivery"] == {"version": 2}
    assert data["node"]["summary"] == "Now also open to Solihull."


async def test_a_provider_sees_the_version_delivered_not_later_unsent_edits(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    await client.data(
        UPDATE,
        {"input": {"id": sent["id"], "summary": "Draft wording not sent yet."}},
        token=la.caseworker.token,
    )
    data = await client.data(NODE, {"id": sent["id"]}, token=provider.admin.token)
    assert data["node"]["version"] == 1
    assert data["node"]["summary"].startswith("14-year-old girl")


async def test_a_provider_sees_its_own_delivery_and_not_the_others(
    people: People, la, client
) -> None:
    first = await provider_with_homes(people, HomeSpec())
    await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    assert sent["deliveredCount"] == 2
    data = await client.data(NODE, {"id": sent["id"]}, token=first.admin.token)
    assert data["node"]["deliveries"] == []
    assert data["node"]["myDelivery"] == {"version": 1}


async def test_a_delivery_has_one_global_id_for_the_la_and_its_provider(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    query = "query ($id: ID!) { node(id: $id) { ... on Referral { %s { id } } } }"
    la_view = await client.data(query % "deliveries", {"id": sent["id"]}, token=la.caseworker.token)
    mine = await client.data(query % "myDelivery", {"id": sent["id"]}, token=provider.admin.token)
    delivery_id = mine["node"]["myDelivery"]["id"]
    assert la_view["node"]["deliveries"] == [{"id": delivery_id}]
    assert decode_any_id(delivery_id)[0] == "ReferralDelivery"


async def test_a_category_leads_settings_change_changes_the_next_send(
    people: People, la, client
) -> None:
    # given a framework and a spot home, and a lead who limits residential to framework first
    framework = await provider_with_homes(people, HomeSpec(contract_type="FRAMEWORK"))
    spot = await provider_with_homes(people, HomeSpec(contract_type="SPOT"))
    lead = await people.signed_in(
        await people.organisation(OrganisationKind.PLATFORM), Role.CATEGORY_LEAD
    )
    before = await _sent(client, la)
    changed = await client.data(
        SETTINGS,
        {"category": "RESIDENTIAL", "settings": {"frameworkFirst": True}},
        token=lead.token,
    )
    assert changed["updateCategorySettings"]["category"]["settings"] == {
        "frameworkFirst": True,
        "vacancyRule": "IGNORE",
    }
    # when the next referral is sent
    after = await _sent(client, la)
    # then only the framework home receives it
    assert before["deliveredCount"] == 2
    assert after["deliveredCount"] == 1
    assert after["id"] in await _visible_to(client, framework)
    assert after["id"] not in await _visible_to(client, spot)


async def test_settings_that_break_the_schema_are_refused_with_the_path(
    people: People, client
) -> None:
    lead = await people.signed_in(
        await people.organisation(OrganisationKind.PLATFORM), Role.CATEGORY_LEAD
    )
    data = await client.data(
        SETTINGS,
        {"category": "SUPPORTED_ACCOMMODATION", "settings": {"contractTypes": ["LEASE"]}},
        token=lead.token,
    )
    error = data["updateCategorySettings"]["userErrors"][0]
    assert error["field"] == ["input", "settings", "contractTypes", "0"]


async def test_supported_accommodation_goes_only_to_the_contract_types_its_lead_chose(
    people: People, la, client
) -> None:
    spot = await provider_with_homes(
        people, HomeSpec("SUPPORTED_ACCOMMODATION", 16, 17, contract_type="SPOT")
    )
    lead = await people.signed_in(
        await people.organisation(OrganisationKind.PLATFORM), Role.CATEGORY_LEAD
    )
    await client.data(
        SETTINGS,
        {"category": "SUPPORTED_ACCOMMODATION", "settings": {"contractTypes": ["FRAMEWORK"]}},
        token=lead.token,
    )
    sent = await _sent(
        client, la, category="SUPPORTED_ACCOMMODATION", children=[{"age": 16, "gender": "MALE"}]
    )
    assert sent["deliveredCount"] == 0
    assert await _visible_to(client, spot) == []


async def test_family_assessment_needs_a_bed_for_each_parent_too(
    people: People, la, client
) -> None:
    two_beds = await provider_with_homes(people, HomeSpec("FAMILY_ASSESSMENT", 0, 17, beds=2))
    three_beds = await provider_with_homes(people, HomeSpec("FAMILY_ASSESSMENT", 0, 17, beds=3))
    details = {"parents": [{"role": "MOTHER", "age": 24}, {"role": "FATHER", "age": 26}]}
    sent = await _sent(
        client,
        la,
        category="FAMILY_ASSESSMENT",
        children=[{"age": 0, "gender": "FEMALE"}],
        details=details,
    )
    assert await _visible_to(client, two_beds) == []
    assert await _visible_to(client, three_beds) == [sent["id"]]


async def test_recipients_are_notified_in_the_portal_and_by_email(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    signatory_only = await people.account(provider.organisation_id, Role.PROVIDER_SIGNATORY)
    outsider = await provider_with_homes(people, HomeSpec("FOSTERING"))
    sent = await _sent(client, la)
    async with people.db.session() as session:
        notified = set(
            await session.scalars(
                select(Notification.user_id).where(Notification.kind == "REFERRAL_RECEIVED")
            )
        )
        emailed = set(
            await session.scalars(
                select(OutboxEmail.user_id).where(OutboxEmail.kind == "REFERRAL_RECEIVED")
            )
        )
    assert notified == emailed == {provider.admin.user_id}
    assert signatory_only.user_id not in notified and outsider.admin.user_id not in notified
    assert sent["deliveredCount"] == 1


async def test_withdrawing_needs_a_reason_and_tells_the_recipients(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    blank = await client.data(
        WITHDRAW, {"id": sent["id"], "reason": " "}, token=la.caseworker.token
    )
    assert blank["withdrawReferral"]["userErrors"][0]["field"] == ["input", "reason"]
    done = await client.data(
        WITHDRAW, {"id": sent["id"], "reason": "Placed with family"}, token=la.caseworker.token
    )
    assert done["withdrawReferral"]["referral"]["status"] == "WITHDRAWN"
    async with people.db.session() as session:
        kinds = set(
            await session.scalars(
                select(Notification.kind).where(Notification.user_id == provider.admin.user_id)
            )
        )
    assert "REFERRAL_WITHDRAWN" in kinds


async def test_a_declined_referral_needs_a_reason(people: People, la, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    data = await client.data(DECLINE, {"id": sent["id"], "reason": ""}, token=provider.admin.token)
    assert data["declineReferral"]["userErrors"][0]["field"] == ["input", "reason"]


async def test_a_provider_that_did_not_receive_it_cannot_decline_it(
    people: People, la, client
) -> None:
    await provider_with_homes(people, HomeSpec())
    outsider = await provider_with_homes(people, HomeSpec("FOSTERING"))
    sent = await _sent(client, la)
    data = await client.data(DECLINE, {"id": sent["id"], "reason": "x"}, token=outsider.admin.token)
    assert data["declineReferral"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_an_edited_resend_renews_every_delivery_keeping_offers_and_replacing_homes(
    people: People, la, client
) -> None:
    # given three providers with version 1: one whose older-teen home did not match it, one
    # that declined it and one that made an offer
    growing = await provider_with_homes(
        people, HomeSpec(name="Oak"), HomeSpec(name="Ash", min_age=15)
    )
    decliner = await provider_with_homes(people, HomeSpec())
    offerer = await provider_with_homes(people, HomeSpec())
    sent = await _sent(client, la)
    await client.data(
        DECLINE, {"id": sent["id"], "reason": "No vacancy"}, token=decliner.admin.token
    )
    async with people.db.transaction() as session:
        await session.execute(
            update(ReferralDelivery)
            .where(ReferralDelivery.provider_id == offerer.organisation_id)
            .values(status="OFFERED")
        )
    # when the child's age is corrected and the referral is sent again
    await client.data(
        UPDATE,
        {"input": {"id": sent["id"], "children": [{"age": 16, "gender": "FEMALE"}]}},
        token=la.caseworker.token,
    )
    again = await client.data(SEND, {"id": sent["id"]}, token=la.caseworker.token)
    # then all three have version 2: the offer stands, the decline is cleared, and the
    # matched homes are those of version 2
    assert again["sendReferral"]["deliveredCount"] == 3
    async with people.db.session() as session:
        deliveries = {d.provider_id: d for d in await session.scalars(select(ReferralDelivery))}
        homes = set(
            (
                await session.execute(
                    select(ReferralDelivery.provider_id, DeliveryHome.home_id).join(
                        DeliveryHome, DeliveryHome.delivery_id == ReferralDelivery.id
                    )
                )
            ).all()
        )
        told = set(
            (
                await session.execute(
                    select(Notification.user_id, OutboxEmail.user_id)
                    .join(OutboxEmail, OutboxEmail.notification_id == Notification.id)
                    .where(Notification.message.contains("(version 2)"))
                )
            ).all()
        )
    assert {p: (d.version, d.status) for p, d in deliveries.items()} == {
        growing.organisation_id: (2, "NEW"),
        decliner.organisation_id: (2, "NEW"),
        offerer.organisation_id: (2, "OFFERED"),
    }
    assert deliveries[decliner.organisation_id].decline_reason is None
    assert deliveries[decliner.organisation_id].declined_at is None
    assert homes == {
        (growing.organisation_id, growing.home_ids[0]),
        (growing.organisation_id, growing.home_ids[1]),
        (decliner.organisation_id, decliner.home_ids[0]),
        (offerer.organisation_id, offerer.home_ids[0]),
    }
    staff = {p.admin.user_id for p in (growing, decliner, offerer)}
    assert told == {(user, user) for user in staff}
