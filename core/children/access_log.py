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
from dataclasses import dataclass
from datetime import datetime
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
from core.models.base import new_id, utcnow

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


@dataclass(frozen=True, slots=True)
class AccessRead:
    """One row of the log, as it will be written."""

    at: datetime
    user_id: uuid.UUID | None
    api_token_id: uuid.UUID | None
    organisation_id: uuid.UUID
    referral_id: uuid.UUID
    subject_type: Subject
    subject_id: uuid.UUID
    version: int | None
    channel: AccessChannel
    client_address: str | None

    def row(self) -> dict[str, object]:
        return {
            "id": new_id(),
            "at": self.at,
            "user_id": self.user_id,
            "api_token_id": self.api_token_id,
            "organisation_id": self.organisation_id,
            "referral_id": self.referral_id,
            "subject_type": self.subject_type.value,
            "subject_id": self.subject_id,
            "version": self.version,
            "channel": self.channel.value,
            "client_address": self.client_address,
        }


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
        """Write everything queued so far in one INSERT; the number of rows written.

        If the database refuses (it is restarting), the rows go back to the front of the
        queue and the next flush tries again.
        """
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                async with self.db.transaction() as session:
                    await session.execute(insert(AccessLogEntry), [read.row() for read in batch])
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
        self.reads: dict[tuple[Subject, uuid.UUID], AccessRead] = {}

    def note(
        self,
        subject: Subject,
        subject_id: uuid.UUID,
        referral_id: uuid.UUID,
        version: int | None = None,
    ) -> None:
        viewer = self.viewer
        if viewer is None or (subject, subject_id) in self.reads:
            return
        self.reads[(subject, subject_id)] = AccessRead(
            at=utcnow(),
            user_id=viewer.user_id,
            api_token_id=viewer.api_token_id,
            organisation_id=viewer.organisation_id,
            referral_id=referral_id,
            subject_type=subject,
            subject_id=subject_id,
            version=version,
            channel=self.channel,
            client_address=self.client_address or viewer.client_address,
        )

    def collected(self) -> list[AccessRead]:
        return list(self.reads.values())


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
