"""Uploading documents: sniffed, named safely, stored once, recorded in one unit of work."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.documents.kinds import PROFILE_KINDS, UPLOADABLE_KINDS, DocumentKind
from core.documents.sniff import FIELD, FileType, named_for, sanitise_name, sniff
from core.documents.storage import DocumentStore, document_store
from core.errors import InvalidInput
from core.identity.roles import OrganisationKind
from core.identity.viewer import Viewer
from core.models import Document, Organisation, ProviderRegistration
from core.models.base import utcnow
from core.registration.status import RegistrationStatus
from core.settings import Settings

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def check_size(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> None:
    if len(data) > limit:
        raise InvalidInput(
            f"The file is {len(data) / (1024 * 1024):.1f} MB; the largest file accepted is "
            f"{limit // (1024 * 1024)} MB.",
            field=FIELD,
        )


async def check_quota(
    session: AsyncSession, settings: Settings, organisation_id: uuid.UUID, adding: int
) -> None:
    """Refuse a document that would take the organisation over its storage quota: a provider
    not approved yet has the small one (anyone can sign up), everyone else the large one.
    The organisation's row is locked so that two uploads at once cannot both pass."""
    organisation = (
        await session.execute(
            select(Organisation.kind, ProviderRegistration.status)
            .outerjoin(
                ProviderRegistration, ProviderRegistration.organisation_id == Organisation.id
            )
            .where(Organisation.id == organisation_id)
            .with_for_update(of=Organisation)
        )
    ).first()
    unapproved = (
        organisation is not None
        and organisation[0] == OrganisationKind.PROVIDER.value
        and organisation[1] != RegistrationStatus.APPROVED.value
    )
    quota = settings.unapproved_storage_quota_bytes if unapproved else settings.storage_quota_bytes
    used = await session.scalar(
        select(func.coalesce(func.sum(Document.size), 0)).where(
            Document.organisation_id == organisation_id
        )
    )
    if int(used or 0) + adding > quota:
        mb = 1024 * 1024
        raise InvalidInput(
            f"Your organisation's documents would take {(int(used or 0) + adding) / mb:.1f} MB, "
            f"over its storage quota of {quota / mb:.0f} MB"
            + (
                " (until your registration is approved)."
                if unapproved
                else ": ask the portal's operators for more."
            ),
            field=FIELD,
            code="QUOTA_EXCEEDED",
        )


async def store_document(
    session: AsyncSession,
    store: DocumentStore,
    *,
    settings: Settings,
    organisation_id: uuid.UUID,
    kind: DocumentKind,
    name: str,
    file_type: FileType,
    data: bytes,
    uploaded_by_id: uuid.UUID | None,
    expires_on: date | None = None,
) -> Document:
    """Write the bytes to the store and add the Document row to ``session``.

    Call it only once everything else about the upload has been checked: the blob is
    content-addressed, so one left behind by a rolled-back transaction is harmless (it is
    simply there if the same bytes are uploaded again), but nothing is written for an
    upload that was refused. The organisation's storage quota is checked first.
    """
    await check_quota(session, settings, organisation_id, len(data))
    blob = await store.put(data)
    document = Document(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        kind=kind.value,
        name=name,
        content_type=file_type.content_type,
        size=blob.size,
        sha256=blob.sha256,
        storage_key=blob.key,
        expires_on=expires_on,
        uploaded_by_id=uploaded_by_id,
        uploaded_at=utcnow(),
    )
    session.add(document)
    return document


def _check_kind(viewer: Viewer, kind: DocumentKind, expires_on: date | None) -> None:
    allowed = UPLOADABLE_KINDS.get(viewer.organisation_kind.value, frozenset())
    if kind not in allowed:
        if kind is DocumentKind.REGISTRATION_SPREADSHEET:
            message = "Upload the registration spreadsheet with uploadRegistrationSpreadsheet."
        else:
            choices = ", ".join(sorted(k.value for k in allowed)) or "none"
            message = (
                f"Your organisation cannot upload {kind.value} documents; it may upload: {choices}."
            )
        raise InvalidInput(message, field=("input", "kind"))
    if expires_on is None:
        return
    if kind not in PROFILE_KINDS:
        raise InvalidInput(
            "Only profile documents (insurance, Ofsted certificate, ...) have an expiry date; "
            "leave expiresOn empty.",
            field=("input", "expiresOn"),
        )
    if expires_on <= date.today():
        raise InvalidInput(
            f"The expiry date {expires_on.isoformat()} has passed: upload the current document, "
            "with its expiry date in the future.",
            field=("input", "expiresOn"),
        )


async def upload_document(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    filename: str | None,
    data: bytes,
    kind: DocumentKind,
    expires_on: date | None,
) -> Document:
    """A new document of the viewer's organisation (never replaces an earlier one)."""
    _check_kind(viewer, kind, expires_on)
    check_size(data)
    file_type = sniff(data)
    name = named_for(sanitise_name(filename), file_type)
    async with db.transaction() as session:
        return await store_document(
            session,
            document_store(settings),
            settings=settings,
            organisation_id=viewer.organisation_id,
            kind=kind,
            name=name,
            file_type=file_type,
            data=data,
            uploaded_by_id=viewer.user_id,
            expires_on=expires_on,
        )
