"""A fifth category plugin, registered inside the test, gets its referral, offer and
settings forms in the web client with no change to ``web/``: every form is drawn from the
plugin's JSON Schemas."""

from __future__ import annotations

import re

import pytest

from core.documents.kinds import DocumentKind
from core.identity.roles import OrganisationKind, Role
from core.plugins import CategoryDeclaration, hookimpl
from core.plugins.registry import CategoryRegistry, build_registry
from tests.offers.helpers import La, ready_provider
from tests.people import People
from tests.referrals.homes import HomeSpec
from tests.web.session import WebSession


class ShortBreaks:
    """A throwaway fifth category, registered in memory."""

    @hookimpl
    def portal_category(self) -> CategoryDeclaration:
        return CategoryDeclaration(
            value="SHORT_BREAKS",
            label="Short Breaks",
            min_age=5,
            max_age=17,
            referral_details_schema={
                "type": "object",
                "properties": {
                    "breakPattern": {
                        "title": "Pattern of breaks",
                        "enum": ["WEEKENDS", "SCHOOL_HOLIDAYS"],
                    },
                    "overnight": {"title": "Overnight stays", "type": "boolean"},
                },
            },
            offer_details_schema={
                "type": "object",
                "properties": {"nights": {"title": "Nights a month", "type": "integer"}},
            },
            required_offer_documents=("INSURANCE",),
            settings_schema={
                "type": "object",
                "properties": {
                    "maxNights": {
                        "title": "Most nights a month",
                        "type": "integer",
                        "description": "Homes offering fewer nights still receive referrals.",
                    }
                },
            },
            settings_defaults={"maxNights": 7},
        )


@pytest.fixture(scope="session")
def registry() -> CategoryRegistry:
    """The installed categories and the fifth one (this module's app is built with it)."""
    return build_registry([ShortBreaks()])


async def test_a_fifth_category_gets_its_referral_offer_and_settings_forms(
    web: WebSession, people: People
) -> None:
    # given an LA enabled for the fifth category and a provider with a home in it
    la_id = await people.local_authority("Dudley", "DUD", ("SHORT_BREAKS",))
    la = La(id=la_id, caseworker=await people.caseworker(la_id))
    provider = await ready_provider(
        people,
        HomeSpec(category="SHORT_BREAKS", min_age=5, name="Lime House"),
        name="Lime Care",
        documents=(DocumentKind.INSURANCE,),
    )
    await web.sign_in(la.caseworker)
    # when the caseworker opens the referral form: the plugin's details are fields
    form = await web.get("/referrals/new")
    assert "Short Breaks details" in form.text
    assert "Pattern of breaks" in form.text and 'value="SCHOOL_HOLIDAYS"' in form.text
    assert 'name="details.overnight"' in form.text
    # and fills it in and sends it
    check = await web.follow(
        await web.post(
            "/referrals/new?category=SHORT_BREAKS",
            {
                "category": "SHORT_BREAKS",
                "children.0.age": "9",
                "children.0.gender": "MALE",
                "urgency": "OVER_5_DAYS",
                "summary": "Weekend breaks for a boy who loves football.",
                "details.breakPattern": "WEEKENDS",
                "details.overnight": "true",
                "action": "save",
            },
            from_page="/referrals/new?category=SHORT_BREAKS",
        )
    )
    assert "Pattern of breaks" in check.text and "Weekends" in check.text
    referral = re.search(r'action="/referrals/([^"/]+)/send"', check.text).group(1)
    sent = await web.follow(
        await web.post(f"/referrals/{referral}/send", {}, from_page=f"/referrals/{referral}/check")
    )
    assert "Referral sent: 1 provider" in sent.text
    # then the provider's offer form has the plugin's offer details
    web.http.cookies.clear()
    await web.sign_in(provider.admin)
    offer = await web.get(f"/referrals/{referral}/offer")
    assert offer.status_code == 200
    assert "Nights a month" in offer.text and 'name="details.nights"' in offer.text
    # and a category lead gets its settings form, with the plugin's words
    platform = await people.organisation(OrganisationKind.PLATFORM)
    lead = await people.signed_in(platform, Role.CATEGORY_LEAD)
    web.http.cookies.clear()
    await web.sign_in(lead)
    settings = await web.get("/categories/SHORT_BREAKS/settings")
    assert "Most nights a month" in settings.text
    assert "Homes offering fewer nights still receive referrals." in settings.text
    saved = await web.follow(
        await web.post("/categories/SHORT_BREAKS/settings", {"settings.maxNights": "10"})
    )
    assert "Short Breaks settings saved" in saved.text and 'value="10"' in saved.text
