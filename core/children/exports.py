"""Subject access and organisation exports: a zip of everything the portal holds about a
referral or an organisation (``export.json``, every table's rows, plus the document files,
decrypted). Made by ``portal export`` and, through the API, by ``requestExport``: a referral's
export at once, an organisation's (big) by a worker; the zip is kept encrypted in the store
and downloaded from ``/exports/<id>`` by the person who asked for it.
"""

# Stays whole (~400 lines): the zip's tables, its building and the API's export requests share
# one format (export.json and the tables' rows), which a split would spread over two places.

from __future__ import annotations

import io
import logging
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.children.access_log import AccessChannel, Subject
from core.db import Database, after_commit
from core.documents.sniff import sanitise_name
from core.documents.storage import LocalDiskStore, document_store
from core.errors import InvalidInput, NotFound
from core.identity.audit import AuditKind, record
from core.identity.roles import Role
from core.identity.viewer import Viewer
from core.models import (
    AccessLogEntry,
    AccountRequest,
    ApiToken,
    AuditEvent,
    DataExport,
    DeliveryHome,
    Document,
    FosteringFamily,
    Home,
    Invitation,
    Ipa,
    IpaDocument,
    IpaSignature,
    Message,
    MessageDocument,
    MessageThread,
    MessageThreadRead,
    Notification,
    Offer,
    OfferDocument,
    Organisation,
    ProviderRegistration,
    Referral,
    ReferralDelivery,
    ReferralDocument,
    ReferralVersion,
    SigningDelegation,
    User,
    UserRole,
    UserSession,
)
from core.models.base import Base, utcnow
from core.settings import Settings

logger = logging.getLogger("portal.exports")

#: Never exported: secrets and their hashes (they are not personal data, and would help an
#: attacker who got the zip).
SECRET_COLUMNS = frozenset({"password_hash", "totp_secret", "token_hash", "totp_last_step"})


class ExportStatus:
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


def _value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def rows_json(rows: Iterable[Base]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        mapper = inspect(row).mapper
        out.append(
            {
                c.key: _value(getattr(row, c.key))
                for c in mapper.column_attrs
                if c.key not in SECRET_COLUMNS
            }
        )
    return out


async def _all(session: AsyncSession, model: type[Base], *where: Any) -> list[Any]:
    return list(await session.scalars(select(model).where(*where)))


async def referral_tables(
    session: AsyncSession, referral_id: uuid.UUID
) -> tuple[dict[str, list[Any]], list[Document]]:
    """Every row held about the referral, by table, and its documents."""
    tables: dict[str, list[Any]] = {}
    tables["referrals"] = await _all(session, Referral, Referral.id == referral_id)
    if not tables["referrals"]:
        raise NotFound("No referral with this id was found.", field=("input", "referralId"))
    tables["referral_versions"] = await _all(
        session, ReferralVersion, ReferralVersion.referral_id == referral_id
    )
    tables["referral_documents"] = await _all(
        session, ReferralDocument, ReferralDocument.referral_id == referral_id
    )
    tables["referral_deliveries"] = await _all(
        session, ReferralDelivery, ReferralDelivery.referral_id == referral_id
    )
    delivery_ids = [d.id for d in tables["referral_deliveries"]]
    tables["delivery_homes"] = await _all(
        session, DeliveryHome, DeliveryHome.delivery_id.in_(delivery_ids)
    )
    tables["message_threads"] = await _all(
        session, MessageThread, MessageThread.referral_id == referral_id
    )
    thread_ids = [t.id for t in tables["message_threads"]]
    tables["messages"] = await _all(session, Message, Message.thread_id.in_(thread_ids))
    message_ids = [m.id for m in tables["messages"]]
    tables["message_documents"] = await _all(
        session, MessageDocument, MessageDocument.message_id.in_(message_ids)
    )
    tables["message_thread_reads"] = await _all(
        session, MessageThreadRead, MessageThreadRead.thread_id.in_(thread_ids)
    )
    tables["offers"] = await _all(session, Offer, Offer.referral_id == referral_id)
    offer_ids = [o.id for o in tables["offers"]]
    tables["offer_documents"] = await _all(
        session, OfferDocument, OfferDocument.offer_id.in_(offer_ids)
    )
    tables["ipas"] = await _all(session, Ipa, Ipa.referral_id == referral_id)
    ipa_ids = [i.id for i in tables["ipas"]]
    tables["ipa_documents"] = await _all(session, IpaDocument, IpaDocument.ipa_id.in_(ipa_ids))
    tables["ipa_signatures"] = await _all(session, IpaSignature, IpaSignature.ipa_id.in_(ipa_ids))
    subjects = [referral_id, *thread_ids, *offer_ids, *ipa_ids]
    tables["notifications"] = await _all(
        session, Notification, Notification.subject_key.in_(subjects)
    )
    tables["access_log"] = list(
        await session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.referral_id == referral_id)
            .order_by(AccessLogEntry.at, AccessLogEntry.id)
        )
    )
    document_ids = {
        link.document_id
        for name in ("referral_documents", "message_documents", "offer_documents", "ipa_documents")
        for link in tables[name]
    }
    documents = await _all(session, Document, Document.id.in_(document_ids))
    tables["documents"] = documents
    return tables, documents


