"""Which providers receive a referral (contract section 6).

First the core criteria as one indexed query: an APPROVED registration, a live home of the
same category whose age range holds every child, that accepts every child's gender and has a
bed for each. Then the category plugin's own rules and its lead's settings refine the
candidates. The result: each matching provider and the homes that matched.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.genders import Gender
from core.models import Home, ProviderRegistration
from core.plugins.declarations import CandidateHome, MatchRequest, ReferralChildFacts
from core.plugins.registry import CategoryRegistry
from core.registration.status import RegistrationStatus

_ACCEPTS = {
    Gender.FEMALE.value: Home.accepts_female,
    Gender.MALE.value: Home.accepts_male,
    Gender.OTHER.value: Home.accepts_other,
}


@functools.cache
def _genders(female: bool, male: bool, other: bool) -> frozenset[str]:
    """The genders a home accepts (one shared set per combination: there are eight)."""
    accepted = ((Gender.FEMALE, female), (Gender.MALE, male), (Gender.OTHER, other))
    return frozenset(gender.value for gender, accepts in accepted if accepts)


def core_criteria(category: str, children: Sequence[Mapping[str, Any]]) -> Select[*tuple[Any, ...]]:
    """The homes meeting the core criteria, as columns (no ORM objects).

    The column order is the order :func:`match_providers` unpacks them in."""
    ages = [int(c["age"]) for c in children]
    statement = (
        select(
            Home.id,
            Home.provider_id,
            Home.category,
            Home.min_age,
            Home.max_age,
            Home.accepts_female,
            Home.accepts_male,
            Home.accepts_other,
            Home.beds,
            Home.contract_type,
            Home.postcode,
            Home.local_authority_area,
        )
        .join(ProviderRegistration, ProviderRegistration.id == Home.registration_id)
        .where(
            Home.category == category,
            Home.retired_at.is_(None),
            Home.min_age <= min(ages),
            Home.max_age >= max(ages),
            Home.beds >= len(children),
            ProviderRegistration.status == RegistrationStatus.APPROVED.value,
        )
    )
    for gender in {c["gender"] for c in children}:
        statement = statement.where(_ACCEPTS[gender].is_(True))
    return statement


async def match_providers(
    session: AsyncSession,
    registry: CategoryRegistry,
    request: MatchRequest,
    settings: Mapping[str, Any],
    children: Sequence[Mapping[str, Any]],
    *,
    provider_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """``{provider id: [matching home ids]}`` for this referral version (of one provider's
    homes only, when ``provider_id`` is given: what an offer may be made with)."""
    statement = core_criteria(request.category, children)
    if provider_id is not None:
        statement = statement.where(Home.provider_id == provider_id)
    rows = (await session.execute(statement)).all()
    # Rows are unpacked by position: a regional referral builds ~1,000 candidates, and named
    # access on each row's twelve columns cost more than building the candidates themselves.
    candidates = [
        CandidateHome(
            home_id=home_id,
            provider_id=home_provider_id,
            category=category,
            min_age=min_age,
            max_age=max_age,
            genders=_genders(accepts_female, accepts_male, accepts_other),
            beds=beds,
            contract_type=contract_type,
            postcode=postcode,
            local_authority_area=local_authority_area,
        )
        for (
            home_id,
            home_provider_id,
            category,
            min_age,
            max_age,
            accepts_female,
            accepts_male,
            accepts_other,
            beds,
            contract_type,
            postcode,
            local_authority_area,
        ) in rows
    ]
    matched = registry.refine_matches(request, candidates, settings) if candidates else []
    by_provider: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for home in matched:
        by_provider[home.provider_id].append(home.home_id)
    return dict(by_provider)


def match_request(
    *,
    referral_id: uuid.UUID,
    local_authority_id: uuid.UUID,
    local_authority_name: str,
    category: str,
    children: Sequence[Mapping[str, Any]],
    details: Mapping[str, Any],
    postcode: str | None,
) -> MatchRequest:
    return MatchRequest(
        referral_id=referral_id,
        local_authority_id=local_authority_id,
        local_authority_name=local_authority_name,
        category=category,
        children=tuple(ReferralChildFacts(age=int(c["age"]), gender=c["gender"]) for c in children),
        details=details,
        postcode=postcode,
    )
