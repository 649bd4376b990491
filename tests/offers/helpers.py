"""Given-steps for offers: a pilot LA, providers with homes and profile documents, a sent
referral; and the offer operations as a client writes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core.documents.kinds import DocumentKind
from core.documents.service import store_document
from core.documents.sniff import PDF as PDF_TYPE
from core.documents.storage import document_store
from core.models import Notification, OutboxEmail
from portal.demo.providers import demo_pdf
from schema.node import encode_id
from tests.people import People, Person
from tests.referrals.homes import HomeSpec, Provider, provider_with_homes
from tests.referrals.operations import CREATE, SEND, referral_input

ERRORS = "userErrors { field message code }"
OFFER_FIELDS = """
  id status version coreFee additionalCosts { description amount frequency } startDate details
  submittedAt decidedAt declineReason
  home { id name } provider { id name } referral { id status }
  documents { id kind name } supersedes { id status }
"""
SUBMIT = f"""
mutation ($input: SubmitOfferInput!) {{
  submitOffer(input: $input) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: UpdateOfferInput!) {{
  updateOffer(input: $input) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }}
}}"""
REVISE = f"""
mutation ($input: UpdateOfferInput!) {{
  reviseAcceptedOffer(input: $input) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }}
}}"""
WITHDRAW = f"""
mutation ($id: ID!) {{ withdrawOffer(input: {{id: $id}}) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }} }}
"""
ACCEPT = f"""
mutation ($id: ID!) {{ acceptOffer(input: {{id: $id}}) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }} }}
"""
DECLINE = f"""
mutation ($id: ID!, $reason: String!) {{
  declineOffer(input: {{id: $id, reason: $reason}}) {{ offer {{ {OFFER_FIELDS} }} {ERRORS} }}
}}"""
NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on Offer {{ {OFFER_FIELDS} }} }} }}"""
REFERRAL_OFFERS = """
query ($id: ID!) {
  node(id: $id) { ... on Referral { id status myDelivery { status } offers { id status provider { id } declineReason } } }
}"""
FAMILIES = """
query ($search: String) { fosteringFamilies(search: $search) { id label details lastUsedAt } }
"""

REQUIRED = (
    DocumentKind.INSURANCE,
    DocumentKind.OFSTED_CERTIFICATE,
    DocumentKind.STATEMENT_OF_PURPOSE,
)
IN_A_YEAR = date.today() + timedelta(days=365)
FAMILY = {"label": "The Khan family", "carers": [{"name": "Amira Khan"}], "bedrooms": 2}


@dataclass
class La:
    id: uuid.UUID
    caseworker: Person


async def pilot_la(people: People, name: str = "Stoke-on-Trent", code: str = "STK") -> La:
    la_id = await people.local_authority(
        name, code, ("RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FOSTERING")
    )
    return La(id=la_id, caseworker=await people.caseworker(la_id))


async def add_document(
    people: People,
    organisation_id: uuid.UUID,
    kind: DocumentKind,
    *,
    expires_on: date | None = IN_A_YEAR,
    name: str | None = None,
) -> uuid.UUID:
    """A profile document of ``organisation_id`` (a real PDF in the store)."""
    title = name or f"{kind.value.title()} {uuid.uuid4().hex[:6]}"
    async with people.db.transaction() as session:
        document = await store_document(
            session,
            document_store(people.settings),
            organisation_id=organisation_id,
            kind=kind,
            name=f"{title}.pdf",
            file_type=PDF_TYPE,
            data=demo_pdf(title, (uuid.uuid4().hex,)),
            uploaded_by_id=None,
            expires_on=expires_on,
        )
    return document.id


async def ready_provider(
    people: People, *homes: HomeSpec, name: str | None = None, documents=REQUIRED
) -> Provider:
    """An approved provider with these homes and current profile documents of ``documents``."""
    provider = await provider_with_homes(people, *(homes or (HomeSpec(),)), name=name)
    for kind in documents:
        await add_document(people, provider.organisation_id, kind)
    return provider


async def sent_referral(client, la: La, category: str = "RESIDENTIAL", **extra: Any) -> str:
    children = extra.pop("children", None)
    if category == "SUPPORTED_ACCOMMODATION" and children is None:
        children = [{"age": 16, "gender": "FEMALE"}]
    created = (
        await client.data(
            CREATE, referral_input(category, children, **extra), token=la.caseworker.token
        )
    )["createReferral"]
    assert created["userErrors"] == [], created["userErrors"]
    sent = await client.data(SEND, {"id": created["referral"]["id"]}, token=la.caseworker.token)
    assert sent["sendReferral"]["userErrors"] == [], sent
    return created["referral"]["id"]


def offer_input(referral: str, provider: Provider, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "referralId": referral,
            "homeId": provider.home(),
            "coreFee": "4250.00",
            "additionalCosts": [
                {"description": "Extra 1:1 support", "amount": "350.00", "frequency": "WEEKLY"}
            ],
            "startDate": (date.today() + timedelta(days=7)).isoformat(),
            **extra,
        }
    }


async def submitted(client, referral: str, provider: Provider, **extra: Any) -> dict[str, Any]:
    result = (
        await client.data(
            SUBMIT, offer_input(referral, provider, **extra), token=provider.admin.token
        )
    )["submitOffer"]
    assert result["userErrors"] == [], result["userErrors"]
    return result["offer"]


def document_id(key: uuid.UUID) -> str:
    return encode_id("Document", key)


async def notifications_of(people: People, person: Person, kind: str) -> list[Notification]:
    async with people.db.session() as session:
        return list(
            await session.scalars(
                select(Notification).where(
                    Notification.user_id == person.user_id, Notification.kind == kind
                )
            )
        )


async def emails_to(people: People, person: Person) -> list[OutboxEmail]:
    async with people.db.session() as session:
        return list(
            await session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == person.user_id))
        )
