"""Creating and editing referrals."""

import asyncio
from datetime import UTC, datetime

from tests.people import People
from tests.referrals.operations import CREATE, NODE, UPDATE, referral_input


async def test_a_caseworker_creates_a_draft_with_a_reference(la, client) -> None:
    data = await client.data(CREATE, referral_input(), token=la.caseworker.token)
    referral = data["createReferral"]["referral"]
    assert data["createReferral"]["userErrors"] == []
    assert referral["status"] == "DRAFT"
    assert referral["version"] == 1
    assert referral["reference"] == f"BIR-{datetime.now(UTC).year}-000001"
    assert referral["children"] == [
        {"age": 14, "gender": "FEMALE", "needs": "Needs a calm home near school"}
    ]


async def test_a_category_not_enabled_for_the_la_is_refused(la, client) -> None:
    data = await client.data(CREATE, referral_input("FOSTERING"), token=la.caseworker.token)
    error = data["createReferral"]["userErrors"][0]
    assert error["code"] == "CATEGORY_NOT_ENABLED"
    assert error["field"] == ["input", "category"]


async def test_a_childs_age_outside_the_categorys_range_points_at_the_child(la, client) -> None:
    children = [{"age": 17, "gender": "MALE"}, {"age": 15, "gender": "MALE"}]
    data = await client.data(
        CREATE, referral_input("SUPPORTED_ACCOMMODATION", children), token=la.caseworker.token
    )
    error = data["createReferral"]["userErrors"][0]
    assert error["field"] == ["input", "children", "1", "age"]
    assert "16 to 17" in error["message"]


async def test_details_are_checked_against_the_categorys_schema_with_paths(la, client) -> None:
    details = {"parents": [{"role": "AUNT"}], "assessmentWeeks": 0}
    data = await client.data(
        CREATE, referral_input("FAMILY_ASSESSMENT", details=details), token=la.caseworker.token
    )
    fields = sorted(tuple(e["field"]) for e in data["createReferral"]["userErrors"])
    assert fields == [
        ("input", "details", "assessmentWeeks"),
        ("input", "details", "parents", "0", "role"),
    ]


async def test_details_that_are_not_an_object_get_a_clear_error(la, client) -> None:
    for details in ("abc", [1, 2], 7):
        data = await client.data(
            CREATE, referral_input("RESIDENTIAL", details=details), token=la.caseworker.token
        )
        assert data["createReferral"]["userErrors"] == [
            {
                "field": ["input", "details"],
                "message": "Details must be a JSON object.",
                "code": "INVALID",
            }
        ], details


async def test_family_assessment_details_must_name_the_parents(la, client) -> None:
    data = await client.data(
        CREATE, referral_input("FAMILY_ASSESSMENT", details={}), token=la.caseworker.token
    )
    error = data["createReferral"]["userErrors"][0]
    assert error["field"] == ["input", "details"]
    assert "parents" in error["message"]


async def test_an_edit_raises_the_version_and_an_unchanged_save_does_not(la, client) -> None:
    created = (await client.data(CREATE, referral_input(), token=la.caseworker.token))[
        "createReferral"
    ]["referral"]
    same = await client.data(
        UPDATE,
        {"input": {"id": created["id"], "summary": created["summary"]}},
        token=la.caseworker.token,
    )
    changed = await client.data(
        UPDATE,
        {"input": {"id": created["id"], "summary": "Now needs a home in Solihull."}},
        token=la.caseworker.token,
    )
    assert same["updateReferral"]["referral"]["version"] == 1
    assert changed["updateReferral"]["referral"]["version"] == 2


async def test_two_concurrent_creates_get_distinct_references(people: People, la, client) -> None:
    other = await people.caseworker(la.id)
    results = await asyncio.gather(
        client.data(CREATE, referral_input(), token=la.caseworker.token),
        client.data(CREATE, referral_input(), token=other.token),
    )
    references = {r["createReferral"]["referral"]["reference"] for r in results}
    assert len(references) == 2


async def test_another_las_referral_is_null_by_id(people: People, la, client) -> None:
    created = (await client.data(CREATE, referral_input(), token=la.caseworker.token))[
        "createReferral"
    ]["referral"]
    other_la = await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    outsider = await people.caseworker(other_la)
    assert (await client.data(NODE, {"id": created["id"]}, token=outsider.token))["node"] is None
    edit = await client.data(
        UPDATE, {"input": {"id": created["id"], "summary": "x"}}, token=outsider.token
    )
    assert edit["updateReferral"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_an_api_token_of_the_la_creates_referrals(world, client) -> None:
    token = await world.token("api_token")
    data = await client.data(CREATE, referral_input(), token=token)
    assert data["createReferral"]["userErrors"] == []
