"""The document enums of the GraphQL schema."""

from core.documents.kinds import DocumentKind as _DocumentKind

DocumentKind = _DocumentKind
