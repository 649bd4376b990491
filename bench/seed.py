"""A regional data set for benchmarks: 50 LAs, 2,000 providers, 10,000 homes (fixed seed), or
five times that (:data:`REGIONS`).

Rows are inserted in bulk with SQLAlchemy Core; providers get two staff each. Returns the ids
the benchmarks need.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.identity.viewer import Viewer
from core.models import Home, Organisation, ProviderRegistration, User, UserRole
from core.models.base import utcnow
from core.plugins.registry import CategoryRegistry
from core.referrals.content import ChildInput
from core.referrals.service import create_referral, send_referral
from core.settings import Settings

CATEGORIES = ("FOSTERING", "RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FAMILY_ASSESSMENT")


#: Region sizes: ``1x`` is the region of the benchmarks, ``5x`` five times it (issue 21).
REGIONS: dict[str, dict[str, int]] = {
    "1x": {"las": 50, "providers": 2_000, "homes": 10_000},
    "5x": {"las": 250, "providers": 10_000, "homes": 50_000},
}


@dataclass(frozen=True)
class Seeded:
    las: list[uuid.UUID]
    providers: list[uuid.UUID]
    provider_users: dict[uuid.UUID, uuid.UUID]  # provider -> its admin user


async def seed_region(
    db: Database, *, las: int = 50, providers: int = 2_000, homes: int = 10_000, seed: int = 7
) -> Seeded:
    rng = random.Random(seed)
    now = utcnow()
    la_rows = [
        {
            "id": uuid.uuid4(),
            "kind": "LOCAL_AUTHORITY",
            "name": f"Authority {i:02d}",
            "code": f"L{chr(65 + i // 26)}{chr(65 + i % 26)}",
            "enabled_categories": list(CATEGORIES),
            "created_at": now,
        }
        for i in range(las)
    ]
    provider_rows = [
        {
            "id": uuid.uuid4(),
            "kind": "PROVIDER",
            "name": f"Provider {i:04d}",
            "enabled_categories": [],
            "managing_local_authority_id": la_rows[i % las]["id"],
            "created_at": now,
        }
        for i in range(providers)
    ]
    registrations = [
        {
            "id": uuid.uuid4(),
            "organisation_id": p["id"],
            "status": "APPROVED",
            "details": {},
            "submitted_at": now,
            "decided_at": now,
            "created_at": now,
        }
        for p in provider_rows
    ]
    users, roles, admins = [], [], {}
    for p in provider_rows:
        for n in range(2):
            user_id = uuid.uuid4()
            email = f"staff{n}.{p['id'].hex[:10]}@bench.example"
            users.append(
                {
                    "id": user_id,
                    "organisation_id": p["id"],
                    "email": email,
                    "email_key": email,
                    "name": f"Staff {n}",
                    "password_hash": None,
                    "is_active": True,
                    "totp_enabled": False,
                    "failed_attempts": 0,
                    "email_opt_outs": [],
                    "created_at": now,
                }
            )
            roles.append(
                {"user_id": user_id, "role": "PROVIDER_ADMIN" if n == 0 else "PROVIDER_USER"}
            )
            if n == 0:
                admins[p["id"]] = user_id
    home_rows = []
    for i in range(homes):
        index = i % providers
        category = CATEGORIES[rng.randrange(4)]
        low = 16 if category == "SUPPORTED_ACCOMMODATION" else rng.choice((0, 5, 8, 11, 13))
        high = 17 if category == "SUPPORTED_ACCOMMODATION" else rng.choice((12, 15, 17, 17))
        high = max(low, high)
        genders = rng.choice(
            ((True, True, True), (True, False, False), (False, True, False), (True, True, False))
        )
        home_rows.append(
            {
                "id": uuid.uuid4(),
                "registration_id": registrations[index]["id"],
                "provider_id": provider_rows[index]["id"],
                "name": f"Home {i:05d}",
                "category": category,
                "min_age": low,
                "max_age": high,
                "accepts_female": genders[0],
                "accepts_male": genders[1],
                "accepts_other": genders[2],
                "beds": rng.randint(1, 6),
                "postcode": "B1 1AA",
                "local_authority_area": la_rows[rng.randrange(las)]["name"],
                "ofsted_urn": f"SC{100000 + i}",
                "contract_type": rng.choice(("FRAMEWORK", "SPOT")),
                "row_number": 2 + i // providers,
                "created_at": now,
            }
        )
    async with db.transaction() as session:
        for table, rows in (
            (Organisation, la_rows),
            (Organisation, provider_rows),
            (ProviderRegistration, registrations),
            (User, users),
            (UserRole, roles),
            (Home, home_rows),
        ):
            for start in range(0, len(rows), 2_000):
                await session.execute(insert(table), rows[start : start + 2_000])
    async with db.engine.connect() as connection:  # fresh statistics, as autovacuum would gather
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("ANALYZE")
    return Seeded(
        las=[r["id"] for r in la_rows],
        providers=[p["id"] for p in provider_rows],
        provider_users=admins,
    )


async def add_home(session: AsyncSession, provider_id: uuid.UUID, name: str) -> Home:
    """A residential home of ``provider_id`` for any child (ages 0-17, any gender) near
    B1 1AA, under its registration: the home the benches' referrals are sent to."""
    registration_id = await session.scalar(
        select(ProviderRegistration.id).where(ProviderRegistration.organisation_id == provider_id)
    )
    home = Home(
        id=uuid.uuid4(),
        registration_id=registration_id,
        provider_id=provider_id,
        name=name,
        category="RESIDENTIAL",
        min_age=0,
        max_age=17,
        accepts_female=True,
        accepts_male=True,
        accepts_other=True,
        beds=6,
        postcode="B1 1AA",
        local_authority_area="Authority 00",
        contract_type="FRAMEWORK",
        row_number=2,
    )
    session.add(home)
    return home


async def sent_referrals(
    db: Database, registry: CategoryRegistry, settings: Settings, viewer: Viewer, count: int
) -> list[uuid.UUID]:
    """``count`` residential referrals of ``viewer``'s LA for one girl each (aged 6 to 16),
    created and sent (they reach the homes ``add_home`` makes); their ids."""
    ids = []
    for n in range(count):
        referral = await create_referral(
            db,
            registry,
            viewer,
            category="RESIDENTIAL",
            children=[ChildInput(age=6 + n % 11, gender="FEMALE", needs="Needs a calm home")],
            summary=f"Referral {n}: a girl who needs a residential home.",
            urgency="WITHIN_5_DAYS",
            postcode=None,
            required_from=None,
            details={},
        )
        await send_referral(db, registry, settings, viewer, referral_id=referral.id)
        ids.append(referral.id)
    return ids
