"""The access log: every read of a child's information, recorded off the request path.

A request notes what it read (:class:`RequestReads`: one entry per object, however often the
object appears in the answer); when the request ends its reads join the process's buffer
(:class:`AccessLog`), which a background task writes every ``flush_seconds`` in one INSERT per
batch. A clean stop (the app's lifespan) writes what is left, so nothing is lost; a crash loses
at most the last ``flush_seconds``. The table is append-only: the database refuses UPDATE and
DELETE (migration 0010).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.identity.viewer import Viewer
from core.models import (
    AccessLogEntry,
    Ipa,
    IpaDocument,
    Message,
    MessageDocument,
    MessageThread,
    Offer,
    OfferDocument,
    ReferralDocument,
)
from core.models.base import utcnow

logger = logging.getLogger("portal.access_log")


class AccessChannel(StrEnum):
    """How the information was read (the contract's ``AccessChannel``)."""

    API = "API"
    WEB = "WEB"
    DOWNLOAD = "DOWNLOAD"
    PRINT = "PRINT"
    EXPORT = "EXPORT"


class Subject(StrEnum):
    REFERRAL = "REFERRAL"
    DOCUMENT = "DOCUMENT"
    MESSAGE_THREAD = "MESSAGE_THREAD"
    OFFER = "OFFER"
    IPA = "IPA"


#: The columns of a row, in the order of :data:`AccessRead` tuples.
COLUMNS = (
    "at",
    "user_id",
    "api_token_id",
    "organisation_id",
    "referral_id",
    "subject_type",
    "subject_id",
    "version",
    "channel",
    "client_address",
)
#: One row of the log as it will be written: a plain tuple in :data:`COLUMNS` order (a page of
#: 50 referrals makes 50 of them per request: a dataclass each would cost several times more).
AccessRead = tuple[
    datetime,
    uuid.UUID | None,
    uuid.UUID | None,
    uuid.UUID,
    uuid.UUID,
    str,
    uuid.UUID,
    int | None,
    str,
    str | None,
]

_SQLITE_INSERT = (
    f"INSERT INTO access_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)


def _hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_rows(batch: list[AccessRead]) -> list[tuple[object, ...]]:
    """The rows as SQLAlchemy stores these types on SQLite (Uuid: 32 hex digits; UTCDateTime:
    ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC)."""
    stamps: dict[datetime, str] = {}
    rows = []
    for r in batch:
        stamp = stamps.get(r[0])
        if stamp is None:
            stamp = stamps[r[0]] = r[0].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows.append(
            (stamp, _hex(r[1]), _hex(r[2]), r[3].hex, r[4].hex, r[5], r[6].hex, r[7], r[8], r[9])
        )
    return rows


class AccessLog:
    """The process's buffer of reads and the task that writes them.

    ``enabled=False`` records nothing (the benchmark's comparison only: production refuses it,
    see ``Settings.access_log``).
    """

    def __init__(self, db: Database, *, flush_seconds: float = 1.0, enabled: bool = True) -> None:
        self.db = db
        self.flush_seconds = flush_seconds
        self.enabled = enabled
        self._pending: list[AccessRead] = []
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def add(self, reads: list[AccessRead]) -> None:
        """Queue ``reads`` for the next write (no I/O: called at the end of each request)."""
        if self.enabled and reads:
            self._pending.extend(reads)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Write everything queued so far in one statement; the number of rows written.

        At the driver, not through the ORM: a busy list writes thousands of rows a second, and
        SQLAlchemy's per-value processing of them would hold the event loop that serves the
        requests. SQLite: one ``executemany`` of an INSERT (a loop in C); PostgreSQL: one binary
        ``COPY`` (asyncpg). If the database refuses (it is restarting), the rows go back to the
        front of the queue and the next flush tries again.
        """
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                async with self.db.transaction() as session:
                    connection = await session.connection()
                    dialect = connection.dialect.name
                    if dialect == "sqlite":
                        # Converted in a thread: the event loop goes on serving meanwhile.
                        rows = await asyncio.to_thread(_sqlite_rows, batch)
                        await connection.exec_driver_sql(_SQLITE_INSERT, rows)
                    elif dialect == "postgresql":
                        raw = await connection.get_raw_connection()
                        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                            "access_log", records=batch, columns=COLUMNS
                        )
                    else:
                        await session.execute(
                            insert(AccessLogEntry),
                            [dict(zip(COLUMNS, r, strict=True)) for r in batch],
                        )
            except Exception:
                self._pending[:0] = batch
                raise
            return len(batch)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            try:
                await self.flush()
            except Exception:
                logger.exception("access log: %d reads not written yet; retrying", self.pending)

    def start(self) -> None:
        if self._task is None and self.enabled:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="access-log-writer"
            )

    async def stop(self) -> None:
        """A clean stop: end the writer and write what is left."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self.flush()


class RequestReads:
    """What one request (or one GraphQL operation) read: one entry per object."""

    __slots__ = ("channel", "client_address", "reads", "viewer")

    def __init__(
        self, viewer: Viewer | None, channel: AccessChannel, client_address: str | None
    ) -> None:
        self.viewer = viewer
        self.channel = channel
        self.client_address = client_address
        #: (subject, id) -> (referral id, version)
        self.reads: dict[tuple[str, uuid.UUID], tuple[uuid.UUID, int | None]] = {}

    def note(
        self,
        subject: Subject,
        subject_id: uuid.UUID,
        referral_id: uuid.UUID,
        version: int | None = None,
    ) -> None:
        if self.viewer is not None:
            self.reads.setdefault((subject.value, subject_id), (referral_id, version))

    def collected(self) -> list[AccessRead]:
        viewer = self.viewer
        if viewer is None or not self.reads:
            return []
        at = utcnow()
        user, token, organisation = viewer.user_id, viewer.api_token_id, viewer.organisation_id
        channel = self.channel.value
        address = self.client_address or viewer.client_address
        return [
            (
                at,
                user,
                token,
                organisation,
                referral,
                subject,
                key,
                version,
                channel,
                address,
            )
            for (subject, key), (referral, version) in self.reads.items()
        ]


_current: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "portal_request_reads", default=None
)


@contextmanager
def reading(
    log: AccessLog, viewer: Viewer | None, channel: AccessChannel, client_address: str | None
) -> Iterator[RequestReads]:
    """Note the reads made inside (and in tasks started inside); queue them when it ends."""
    reads = RequestReads(viewer, channel, client_address)
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)
        log.add(reads.collected())


