"""Provider registration: the spreadsheet upload and the managing LA's decisions.

Each change is one unit of work. An upload is parsed and validated in full before anything is
written (no document, no blob, no row for a refused file); an accepted one stores the
spreadsheet, sets the managing LA, retires the old homes, inserts the new ones and marks the
registration PENDING_APPROVAL together.
"""

# Stays whole (~400 lines): the upload and the decisions share the registration row's states
# and locks; reading and checking the spreadsheet are already their own modules
# (core/registration/sandbox.py, spreadsheet.py).

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.categories.service import effective_settings
from core.db import Database
from core.documents.kinds import DocumentKind
from core.documents.service import store_document
from core.documents.sniff import XLSX, sanitise_name
from core.documents.storage import document_store
from core.errors import InvalidInput, InvalidState, NotFound, Problem, invalid
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import Home, Organisation, ProviderRegistration, User, UserRole
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.plugins.declarations import HomeFacts
from core.plugins.registry import CategoryRegistry
from core.registration.errors import SpreadsheetInvalid, SpreadsheetRejected
from core.registration.layout import header_key
from core.registration.queries import may_review
from core.registration.sandbox import SandboxLimits, read_cells_sandboxed
from core.registration.spreadsheet import WorkbookCells, validate_cells
from core.registration.status import TRANSITIONS, UPLOADABLE, Decision, RegistrationStatus
from core.registration.types import CategorySpec, HomeRow, ParsedRegistration
from core.settings import Settings
from core.webhooks.events import WebhookEvent, emit

FILE = ("input", "file")
MAX_REASON = 2000


# ---------------------------------------------------------------- the registration row


async def ensure_registration(
    session: AsyncSession, organisation_id: uuid.UUID, *, lock: bool = False
) -> ProviderRegistration:
    """The provider's registration, created NOT_SUBMITTED if it has none yet."""
    statement = select(ProviderRegistration).where(
        ProviderRegistration.organisation_id == organisation_id
    )
    if lock:
        statement = statement.with_for_update()
    registration = await session.scalar(statement)
    if registration is not None:
        return registration
    try:
        async with session.begin_nested():
            registration = ProviderRegistration(
                id=uuid.uuid4(),
                organisation_id=organisation_id,
                status=RegistrationStatus.NOT_SUBMITTED.value,
                details={},
                created_at=utcnow(),
            )
            session.add(registration)
    except IntegrityError:  # made by a concurrent request meanwhile
        registration = await session.scalar(statement)
        assert registration is not None
    return registration


async def registration_of(db: Database, organisation_id: uuid.UUID) -> ProviderRegistration:
    """For a provider that has no registration row yet (made before registrations existed)."""
    async with db.transaction() as session:
        return await ensure_registration(session, organisation_id)


# ---------------------------------------------------------------- the upload


def category_specs(
    registry: CategoryRegistry, settings_by_category: Mapping[str, Mapping[str, Any]]
) -> list[CategorySpec]:
    """What the parser needs of each installed category, with the plugin's own home checks
    run under the category's current settings."""

    def checker(value: str) -> Any:
        settings = settings_by_category.get(value, {})

        def check(home: HomeRow) -> list[str]:
            return registry.check_home(
                HomeFacts(
                    name=home.name,
                    category=home.category,
                    min_age=home.min_age,
                    max_age=home.max_age,
                    genders=frozenset(home.genders),
                    beds=home.beds,
                    contract_type=home.contract_type,
                ),
                settings,
            )

        return check

    return [
        CategorySpec(
            value=c.value,
            label=c.label,
            min_age=c.declaration.min_age,
            max_age=c.declaration.max_age,
            check_home=checker(c.value),
        )
        for c in registry.all()
    ]


def _not_uploadable(status: str) -> InvalidState:
    if status == RegistrationStatus.PENDING_APPROVAL.value:
        why = "it is waiting for your managing local authority's decision"
    elif status == RegistrationStatus.APPROVED.value:
        why = "it has been approved"
    else:
        why = "it has been rejected"
    return InvalidState(
        f"Your registration cannot be changed now: {why}. Ask your managing local authority to "
        "open it for editing, then upload the spreadsheet again.",
        field=FILE,
    )


def _problems(error: SpreadsheetInvalid) -> InvalidInput:
    return invalid(
        [
            Problem(
                p.message if p.message.endswith(".") else f"{p.message}.",
                "INVALID",
                (p.sheet, p.cell) if p.cell else (p.sheet,),
            )
            for p in error.problems
        ]
    )


