"""``ProviderRegistration`` and ``Home`` as the API shows them; every relation via loaders."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from core.documents import queries as documents
from core.identity.roles import OrganisationKind as CoreOrganisationKind
from core.models import Home as HomeRow
from core.models import ProviderRegistration as RegistrationRow
from core.registration import queries
from core.registration.service import registration_of
from core.registration.status import RegistrationStatus as _RegistrationStatus
from core.vacancies import is_stale
from schema.context import Info
from schema.documents.types import Document
from schema.enums import CareCategory, ContractType, Gender
from schema.identity.types import Organisation
from schema.node import Node, encode_id

RegistrationStatus = _RegistrationStatus


@strawberry.type
class ProviderRegistration(Node):
    key: strawberry.Private[uuid.UUID]
    organisation_key: strawberry.Private[uuid.UUID]
    spreadsheet_key: strawberry.Private[uuid.UUID | None]
    status: RegistrationStatus
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None

    @classmethod
    def of(cls, row: RegistrationRow) -> ProviderRegistration:
        return cls(
            id=encode_id("ProviderRegistration", row.id),
            key=row.id,
            organisation_key=row.organisation_id,
            spreadsheet_key=row.spreadsheet_id,
            status=RegistrationStatus(row.status),
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.organisation_key)
        )

    @strawberry.field(description="The local authority that reviews this registration.")
    async def managing_local_authority(self, info: Info) -> Organisation | None:
        loader = info.context.loaders.organisation_by_id
        provider = await loader.load(self.organisation_key)
        if provider is None or provider.managing_local_authority_id is None:
            return None
        return Organisation.of(await loader.load(provider.managing_local_authority_id))

    @strawberry.field(description="The registered homes (those of the latest spreadsheet).")
    async def homes(self, info: Info) -> list[Home]:
        rows = await info.context.loaders.get(queries.live_homes_by_registration_ids).load(self.key)
        return [Home.of(r) for r in rows]

    @strawberry.field(description="The spreadsheet last uploaded.")
    async def spreadsheet(self, info: Info) -> Document | None:
        if self.spreadsheet_key is None:
            return None
        row = await info.context.loaders.get(documents.documents_by_ids).load(self.spreadsheet_key)
        return Document.of(row) if row else None


@strawberry.type(description="A provider's declaration of a home's vacancies.")
class HomeVacancy:
    beds_free: int
    available_from: date | None = strawberry.field(
        description="When the beds are free from; null or a past date means now."
    )
    confirmed_at: datetime
    is_stale: bool = strawberry.field(
        description="True when the declaration is older than the confirmation period: "
        "counts as unknown."
    )


@strawberry.type
class Home(Node):
    key: strawberry.Private[uuid.UUID]
    provider_key: strawberry.Private[uuid.UUID]
    name: str
    category: CareCategory
    min_age: int
    max_age: int
    genders: list[Gender]
    beds: int
    postcode: str
    local_authority_area: str | None
    ofsted_urn: str | None
    contract_type: ContractType
    vacancy_beds_free: strawberry.Private[int | None] = None
    vacancy_available_from: strawberry.Private[date | None] = None
    vacancy_confirmed_at: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The provider's declaration; null when it never made one.")
    def vacancy(self, info: Info) -> HomeVacancy | None:
        if self.vacancy_beds_free is None or self.vacancy_confirmed_at is None:
            return None
        return HomeVacancy(
            beds_free=self.vacancy_beds_free,
            available_from=self.vacancy_available_from,
            confirmed_at=self.vacancy_confirmed_at,
            is_stale=is_stale(self.vacancy_confirmed_at, info.context.settings),
        )

    @classmethod
    def of(cls, row: HomeRow) -> Home:
        genders = [
            gender
            for gender, accepted in (
                (Gender.FEMALE, row.accepts_female),
                (Gender.MALE, row.accepts_male),
                (Gender.OTHER, row.accepts_other),
            )
            if accepted
        ]
        return cls(
            id=encode_id("Home", row.id),
            key=row.id,
            provider_key=row.provider_id,
            name=row.name,
            category=CareCategory(row.category),
            min_age=row.min_age,
            max_age=row.max_age,
            genders=genders,
            beds=row.beds,
            postcode=row.postcode,
            local_authority_area=row.local_authority_area,
            ofsted_urn=row.ofsted_urn,
            contract_type=ContractType(row.contract_type),
            vacancy_beds_free=row.vacancy_beds_free,
            vacancy_available_from=row.vacancy_available_from,
            vacancy_confirmed_at=row.vacancy_confirmed_at,
        )

    @strawberry.field
    async def provider(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.provider_key)
        )


async def registration_of_organisation(
    info: Info, organisation: Organisation
) -> ProviderRegistration | None:
    """``Organisation.registration``: providers only, for those who may see it."""
    if organisation.kind is not CoreOrganisationKind.PROVIDER:
        return None
    row = await info.context.loaders.organisation_by_id.load(organisation.key)
    if row is None or not queries.may_see_registration(
        info.context.viewer, row.id, row.managing_local_authority_id
    ):
        return None
    registration = await info.context.loaders.get(queries.registrations_by_organisation_ids).load(
        row.id
    )
    if registration is None:  # a provider made before registrations existed
        registration = await registration_of(info.context.db, row.id)
    return ProviderRegistration.of(registration)


async def registration_node(info: Info, key: uuid.UUID) -> ProviderRegistration | None:
    row = await info.context.loaders.get(queries.registrations_by_ids).load(key)
    if row is None:
        return None
    provider = await info.context.loaders.organisation_by_id.load(row.organisation_id)
    if provider is None or not queries.may_see_registration(
        info.context.viewer, provider.id, provider.managing_local_authority_id
    ):
        return None
    return ProviderRegistration.of(row)


async def home_node(info: Info, key: uuid.UUID) -> Home | None:
    row = await info.context.loaders.get(queries.homes_by_ids).load(key)
    if row is None or not queries.may_see_homes(info.context.viewer, row.provider_id):
        return None
    return Home.of(row)
