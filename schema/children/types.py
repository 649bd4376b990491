"""The access log and data exports as the API shows them."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

import strawberry
from graphql import GraphQLError

from core.children import queries
from core.children.access_log import AccessChannel as _AccessChannel
from core.children.exports import visible_export
from core.models import AccessLogEntry as EntryRow
from core.models import DataExport as ExportRow
from schema.context import Info
from schema.identity.types import ApiToken, Organisation, User
from schema.node import Node, encode_id
from schema.pagination import PageInfo

AccessChannel = _AccessChannel

#: The API's type name of each kind of subject (for ``subjectId``).
_SUBJECT_TYPES = {
    "REFERRAL": "Referral",
    "DOCUMENT": "Document",
    "MESSAGE_THREAD": "MessageThread",
    "OFFER": "Offer",
    "IPA": "IndividualPlacementAgreement",
}


@strawberry.type(description="One read of a child's information: append-only.")
class AccessLogEntry(Node):
    key: strawberry.Private[int]
    user_key: strawberry.Private[uuid.UUID | None]
    api_token_key: strawberry.Private[uuid.UUID | None]
    organisation_key: strawberry.Private[uuid.UUID]
    at: datetime
    subject_type: str = strawberry.field(
        description="REFERRAL, DOCUMENT, MESSAGE_THREAD, OFFER or IPA."
    )
    subject_id: strawberry.ID
    version: int | None = strawberry.field(
        description="The referral version read, where there is one."
    )
    channel: AccessChannel

    @classmethod
    def of(cls, row: EntryRow) -> AccessLogEntry:
        return cls(
            id=entry_id(row.id),
            key=row.id,
            user_key=row.user_id,
            api_token_key=row.api_token_id,
            organisation_key=row.organisation_id,
            at=row.at,
            subject_type=row.subject_type,
            subject_id=encode_id(_SUBJECT_TYPES.get(row.subject_type, "Node"), row.subject_id),
            version=row.version,
            channel=AccessChannel(row.channel),
        )

    @strawberry.field(description="The person who read it; null when an API token read it.")
    async def user(self, info: Info) -> User | None:
        if self.user_key is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.user_key)
        return User.of(row) if row is not None else None

    @strawberry.field
    async def api_token(self, info: Info) -> ApiToken | None:
        if self.api_token_key is None:
            return None
        row = await info.context.loaders.get(queries.api_tokens_by_ids).load(self.api_token_key)
        return ApiToken.of(row) if row is not None else None

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.organisation_key)
        )


def entry_id(key: int) -> strawberry.ID:
    """Rows are numbered; the global id carries the number as a UUID's integer."""
    return encode_id("AccessLogEntry", uuid.UUID(int=key))


def entry_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"log:{key}".encode()).decode().rstrip("=")


def decode_entry_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        prefix, _, number = raw.partition(":")
        if prefix != "log":
            raise ValueError(prefix)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise GraphQLError(
            f"after: {cursor!r} is not a cursor of this list; pass an endCursor it returned.",
            extensions={"code": "INVALID"},
        ) from None


@strawberry.type
class AccessLogEdge:
    cursor: str
    node: AccessLogEntry


@strawberry.type
class AccessLogConnection:
    edges: list[AccessLogEdge]
    page_info: PageInfo
    total_count: int


def access_log_connection(
    page: queries.AccessLogPage, total: int, after: str | None
) -> AccessLogConnection:
    edges = [
        AccessLogEdge(cursor=entry_cursor(row.id), node=AccessLogEntry.of(row)) for row in page.rows
    ]
    return AccessLogConnection(
        edges=edges,
        total_count=total,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.type(
    description="A zip of everything held about a referral or an organisation "
    "(subject access, audit)."
)
class DataExport(Node):
    key: strawberry.Private[uuid.UUID]
    status: str = strawberry.field(description="PENDING, READY or FAILED.")
    created_at: datetime
    download_url: str | None = strawberry.field(description="Set when READY.")

    @classmethod
    def of(cls, row: ExportRow, base_url: str) -> DataExport:
        global_id = encode_id("DataExport", row.id)
        return cls(
            id=global_id,
            key=row.id,
            status=row.status,
            created_at=row.created_at,
            download_url=f"{base_url}/exports/{global_id}" if row.status == "READY" else None,
        )


async def entry_node(info: Info, key: uuid.UUID) -> AccessLogEntry | None:
    async with info.context.read() as session:
        row = await queries.visible_access_entry(session, info.context.viewer, key.int)
    return AccessLogEntry.of(row) if row is not None else None


async def export_node(info: Info, key: uuid.UUID) -> DataExport | None:
    async with info.context.read() as session:
        row = await visible_export(session, info.context.viewer, key)
    return DataExport.of(row, info.context.settings.base_url) if row is not None else None
