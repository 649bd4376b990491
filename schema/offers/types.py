"""``Offer``, ``AdditionalCost`` and ``FosteringFamily`` as the API shows them.

Money is kept in pence and shown as a ``Decimal`` of pounds with two decimal places.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from core.children.access_log import Subject, note_read
from core.models import FosteringFamily as FamilyRow
from core.models import Offer as OfferRow
from core.offers import queries, visibility
from core.offers.kinds import CostFrequency as _CostFrequency
from core.offers.kinds import OfferStatus as _OfferStatus
from core.offers.money import amount_of, weekly_total_pence
from core.registration import queries as registration
from schema.context import Info
from schema.documents.types import Document
from schema.enums import DeclineReasonCode
from schema.http.pdfs import offer_pdf_path
from schema.identity.types import Organisation
from schema.json import as_json
from schema.node import Node, encode_id
from schema.registration.types import Home

if TYPE_CHECKING:
    from schema.referrals.types import Referral

OfferStatus = _OfferStatus
CostFrequency = _CostFrequency


@strawberry.type
class AdditionalCost:
    description: str
    amount: Decimal
    frequency: CostFrequency


@strawberry.type
class Offer(Node):
    key: strawberry.Private[uuid.UUID]
    referral_key: strawberry.Private[uuid.UUID]
    provider_key: strawberry.Private[uuid.UUID]
    home_key: strawberry.Private[uuid.UUID]
    supersedes_key: strawberry.Private[uuid.UUID | None]
    status: OfferStatus
    version: int
    core_fee: Decimal = strawberry.field(
        description="Weekly core fee in GBP; fixed for the placement."
    )
    additional_costs: list[AdditionalCost]
    total_weekly_fee: Decimal = strawberry.field(
        description="What the placement costs each week: the core fee plus the weekly "
        "additional costs (one-off costs are left out)."
    )
    start_date: date | None
    details: JSON = strawberry.field(
        description="Category-specific fields, validated against "
        "CategoryDefinition.offerDetailsSchema."
    )
    submitted_at: datetime
    decided_at: datetime | None
    decline_reason: str | None
    decline_reason_code: DeclineReasonCode | None
    home_had_vacancy: bool | None = strawberry.field(
        description="Whether the offered home had a declared, current vacancy when the offer "
        "was made."
    )

    @strawberry.field(description="GET with the caller's credentials returns the offer as a PDF.")
    def pdf_url(self, info: Info) -> str:
        return f"{info.context.settings.base_url}{offer_pdf_path(self.id)}"

    @classmethod
    def of(cls, row: OfferRow) -> Offer:
        note_read(Subject.OFFER, row.id, row.referral_id, row.version)
        return cls(
            id=encode_id("Offer", row.id),
            key=row.id,
            referral_key=row.referral_id,
            provider_key=row.provider_id,
            home_key=row.home_id,
            supersedes_key=row.supersedes_id,
            status=OfferStatus(row.status),
            version=row.version,
            core_fee=amount_of(row.core_fee_pence),
            additional_costs=[
                AdditionalCost(
                    description=c["description"],
                    amount=amount_of(int(c["amountPence"])),
                    frequency=CostFrequency(c["frequency"]),
                )
                for c in row.additional_costs or []
            ],
            total_weekly_fee=amount_of(
                weekly_total_pence(row.core_fee_pence, row.additional_costs or [])
            ),
            start_date=row.start_date,
            details=as_json(row.details or {}),
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            decline_reason=row.decline_reason,
            decline_reason_code=DeclineReasonCode(row.decline_reason_code)
            if row.decline_reason_code
            else None,
            home_had_vacancy=row.home_had_vacancy,
        )

    @strawberry.field
    async def referral(
        self, info: Info
    ) -> Annotated[Referral, strawberry.lazy("schema.referrals.types")]:
        from schema.referrals.types import referral_for_viewer

        viewer = info.context.viewer
        provider = viewer.organisation_id if viewer is not None and viewer.is_provider else None
        row = await info.context.loaders.get(queries.referral_rows_by_keys).load(
            (self.referral_key, provider)
        )
        assert row is not None  # whoever sees the offer sees its referral
        return referral_for_viewer(row, viewer)

    @strawberry.field
    async def provider(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.provider_key)
        )

    @strawberry.field
    async def home(self, info: Info) -> Home:
        home = await info.context.loaders.get(registration.homes_by_ids).load(self.home_key)
        assert home is not None  # an offer's home is retired, never deleted
        return Home.of(home)

    @strawberry.field(
        description="Compulsory profile documents as they were at submission, then the "
        "optional ones."
    )
    async def documents(self, info: Info) -> list[Document]:
        rows = await info.context.loaders.get(queries.documents_by_offer_ids).load(self.key)
        return [Document.of(r) for r in rows]

    @strawberry.field
    async def supersedes(self, info: Info) -> Offer | None:
        if self.supersedes_key is None:
            return None
        row = await info.context.loaders.get(queries.offers_by_ids).load(self.supersedes_key)
        return Offer.of(row) if row else None


@strawberry.type(
    description="Saved fostering household details, offered back as auto-fill on the next offer."
)
class FosteringFamily(Node):
    key: strawberry.Private[uuid.UUID]
    label: str
    details: JSON
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: FamilyRow) -> FosteringFamily:
        return cls(
            id=encode_id("FosteringFamily", row.id),
            key=row.id,
            label=row.label,
            details=as_json(row.details or {}),
            last_used_at=row.last_used_at,
        )


async def offers_of_referral(
    info: Info, referral_key: uuid.UUID, local_authority_key: uuid.UUID
) -> list[Offer]:
    """``Referral.offers``: every offer for its LA's staff, a provider's own for a provider."""
    viewer = info.context.viewer
    if visibility.reads_offers_as_la(viewer):
        assert viewer is not None
        if viewer.organisation_id != local_authority_key:
            return []
        rows = await info.context.loaders.get(queries.offers_by_referral_ids).load(referral_key)
    elif visibility.reads_offers_as_provider(viewer):
        assert viewer is not None
        rows = await info.context.loaders.get(queries.offers_by_referral_and_provider).load(
            (referral_key, viewer.organisation_id)
        )
    else:
        return []
    return [Offer.of(r) for r in rows]


async def offer_node(info: Info, key: uuid.UUID) -> Offer | None:
    async with info.context.read() as session:
        row = await visibility.visible_offer(session, info.context.viewer, key)
    return Offer.of(row) if row else None


async def family_node(info: Info, key: uuid.UUID) -> FosteringFamily | None:
    async with info.context.read() as session:
        row = await queries.visible_family(session, info.context.viewer, key)
    return FosteringFamily.of(row) if row else None
