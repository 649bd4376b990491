"""The document enums of the GraphQL schema."""

import strawberry

from core.documents.kinds import DocumentKind as _DocumentKind

DocumentKind = _DocumentKind
strawberry.enum(_DocumentKind, name="DocumentKind")
