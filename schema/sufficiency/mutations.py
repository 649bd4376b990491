"""The sufficiency mutations: vacancies, response hours, automatic declines."""

from __future__ import annotations

import strawberry

from core import vacancies
from core.referrals import deadlines
from core.referrals.kinds import Urgency
from schema.context import Info
from schema.mutation import arguments, mutation, signed_in
from schema.registration.types import Home
from schema.sufficiency.inputs import (
    AutoDeclinePayload,
    HomePayload,
    ResponseHours,
    ResponseHoursPayload,
    SetAutoDeclineInput,
    SetResponseHoursInput,
    UpdateHomeVacancyInput,
)


def response_hours_of(hours: dict[str, int]) -> ResponseHours:
    return ResponseHours(
        today=hours[Urgency.TODAY.value],
        within_5_days=hours[Urgency.WITHIN_5_DAYS.value],
        over_5_days=hours[Urgency.OVER_5_DAYS.value],
    )


def _hours(input: SetResponseHoursInput) -> dict[str, int]:
    given = {
        Urgency.TODAY.value: input.today,
        Urgency.WITHIN_5_DAYS.value: input.within_5_days,
        Urgency.OVER_5_DAYS.value: input.over_5_days,
    }
    return {urgency: hours for urgency, hours in given.items() if hours is not None}


@strawberry.type
class SufficiencyMutations:
    @mutation(description="Declare (or confirm) a live home's vacancies: beds free, from a date.")
    async def update_home_vacancy(self, info: Info, input: UpdateHomeVacancyInput) -> HomePayload:
        home = await vacancies.update_home_vacancy(
            info.context.db, signed_in(info), **arguments(input, home_id="Home")
        )
        return HomePayload(home=Home.of(home))

    @mutation(
        description="Local authorities: the hours providers have to respond, by urgency "
        "(null keeps the current value). The next referral sent uses them."
    )
    async def set_response_hours(
        self, info: Info, input: SetResponseHoursInput
    ) -> ResponseHoursPayload:
        organisation = await deadlines.set_response_hours(
            info.context.db, signed_in(info), hours=_hours(input)
        )
        return ResponseHoursPayload(
            response_hours=response_hours_of(deadlines.response_hours(organisation))
        )

    @mutation(
        description="Providers: decline automatically, at send time and with the code "
        "NO_VACANCY, referrals none of whose matching homes has a declared, current vacancy."
    )
    async def set_auto_decline_without_vacancy(
        self, info: Info, input: SetAutoDeclineInput
    ) -> AutoDeclinePayload:
        enabled = await vacancies.set_auto_decline_without_vacancy(
            info.context.db, signed_in(info), enabled=input.enabled
        )
        return AutoDeclinePayload(enabled=enabled)
