"""The registration spreadsheet's optional vacancy columns (Beds free, Beds free from)
declare each home's vacancies with the upload, as updateHomeVacancy does."""

from __future__ import annotations

import io

import openpyxl

from core.registration.layout import BEDS_FREE, BEDS_FREE_FROM, HOME_HEADERS
from tests.identity.world import World
from tests.registration.helpers import HOME, fill, home, template
from tests.registration.test_upload import _submit

HOMES = """
{ viewer { organisation { registration { homes { name vacancy { bedsFree availableFrom isStale } } } } } }
"""


def _with_vacancies(data: bytes, values: list[tuple[object, object]]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Homes"]
    assert sheet.cell(row=1, column=len(HOME_HEADERS) + 1).value == BEDS_FREE
    assert sheet.cell(row=1, column=len(HOME_HEADERS) + 2).value == BEDS_FREE_FROM
    for row, (free, since) in enumerate(values, start=2):
        sheet.cell(row=row, column=len(HOME_HEADERS) + 1, value=free)
        sheet.cell(row=row, column=len(HOME_HEADERS) + 2, value=since)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_the_vacancy_columns_declare_each_homes_vacancies(world: World) -> None:
    # given
    await world.org("la")
    blank = fill(
        await template(world.client.http),
        homes=[HOME, home(home_name="Elm House"), home(home_name="Ash House")],
    )
    data = _with_vacancies(blank, [(2, "2030-03-01"), (0, None), (None, None)])
    # when
    result = await _submit(world, data)
    # then
    assert result["userErrors"] == []
    token = await world.token("provider_admin")
    homes = (await world.client.data(HOMES, token=token))["viewer"]["organisation"]["registration"][
        "homes"
    ]
    assert [(h["name"], h["vacancy"]) for h in homes] == [
        ("Oak House", {"bedsFree": 2, "availableFrom": "2030-03-01", "isStale": False}),
        ("Elm House", {"bedsFree": 0, "availableFrom": None, "isStale": False}),
        ("Ash House", None),
    ]


async def test_more_beds_free_than_beds_is_a_problem_on_its_cell(world: World) -> None:
    await world.org("la")
    data = _with_vacancies(fill(await template(world.client.http)), [(9, "soon")])
    result = await _submit(world, data)
    fields = [e["field"] for e in result["userErrors"]]
    assert ["Homes", "K2"] in fields and ["Homes", "L2"] in fields
    assert any('Beds free: found "9"' in e["message"] for e in result["userErrors"])
