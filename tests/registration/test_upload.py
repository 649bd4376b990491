"""The registration template and the spreadsheet upload, through the API."""

from __future__ import annotations

import asyncio
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from core.db import Database
from core.models import Document, Home, OutboxEmail, ProviderRegistration
from core.settings import Settings
from schema.node import encode_id
from tests.identity.world import World
from tests.registration.helpers import (
    HOME,
    ORGANISATION_SHEET,
    UPLOAD_SPREADSHEET,
    fill,
    home,
    template,
    upload,
    upload_data,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _submit(world: World, data: bytes, who: str = "provider_admin", name: str = "r.xlsx"):
    await world.org("la")  # Birmingham is on the portal
    token = await world.token(who)
    return (
        await upload_data(
            world.client.http, UPLOAD_SPREADSHEET, {}, filename=name, data=data, token=token
        )
    )["uploadRegistrationSpreadsheet"]


async def _filled(world: World, **kwargs: object) -> bytes:
    await world.org("la")
    return fill(await template(world.client.http), **kwargs)  # type: ignore[arg-type]


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


# ---------------------------------------------------------------- the template


async def test_the_template_is_an_xlsx_attachment_with_the_sheets_and_lists(world: World) -> None:
    # given
    await world.org("la")
    await world.org("other_la")

    # when
    response = await world.client.http.get("/registration-template.xlsx")

    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_TYPE
    assert response.headers["content-disposition"] == (
        'attachment; filename="registration-template.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"Instructions", "Organisation", "Homes"} <= set(workbook.sheetnames)
    assert [c.value for c in workbook["Homes"][1]][:3] == [
        "Home name",
        "Care category",
        "Minimum age",
    ]
    values = {
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert {"Birmingham", "Coventry"} <= values
    assert {"Fostering", "Residential", "Supported Accommodation"} <= values
    assert workbook["Homes"].data_validations.dataValidation


# ---------------------------------------------------------------- accepted uploads


async def test_the_template_filled_in_by_openpyxl_is_accepted(world: World) -> None:
    # given
    data = await _filled(
        world,
        homes=[
            HOME,
            home(
                home_name="Willow Flat",
                care_category="Supported Accommodation",
                minimum_age=16,
                genders_accepted="Any",
                ofsted_urn=None,
                contract_type="Spot",
                postcode="CV1 2AA",
            ),
        ],
    )

    # when
    result = await _submit(world, data, name="our homes.xlsx")

    # then
    assert result["userErrors"] == []
    registration = result["registration"]
    assert registration["status"] == "PENDING_APPROVAL"
    assert registration["submittedAt"]
    assert registration["managingLocalAuthority"] == {"name": "Birmingham"}
    assert registration["spreadsheet"]["kind"] == "REGISTRATION_SPREADSHEET"
    assert registration["spreadsheet"]["name"] == "our homes.xlsx"
    assert registration["spreadsheet"]["contentType"] == XLSX_TYPE
    assert registration["homes"] == [
        {
            "name": "Oak House",
            "category": "RESIDENTIAL",
            "minAge": 8,
            "maxAge": 17,
            "genders": ["FEMALE", "MALE"],
            "beds": 4,
            "postcode": "B1 1AA",
            "localAuthorityArea": "Birmingham",
            "ofstedUrn": "SC123456",
            "contractType": "FRAMEWORK",
            "provider": {"name": "Acorn Care"},
        },
        {
            "name": "Willow Flat",
            "category": "SUPPORTED_ACCOMMODATION",
            "minAge": 16,
            "maxAge": 17,
            "genders": ["FEMALE", "MALE", "OTHER"],
            "beds": 4,
            "postcode": "CV1 2AA",
            "localAuthorityArea": "Birmingham",
            "ofstedUrn": None,
            "contractType": "SPOT",
            "provider": {"name": "Acorn Care"},
        },
    ]


def _resave_with_libreoffice(data: bytes, workdir: Path) -> bytes:
    source = workdir / "in" / "registration.xlsx"
    source.parent.mkdir()
    source.write_bytes(data)
    out = workdir / "out"
    import subprocess

    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{workdir}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (out / "registration.xlsx").read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_the_template_resaved_by_libreoffice_is_accepted(
    world: World, tmp_path: Path
) -> None:
    # given
    filled = await _filled(world, homes=[HOME, home(home_name="Elm House", beds=2)])
    resaved = await asyncio.to_thread(_resave_with_libreoffice, filled, tmp_path)
    assert resaved != filled

    # when
    result = await _submit(world, resaved)

    # then
    assert result["userErrors"] == []
    assert [h["name"] for h in result["registration"]["homes"]] == ["Oak House", "Elm House"]


async def test_a_completed_sign_up_starts_a_not_submitted_registration(world: World) -> None:
    # given
    sign_up = """mutation { signUpProvider(input: {organisationName: "Hazel Homes", name: "Hazel Hart",
        email: "hazel.hart@hazel.example", password: "a long enough password"}) { user { id } userErrors { message } } }"""
    await world.client.data(sign_up, token="")
    async with world.people.db.session() as session:
        body = await session.scalar(
            select(OutboxEmail.body).where(OutboxEmail.recipient == "hazel.hart@hazel.example")
        )
    assert body is not None
    token = body.split("token=")[1].split()[0]

    # when the emailed link is followed
    await world.client.data(
        """mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { userErrors { message } } }""",
        {"input": {"token": token, "password": "a long enough password"}},
        token="",
    )
    async with world.people.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(ProviderRegistration))

    # then
    assert count == 1


async def test_a_provider_without_a_registration_row_sees_one_not_submitted(world: World) -> None:
    # given
    provider = await world.person("provider_admin")

    # when
    data = await world.client.data(
        "{ viewer { organisation { registration { status homes { name } spreadsheet { id } } } } }",
        token=provider.token,
    )

    # then
    assert data["viewer"]["organisation"]["registration"] == {
        "status": "NOT_SUBMITTED",
        "homes": [],
        "spreadsheet": None,
    }


# ---------------------------------------------------------------- refused uploads


async def test_ten_mistakes_come_back_as_ten_errors_with_their_cells(world: World) -> None:
    # given
    organisation = dict(ORGANISATION_SHEET)
    organisation["Main contact email"] = "sam at example"  # B4
    organisation["Managing local authority"] = "Atlantis"  # B6
    homes = [
        home(care_category="Skating"),  # B2
        home(minimum_age=-1),  # C3
        home(minimum_age=12, maximum_age=10),  # D4
        home(genders_accepted="Everyone"),  # E5
        home(beds=0),  # F6
        home(postcode="NOT A CODE"),  # G7
        home(ofsted_urn="AB12"),  # I8
        home(contract_type="Forever"),  # J9
    ]
    data = await _filled(world, organisation=organisation, homes=homes)

    # when
    result = await _submit(world, data)

    # then
    errors = result["userErrors"]
    assert result["registration"] is None
    assert {tuple(e["field"]) for e in errors} == {
        ("Organisation", "B4"),
        ("Organisation", "B6"),
        ("Homes", "B2"),
        ("Homes", "C3"),
        ("Homes", "D4"),
        ("Homes", "E5"),
        ("Homes", "F6"),
        ("Homes", "G7"),
        ("Homes", "I8"),
        ("Homes", "J9"),
    }
    assert len(errors) == 10
    assert {e["code"] for e in errors} == {"INVALID"}
    by_cell = {e["field"][1]: e["message"] for e in errors}
    assert by_cell["G7"].startswith('Postcode: found "NOT A CODE", expected')
    assert "Atlantis" in by_cell["B6"]


async def test_a_category_plugins_own_rule_reports_on_the_row(world: World) -> None:
    # given
    data = await _filled(
        world,
        homes=[home(care_category="Supported Accommodation", minimum_age=15, maximum_age=17)],
    )

    # when
    result = await _submit(world, data)

    # then
    (error,) = result["userErrors"]
    assert error["field"][0] == "Homes"
    assert error["field"][1].endswith("2")
    assert "16" in error["message"]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


def _without_homes_sheet() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Organisation"
    for label, value in ORGANISATION_SHEET.items():
        sheet.append([label, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("case", "data", "field", "says"),
    [
        (
            "csv renamed",
            b"Home name,Care category\nOak House,Residential\n",
            ["input", "file"],
            "not an Excel .xlsx workbook",
        ),
        ("empty file", b"", ["input", "file"], "empty"),
        ("zip bomb", _zip_bomb(), ["input", "file"], "compressed far more"),
        ("no Homes sheet", _without_homes_sheet(), ["Homes"], 'no sheet named "Homes"'),
    ],
)
async def test_a_file_that_cannot_be_a_registration_gets_one_clear_error(
    world: World, case: str, data: bytes, field: list[str], says: str
) -> None:
    # when
    result = await _submit(world, data, name="registration.xlsx")

    # then
    (error,) = result["userErrors"]
    assert error["field"] == field
    assert error["code"] == "INVALID"
    assert says in error["message"]


async def test_nothing_is_saved_after_a_failed_upload(
    world: World, db: Database, settings: Settings
) -> None:
    # given
    data = await _filled(world, homes=[HOME, home(beds=0)])

    # when
    result = await _submit(world, data)

    # then
    assert len(result["userErrors"]) == 1
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == 0
        assert await session.scalar(select(func.count()).select_from(Home)) == 0
        statuses = list(await session.scalars(select(ProviderRegistration.status)))
    assert statuses in ([], ["NOT_SUBMITTED"])
    assert stored_files(settings.storage_dir) == []
    provider = await world.person("provider_admin")
    view = await world.client.data(
        "{ viewer { organisation { registration { status managingLocalAuthority { name } } } } }",
        token=provider.token,
    )
    assert view["viewer"]["organisation"]["registration"] == {
        "status": "NOT_SUBMITTED",
        "managingLocalAuthority": {"name": "Birmingham"},  # the world's provider is managed so
    }


async def test_a_spreadsheet_over_5_mb_is_refused(world: World) -> None:
    # when
    result = await _submit(world, b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024 + 10))

    # then
    (error,) = result["userErrors"]
    assert error["field"] == ["input", "file"]
    assert "5.0 MB" in error["message"]


async def test_the_upload_is_refused_while_pending_approval(world: World) -> None:
    # given
    data = await _filled(world)
    assert (await _submit(world, data))["userErrors"] == []

    # when
    again = await _submit(world, data)

    # then
    (error,) = again["userErrors"]
    assert error["code"] == "INVALID_STATE"
    assert "open it for editing" in error["message"]


async def test_only_provider_admins_upload(world: World) -> None:
    # given
    data = await _filled(world)
    token = await world.token("provider_user")

    # when
    response = await upload(
        world.client.http, UPLOAD_SPREADSHEET, {}, filename="r.xlsx", data=data, token=token
    )

    # then
    (error,) = response.json()["data"]["uploadRegistrationSpreadsheet"]["userErrors"]
    assert error["code"] == "FORBIDDEN"


# ---------------------------------------------------------------- the spreadsheet document


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("provider_admin", 200),
        ("la_admin", 200),
        ("platform_admin", 200),
        ("other_provider_admin", 404),
        ("other_la_admin", 404),
        ("nobody", 404),
    ],
)
async def test_who_may_download_the_registration_spreadsheet(
    world: World, who: str, status: int
) -> None:
    # given
    data = await _filled(world)
    spreadsheet = (await _submit(world, data))["registration"]["spreadsheet"]
    token = await world.token(who)

    # when
    response = await world.client.http.get(
        spreadsheet["downloadUrl"], headers={"Authorization": f"Bearer {token}"} if token else {}
    )

    # then
    assert response.status_code == status
    if status == 200:
        assert response.content == data
    else:
        assert data not in response.content


async def test_another_provider_cannot_reach_the_registration_by_its_id(world: World) -> None:
    # given
    registration = (await _submit(world, await _filled(world)))["registration"]
    token = await world.token("other_provider_admin")

    # when
    body = await world.client.data(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": registration["id"]}, token=token
    )

    # then
    assert body["node"] is None


async def test_the_spreadsheet_is_not_a_profile_document(world: World) -> None:
    # given
    await _submit(world, await _filled(world))
    provider = await world.person("provider_admin")

    # when
    body = await world.client.data(
        "query ($id: ID!) { node(id: $id) { ... on Organisation { documents { id } } } }",
        {"id": encode_id("Organisation", provider.organisation_id)},
        token=provider.token,
    )

    # then
    assert body["node"]["documents"] == []
