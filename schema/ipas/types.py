"""``IndividualPlacementAgreement`` and ``Signature`` as the API shows them.

(``IndividualPlacementAgreement.offer`` is added with the Offer type.)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.children.access_log import Subject, note_read
from core.ipas import queries
from core.ipas.kinds import IpaStatus as _IpaStatus
from core.ipas.visibility import may_see_ipa, sees_case_details
from core.models import IpaSignature as SignatureRow
from core.models import Referral as ReferralRow
from core.offers import queries as offer_queries
from core.referrals import queries as referral_queries
from schema.context import Info
from schema.documents.types import Document
from schema.identity.types import OrganisationKind, User
from schema.node import Node, encode_id
from schema.offers.types import Offer
from schema.referrals.types import Referral

IpaStatus = _IpaStatus


def print_path(global_id: str) -> str:
    return f"/ipas/{global_id}/print"


@strawberry.type
class Signature:
    signed_by_key: strawberry.Private[uuid.UUID]
    on_behalf_of_key: strawberry.Private[uuid.UUID | None]
    party: OrganisationKind
    signed_at: datetime
    content_hash: str = strawberry.field(
        description="The IPA's contentHash this signature was given to."
    )

    @classmethod
    def of(cls, row: SignatureRow) -> Signature:
        return cls(
            signed_by_key=row.signed_by_id,
            on_behalf_of_key=row.on_behalf_of_id,
            party=OrganisationKind(row.party),
            signed_at=row.signed_at,
            content_hash=row.content_hash,
        )

    @strawberry.field
    async def signed_by(self, info: Info) -> User:
        return User.of(await info.context.loaders.user_by_id.load(self.signed_by_key))

    @strawberry.field(
        description="Set when signedBy signed under authority delegated by this user."
    )
    async def on_behalf_of(self, info: Info) -> User | None:
        if self.on_behalf_of_key is None:
            return None
        return User.of(await info.context.loaders.user_by_id.load(self.on_behalf_of_key))


@strawberry.type(name="IndividualPlacementAgreement")
class IndividualPlacementAgreement(Node):
    key: strawberry.Private[uuid.UUID]
    referral_key: strawberry.Private[uuid.UUID]
    offer_key: strawberry.Private[uuid.UUID]
    #: The referral row, when it was read with the IPA (a list): no extra read.
    referral_row: strawberry.Private[ReferralRow | None]
    status: IpaStatus
    terms: JSON = strawberry.field(
        description="Populated from the accepted offer and the referral, plus the LA's draft "
        'fields. Money is in pounds as strings with two decimals (e.g. "1250.00").'
    )
    content_hash: str | None = strawberry.field(
        description=(
            "sha256 of the canonical terms, fixed once enabled for signing: the hex SHA-256 of "
            'the RFC 8785 (JSON Canonicalization Scheme) serialisation of {"terms": terms, '
            '"documents": [hex SHA-256 of each attached document\'s bytes, in order]}.'
        )
    )
    created_at: datetime
    enabled_at: datetime | None
    signed_at: datetime | None

    @classmethod
    def of(cls, row: Any, referral: ReferralRow | None = None) -> IndividualPlacementAgreement:
        note_read(Subject.IPA, row.id, row.referral_id)
        return cls(
            id=encode_id("IndividualPlacementAgreement", row.id),
            key=row.id,
            referral_key=row.referral_id,
            offer_key=row.offer_id,
            referral_row=referral,
            status=IpaStatus(row.status),
            terms=row.terms,
            content_hash=row.content_hash,
            created_at=row.created_at,
            enabled_at=row.enabled_at,
            signed_at=row.signed_at,
        )

    @classmethod
    def of_row(cls, row: queries.IpaRow) -> IndividualPlacementAgreement:
        return cls.of(row.ipa, row.referral)

    @strawberry.field(description="The accepted offer the IPA was drawn from.")
    async def offer(self, info: Info) -> Offer:
        row = await info.context.loaders.get(offer_queries.offers_by_ids).load(self.offer_key)
        assert row is not None  # an IPA's offer is never deleted
        return Offer.of(row)

    @strawberry.field(
        description="Staff see the referral as they know it; a signatory-only user sees only "
        "what the IPA says of it (reference, category, urgency, children's ages and genders)."
    )
    async def referral(self, info: Info) -> Referral:
        loaders = info.context.loaders
        row = self.referral_row or await loaders.get(queries.referrals_by_ids).load(
            self.referral_key
        )
        viewer = info.context.viewer
        assert row is not None
        if viewer is not None and sees_case_details(viewer):
            if viewer.is_local_authority and viewer.organisation_id == row.local_authority_id:
                return Referral.of(row)
            if viewer.is_provider:
                delivery = await loaders.get(
                    referral_queries.deliveries_by_referral_and_provider
                ).load((row.id, viewer.organisation_id))
                if delivery is not None:
                    snapshot = await loaders.get(referral_queries.versions_by_keys).load(
                        (row.id, delivery.version)
                    )
                    if snapshot is not None:
                        return Referral.of(row, snapshot, delivery.version, delivery)
        terms = self.terms if isinstance(self.terms, dict) else {}
        return Referral.redacted(row, terms.get("children"), terms.get("urgency"))

    @strawberry.field(description="The LA's attachments (IPA_ATTACHMENT), in order.")
    async def documents(self, info: Info) -> list[Document]:
        rows = await info.context.loaders.get(queries.documents_by_ipa_ids).load(self.key)
        return [Document.of(r) for r in rows]

    @strawberry.field
    async def signatures(self, info: Info) -> list[Signature]:
        rows = await info.context.loaders.get(queries.signatures_by_ipa_ids).load(self.key)
        return [Signature.of(r) for r in rows]

    @strawberry.field(
        description="A printable HTML page of this IPA: GET with the caller's credentials."
    )
    def print_url(self, info: Info) -> str:
        return f"{info.context.settings.base_url}{print_path(self.id)}"

    @strawberry.field(
        description="GET with the caller's credentials returns the agreement as a PDF, with "
        "its content hash."
    )
    def pdf_url(self, info: Info) -> str:
        from schema.http.pdfs import ipa_pdf_path

        return f"{info.context.settings.base_url}{ipa_pdf_path(self.id)}"


def visible(info: Info, row: queries.IpaRow | None) -> IndividualPlacementAgreement | None:
    if row is None or not may_see_ipa(
        info.context.viewer,
        status=row.ipa.status,
        local_authority_id=row.local_authority_id,
        provider_id=row.provider_id,
    ):
        return None
    return IndividualPlacementAgreement.of_row(row)


async def current_ipa_of_referral(
    info: Info, referral_key: uuid.UUID
) -> IndividualPlacementAgreement | None:
    """``Referral.ipa``: the live IPA, or the latest, if the viewer may see it."""
    row = await info.context.loaders.get(queries.current_ipas_by_referral_ids).load(referral_key)
    return visible(info, row)


async def ipa_node(info: Info, key: uuid.UUID) -> IndividualPlacementAgreement | None:
    return visible(info, await info.context.loaders.get(queries.ipas_by_ids).load(key))
