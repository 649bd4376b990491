"""Who may see (and download) which document: decided here and nowhere else.

A document is visible to a viewer when any rule says so. Rules are async functions
``(session, viewer, document) -> bool``; the documents domain registers its own below, and a
later domain adds one by decorating a function with :func:`document_rule` in its own module
(e.g. referral forms for the providers a referral was delivered to, offer documents for the
LA that received the offer, IPA attachments for both parties' signatories). Nothing here needs
to change for that. A rule must only ever grant: no rule means no access (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.kinds import PROFILE_KINDS, DocumentKind
from core.identity.roles import OrganisationKind
from core.identity.viewer import Viewer
from core.models import Document, Organisation
from core.models import ProviderRegistration as Registration
from core.registration.queries import may_see_registration
from core.registration.status import RegistrationStatus

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


def may_see_profile_documents(
    viewer: Viewer | None,
    *,
    provider_id: uuid.UUID,
    managing_la_id: uuid.UUID | None,
    approved: bool,
) -> bool:
    """A provider's profile documents (``Organisation.documents`` and their downloads): the
    provider itself and platform admins; once approved, every LA's staff (any LA may match and
    place with it); before approval, its managing LA's staff only."""
    if viewer is None or viewer.is_signatory_only:
        return False
    if viewer.is_platform_admin or viewer.organisation_id == provider_id:
        return True
    if not viewer.is_local_authority:
        return False
    return approved or (managing_la_id is not None and managing_la_id == viewer.organisation_id)


async def _provider_of(
    session: AsyncSession, organisation_id: uuid.UUID
) -> tuple[uuid.UUID | None, bool] | None:
    """(managing LA, approved) of a provider; None when the organisation is no provider."""
    row = (
        await session.execute(
            select(Organisation.kind, Organisation.managing_local_authority_id, Registration.status)
            .outerjoin(Registration, Registration.organisation_id == Organisation.id)
            .where(Organisation.id == organisation_id)
        )
    ).first()
    if row is None or row[0] != OrganisationKind.PROVIDER.value:
        return None
    return row[1], row[2] == RegistrationStatus.APPROVED.value


# ---------------------------------------------------------------- the documents domain's rules


@document_rule
async def _own_organisation(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    """Members see their organisation's documents (signatory-only members see only IPAs)."""
    return document.organisation_id == viewer.organisation_id and not viewer.is_signatory_only


@document_rule
async def _provider_profiles(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    """Profile documents (insurance, Ofsted certificate, ...): :func:`may_see_profile_documents`.
    Case documents are never seen this way, by the platform neither."""
    if document.kind not in PROFILE_KINDS or viewer.is_signatory_only:
        return False
    provider = await _provider_of(session, document.organisation_id)
    if provider is None:
        return False
    managing_la_id, approved = provider
    return may_see_profile_documents(
        viewer,
        provider_id=document.organisation_id,
        managing_la_id=managing_la_id,
        approved=approved,
    )


@document_rule
async def _spreadsheet_for_reviewers(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    """The registration spreadsheet: whoever may see the registration (its managing LA's staff
    and platform admins, beside the provider itself)."""
    if document.kind != DocumentKind.REGISTRATION_SPREADSHEET or viewer.is_signatory_only:
        return False
    provider = await _provider_of(session, document.organisation_id)
    if provider is None:
        return False
    return may_see_registration(viewer, document.organisation_id, provider[0])
