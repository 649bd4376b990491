"""Given-steps for IPAs: an LA, a provider with an approved registration and a home, their
signatories, and ACCEPTED offers made directly as rows (the offer services are built apart)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update

from core.identity.roles import Role
from core.models import Offer, Referral, ReferralDelivery
from core.models.base import utcnow
from schema.node import encode_id
from tests.graphql_client import GraphQLClient
from tests.people import People, Person
from tests.referrals.homes import HomeSpec, Provider, provider_with_homes
from tests.referrals.operations import CREATE, SEND, referral_input

COSTS = [
    {"description": "One-to-one support, 10 hours", "amountPence": 25050, "frequency": "WEEKLY"},
    {"description": "Bedroom set-up", "amountPence": 30000, "frequency": "ONE_OFF"},
]
DETAILS = {"staffingRatio": "2:1", "education": "On-site school", "nonFrameworkHome": False}


@dataclass
class Scene:
    people: People
    client: GraphQLClient
    la_id: uuid.UUID
    caseworker: Person
    provider: Provider
    la_signatory: Person
    provider_signatory: Person
    offers: list[uuid.UUID] = field(default_factory=list)

    @property
    def provider_user(self) -> Person:
        return self.provider.admin

    async def referral(self) -> tuple[uuid.UUID, str]:
        """A RESIDENTIAL referral of the LA, sent (the provider receives it)."""
        created = (
            await self.client.data(
                CREATE, referral_input(postcode="B1 1AA"), token=self.caseworker.token
            )
        )["createReferral"]
        assert not created["userErrors"], created["userErrors"]
        referral_id = created["referral"]["id"]
        sent = (await self.client.data(SEND, {"id": referral_id}, token=self.caseworker.token))[
            "sendReferral"
        ]
        assert sent["deliveredCount"] >= 1, sent
        from schema.node import decode_any_id

        decoded = decode_any_id(referral_id)
        assert decoded is not None
        return decoded[1], created["referral"]["reference"]

    async def offer(
        self,
        referral_id: uuid.UUID | None = None,
        *,
        status: str = "ACCEPTED",
        core_fee_pence: int = 125000,
        costs: list[dict[str, Any]] | None = None,
        start_date: date | None = date(2026, 12, 7),
        details: dict[str, Any] | None = None,
        supersedes_id: uuid.UUID | None = None,
        version: int = 1,
    ) -> uuid.UUID:
        """An offer of the provider's home (ACCEPTED: the referral is then PLACED)."""
        if referral_id is None:
            referral_id, _ = await self.referral()
        now = utcnow()
        async with self.people.db.transaction() as session:
            offer = Offer(
                id=uuid.uuid4(),
                referral_id=referral_id,
                provider_id=self.provider.organisation_id,
                home_id=self.provider.home_ids[0],
                status=status,
                version=version,
                core_fee_pence=core_fee_pence,
                additional_costs=list(COSTS if costs is None else costs),
                start_date=start_date,
                details=dict(DETAILS if details is None else details),
                supersedes_id=supersedes_id,
                submitted_by_id=self.provider.admin.user_id,
                submitted_at=now,
                updated_at=now,
                decided_at=now if status == "ACCEPTED" else None,
                decided_by_id=self.caseworker.user_id if status == "ACCEPTED" else None,
            )
            session.add(offer)
            await session.execute(
                update(ReferralDelivery)
                .where(
                    ReferralDelivery.referral_id == referral_id,
                    ReferralDelivery.provider_id == self.provider.organisation_id,
                )
                .values(status="OFFERED")
            )
            if status == "ACCEPTED":
                await session.execute(
                    update(Referral).where(Referral.id == referral_id).values(status="PLACED")
                )
        self.offers.append(offer.id)
        return offer.id


async def scene(
    people: People,
    client: GraphQLClient,
    *,
    la: tuple[str, str] = ("Birmingham", "BIR"),
    provider_name: str = "Acorn Care",
) -> Scene:
    la_id = await people.local_authority(*la, ("RESIDENTIAL", "SUPPORTED_ACCOMMODATION"))
    provider = await provider_with_homes(
        people, HomeSpec(name="Oak House"), name=provider_name, managing_la=la_id
    )
    return Scene(
        people=people,
        client=client,
        la_id=la_id,
        caseworker=await people.caseworker(la_id),
        provider=provider,
        la_signatory=await people.signed_in(la_id, Role.LA_SIGNATORY),
        provider_signatory=await people.signed_in(
            provider.organisation_id, Role.PROVIDER_SIGNATORY
        ),
    )


def offer_id(key: uuid.UUID) -> str:
    return encode_id("Offer", key)
