"""Vacancies: declared per home, stale after the confirmation period, used by matching through
each category's vacancyRule, and answering referrals with a coded decline (contract 13)."""

from __future__ import annotations

from datetime import date, timedelta

from core.models.base import utcnow
from core.vacancies import remind_stale_vacancies
from tests.offers.helpers import notifications_of, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.sufficiency.given import (
    AUTO_DECLINE,
    HOME,
    UPDATE_VACANCY,
    auto_decline,
    confirmed_at,
    declare,
    deliveries_of,
    vacancy_rule,
)

STALE = utcnow() - timedelta(days=15)


async def test_a_provider_declares_a_homes_vacancy_confirmed_now(people: People, client) -> None:
    # given
    provider = await provider_with_homes(people, HomeSpec(beds=3))
    # when
    home = await declare(client, provider, 2, date(2030, 1, 6))
    # then
    assert home["vacancy"]["bedsFree"] == 2
    assert home["vacancy"]["availableFrom"] == "2030-01-06"
    assert home["vacancy"]["isStale"] is False


async def test_a_declaration_older_than_the_confirmation_period_is_stale(
    people: People, client
) -> None:
    # given
    provider = await provider_with_homes(people, HomeSpec())
    await declare(client, provider, 1)
    await confirmed_at(people, provider.home_ids[0], STALE)
    # when
    data = await client.data(HOME, {"id": provider.home()}, token=provider.admin.token)
    # then
    assert data["node"]["vacancy"]["isStale"] is True


