"""``portal demo``: demo data for trying the portal on a laptop (idempotent).

Each domain adds its part as it lands; running it twice changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, create_engine
from core.identity import passwords
from core.identity.accounts import platform_organisation
from core.identity.roles import OrganisationKind, Role
from core.models import Offer, Organisation
from core.offers.kinds import OfferStatus
from core.settings import Settings
from portal.demo.ipas import load_ipa_demo
from portal.demo.providers import load_providers
from portal.demo.referrals import load_referrals_and_offers
from portal.demo.world import DemoWorld, add_user

DEMO_PASSWORD = "demo password 2026"

#: The pilot: which LA sends which categories (FAQ, "How will the pilot project work?").
PILOT_LAS = (
    ("Birmingham", "BIR", ("SUPPORTED_ACCOMMODATION", "RESIDENTIAL")),
    ("Coventry", "COV", ("FOSTERING",)),
    ("Stoke-on-Trent", "STK", ("SUPPORTED_ACCOMMODATION", "RESIDENTIAL", "FOSTERING")),
)
LA_PEOPLE = (
    ("admin", "Admin", (Role.LA_ADMIN,)),
    ("caseworker", "Caseworker", (Role.LA_CASEWORKER,)),
    ("signatory", "Signatory", (Role.LA_SIGNATORY,)),
)


async def _identity(session: AsyncSession, world: DemoWorld, password_hash: str) -> None:
    platform = await platform_organisation(session)
    await add_user(
        session,
        world,
        organisation_id=platform.id,
        email="platform.admin@demo.example",
        name="Pat Platform",
        roles=(Role.PLATFORM_ADMIN,),
        password_hash=password_hash,
    )
    await add_user(
        session,
        world,
        organisation_id=platform.id,
        email="category.lead@demo.example",
        name="Cat Lead",
        roles=(Role.CATEGORY_LEAD,),
        password_hash=password_hash,
    )
    for name, code, categories in PILOT_LAS:
        la = await session.scalar(select(Organisation).where(Organisation.code == code))
        if la is None:
            la = Organisation(
                id=uuid.uuid4(),
                kind=OrganisationKind.LOCAL_AUTHORITY.value,
                name=name,
                code=code,
                enabled_categories=list(categories),
            )
            session.add(la)
            await session.flush()
        world.las[code] = la.id
        for local, title, roles in LA_PEOPLE:
            slug = code.lower()
            await add_user(
                session,
                world,
                organisation_id=la.id,
                email=f"{slug}.{local}@demo.example",
                name=f"{name} {title}",
                roles=roles,
                password_hash=password_hash,
            )


async def _ipas(db: Database) -> None:
    """A signed IPA and one awaiting signature, drawn from the demo's two accepted offers."""
    async with db.transaction() as session:
        accepted = list(
            await session.scalars(
                select(Offer.id)
                .where(Offer.status == OfferStatus.ACCEPTED.value)
                .order_by(Offer.submitted_at, Offer.id)
                .limit(2)
            )
        )
        if len(accepted) == 2:
            await load_ipa_demo(session, signed_offer_id=accepted[0], awaiting_offer_id=accepted[1])


async def load_demo(settings: Settings) -> list[str]:
    """Load the demo data; return the lines to print (how to log in)."""
    db = Database(create_engine(settings.database_url))
    world = DemoWorld()
    password_hash = await passwords.hash_password(DEMO_PASSWORD)
    try:
        async with db.transaction() as session:
            await _identity(session, world, password_hash)
        async with db.transaction() as session:
            await load_providers(session, settings, world, password_hash)
        await load_referrals_and_offers(db, settings, world)
        await _ipas(db)
    finally:
        await db.dispose()
    return [
        "Demo data loaded: the pilot LAs (Birmingham, Coventry, Stoke-on-Trent) and their people;",
        "approved providers with homes in every category, and their profile documents;",
        "referrals sent in each LA's categories, with offers submitted, accepted and declined;",
        "an IPA signed by both sides and one awaiting signature.",
        f"GraphiQL: {settings.base_url}/graphql",
        "",
        f"Every demo account has the password {DEMO_PASSWORD!r}:",
        *world.logins,
        "",
        "To sign in: `login` gives a challenge; the first time, `enrolTotp` gives a secret to add",
        "to an authenticator app (or run `oathtool --totp -b SECRET`); `verifyTotp` with the",
        "6-digit code gives a sessionToken: send it as `Authorization: Bearer <token>`.",
    ]
