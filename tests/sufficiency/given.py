"""Given-steps and operations for vacancies, deadlines and coded reasons."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select, update

from core.models import Home, Organisation, ReferralDelivery
from schema.node import decode_any_id
from tests.people import People

ERRORS = "userErrors { field message code }"
UPDATE_VACANCY = f"""
mutation ($input: UpdateHomeVacancyInput!) {{
  updateHomeVacancy(input: $input) {{
    home {{ id vacancy {{ bedsFree availableFrom confirmedAt isStale }} }} {ERRORS}
  }}
}}"""
HOME = """
query ($id: ID!) { node(id: $id) { ... on Home { vacancy { bedsFree availableFrom isStale } } } }
"""
SET_RULE = """
mutation ($category: CareCategory!, $settings: JSON!) {
  updateCategorySettings(input: {category: $category, settings: $settings}) {
    category { settings } userErrors { field message code }
  }
}"""
AUTO_DECLINE = f"""
mutation ($enabled: Boolean!) {{
  setAutoDeclineWithoutVacancy(input: {{enabled: $enabled}}) {{ enabled {ERRORS} }}
}}"""
DELIVERIES = """
query ($id: ID!) {
  node(id: $id) { ... on Referral {
    respondBy
    deliveries { provider { id } status declineReason declineReasonCode respondedAt }
  } }
}"""
MY_DELIVERY = """
query ($id: ID!) {
  node(id: $id) { ... on Referral { respondBy myDelivery { status declineReasonCode } } }
}"""


async def declare(client, provider, beds_free: int, available_from: date | None = None) -> dict:
    result = (
        await client.data(
            UPDATE_VACANCY,
            {
                "input": {
                    "homeId": provider.home(),
                    "bedsFree": beds_free,
                    "availableFrom": available_from.isoformat() if available_from else None,
                }
            },
            token=provider.admin.token,
        )
    )["updateHomeVacancy"]
    assert result["userErrors"] == [], result["userErrors"]
    return result["home"]


async def confirmed_at(people: People, home_id: uuid.UUID, moment: datetime) -> None:
    """Back-date the home's declaration, as if confirmed at ``moment``."""
    async with people.db.transaction() as session:
        await session.execute(
            update(Home).where(Home.id == home_id).values(vacancy_confirmed_at=moment)
        )


async def vacancy_rule(client, people: People, category: str, rule: str) -> None:
    lead = await people.platform_admin()
    result = await client.data(
        SET_RULE, {"category": category, "settings": {"vacancyRule": rule}}, token=lead.token
    )
    assert result["updateCategorySettings"]["userErrors"] == [], result


async def deliveries_of(client, la, referral: str) -> dict[str, dict]:
    node = (await client.data(DELIVERIES, {"id": referral}, token=la.caseworker.token))["node"]
    return {d["provider"]["id"]: d for d in node["deliveries"]}


async def auto_decline(people: People, provider_id: uuid.UUID) -> None:
    async with people.db.transaction() as session:
        await session.execute(
            update(Organisation)
            .where(Organisation.id == provider_id)
            .values(auto_decline_without_vacancy=True)
        )


async def delivery_row(people: People, referral: str, provider_id: uuid.UUID) -> ReferralDelivery:
    key = decode_any_id(referral)
    assert key is not None
    async with people.db.session() as session:
        row = await session.scalar(
            select(ReferralDelivery).where(
                ReferralDelivery.referral_id == key[1], ReferralDelivery.provider_id == provider_id
            )
        )
    assert row is not None
    return row