def sandbox_limits(settings: Settings) -> SandboxLimits:
    return SandboxLimits(
        memory_bytes=settings.spreadsheet_parse_memory_bytes,
        cpu_seconds=settings.spreadsheet_parse_cpu_seconds,
        wall_seconds=settings.spreadsheet_parse_timeout_seconds,
        concurrency=settings.spreadsheet_parsers,
    )


async def parse_upload(
    settings: Settings,
    data: bytes,
    specs: Sequence[CategorySpec],
    local_authority_names: Sequence[str],
) -> ParsedRegistration:
    """Read the workbook in the sandbox (a limited child process), validate it here; the
    parser's exceptions become domain errors."""
    try:
        cells = await read_cells_sandboxed(data, sandbox_limits(settings))
        assert isinstance(cells, WorkbookCells)
        return validate_cells(cells, specs, local_authority_names)
    except SpreadsheetRejected as error:
        raise InvalidInput(error.message, field=FILE) from None
    except SpreadsheetInvalid as error:
        raise _problems(error) from None


def _spreadsheet_name(filename: str | None) -> str:
    name = sanitise_name(filename or "registration.xlsx")
    stem, dot, _ = name.rpartition(".")
    return f"{stem if dot and stem else name}{XLSX.extension}"


async def upload_spreadsheet(
    db: Database,
    settings: Settings,
    registry: CategoryRegistry,
    viewer: Viewer,
    *,
    filename: str | None,
    data: bytes,
) -> ProviderRegistration:
    if not viewer.is_provider:
        raise NotFound("Only providers have a registration.", field=FILE)
    async with db.session() as session:
        status = await session.scalar(
            select(ProviderRegistration.status).where(
                ProviderRegistration.organisation_id == viewer.organisation_id
            )
        )
        authorities = dict(
            (
                await session.execute(
                    select(Organisation.name, Organisation.id).where(
                        Organisation.kind == OrganisationKind.LOCAL_AUTHORITY.value
                    )
                )
            ).all()
        )
        settings_by_category = await effective_settings(session, registry)
    if status is not None and status not in UPLOADABLE:
        raise _not_uploadable(status)
    parsed = await parse_upload(
        settings, data, category_specs(registry, settings_by_category), sorted(authorities)
    )
    by_key = {header_key(name): la_id for name, la_id in authorities.items()}
    organisation_sheet = parsed.organisation
    managing_la_id = by_key[header_key(organisation_sheet.managing_local_authority)]

    async with db.transaction() as session:
        registration = await ensure_registration(session, viewer.organisation_id, lock=True)
        if registration.status not in UPLOADABLE:
            raise _not_uploadable(registration.status)
        organisation = await session.get(Organisation, viewer.organisation_id, with_for_update=True)
        assert organisation is not None
        document = await store_document(
            session,
            document_store(settings),
            settings=settings,
            organisation_id=organisation.id,
            kind=DocumentKind.REGISTRATION_SPREADSHEET,
            name=_spreadsheet_name(filename),
            file_type=XLSX,
            data=data,
            uploaded_by_id=viewer.user_id,
        )
        await session.flush()
        now = utcnow()
        organisation.managing_local_authority_id = managing_la_id
        registration.details = {
            "organisationName": organisation_sheet.organisation_name,
            "companiesHouseNumber": organisation_sheet.companies_house_number,
            "contactName": organisation_sheet.contact_name,
            "contactEmail": organisation_sheet.contact_email,
            "contactPhone": organisation_sheet.contact_phone,
            "managingLocalAuthority": organisation_sheet.managing_local_authority,
        }
        await session.execute(
            update(Home)
            .where(Home.registration_id == registration.id, Home.retired_at.is_(None))
            .values(retired_at=now)
        )
        await session.execute(
            insert(Home),
            [_home_values(registration, home, now) for home in parsed.homes],
        )
        registration.status = RegistrationStatus.PENDING_APPROVAL.value
        registration.spreadsheet_id = document.id
        registration.submitted_at = now
        registration.decided_at = None
        registration.decided_by_id = None
        registration.decision_reason = None
        await emit(
            session,
            organisation_id=managing_la_id,
            event=WebhookEvent.REGISTRATION_SUBMITTED,
            subject_type="ProviderRegistration",
            subject_keys=[registration.id],
        )
    return registration


