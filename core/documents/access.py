"""Who may see (and download) which document: decided here and nowhere else.

A document is visible to a viewer when any rule says so. Rules are async functions
``(session, viewer, document) -> bool``; the documents domain registers its own below, and a
later domain adds one by decorating a function with :func:`document_rule` in its own module
(e.g. referral forms for the providers a referral was delivered to, offer documents for the
LA that received the offer, IPA attachments for both parties' signatories). Nothing here needs
to change for that. A rule must only ever grant: no rule means no access (404).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.kinds import PROFILE_KINDS, DocumentKind
from core.identity.roles import OrganisationKind
from core.identity.viewer import Viewer
from core.models import Document, Organisation

DocumentRule = Callable[[AsyncSession, Viewer, Document], Awaitable[bool]]
_RULES: list[DocumentRule] = []


def document_rule(rule: DocumentRule) -> DocumentRule:
    """Register ``rule`` as one more way a viewer may see a document."""
    if rule not in _RULES:
        _RULES.append(rule)
    return rule


async def may_see_document(
    session: AsyncSession, viewer: Viewer | None, document: Document
) -> bool:
    if viewer is None:
        return False
    for rule in _RULES:
        if await rule(session, viewer, document):
            return True
    return False


def may_see_profile_documents(viewer: Viewer | None, organisation_id: object) -> bool:
    """``Organisation.documents``: the provider itself, platform admins and LA staff."""
    if viewer is None or viewer.is_signatory_only:
        return False
    return (
        viewer.is_platform_admin
        or viewer.organisation_id == organisation_id
        or viewer.is_local_authority
    )


# ---------------------------------------------------------------- the documents domain's rules


@document_rule
async def _platform_admins(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    return viewer.is_platform_admin


@document_rule
async def _own_organisation(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    """Members see their organisation's documents (signatory-only members see only IPAs)."""
    return document.organisation_id == viewer.organisation_id and not viewer.is_signatory_only


@document_rule
async def _provider_profiles_for_la_staff(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    """LA staff see providers' profile documents (insurance, Ofsted certificate, ...)."""
    if not viewer.is_local_authority or viewer.is_signatory_only:
        return False
    if document.kind not in PROFILE_KINDS:
        return False
    owner_kind = await session.scalar(
        select(Organisation.kind).where(Organisation.id == document.organisation_id)
    )
    return owner_kind == OrganisationKind.PROVIDER.value


@document_rule
async def _spreadsheet_for_managing_la(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    """The managing LA's staff see the registration spreadsheets they review."""
    if (
        document.kind != DocumentKind.REGISTRATION_SPREADSHEET
        or not viewer.is_local_authority
        or viewer.is_signatory_only
    ):
        return False
    managing = await session.scalar(
        select(Organisation.managing_local_authority_id).where(
            Organisation.id == document.organisation_id
        )
    )
    return managing == viewer.organisation_id