async def organisation_tables(
    session: AsyncSession, organisation_id: uuid.UUID
) -> tuple[dict[str, list[Any]], list[Document]]:
    """Every row held about the organisation, by table, and its documents."""
    tables: dict[str, list[Any]] = {}
    tables["organisations"] = await _all(session, Organisation, Organisation.id == organisation_id)
    if not tables["organisations"]:
        raise NotFound("No organisation with this id was found.", field=("input", "organisationId"))
    tables["users"] = await _all(session, User, User.organisation_id == organisation_id)
    user_ids = [u.id for u in tables["users"]]
    tables["user_roles"] = await _all(session, UserRole, UserRole.user_id.in_(user_ids))
    tables["user_sessions"] = await _all(session, UserSession, UserSession.user_id.in_(user_ids))
    tables["invitations"] = await _all(session, Invitation, Invitation.user_id.in_(user_ids))
    tables["api_tokens"] = await _all(
        session, ApiToken, ApiToken.organisation_id == organisation_id
    )
    tables["account_requests"] = await _all(
        session, AccountRequest, AccountRequest.organisation_id == organisation_id
    )
    tables["signing_delegations"] = await _all(
        session,
        SigningDelegation,
        or_(
            SigningDelegation.signatory_id.in_(user_ids),
            SigningDelegation.delegate_id.in_(user_ids),
        ),
    )
    tables["audit_events"] = list(
        await session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    AuditEvent.organisation_id == organisation_id,
                    AuditEvent.actor_user_id.in_(user_ids),
                    AuditEvent.subject_user_id.in_(user_ids),
                )
            )
            .order_by(AuditEvent.created_at)
        )
    )
    tables["notifications"] = await _all(session, Notification, Notification.user_id.in_(user_ids))
    tables["provider_registrations"] = await _all(
        session, ProviderRegistration, ProviderRegistration.organisation_id == organisation_id
    )
    tables["homes"] = await _all(session, Home, Home.provider_id == organisation_id)
    tables["fostering_families"] = await _all(
        session, FosteringFamily, FosteringFamily.provider_id == organisation_id
    )
    documents = await _all(session, Document, Document.organisation_id == organisation_id)
    tables["documents"] = documents
    return tables, documents


