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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum

import orjson
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


#: The columns of a row, in the order PostgreSQL's COPY is given them.
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
#: What one request read, one item per object: ``(subject type, subject id, referral id,
#: version)``, plain tuples (a page of 50 referrals makes 50 per request).
Item = tuple[str, uuid.UUID, uuid.UUID, int | None]
#: One request's reads as they are queued: ``(at, user, api token, organisation, channel,
#: client address, count, items as JSON)``, ids as 32 hex digits. Only strings, numbers and
#: bytes: the garbage collector stops tracking such a tuple, so a second's worth of queued
#: reads (thousands of rows) adds nothing to every collection the requests trigger.
RequestBatch = tuple[datetime, str | None, str | None, str, str, str | None, int, bytes]

#: SQLite: one INSERT per request's reads, its items expanded into rows by ``json_each`` (in C):
#: binding ten values per row from Python was most of what the log cost a busy list. Values
#: as SQLAlchemy stores these types on SQLite (Uuid: 32 hex digits; UTCDateTime:
#: ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC).
_SQLITE_INSERT = (
    "INSERT INTO access_log (at, user_id, api_token_id, organisation_id, channel, "
    "client_address, subject_type, subject_id, referral_id, version) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, json_extract(value, '$[0]'), "
    "replace(json_extract(value, '$[1]'), '-', ''), "
    "replace(json_extract(value, '$[2]'), '-', ''), json_extract(value, '$[3]') "
    "FROM json_each(?7)"
)


#: PostgreSQL: one INSERT per flush, whatever the number of rows: each request's reads are
#: bound as one element of each array and PostgreSQL expands its items into rows (in C),
#: in the order they were read. Making a row per read in Python (four UUID objects each, for
#: a binary COPY) cost about as much CPU as the request that read them.
_POSTGRES_INSERT = (
    "INSERT INTO access_log (at, user_id, api_token_id, organisation_id, channel, "
    "client_address, subject_type, subject_id, referral_id, version) "
    "SELECT b.at, b.user_id::uuid, b.api_token_id::uuid, b.organisation_id::uuid, b.channel, "
    "b.client_address, i.item ->> 0, (i.item ->> 1)::uuid, (i.item ->> 2)::uuid, "
    "(i.item ->> 3)::int "
    "FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[]) WITH ORDINALITY "
    "AS b(at, user_id, api_token_id, organisation_id, channel, client_address, items, n) "
    "CROSS JOIN LATERAL json_array_elements(b.items::json) WITH ORDINALITY AS i(item, n) "
    "ORDER BY b.n, i.n"
)


def _postgres_params(batch: list[RequestBatch]) -> list[list[object]]:
    """The arrays of :data:`_POSTGRES_INSERT`, one element per request."""
    columns: list[list[object]] = [[], [], [], [], [], [], []]
    at, user, token, organisation, channel, address, items = columns
    for a, u, t, o, c, addr, _, i in batch:
        at.append(a)
        user.append(u)
        token.append(t)
        organisation.append(o)
        channel.append(c)
        address.append(addr)
        items.append(i.decode())
    return columns


def _hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_params(batch: list[RequestBatch]) -> list[tuple[object, ...]]:
    return [
        (
            at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            user,
            token,
            organisation,
            channel,
            address,
            items,
        )
        for at, user, token, organisation, channel, address, _, items in batch
    ]


def _uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def _records(batch: list[RequestBatch]) -> list[tuple[object, ...]]:
    """Rows in :data:`COLUMNS` order."""
    return [
        (
            at,
            _uuid(user),
            _uuid(token),
            uuid.UUID(organisation),
            uuid.UUID(referral),
            subject,
            uuid.UUID(key),
            version,
            channel,
            address,
        )
        for at, user, token, organisation, channel, address, _, items in batch
        for subject, key, referral, version in orjson.loads(items)
    ]


class AccessLog:
    """The process's buffer of reads and the task that writes them.

    ``enabled=False`` records nothing (the benchmark's comparison only: production refuses it,
    see ``Settings.access_log``).
    """

    def __init__(self, db: Database, *, flush_seconds: float = 1.0, enabled: bool = True) -> None:
        self.db = db
        self.flush_seconds = flush_seconds
        self.enabled = enabled
        self._pending: list[RequestBatch] = []
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def add(self, reads: RequestBatch | None) -> None:
        """Queue a request's reads for the next write (no I/O: called as each request ends)."""
        if self.enabled and reads is not None:
            self._pending.append(reads)

    @property
    def pending(self) -> int:
        """Rows queued, not written yet."""
        return sum(batch[6] for batch in self._pending)

    async def flush(self) -> int:
        """Write everything queued so far in one statement; the number of rows written.

        At the driver, not through the ORM: a busy list writes thousands of rows a second, and
        SQLAlchemy's per-value processing of them would hold the event loop that serves the
        requests. SQLite and PostgreSQL: one INSERT whose rows the database expands from each
        request's items (:data:`_SQLITE_INSERT`, :data:`_POSTGRES_INSERT`). If the database
        refuses (it is restarting), the rows go back to the front of the queue and the next
        flush tries again.
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
                        await connection.exec_driver_sql(_SQLITE_INSERT, _sqlite_params(batch))
                    elif dialect == "postgresql":
                        raw = await connection.get_raw_connection()
                        await raw.driver_connection.execute(  # type: ignore[union-attr]
                            _POSTGRES_INSERT, *_postgres_params(batch)
                        )
                    else:
                        await session.execute(
                            insert(AccessLogEntry),
                            [dict(zip(COLUMNS, r, strict=True)) for r in _records(batch)],
                        )
            except Exception:
                self._pending[:0] = batch
                raise
            return sum(b[6] for b in batch)

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
        #: (subject's value, id) -> the item
        self.reads: dict[tuple[str, uuid.UUID], Item] = {}

    def note(
        self,
        subject: Subject,
        subject_id: uuid.UUID,
        referral_id: uuid.UUID,
        version: int | None = None,
    ) -> None:
        if self.viewer is not None:
            # By the subject's value, a str (hashing the enum member calls Python): a page of
            # 50 referrals notes 50 reads.
            value = str(subject)
            key = (value, subject_id)
            if key not in self.reads:
                self.reads[key] = (value, subject_id, referral_id, version)

    def note_many(
        self, subject: Subject, reads: Iterable[tuple[uuid.UUID, uuid.UUID, int | None]]
    ) -> None:
        """:meth:`note` for each ``(subject id, referral id, version)`` of ``reads``, in order."""
        if self.viewer is not None:
            value = str(subject)
            noted = self.reads
            for subject_id, referral_id, version in reads:
                key = (value, subject_id)
                if key not in noted:
                    noted[key] = (value, subject_id, referral_id, version)

    def collected(self) -> RequestBatch | None:
        viewer = self.viewer
        if viewer is None or not self.reads:
            return None
        return (
            utcnow(),
            _hex(viewer.user_id),
            _hex(viewer.api_token_id),
            viewer.organisation_id.hex,
            self.channel.value,
            self.client_address or viewer.client_address,
            len(self.reads),
            # default=str: ids read by asyncpg come as its own UUID type
            orjson.dumps(list(self.reads.values()), default=str),
        )


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


def note_reads(subject: Subject, reads: Iterable[tuple[uuid.UUID, uuid.UUID, int | None]]) -> None:
    """:func:`note_read` for each ``(subject id, referral id, version)`` of ``reads``, in
    order: the same rows, for a page read at once."""
    current = _current.get()
    if current is not None:
        current.note_many(subject, reads)


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
