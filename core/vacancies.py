"""Vacancies: a provider declares, per live home, its beds free and from when.

A declaration counts only while it is *current*: confirmed within the confirmation period
(``PORTAL_VACANCY_CONFIRM_DAYS``, default 14); an older one counts as unknown, and the
provider's admins are asked to confirm it (once per declaration). A home *has a vacancy for a
referral* when its current declaration frees a bed for each child by the date the placement
is needed (the referral's ``requiredFrom``, or today).

Matching reads the same rule as SQL (:func:`vacancy_clause`) through each category's
``vacancyRule`` setting (``IGNORE``, ``PREFER``, ``REQUIRE``); the core adds that setting to
every category (core/plugins/registry.py).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update

from core.db import Database
from core.errors import InvalidInput, InvalidState, NotFound
from core.identity.roles import Role
from core.identity.viewer import Viewer
from core.models import Home, Organisation, User, UserRole
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.settings import Settings
from core.vacancy_rule import VacancyRule

__all__ = ["VacancyCheck", "VacancyRule", "has_vacancy", "update_home_vacancy", "vacancy_clause"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VacancyCheck:
    """What 'has a vacancy' means for one referral, now."""

    #: Declarations confirmed before this count as unknown.
    confirmed_after: datetime
    #: Beds needed (the children of the referral).
    beds: int
    #: The date the placement is needed by: a bed free from this date or before counts.
    needed_by: date


def stale_before(settings: Settings, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=settings.vacancy_confirm_days)


def vacancy_check(
    settings: Settings, beds: int, required_from: date | None, now: datetime | None = None
) -> VacancyCheck:
    moment = now or utcnow()
    today = moment.date()
    return VacancyCheck(
        confirmed_after=stale_before(settings, moment),
        beds=beds,
        needed_by=max(today, required_from) if required_from else today,
    )


def vacancy_clause(check: VacancyCheck) -> ColumnElement[bool]:
    """SQL: the home has a declared, current vacancy for the referral."""
    return and_(
        Home.vacancy_confirmed_at >= check.confirmed_after,
        Home.vacancy_beds_free >= check.beds,
        or_(
            Home.vacancy_available_from.is_(None),
            Home.vacancy_available_from <= check.needed_by,
        ),
    )


def has_vacancy(home: Home, check: VacancyCheck) -> bool:
    """The same rule as :func:`vacancy_clause`, for one home already loaded."""
    return (
        home.vacancy_confirmed_at is not None
        and home.vacancy_beds_free is not None
        and home.vacancy_confirmed_at >= check.confirmed_after
        and home.vacancy_beds_free >= check.beds
        and (home.vacancy_available_from is None or home.vacancy_available_from <= check.needed_by)
    )


def is_stale(confirmed_at: datetime, settings: Settings, now: datetime | None = None) -> bool:
    return confirmed_at < stale_before(settings, now)


async def update_home_vacancy(
    db: Database,
    viewer: Viewer,
    *,
    home_id: uuid.UUID,
    beds_free: int,
    available_from: date | None,
) -> Home:
    """The provider declares (or confirms) a live home's vacancies; confirmed now."""
    if beds_free < 0:
        raise InvalidInput(
            "Beds free cannot be negative: give 0 for no vacancy.", field=("input", "bedsFree")
        )
    async with db.transaction() as session:
        home = await session.get(Home, home_id, with_for_update=True)
        if home is None or home.provider_id != viewer.organisation_id:
            raise NotFound(
                "No home with this id was found among your organisation's.",
                field=("input", "homeId"),
            )
        if home.retired_at is not None:
            raise InvalidState(
                f"{home.name} was replaced by a newer registration; declare vacancies for "
                "your current homes."
            )
        if beds_free > home.beds:
            raise InvalidInput(
                f"{home.name} is registered with {home.beds} bed(s); it cannot have "
                f"{beds_free} free.",
                field=("input", "bedsFree"),
            )
        home.vacancy_beds_free = beds_free
        home.vacancy_available_from = available_from
        home.vacancy_confirmed_at = utcnow()
    return home


async def set_auto_decline_without_vacancy(db: Database, viewer: Viewer, *, enabled: bool) -> bool:
    """The provider's setting: decline at send time, with NO_VACANCY, referrals none of whose
    matching homes has a declared, current vacancy (core/referrals/service.py)."""
    async with db.transaction() as session:
        organisation = await session.get(Organisation, viewer.organisation_id, with_for_update=True)
        assert organisation is not None
        organisation.auto_decline_without_vacancy = enabled
    return enabled


def _provider_admins(provider_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(User.organisation_id == provider_id, User.is_active.is_(True))


async def remind_stale_vacancies(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> int:
    """Ask each provider's admins to confirm its stale declarations, once per declaration.

    A declaration is reminded when it went stale and was not reminded since it was last
    confirmed; confirming it (``updateHomeVacancy``) starts again. Returns how many homes'
    declarations were reminded of.
    """
    moment = now or utcnow()
    before = stale_before(settings, moment)
    due = and_(
        Home.retired_at.is_(None),
        Home.vacancy_confirmed_at < before,
        or_(
            Home.vacancy_reminded_at.is_(None),
            Home.vacancy_reminded_at < Home.vacancy_confirmed_at,
        ),
    )
    reminded = 0
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Home.id, Home.provider_id, Home.name)
                .where(due)
                .order_by(Home.provider_id, Home.name)
                .with_for_update()
            )
        ).all()
        by_provider: dict[uuid.UUID, list[str]] = {}
        for _, provider_id, name in rows:
            by_provider.setdefault(provider_id, []).append(name)
        for provider_id, names in by_provider.items():
            admins = (
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(_provider_admins(provider_id), UserRole.role == Role.PROVIDER_ADMIN.value)
            )
            listed = ", ".join(names[:10]) + (
                f" and {len(names) - 10} more" if len(names) > 10 else ""
            )
            await notify(
                session,
                settings,
                recipients=admins,
                kind=NotificationKind.REMINDER,
                message=f"Confirm the vacancies of {listed}: declared more than "
                f"{settings.vacancy_confirm_days} days ago, they now count as unknown.",
                subject=Subject("Organisation", provider_id),
                email_subject="Placement portal: confirm your vacancies",
            )
            reminded += len(names)
        if rows:
            await session.execute(
                update(Home)
                .where(Home.id.in_([r[0] for r in rows]))
                .values(vacancy_reminded_at=moment)
            )
    if reminded:
        logger.info("asked providers to confirm %d stale vacancy declarations", reminded)
    return reminded