async def build_zip(
    store: LocalDiskStore,
    subject: dict[str, str],
    tables: dict[str, list[Any]],
    documents: Sequence[Document],
) -> bytes:
    """``export.json`` (what it is about, when, every table's rows) and ``files/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = {}
        for document in documents:
            name = f"files/{document.id}-{sanitise_name(document.name)}"
            files[str(document.id)] = name
            if await store.exists(document.storage_key):
                archive.writestr(name, await store.read(document.storage_key))
        manifest = {
            "subject": subject,
            "exportedAt": utcnow().isoformat(),
            "tables": {name: rows_json(rows) for name, rows in tables.items()},
            "files": files,
        }
        archive.writestr(
            "export.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        )
    return buffer.getvalue()


async def export_zip(
    db: Database,
    settings: Settings,
    *,
    referral_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
) -> bytes:
    """``portal export``: the zip for a referral or an organisation."""
    store = document_store(settings)
    async with db.session() as session:
        if referral_id is not None:
            tables, documents = await referral_tables(session, referral_id)
            subject = {"referral": str(referral_id)}
        elif organisation_id is not None:
            tables, documents = await organisation_tables(session, organisation_id)
            subject = {"organisation": str(organisation_id)}
        else:
            raise InvalidInput("Name a referral or an organisation.", field=("input",))
    return await build_zip(store, subject, tables, documents)


# ---------------------------------------------------------------- through the API


def export_key(export_id: uuid.UUID) -> str:
    return f"exports/{export_id.hex}"


async def request_export(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
) -> DataExport:
    """LA admins: their LA's referrals; platform admins: any referral or organisation.

    A referral's export is made at once; an organisation's by a worker (``make_export``).
    """
    if (referral_id is None) == (organisation_id is None):
        raise InvalidInput("Give exactly one of referralId and organisationId.", field=("input",))
    async with db.transaction() as session:
        if referral_id is not None:
            owner = await session.scalar(
                select(Referral.local_authority_id).where(Referral.id == referral_id)
            )
            allowed = owner is not None and (
                viewer.is_platform_admin
                or (viewer.has(Role.LA_ADMIN) and owner == viewer.organisation_id)
            )
            if not allowed:
                raise NotFound("No referral with this id was found.", field=("input", "referralId"))
        else:
            found = await session.get(Organisation, organisation_id)
            if found is None or not viewer.is_platform_admin:
                raise NotFound(
                    "No organisation with this id was found.", field=("input", "organisationId")
                )
        export = DataExport(
            id=uuid.uuid4(),
            requested_by_id=viewer.user_id,
            referral_id=referral_id,
            subject_organisation_id=organisation_id,
            status=ExportStatus.PENDING,
        )
        session.add(export)
        record(
            session,
            AuditKind.DATA_EXPORT_REQUESTED,
            actor_user_id=viewer.user_id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
            referral_id=str(referral_id) if referral_id else None,
            subject_organisation_id=str(organisation_id) if organisation_id else None,
        )
        if organisation_id is not None:
            from core.jobs.broker import enqueue_async

            export_id = export.id

            async def send() -> None:
                await enqueue_async("make_export", str(export_id))

            after_commit(session, send)
    if referral_id is not None:
        return await make_export(db, settings, export.id, viewer=viewer)
    return export


async def make_export(
    db: Database, settings: Settings, export_id: uuid.UUID, *, viewer: Viewer | None = None
) -> DataExport:
    """Make a PENDING export (once: a READY or FAILED one is left as it is)."""
    store = document_store(settings)
    async with db.session() as session:
        export = await session.get(DataExport, export_id)
        if export is None:
            raise NotFound("No export with this id was found.")
        if export.status != ExportStatus.PENDING:
            return export
        try:
            if export.referral_id is not None:
                tables, documents = await referral_tables(session, export.referral_id)
                subject = {"referral": str(export.referral_id)}
            else:
                assert export.subject_organisation_id is not None
                tables, documents = await organisation_tables(
                    session, export.subject_organisation_id
                )
                subject = {"organisation": str(export.subject_organisation_id)}
            data = await build_zip(store, subject, tables, documents)
            await store.put_named(export_key(export.id), data)
            failure = None
        except Exception as error:  # recorded on the export: the requester sees FAILED
            logger.exception("export %s failed", export_id)
            failure = f"{type(error).__name__}: {error}"
        requester = (
            await session.get(User, export.requested_by_id) if export.requested_by_id else None
        )
    async with db.transaction() as session:
        export = await session.get(DataExport, export_id, with_for_update=True)
        assert export is not None
        if export.status != ExportStatus.PENDING:
            return export
        export.status = ExportStatus.FAILED if failure else ExportStatus.READY
        export.error = failure
        export.storage_key = None if failure else export_key(export.id)
        export.finished_at = utcnow()
        if not failure and export.referral_id is not None and requester is not None:
            session.add(
                AccessLogEntry(
                    user_id=requester.id,
                    organisation_id=requester.organisation_id,
                    referral_id=export.referral_id,
                    subject_type=Subject.REFERRAL.value,
                    subject_id=export.referral_id,
                    channel=AccessChannel.EXPORT.value,
                    client_address=viewer.client_address if viewer else None,
                )
            )
    return export


async def visible_export(
    session: AsyncSession, viewer: Viewer | None, export_id: uuid.UUID
) -> DataExport | None:
    """An export, for the person who asked for it only."""
    if viewer is None or viewer.user_id is None:
        return None
    export = await session.get(DataExport, export_id)
    if export is None or export.requested_by_id != viewer.user_id:
        return None
    return export
