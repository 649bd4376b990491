"""The sufficiency mutations: vacancies, response hours, automatic declines."""

from __future__ import annotations

from typing import Any

import strawberry

from core import vacancies
from core.identity.viewer import Viewer
from core.referrals import deadlines
from core.referrals.kinds import Urgency
from schema.context import Info
from schema.errors import mutate
from schema.node import decode_id
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


@strawberry.type
class SufficiencyMutations:
    @strawberry.mutation(
        description="Declare (or confirm) a live home's vacancies: beds free, from a date."
    )
    async def update_home_vacancy(self, info: Info, input: UpdateHomeVacancyInput) -> HomePayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            home = await vacancies.update_home_vacancy(
                ctx.db,
                viewer,
                home_id=decode_id(input.home_id, "Home", field=("input", "homeId")),
                beds_free=input.beds_free,
                available_from=input.available_from,
            )
            return {"home": Home.of(home)}

        return await mutate(info, "updateHomeVacancy", HomePayload, act)

    @strawberry.mutation(
        description="Local authorities: the hours providers have to respond, by urgency "
        "(null keeps the current value). The next referral sent uses them."
    )
    async def set_response_hours(
        self, info: Info, input: SetResponseHoursInput
    ) -> ResponseHoursPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            given = {
                Urgency.TODAY.value: input.today,
                Urgency.WITHIN_5_DAYS.value: input.within_5_days,
                Urgency.OVER_5_DAYS.value: input.over_5_days,
            }
            organisation = await deadlines.set_response_hours(
                ctx.db, viewer, hours={k: v for k, v in given.items() if v is not None}
            )
            return {"response_hours": response_hours_of(deadlines.response_hours(organisation))}

        return await mutate(info, "setResponseHours", ResponseHoursPayload, act)

    @strawberry.mutation(
        description="Providers: decline automatically, at send time and with the code "
        "NO_VACANCY, referrals none of whose matching homes has a declared, current vacancy."
    )
    async def set_auto_decline_without_vacancy(
        self, info: Info, input: SetAutoDeclineInput
    ) -> AutoDeclinePayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            enabled = await vacancies.set_auto_decline_without_vacancy(
                ctx.db, viewer, enabled=input.enabled
            )
            return {"enabled": enabled}

        return await mutate(info, "setAutoDeclineWithoutVacancy", AutoDeclinePayload, act)
