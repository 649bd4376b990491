"""Who may see (and download) which document: decided here and nowhere else.

A document is visible to a viewer when any rule says so. Rules are async functions
``(session, viewer, document) -> bool``: the documents domain's own are below, and each later
domain keeps its rule in its own ``documents`` module (referral forms for the providers a
referral was delivered to, offer documents for the LA that received the offer, IPA attachments
for both parties' signatories, message attachments for both parties of the thread). The rules
in force are set by one explicit call from the composition root (:func:`core.wiring.wire_core`,
which lists them all), never as a side effect of an import: asking before that is an error,
not a silent "nobody may see it". A rule must only ever grant: no rule means no access (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable

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
#: The rules in force; None until :func:`set_document_rules` is called (at start-up).
_RULES: tuple[DocumentRule, ...] | None = None


def set_document_rules(rules: Iterable[DocumentRule]) -> None:
    """Put ``rules`` in force (each once, in order); calling it again with the same rules
    changes nothing. Only the composition root calls it (:func:`core.wiring.wire_core`)."""
    global _RULES
    _RULES = tuple(dict.fromkeys(rules))


def document_rules() -> tuple[DocumentRule, ...]:
    """The rules in force; RuntimeError when none were set (the app was not wired)."""
    if _RULES is None:
        raise RuntimeError(
            "The document access rules were never set: call core.wiring.wire_core() at "
            "start-up (create_app and the tests' conftest do)."
        )
    return _RULES


async def may_see_document(
    session: AsyncSession, viewer: Viewer | None, document: Document
) -> bool:
    rules = document_rules()
    if viewer is None:
        return False
    for rule in rules:
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


async def own_organisation(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    """Members see their organisation's documents (signatory-only members see only IPAs)."""
    return document.organisation_id == viewer.organisation_id and not viewer.is_signatory_only


async def provider_profiles(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
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


async def spreadsheet_for_reviewers(
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
