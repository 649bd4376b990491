"""An LA's retention policy: how long its closed referrals' personal data, and its IPAs, are
kept. Its own LA admins or a platform admin set it, within the platform's bounds."""

from __future__ import annotations

import uuid

from core.db import Database
from core.errors import NotFound, Problem, invalid
from core.identity.audit import AuditKind, record
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import Organisation
from core.settings import Settings


async def set_retention_policy(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    organisation_id: uuid.UUID,
    retention_days: int,
    ipa_retention_days: int | None,
) -> Organisation:
    problems = []
    low, high = settings.retention_days_min, settings.retention_days_max
    if not low <= retention_days <= high:
        problems.append(
            Problem(
                f"Retention: found {retention_days} days, expected {low} to {high} days.",
                "INVALID",
                ("input", "retentionDays"),
            )
        )
    ipa_low, ipa_high = settings.ipa_retention_days_min, settings.ipa_retention_days_max
    if ipa_retention_days is not None and not ipa_low <= ipa_retention_days <= ipa_high:
        problems.append(
            Problem(
                f"IPA retention: found {ipa_retention_days} days, expected {ipa_low} to "
                f"{ipa_high} days.",
                "INVALID",
                ("input", "ipaRetentionDays"),
            )
        )
    async with db.transaction() as session:
        organisation = await session.get(Organisation, organisation_id, with_for_update=True)
        allowed = viewer.is_platform_admin or (
            viewer.has(Role.LA_ADMIN) and viewer.organisation_id == organisation_id
        )
        if (
            organisation is None
            or organisation.kind != OrganisationKind.LOCAL_AUTHORITY.value
            or not allowed
        ):
            raise NotFound(
                "No local authority with this id was found.", field=("input", "organisationId")
            )
        if problems:
            raise invalid(problems)
        organisation.retention_days = retention_days
        if ipa_retention_days is not None:
            organisation.ipa_retention_days = ipa_retention_days
        record(
            session,
            AuditKind.RETENTION_POLICY_SET,
            actor_user_id=viewer.user_id,
            organisation_id=organisation_id,
            client_address=viewer.client_address,
            retention_days=retention_days,
            ipa_retention_days=ipa_retention_days,
        )
    return organisation
