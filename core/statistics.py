"""Sufficiency figures (``placementStatistics``), computed by SQL aggregates.

The referrals in scope are those first sent in the period (``first_sent_at``), of an LA, a
category and an urgency when asked. With a provider, the figures are that provider's: the
referrals delivered to it, its declines and its offers.

Percentiles are computed in SQL the same way on SQLite and PostgreSQL: each value is ranked
by a window (``row_number`` over the values in order, ``count`` over all), and the value at
fraction ``q`` is interpolated between the ranks either side of ``q * (n - 1)``: the
definition of PostgreSQL's ``percentile_cont``, which SQLite lacks. Nothing loops over rows
in Python: each statement returns one row, or one per group.
"""

# Stays whole (~500 lines): every figure is one statement over the same scope, and the dialect
# pieces (percentiles, week starts, ages) exist only for them; apart, neither reads alone.

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC as _UTC
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from core.db import dialect_of
from core.errors import Forbidden
from core.identity.roles import Role
from core.identity.viewer import Viewer
from core.models import Offer, Referral, ReferralDelivery
from core.offers.kinds import ANOTHER_OFFER_ACCEPTED, OfferStatus
from core.referrals.kinds import DeclineReasonCode, DeliveryStatus

R = Referral.__table__
D = ReferralDelivery.__table__
O = Offer.__table__  # noqa: E741

AGE_BANDS = ("0-4", "5-9", "10-15", "16-17")


@dataclass(frozen=True)
class Scope:
    """Which referrals the figures are about (None: any)."""

    sent_from: date | None = None
    sent_to: date | None = None
    local_authority_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    category: str | None = None
    urgency: str | None = None


@dataclass(frozen=True)
class ReasonCount:
    code: str
    referral_declines: int
    offer_declines: int


@dataclass(frozen=True)
class FeeFigures:
    category: str
    age_band: str
    offers: int
    median_core_fee: Decimal | None
    lower_quartile_core_fee: Decimal | None
    upper_quartile_core_fee: Decimal | None
    median_weekly_total: Decimal | None


@dataclass(frozen=True)
class WeekCount:
    week_starting: date
    referrals: int


@dataclass(frozen=True)
class PlacementFigures:
    referrals_sent: int
    referrals_with_no_match: int
    median_providers_reached: float | None
    offers_per_referral: float | None
    median_hours_to_first_offer: float | None
    p90_hours_to_first_offer: float | None
    median_hours_to_acceptance: float | None
    acceptance_rate: float | None
    decline_reasons: tuple[ReasonCount, ...]
    fees: tuple[FeeFigures, ...]
    referrals_per_week: tuple[WeekCount, ...]


# ---------------------------------------------------------------- dialect pieces


def hours_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def first_child_age(dialect: str) -> ColumnElement[int]:
    """The referral's first child's age (a sibling group is banded by its first child)."""
    if dialect == "postgresql":
        return cast(R.c.children.op("->")(0).op("->>")("age"), Integer)
    return cast(func.json_extract(R.c.children, "$[0].age"), Integer)


def weekly_additional_pence(dialect: str) -> ColumnElement[int]:
    """The offer's weekly additional costs, summed (one-off costs are not weekly)."""
    if dialect == "postgresql":
        return literal_column(
            "(SELECT coalesce(sum((e ->> 'amountPence')::int), 0) "
            "FROM jsonb_array_elements(offers.additional_costs) AS e "
            "WHERE e ->> 'frequency' = 'WEEKLY')",
            Integer,
        )
    return literal_column(
        "(SELECT coalesce(sum(json_extract(e.value, '$.amountPence')), 0) "
        "FROM json_each(offers.additional_costs) AS e "
        "WHERE json_extract(e.value, '$.frequency') = 'WEEKLY')",
        Integer,
    )


