"""Account requests: a provider admin asks for one more account; the managing LA's admin (or
the platform) approves it, inviting the person, or rejects it with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from core.db import Database
from core.errors import Conflict, InvalidState, NotFound, Problem, invalid
from core.identity.audit import AuditKind, record
from core.identity.emails import check_personal_email, email_key
from core.identity.invitations import add_invited_member
from core.identity.members import (
    clean_name,
    email_is_free,
    roles_for,
)
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import (
    AccountRequest,
    Organisation,
)
from core.models.base import utcnow
from core.settings import Settings


async def request_account(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    email: str,
    name: str,
    roles: Iterable[Role],
) -> AccountRequest:
    """A provider admin asks for one more account: one person per request."""
    address = check_personal_email(email, settings.role_address_local_parts)
    person = clean_name(name, ("input", "name"))
    wanted = roles_for(OrganisationKind.PROVIDER, roles)
    async with db.transaction() as session:
        await email_is_free(session, address)
        pending = await session.scalar(
            select(AccountRequest.id).where(
                func.lower(AccountRequest.email) == email_key(address),
                AccountRequest.status == "PENDING",
            )
        )
        if pending is not None:
            raise Conflict(
                "An account for this email address has already been requested.",
                field=("input", "email"),
            )
        request = AccountRequest(
            id=uuid.uuid4(),
            organisation_id=viewer.organisation_id,
            email=address,
            name=person,
            roles=[r.value for r in wanted],
            status="PENDING",
            requested_by_id=viewer.user_id,
        )
        session.add(request)
        record(
            session,
            AuditKind.ACCOUNT_REQUESTED,
            actor_user_id=viewer.user_id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
            email=address,
        )
    return request


async def decide_account_request(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    request_id: uuid.UUID,
    approve: bool,
    reason: str | None,
) -> AccountRequest:
    """The managing LA's admin, or the platform, approves (inviting the person) or rejects."""
    async with db.transaction() as session:
        request = await session.get(AccountRequest, request_id, with_for_update=True)
        organisation = await session.get(Organisation, request.organisation_id) if request else None
        if (
            request is None
            or organisation is None
            or not (
                viewer.is_platform_admin
                or organisation.managing_local_authority_id == viewer.organisation_id
            )
        ):
            raise NotFound("No account request with this id was found.", field=("input", "id"))
        if request.status != "PENDING":
            raise InvalidState(f"This request was already decided ({request.status}).")
        cleaned_reason = (reason or "").strip() or None
        if not approve and not cleaned_reason:
            raise invalid(
                [
                    Problem(
                        "Give a reason for rejecting the request.", "INVALID", ("input", "reason")
                    )
                ]
            )
        request.status = "APPROVED" if approve else "REJECTED"
        request.decided_by_id = viewer.user_id
        request.decided_at = utcnow()
        request.reason = cleaned_reason
        if approve:
            await add_invited_member(
                session,
                settings,
                organisation=organisation,
                email=request.email,
                name=request.name,
                roles=[Role(r) for r in request.roles],
                invited_by=viewer.user_id,
            )
        record(
            session,
            AuditKind.ACCOUNT_REQUEST_DECIDED,
            actor_user_id=viewer.user_id,
            organisation_id=organisation.id,
            client_address=viewer.client_address,
            status=request.status,
        )
    return request