def note_read(
    subject: Subject, subject_id: uuid.UUID, referral_id: uuid.UUID, version: int | None = None
) -> None:
    """Record that the current request read this object (nothing outside a request)."""
    reads = _current.get()
    if reads is not None:
        reads.note(subject, subject_id, referral_id, version)


def record_read(
    log: AccessLog,
    viewer: Viewer,
    channel: AccessChannel,
    subject: Subject,
    subject_id: uuid.UUID,
    referral_id: uuid.UUID,
    version: int | None = None,
) -> None:
    """One read outside GraphQL (a download, a print view)."""
    reads = RequestReads(viewer, channel, viewer.client_address)
    reads.note(subject, subject_id, referral_id, version)
    log.add(reads.collected())


async def referral_of_document(session: AsyncSession, document_id: uuid.UUID) -> uuid.UUID | None:
    """The referral a document belongs to: a referral form, a message or IPA attachment, or an
    optional offer document. None for a provider's profile documents (insurance, Ofsted, ...,
    also attached to offers as they were at submission) and registration spreadsheets: they
    hold nothing about a child."""
    candidates = [
        select(ReferralDocument.referral_id).where(ReferralDocument.document_id == document_id),
        select(MessageThread.referral_id)
        .join(Message, Message.thread_id == MessageThread.id)
        .join(MessageDocument, MessageDocument.message_id == Message.id)
        .where(MessageDocument.document_id == document_id),
        select(Ipa.referral_id)
        .join(IpaDocument, IpaDocument.ipa_id == Ipa.id)
        .where(IpaDocument.document_id == document_id),
        select(Offer.referral_id)
        .join(OfferDocument, OfferDocument.offer_id == Offer.id)
        .where(OfferDocument.document_id == document_id, OfferDocument.compulsory.is_(False)),
    ]
    found = await session.scalar(union_all(*candidates).limit(1))
    return found