async def test_a_home_never_declared_has_no_vacancy_declaration(people: People, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    data = await client.data(HOME, {"id": provider.home()}, token=provider.admin.token)
    assert data["node"]["vacancy"] is None


async def test_more_beds_free_than_the_home_has_is_refused(people: People, client) -> None:
    provider = await provider_with_homes(people, HomeSpec(beds=2))
    result = await client.data(
        UPDATE_VACANCY,
        {"input": {"homeId": provider.home(), "bedsFree": 3}},
        token=provider.admin.token,
    )
    assert result["updateHomeVacancy"]["home"] is None
    assert result["updateHomeVacancy"]["userErrors"][0]["field"] == ["input", "bedsFree"]


async def test_another_providers_home_is_not_found(people: People, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    other = await provider_with_homes(people, HomeSpec())
    result = await client.data(
        UPDATE_VACANCY,
        {"input": {"homeId": provider.home(), "bedsFree": 1}},
        token=other.admin.token,
    )
    assert [e["code"] for e in result["updateHomeVacancy"]["userErrors"]] == ["NOT_FOUND"]


async def test_ignore_sends_to_homes_with_and_without_a_vacancy(people: People, la, client) -> None:
    # given
    free = await provider_with_homes(people, HomeSpec())
    full = await provider_with_homes(people, HomeSpec())
    await declare(client, free, 2)
    await declare(client, full, 0)
    await vacancy_rule(client, people, "RESIDENTIAL", "IGNORE")
    # when
    referral = await sent_referral(client, la)
    # then
    assert set(await deliveries_of(client, la, referral)) == {free.id, full.id}


async def test_prefer_sends_only_to_homes_with_a_vacancy_when_one_has_one(
    people: People, la, client
) -> None:
    # given
    free = await provider_with_homes(people, HomeSpec())
    full = await provider_with_homes(people, HomeSpec())
    unknown = await provider_with_homes(people, HomeSpec())
    await declare(client, free, 1)
    await declare(client, full, 0)
    await vacancy_rule(client, people, "RESIDENTIAL", "PREFER")
    # when
    referral = await sent_referral(client, la)
    # then
    assert set(await deliveries_of(client, la, referral)) == {free.id}
    assert unknown.id not in await deliveries_of(client, la, referral)


async def test_prefer_sends_to_every_matching_home_when_none_has_a_vacancy(
    people: People, la, client
) -> None:
    # given
    full = await provider_with_homes(people, HomeSpec())
    stale = await provider_with_homes(people, HomeSpec())
    await declare(client, full, 0)
    await declare(client, stale, 2)
    await confirmed_at(people, stale.home_ids[0], STALE)
    await vacancy_rule(client, people, "RESIDENTIAL", "PREFER")
    # when
    referral = await sent_referral(client, la)
    # then
    assert set(await deliveries_of(client, la, referral)) == {full.id, stale.id}


async def test_require_sends_only_to_current_vacancies_and_stale_ones_count_as_unknown(
    people: People, la, client
) -> None:
    # given
    free = await provider_with_homes(people, HomeSpec())
    stale = await provider_with_homes(people, HomeSpec())
    later = await provider_with_homes(people, HomeSpec())
    never = await provider_with_homes(people, HomeSpec())
    await declare(client, free, 1)
    await declare(client, stale, 1)
    await confirmed_at(people, stale.home_ids[0], STALE)
    await declare(client, later, 1, date.today() + timedelta(days=30))
    await vacancy_rule(client, people, "RESIDENTIAL", "REQUIRE")
    # when
    referral = await sent_referral(client, la)
    # then
    reached = set(await deliveries_of(client, la, referral))
    assert reached == {free.id}
    assert never.id not in reached


async def test_require_counts_a_bed_free_by_the_date_the_placement_is_needed(
    people: People, la, client
) -> None:
    # given
    later = await provider_with_homes(people, HomeSpec())
    await declare(client, later, 1, date.today() + timedelta(days=10))
    await vacancy_rule(client, people, "RESIDENTIAL", "REQUIRE")
    # when
    referral = await sent_referral(
        client, la, requiredFrom=(date.today() + timedelta(days=14)).isoformat()
    )
    # then
    assert set(await deliveries_of(client, la, referral)) == {later.id}


async def test_require_needs_a_bed_for_each_child(people: People, la, client) -> None:
    # given
    one_bed = await provider_with_homes(people, HomeSpec())
    await declare(client, one_bed, 1)
    await vacancy_rule(client, people, "RESIDENTIAL", "REQUIRE")
    # when
    referral = await sent_referral(
        client, la, children=[{"age": 12, "gender": "MALE"}, {"age": 14, "gender": "MALE"}]
    )
    # then
    assert await deliveries_of(client, la, referral) == {}


async def test_every_category_takes_the_vacancy_rule(people: People, client) -> None:
    lead = await people.platform_admin()
    for category in ("FOSTERING", "RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FAMILY_ASSESSMENT"):
        from tests.sufficiency.given import SET_RULE

        result = await client.data(
            SET_RULE,
            {"category": category, "settings": {"vacancyRule": "REQUIRE"}},
            token=lead.token,
        )
        payload = result["updateCategorySettings"]
        assert payload["userErrors"] == [], category
        assert payload["category"]["settings"]["vacancyRule"] == "REQUIRE"
    wrong = await client.data(
        SET_RULE,
        {"category": "FOSTERING", "settings": {"vacancyRule": "SOMETIMES"}},
        token=lead.token,
    )
    assert wrong["updateCategorySettings"]["userErrors"][0]["field"][:3] == [
        "input",
        "settings",
        "vacancyRule",
    ]


async def test_auto_decline_answers_with_no_vacancy_instead_of_delivering(
    people: People, la, client
) -> None:
    # given
    full = await provider_with_homes(people, HomeSpec())
    free = await provider_with_homes(people, HomeSpec())
    await declare(client, full, 0)
    await declare(client, free, 1)
    set_it = await client.data(AUTO_DECLINE, {"enabled": True}, token=full.admin.token)
    assert set_it["setAutoDeclineWithoutVacancy"] == {"enabled": True, "userErrors": []}
    await auto_decline(people, free.organisation_id)
    # when
    referral = await sent_referral(client, la)
    # then
    deliveries = await deliveries_of(client, la, referral)
    assert deliveries[full.id]["status"] == "DECLINED"
    assert deliveries[full.id]["declineReasonCode"] == "NO_VACANCY"
    assert deliveries[full.id]["declineReason"]
    assert deliveries[full.id]["respondedAt"] is not None
    assert deliveries[free.id]["status"] == "NEW"
    assert await notifications_of(people, full.admin, "REFERRAL_RECEIVED") == []
    assert len(await notifications_of(people, free.admin, "REFERRAL_RECEIVED")) == 1


async def test_without_the_setting_a_provider_with_no_vacancy_still_receives_referrals(
    people: People, la, client
) -> None:
    full = await provider_with_homes(people, HomeSpec())
    await declare(client, full, 0)
    referral = await sent_referral(client, la)
    assert (await deliveries_of(client, la, referral))[full.id]["status"] == "NEW"


async def test_the_la_sees_whether_the_offered_home_had_a_current_vacancy(
    people: People, la, client
) -> None:
    # given
    free = await ready_provider(people)
    unknown = await ready_provider(people)
    await declare(client, free, 1)
    referral = await sent_referral(client, la)
    # when
    with_vacancy = await submitted(client, referral, free)
    without = await submitted(client, referral, unknown)
    # then
    query = "query ($id: ID!) { node(id: $id) { ... on Offer { homeHadVacancy } } }"
    seen = [
        (await client.data(query, {"id": o["id"]}, token=la.caseworker.token))["node"]
        for o in (with_vacancy, without)
    ]
    assert seen == [{"homeHadVacancy": True}, {"homeHadVacancy": False}]


async def test_stale_declarations_remind_the_providers_admins_once(people: People, client) -> None:
    # given
    provider = await provider_with_homes(people, HomeSpec(name="Elm House"))
    await declare(client, provider, 1)
    await confirmed_at(people, provider.home_ids[0], STALE)
    # when
    first = await remind_stale_vacancies(people.db, people.settings)
    second = await remind_stale_vacancies(people.db, people.settings)
    # then
    assert (first, second) == (1, 0)
    [reminder] = await notifications_of(people, provider.admin, "REMINDER")
    assert "Elm House" in reminder.message


async def test_confirming_again_ends_the_staleness_and_its_reminders(
    people: People, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    await declare(client, provider, 1)
    await confirmed_at(people, provider.home_ids[0], STALE)
    await declare(client, provider, 1)
    assert await remind_stale_vacancies(people.db, people.settings) == 0
