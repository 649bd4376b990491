"""Given-steps for matching: providers with an approved registration and their homes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.db import Database
from core.identity.roles import OrganisationKind, Role
from core.models import Home, ProviderRegistration
from core.models.base import utcnow
from schema.node import encode_id
from tests.people import People, Person


@dataclass(frozen=True)
class HomeSpec:
    category: str = "RESIDENTIAL"
    min_age: int = 8
    max_age: int = 17
    genders: tuple[str, ...] = ("FEMALE", "MALE", "OTHER")
    beds: int = 3
    contract_type: str = "FRAMEWORK"
    area: str | None = "Birmingham"
    name: str = "Oak House"


@dataclass
class Provider:
    organisation_id: uuid.UUID
    admin: Person
    home_ids: list[uuid.UUID]

    @property
    def id(self) -> str:
        return encode_id("Organisation", self.organisation_id)

    def home(self, index: int = 0) -> str:
        return encode_id("Home", self.home_ids[index])


async def add_homes(
    db: Database, provider_id: uuid.UUID, registration_id: uuid.UUID, homes: tuple[HomeSpec, ...]
) -> list[uuid.UUID]:
    ids = []
    async with db.transaction() as session:
        for row, spec in enumerate(homes, start=2):
            home = Home(
                id=uuid.uuid4(),
                registration_id=registration_id,
                provider_id=provider_id,
                name=spec.name,
                category=spec.category,
                min_age=spec.min_age,
                max_age=spec.max_age,
                accepts_female="FEMALE" in spec.genders,
                accepts_male="MALE" in spec.genders,
                accepts_other="OTHER" in spec.genders,
                beds=spec.beds,
                postcode="B1 1AA",
                local_authority_area=spec.area,
                ofsted_urn="SC123456",
                contract_type=spec.contract_type,
                row_number=row,
            )
            session.add(home)
            ids.append(home.id)
    return ids


async def provider_with_homes(
    people: People,
    *homes: HomeSpec,
    name: str | None = None,
    status: str = "APPROVED",
    managing_la: uuid.UUID | None = None,
) -> Provider:
    """A provider whose registration has ``status`` (APPROVED by default) and these homes."""
    organisation_id = await people.organisation(
        OrganisationKind.PROVIDER, name, managing_la=managing_la
    )
    async with people.db.transaction() as session:
        registration = ProviderRegistration(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            status=status,
            details={},
            submitted_at=utcnow(),
            decided_at=utcnow() if status == "APPROVED" else None,
        )
        session.add(registration)
    home_ids = await add_homes(people.db, organisation_id, registration.id, homes or (HomeSpec(),))
    admin = await people.signed_in(organisation_id, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    return Provider(organisation_id=organisation_id, admin=admin, home_ids=home_ids)
