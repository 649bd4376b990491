"""The DfE placements data standard export: the standard's fields and codes (checked against
its field list in placements_standard_v2.json), one row per referral and per agreed
placement, through the API download and the command line (contract 13)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.offers.helpers import ACCEPT, ready_provider, sent_referral, submitted
from tests.people import People

FIXTURE = json.loads((Path(__file__).parent / "placements_standard_v2.json").read_text())
STANDARD = {f["name"]: f for f in FIXTURE["fields"]}


async def _get(client, path: str, token: str | None):
    client.http.cookies.clear()  # the bearer token (or nothing) only, never a signed-in cookie
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.get(path, headers=headers)


@pytest.fixture
async def placed(people: People, la, client) -> dict:
    """A sibling group placed (its offer accepted), and a referral not placed yet."""
    provider = await ready_provider(people)
    referral = await sent_referral(
        client,
        la,
        urgency="TODAY",
        postcode="ST4 7QB",
        details={"solePlacementRequired": True},
        children=[{"age": 12, "gender": "MALE"}, {"age": 14, "gender": "MALE"}],
    )
    offer = await submitted(client, referral, provider)
    accepted = await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    assert accepted["acceptOffer"]["userErrors"] == []
    await sent_referral(client, la, urgency="OVER_5_DAYS")
    return {"admin": await people.la_admin(la.id), "provider": provider}


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


async def test_the_columns_are_the_standards_fields_after_the_portals_two(
    people: People, client, placed
) -> None:
    response = await _get(client, "/exports/placements.csv", placed["admin"].token)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, _ = _rows(response.text)
    assert header == ["recordType", "portalReference", *[f["name"] for f in FIXTURE["fields"]]]


async def test_every_coded_value_is_one_of_the_standards_codes(
    people: People, client, placed
) -> None:
    response = await _get(client, "/exports/placements.csv", placed["admin"].token)
    _, rows = _rows(response.text)
    for row in rows:
        for name, value in row.items():
            options = STANDARD.get(name, {}).get("options")
            if options and value:
                assert value in options, (name, value)


async def test_a_referral_and_its_placement_round_trip_through_a_csv_reader(
    people: People, client, placed
) -> None:
    # when
    response = await _get(client, "/exports/placements.csv", placed["admin"].token)
    _, rows = _rows(response.text)
    # then
    assert [r["recordType"] for r in rows] == ["REFERRAL", "PLACEMENT", "REFERRAL"]
    referral, placement, later = rows
    assert referral["portalReference"] == placement["portalReference"]
    assert referral["neededBy"] == "Today"
    assert referral["siblingCount"] == "1"
    assert referral["preferredLocation"] == "ST4 7QB"
    assert referral["livingCompanions"] == "Solo placement recommended"
    assert referral["referralDate"] == date.today().isoformat()
    assert referral["referralOfficerName"]
    assert referral["totalWeeklyCost"] == "" and referral["childId"] == ""
    assert placement["totalWeeklyCost"] == "4600"  # 4250.00 core + 350.00 weekly support
    assert placement["placementType"] == "Residential"
    assert placement["providerURN"] == "SC123456"
    assert placement["siblingsPlacedTogether"] == "2"
    assert placement["placementLocation"] == "Birmingham"
    assert placement["placementDate"] == date.today().isoformat()
    assert later["neededBy"] == "in more than 5 days"
    assert later["livingCompanions"] == ""


async def test_the_json_download_carries_the_same_rows(people: People, client, placed) -> None:
    as_csv = _rows((await _get(client, "/exports/placements.csv", placed["admin"].token)).text)[1]
    response = await _get(client, "/exports/placements.json", placed["admin"].token)
    assert response.json()["rows"] == as_csv


async def test_a_period_keeps_the_referrals_first_sent_in_it(
    people: People, client, placed
) -> None:
    response = await _get(client, "/exports/placements.csv?to=2020-01-01", placed["admin"].token)
    assert _rows(response.text)[1] == []


async def test_only_an_la_admin_downloads_its_own_export(
    people: People, la, client, placed
) -> None:
    for token in (la.caseworker.token, placed["provider"].admin.token, None):
        assert (await _get(client, "/exports/placements.csv", token)).status_code == 404
    other = await people.la_admin(await people.local_authority("Coventry", "COV", ("RESIDENTIAL",)))
    response = await _get(client, "/exports/placements.csv", other.token)
    assert _rows(response.text)[1] == []


async def test_the_command_line_writes_the_same_export(
    people: People, client, placed, tmp_path: Path
) -> None:
    # given
    downloaded = (await _get(client, "/exports/placements.csv", placed["admin"].token)).text
    out = tmp_path / "placements.csv"
    # when
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "export-placements", "--la", "STK", "--out", str(out)],
        env={**os.environ, "PORTAL_DATABASE_URL": people.settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert done.returncode == 0, done.stderr
    assert _rows(out.read_text())[1] == _rows(downloaded)[1]


def test_an_unknown_la_code_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "export-placements", "--la", "ZZZ", "--to", "soon"],
        env={**os.environ, "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--from and --to take dates" in done.stderr