def week_starting(dialect: str, moment: Any) -> ColumnElement[Any]:
    """The Monday (UTC) of ``moment``'s week."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", moment)), String)
    return func.date(moment, "weekday 0", "-6 days")


def age_band(age: Any) -> ColumnElement[str]:
    return case((age <= 4, "0-4"), (age <= 9, "5-9"), (age <= 15, "10-15"), else_="16-17")


def floor(dialect: str, value: Any) -> ColumnElement[int]:
    """The integer part of a non-negative number: PostgreSQL's cast rounds, SQLite's (which may
    lack ``floor``) truncates."""
    if dialect == "postgresql":
        return cast(func.floor(value), Integer)
    return cast(value, Integer)


def interpolated(dialect: str, rank: Any, count: Any, value: Any, q: float) -> ColumnElement[Any]:
    """``percentile_cont(q)`` over ranked rows (``rank`` from 0, ``count`` of the group): an
    aggregate to use with those rows (grouped by the same partition)."""
    position = cast(count - 1, Float) * q
    low = floor(dialect, position)
    fraction = position - low
    return func.sum(
        case((rank == low, value * (1 - fraction)), else_=0.0)
        + case((rank == low + 1, value * fraction), else_=0.0)
    ) / case((func.count() > 0, 1.0), else_=None)


def _rank(value: Any, name: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """``<name>_i`` (rank from 0) and ``<name>_n`` (how many) of ``value`` among the rows
    whose ``value`` is not null; the null rows rank among themselves and are left out by
    :func:`_among`."""
    known = case((value.is_(None), 0), else_=1)
    return (
        (func.row_number().over(partition_by=known, order_by=value) - 1).label(f"{name}_i"),
        func.count().over(partition_by=known).label(f"{name}_n"),
    )


def _among(dialect: str, value: Any, rank: Any, count: Any, q: float) -> ColumnElement[Any]:
    """``percentile_cont(q)`` of ``value`` over the ranked rows where it is not null."""
    position = cast(count - 1, Float) * q
    low = floor(dialect, position)
    fraction = position - low
    known = value.is_not(None)
    return func.sum(
        case((and_(known, rank == low), value * (1 - fraction)), else_=0.0)
        + case((and_(known, rank == low + 1), value * fraction), else_=0.0)
    ) / case((func.count(value) > 0, 1.0), else_=None)


# ---------------------------------------------------------------- the figures


def scoped_referrals(scope: Scope) -> Select[Any]:
    statement = select(R.c.id).where(R.c.first_sent_at.is_not(None))
    if scope.sent_from is not None:
        statement = statement.where(
            R.c.first_sent_at >= datetime.combine(scope.sent_from, time(), tzinfo=_UTC)
        )
    if scope.sent_to is not None:
        end = datetime.combine(scope.sent_to + timedelta(days=1), time(), tzinfo=_UTC)
        statement = statement.where(R.c.first_sent_at < end)
    if scope.local_authority_id is not None:
        statement = statement.where(R.c.local_authority_id == scope.local_authority_id)
    if scope.category is not None:
        statement = statement.where(R.c.category == scope.category)
    if scope.urgency is not None:
        statement = statement.where(R.c.urgency == scope.urgency)
    if scope.provider_id is not None:
        statement = statement.where(
            exists().where(D.c.referral_id == R.c.id, D.c.provider_id == scope.provider_id)
        )
    return statement


def _narrowed(scope: Scope) -> bool:
    """Whether the scope picks some sent referrals rather than all of them (a provider's
    scope narrows deliveries and offers by provider instead)."""
    return any(
        value is not None
        for value in (
            scope.sent_from,
            scope.sent_to,
            scope.local_authority_id,
            scope.category,
            scope.urgency,
        )
    )


def _of_referrals(column: Any, scope: Scope, ids: Select[Any]) -> list[ColumnElement[bool]]:
    """Rows (deliveries, offers) of the referrals in scope. Every delivery and offer belongs
    to a sent referral (only a send writes deliveries; offers need one), so for all sent
    referrals no condition is needed: an ``IN`` over every referral would cost an index probe
    per referral (SQLite plans it so) for nothing."""
    return [column.in_(ids)] if _narrowed(scope) else []


def _deliveries(scope: Scope) -> list[ColumnElement[bool]]:
    return [D.c.provider_id == scope.provider_id] if scope.provider_id is not None else []


def _offers(scope: Scope) -> list[ColumnElement[bool]]:
    return [O.c.provider_id == scope.provider_id] if scope.provider_id is not None else []


def providers_reached(scope: Scope) -> Select[Any]:
    """Per referral in scope: how many providers it reached (0 included)."""
    ids = scoped_referrals(scope).subquery()
    reached = (
        select(D.c.referral_id, func.count().label("n"))
        .where(D.c.referral_id.in_(select(ids.c.id)), *_deliveries(scope))
        .group_by(D.c.referral_id)
        .subquery()
    )
    return select(func.coalesce(reached.c.n, 0).label("n")).select_from(
        ids.outerjoin(reached, reached.c.referral_id == ids.c.id)
    )


async def placement_statistics(session: AsyncSession, scope: Scope) -> PlacementFigures:
    dialect = dialect_of(session)
    ids = select(scoped_referrals(scope).subquery().c.id)
    accepted_states = (OfferStatus.ACCEPTED.value, OfferStatus.SUPERSEDED.value)

    # Per referral with offers: its first offer and first acceptance (offers grouped by their
    # referral, read along ix_offers_referral), then its first send.
    per_referral = (
        select(
            O.c.referral_id,
            func.min(O.c.submitted_at).label("first_offer"),
            func.min(
                case(
                    (
                        and_(O.c.status.in_(accepted_states), O.c.decided_at.is_not(None)),
                        O.c.decided_at,
                    ),
                    else_=None,
                )
            ).label("first_acceptance"),
        )
        .where(*_of_referrals(O.c.referral_id, scope, ids), *_offers(scope))
        .group_by(O.c.referral_id)
        .subquery()
    )
    firsts = (
        select(per_referral, R.c.first_sent_at)
        .join(R, R.c.id == per_referral.c.referral_id)
        .subquery()
    )
    hours = select(
        hours_between(dialect, firsts.c.first_offer, firsts.c.first_sent_at).label("offer"),
        hours_between(dialect, firsts.c.first_acceptance, firsts.c.first_sent_at).label("accept"),
    ).subquery()
    # One pass over the referrals with offers: each column ranked among its own non-null values
    # (a partition of the nulls aside, whichever end a database sorts them to).
    ranked_hours = select(
        hours.c.offer,
        hours.c.accept,
        *_rank(hours.c.offer, "offer"),
        *_rank(hours.c.accept, "accept"),
    ).subquery()
    reached = providers_reached(scope).subquery()
    ranked_reached = select(reached.c.n, *_rank(reached.c.n, "n")).subquery()

    sent, offer_n, accepted_n = (
        await session.execute(
            select(
                select(func.count()).select_from(ids.subquery()).scalar_subquery(),
                select(func.count())
                .select_from(O)
                .where(*_of_referrals(O.c.referral_id, scope, ids), *_offers(scope))
                .scalar_subquery(),
                select(func.count())
                .select_from(O)
                .where(
                    *_of_referrals(O.c.referral_id, scope, ids),
                    O.c.status == OfferStatus.ACCEPTED.value,
                    *_offers(scope),
                )
                .scalar_subquery(),
            )
        )
    ).one()
    r = ranked_reached.c
    no_match_n, median_n = (
        await session.execute(
            select(
                func.coalesce(func.sum(case((r.n == 0, 1), else_=0)), 0),
                interpolated(dialect, r.n_i, r.n_n, r.n, 0.5),
            )
        )
    ).one()
    h = ranked_hours.c
    h_offer, h_offer90, h_accept = (
        await session.execute(
            select(
                _among(dialect, h.offer, h.offer_i, h.offer_n, 0.5),
                _among(dialect, h.offer, h.offer_i, h.offer_n, 0.9),
                _among(dialect, h.accept, h.accept_i, h.accept_n, 0.5),
            )
        )
    ).one()
    return PlacementFigures(
        referrals_sent=sent,
        referrals_with_no_match=no_match_n,
        median_providers_reached=_float(median_n),
        offers_per_referral=offer_n / sent if sent else None,
        median_hours_to_first_offer=_float(h_offer),
        p90_hours_to_first_offer=_float(h_offer90),
        median_hours_to_acceptance=_float(h_accept),
        acceptance_rate=accepted_n / sent if sent else None,
        decline_reasons=await _decline_reasons(session, scope, ids),
        fees=await _fees(session, scope, ids, dialect),
        referrals_per_week=await _per_week(session, scope, dialect),
    )


async def _decline_reasons(
    session: AsyncSession, scope: Scope, ids: Select[Any]
) -> tuple[ReasonCount, ...]:
    code = func.coalesce(D.c.decline_reason_code, DeclineReasonCode.OTHER.value)
    referral_declines = dict(
        (
            await session.execute(
                select(code, func.count())
                .where(
                    *_of_referrals(D.c.referral_id, scope, ids),
                    D.c.status == DeliveryStatus.DECLINED.value,
                    *_deliveries(scope),
                )
                .group_by(code)
            )
        ).all()
    )
    offer_code = func.coalesce(O.c.decline_reason_code, DeclineReasonCode.OTHER.value)
    offer_declines = dict(
        (
            await session.execute(
                select(offer_code, func.count())
                .where(
                    *_of_referrals(O.c.referral_id, scope, ids),
                    O.c.status == OfferStatus.DECLINED.value,
                    # Declined because another was accepted: not the LA's reason about it.
                    func.coalesce(O.c.decline_reason, "") != ANOTHER_OFFER_ACCEPTED,
                    *_offers(scope),
                )
                .group_by(offer_code)
            )
        ).all()
    )
    return tuple(
        ReasonCount(c.value, referral_declines.get(c.value, 0), offer_declines.get(c.value, 0))
        for c in DeclineReasonCode
    )


async def _fees(
    session: AsyncSession, scope: Scope, ids: Select[Any], dialect: str
) -> tuple[FeeFigures, ...]:
    # Each value computed once: the age (a JSON read), then its band; the weekly total.
    raw = (
        select(
            R.c.category.label("category"),
            first_child_age(dialect).label("age"),
            O.c.core_fee_pence.label("fee"),
            (O.c.core_fee_pence + weekly_additional_pence(dialect)).label("total"),
        )
        .join(R, R.c.id == O.c.referral_id)
        .where(*_of_referrals(O.c.referral_id, scope, ids), *_offers(scope))
        # Materialized: flattened into the windows and the grouping, SQLite would read the
        # JSON again for every reference to the age and the total.
        .cte("fee_rows")
        .prefix_with("MATERIALIZED")
    )
    offers = select(
        raw.c.category, age_band(raw.c.age).label("band"), raw.c.fee, raw.c.total
    ).subquery()
    group = (offers.c.category, offers.c.band)
    ranked = select(
        offers.c.category,
        offers.c.band,
        offers.c.fee,
        offers.c.total,
        (func.row_number().over(partition_by=group, order_by=offers.c.fee) - 1).label("fee_i"),
        (func.row_number().over(partition_by=group, order_by=offers.c.total) - 1).label("total_i"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    n = ranked.c.n  # the group's size, on each of its rows
    rows = (
        await session.execute(
            select(
                ranked.c.category,
                ranked.c.band,
                func.count(),
                interpolated(dialect, ranked.c.fee_i, n, ranked.c.fee, 0.5),
                interpolated(dialect, ranked.c.fee_i, n, ranked.c.fee, 0.25),
                interpolated(dialect, ranked.c.fee_i, n, ranked.c.fee, 0.75),
                interpolated(dialect, ranked.c.total_i, n, ranked.c.total, 0.5),
            )
            .group_by(ranked.c.category, ranked.c.band)
            .order_by(ranked.c.category, ranked.c.band)
        )
    ).all()
    figures = [
        FeeFigures(category, band, count, _pounds(med), _pounds(lq), _pounds(uq), _pounds(tot))
        for category, band, count, med, lq, uq, tot in rows
    ]
    return tuple(sorted(figures, key=lambda f: (f.category, AGE_BANDS.index(f.age_band))))


async def _per_week(session: AsyncSession, scope: Scope, dialect: str) -> tuple[WeekCount, ...]:
    scoped = scoped_referrals(scope).add_columns(R.c.first_sent_at).subquery()
    week = week_starting(dialect, scoped.c.first_sent_at).label("week")
    rows = (await session.execute(select(week, func.count()).group_by(week).order_by(week))).all()
    return tuple(WeekCount(_date(w), n) for w, n in rows)


# ---------------------------------------------------------------- values


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _pounds(pence: Any) -> Decimal | None:
    if pence is None:
        return None
    return (Decimal(str(pence)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def scope_for(viewer: Viewer, asked: Scope) -> Scope:
    """Who sees which figures: an LA its own (of any provider on its referrals); a platform
    admin the region or any LA; a provider its own figures, or the region's to compare."""
    if viewer.has(Role.PLATFORM_ADMIN):
        return asked
    if viewer.is_local_authority:
        if asked.local_authority_id not in (None, viewer.organisation_id):
            raise Forbidden("A local authority sees its own figures only.")
        return replace(asked, local_authority_id=viewer.organisation_id)
    if viewer.is_provider:
        if asked.provider_id not in (None, viewer.organisation_id):
            raise Forbidden("A provider sees its own figures and the region's only.")
        if asked.local_authority_id is not None:
            raise Forbidden("A provider sees its own figures and the region's only.")
        return asked
    raise Forbidden("You need a local authority, provider or platform role to see figures.")