def _home_values(registration: ProviderRegistration, home: HomeRow, now: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "registration_id": registration.id,
        "provider_id": registration.organisation_id,
        "name": home.name,
        "category": home.category,
        "min_age": home.min_age,
        "max_age": home.max_age,
        "accepts_female": "FEMALE" in home.genders,
        "accepts_male": "MALE" in home.genders,
        "accepts_other": "OTHER" in home.genders,
        "beds": home.beds,
        "postcode": home.postcode,
        "local_authority_area": home.local_authority_area,
        "ofsted_urn": home.ofsted_urn,
        "contract_type": home.contract_type,
        "row_number": home.row,
        "created_at": now,
        "retired_at": None,
        # The optional vacancy columns declare, as updateHomeVacancy does, at upload time.
        "vacancy_beds_free": home.beds_free,
        "vacancy_available_from": home.beds_free_from,
        "vacancy_confirmed_at": now if home.beds_free is not None else None,
    }


# ---------------------------------------------------------------- decisions

_MESSAGES = {
    Decision.APPROVE: (
        "Your registration with the placement portal has been approved by {la}.",
        "Your homes can now receive referrals that match them.",
    ),
    Decision.REJECT: (
        "Your registration with the placement portal was rejected by {la}.",
        "The reason given: {reason}\n\nAsk {la} to open the registration for editing, correct "
        "the spreadsheet and upload it again.",
    ),
    Decision.OPEN_FOR_EDITING: (
        "Your registration with the placement portal has been opened for editing by {la}.",
        "You can now upload a corrected registration spreadsheet; it will be reviewed again. "
        "Until it is approved again, your homes do not receive referrals.",
    ),
}


async def decide(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    registration_id: uuid.UUID,
    decision: Decision,
    reason: str | None,
) -> ProviderRegistration:
    """Approve, reject (a reason is required) or open for editing; notifies the provider's
    admins in the same unit of work."""
    reason = " ".join((reason or "").split()) or None
    if decision is Decision.REJECT and reason is None:
        raise InvalidInput(
            "Give the reason for rejecting the registration; the provider will see it.",
            field=("input", "reason"),
        )
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput(
            f"The reason must be at most {MAX_REASON} characters.", field=("input", "reason")
        )
    async with db.transaction() as session:
        found = (
            await session.execute(
                select(ProviderRegistration, Organisation)
                .join(Organisation, Organisation.id == ProviderRegistration.organisation_id)
                .where(ProviderRegistration.id == registration_id)
                .with_for_update(of=ProviderRegistration)
            )
        ).first()
        if found is None or not may_review(viewer, found[1].managing_local_authority_id):
            raise NotFound("No registration with this id was found.", field=("input", "id"))
        registration, provider = found
        allowed_from, to = TRANSITIONS[decision]
        if registration.status not in allowed_from:
            raise InvalidState(
                f"The registration is {registration.status.replace('_', ' ').lower()}; it can be "
                f"{_verb(decision)} only when it is "
                f"{' or '.join(s.value.replace('_', ' ').lower() for s in sorted(allowed_from))}.",
                field=("input", "id"),
            )
        registration.status = to.value
        registration.decided_at = utcnow()
        registration.decided_by_id = viewer.user_id
        registration.decision_reason = reason
        la_name = await _decider_name(session, viewer, provider)
        admins = await session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.organisation_id == provider.id,
                UserRole.role == Role.PROVIDER_ADMIN.value,
            )
        )
        headline, body = _MESSAGES[decision]
        message = headline.format(la=la_name)
        await notify(
            session,
            settings,
            recipients=list(admins),
            kind=NotificationKind.REGISTRATION_DECIDED,
            message=message,
            subject=Subject("ProviderRegistration", registration.id),
            email_subject=f"Placement portal: registration of {provider.name} "
            f"{to.value.replace('_', ' ').lower()}",
            email_body=f"{message}\n\n{body.format(la=la_name, reason=reason)}",
        )
    return registration


def _verb(decision: Decision) -> str:
    return {
        Decision.APPROVE: "approved",
        Decision.REJECT: "rejected",
        Decision.OPEN_FOR_EDITING: "opened for editing",
    }[decision]


async def _decider_name(session: AsyncSession, viewer: Viewer, provider: Organisation) -> str:
    if viewer.organisation_id != provider.managing_local_authority_id:
        return "the portal team"
    name = await session.scalar(
        select(Organisation.name).where(Organisation.id == viewer.organisation_id)
    )
    return name or "your managing local authority"
