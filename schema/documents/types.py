"""``Document`` as the API shows it; the bytes are served by ``GET /documents/{id}``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from core.documents import queries
from core.documents.access import may_see_document, may_see_profile_documents
from core.identity.roles import OrganisationKind
from core.models import Document as DocumentRow
from core.registration import queries as registration_queries
from core.registration.status import RegistrationStatus
from schema.context import Info
from schema.documents.enums import DocumentKind
from schema.node import Node, encode_id


def download_path(global_id: str) -> str:
    return f"/documents/{global_id}"


@strawberry.type
class Document(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    kind: DocumentKind
    content_type: str
    size: int
    expires_on: date | None
    uploaded_at: datetime

    @classmethod
    def of(cls, row: DocumentRow) -> Document:
        return cls(
            id=encode_id("Document", row.id),
            key=row.id,
            name=row.name,
            kind=DocumentKind(row.kind),
            content_type=row.content_type,
            size=row.size,
            expires_on=row.expires_on,
            uploaded_at=row.uploaded_at,
        )

    @strawberry.field(
        description="GET with the caller's credentials (cookie or bearer token) returns the bytes."
    )
    def download_url(self, info: Info) -> str:
        return f"{info.context.settings.base_url}{download_path(self.id)}"


async def document_node(info: Info, key: uuid.UUID) -> Document | None:
    row = await info.context.loaders.get(queries.documents_by_ids).load(key)
    if row is None:
        return None
    async with info.context.read() as session:
        if not await may_see_document(session, info.context.viewer, row):
            return None
    return Document.of(row)


async def profile_documents_of(
    info: Info, organisation_key: uuid.UUID, kind: OrganisationKind
) -> list[Document]:
    """``Organisation.documents``: a provider's profile documents, newest first, for whoever
    ``may_see_profile_documents`` allows (the same rule as their downloads)."""
    viewer = info.context.viewer
    if kind is not OrganisationKind.PROVIDER or viewer is None:
        return []
    organisation = await info.context.loaders.organisation_by_id.load(organisation_key)
    registration = await info.context.loaders.get(
        registration_queries.registrations_by_organisation_ids
    ).load(organisation_key)
    if organisation is None or not may_see_profile_documents(
        viewer,
        provider_id=organisation_key,
        managing_la_id=organisation.managing_local_authority_id,
        approved=registration is not None
        and registration.status == RegistrationStatus.APPROVED.value,
    ):
        return []
    rows = await info.context.loaders.get(queries.profile_documents_by_organisation_ids).load(
        organisation_key
    )
    return [Document.of(r) for r in rows]
