"""LA admins, category leads and platform admins in the web client (without a browser)."""

from __future__ import annotations

import re
from uuid import UUID

from core.identity.roles import OrganisationKind, Role
from schema.node import encode_id
from tests.offers.helpers import pilot_la, sent_referral
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.web.session import WebSession

REQUEST_ACCOUNT = """
mutation ($input: RequestAccountInput!) {
  requestAccount(input: $input) { accountRequest { id } userErrors { field message code } }
}"""
DELIVERIES = (
    "query ($id: ID!) { node(id: $id) { ... on Referral { deliveries { provider { id } } } } }"
)


async def _registration_id(people: People, provider: UUID) -> str:
    from sqlalchemy import select

    from core.models import ProviderRegistration

    async with people.db.session() as session:
        key = await session.scalar(
            select(ProviderRegistration.id).where(ProviderRegistration.organisation_id == provider)
        )
    return encode_id("ProviderRegistration", key)


async def test_an_la_admin_approves_a_registration_and_the_provider_then_receives_referrals(
    web: WebSession, people: People, client
) -> None:
    # given a provider whose registration waits for its managing LA
    la = await pilot_la(people)
    provider = await provider_with_homes(
        people,
        HomeSpec(name="Willow House"),
        name="Willow Care",
        status="PENDING_APPROVAL",
        managing_la=la.id,
    )
    registration = await _registration_id(people, provider.organisation_id)
    admin = await people.la_admin(la.id)
    await web.sign_in(admin)
    # when the LA admin reads it and approves it
    page = await web.get(f"/registrations/{registration}")
    assert "Willow House" in page.text and "Approve registration" in page.text
    listed = await web.get("/registrations")
    assert "Willow Care" in listed.text
    approved = await web.follow(
        await web.post(f"/registrations/{registration}", {"decision": "approve"})
    )
    assert "Registration approved" in approved.text
    # then the next referral reaches the provider
    referral = await sent_referral(client, la)
    deliveries = await client.data(DELIVERIES, {"id": referral}, token=la.caseworker.token)
    assert provider.id in [d["provider"]["id"] for d in deliveries["node"]["deliveries"]]


async def test_rejecting_a_registration_needs_a_reason(web: WebSession, people: People) -> None:
    la = await pilot_la(people)
    provider = await provider_with_homes(
        people, name="Rowan Care", status="PENDING_APPROVAL", managing_la=la.id
    )
    registration = await _registration_id(people, provider.organisation_id)
    await web.sign_in(await people.la_admin(la.id))
    refused = await web.post(f"/registrations/{registration}", {"decision": "reject"})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.text
    done = await web.follow(
        await web.post(
            f"/registrations/{registration}", {"decision": "reject", "reason": "No Ofsted URN"}
        )
    )
    assert "Registration rejected" in done.text and "No Ofsted URN" in done.text


async def test_a_category_lead_changes_a_setting_and_the_next_send_follows_it(
    web: WebSession, people: People, client
) -> None:
    # given a framework and a spot provider of residential homes
    la = await pilot_la(people)
    framework = await provider_with_homes(people, HomeSpec(contract_type="FRAMEWORK"))
    spot = await provider_with_homes(people, HomeSpec(contract_type="SPOT"))
    platform = await people.organisation(OrganisationKind.PLATFORM)
    lead = await people.signed_in(platform, Role.CATEGORY_LEAD)
    await web.sign_in(lead)
    # when the lead reads the residential settings: the plugin says what the setting does
    page = await web.get("/categories/RESIDENTIAL/settings")
    assert "Send to FRAMEWORK homes only, when any framework home matches." in page.text
    # and turns on "framework first"
    saved = await web.follow(
        await web.post("/categories/RESIDENTIAL/settings", {"settings.frameworkFirst": "true"})
    )
    assert "Residential settings saved" in saved.text
    # then the next send reaches the framework provider only
    referral = await sent_referral(client, la)
    deliveries = await client.data(DELIVERIES, {"id": referral}, token=la.caseworker.token)
    reached = [d["provider"]["id"] for d in deliveries["node"]["deliveries"]]
    assert framework.id in reached and spot.id not in reached


async def test_a_caseworker_cannot_open_the_settings_or_admin_pages(
    web: WebSession, people: People
) -> None:
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    for path in (
        "/categories",
        "/categories/RESIDENTIAL/settings",
        "/admin/local-authorities",
        "/registrations",
        "/organisation/account-requests",
        "/organisation/api-tokens",
    ):
        assert (await web.get(path)).status_code == 404, path


async def test_a_platform_admin_enables_a_category_and_the_la_can_then_refer_in_it(
    web: WebSession, people: People
) -> None:
    # given a platform admin
    admin = await people.platform_admin()
    await web.sign_in(admin)
    # when they create an LA with residential only
    created = await web.follow(
        await web.post(
            "/admin/local-authorities",
            {"name": "Sandwell", "code": "san", "enabledCategories": "RESIDENTIAL"},
        )
    )
    assert "Sandwell created" in created.text and "SAN" in created.text
    la_id = re.search(r'href="/admin/local-authorities/([^"]+)"', created.text).group(1)
    # and then enable fostering too
    done = await web.follow(
        await web.post(
            f"/admin/local-authorities/{la_id}", {"categories": ["RESIDENTIAL", "FOSTERING"]}
        )
    )
    assert "Sandwell may now send referrals in the categories chosen" in done.text
    # then a caseworker of that LA can choose fostering
    from schema.node import decode_any_id

    caseworker = await people.caseworker(decode_any_id(la_id)[1])
    web.http.cookies.clear()
    await web.sign_in(caseworker)
    page = await web.get("/referrals/new")
    assert 'value="FOSTERING"' in page.text and 'value="RESIDENTIAL"' in page.text
    form = await web.get("/referrals/new?category=FOSTERING")
    assert form.status_code == 200 and "Fostering details" in form.text


async def test_an_la_admin_creates_an_api_token_shown_once_and_revokes_it(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    await web.sign_in(await people.la_admin(la.id))
    created = await web.post("/organisation/api-tokens", {"name": "Mosaic"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token" type="text" value="([^"]+)"', created.text).group(1)
    assert (await client.data("{ organisations { name } }", token=token))["organisations"]
    token_id = re.search(r'name="revoke" value="([^"]+)"', created.text).group(1)
    again = await web.get("/organisation/api-tokens")
    assert token not in again.text
    # the list shows the token by name with its last use (it was just used above)
    assert '<td class="govuk-table__cell">Mosaic</td>' in again.text
    assert "Never" not in again.text
    revoked = await web.follow(
        await web.post(
            "/organisation/api-tokens", {"revoke": token_id}, from_page="/organisation/api-tokens"
        )
    )
    assert "API token revoked" in revoked.text
    assert (await client.data("{ organisations { name } }", token=token))["organisations"] == []


async def test_an_la_admin_approves_a_providers_account_request(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    provider = await provider_with_homes(people, name="Hazel Care", managing_la=la.id)
    asked = await client.data(
        REQUEST_ACCOUNT,
        {
            "input": {
                "email": "lee.hazel@hazel.example.org",
                "name": "Lee Hazel",
                "roles": ["PROVIDER_USER"],
            }
        },
        token=provider.admin.token,
    )
    assert asked["requestAccount"]["userErrors"] == []
    await web.sign_in(await people.la_admin(la.id))
    page = await web.get("/organisation/account-requests")
    assert "Lee Hazel, Hazel Care" in page.text
    request_id = asked["requestAccount"]["accountRequest"]["id"]
    done = await web.follow(
        await web.post("/organisation/account-requests", {"id": request_id, "decision": "approve"})
    )
    assert "Account approved: an invitation was emailed" in done.text


async def test_a_platform_admin_sees_the_registrations_of_every_la(
    web: WebSession, people: People
) -> None:
    # given two LAs, each managing a provider waiting for approval
    for name, code in (("Walsall", "WAL"), ("Solihull", "SOL")):
        la = await people.local_authority(name, code, ("RESIDENTIAL",))
        await provider_with_homes(
            people, name=f"{name} Homes", status="PENDING_APPROVAL", managing_la=la
        )
    await web.sign_in(await people.platform_admin())
    # when
    page = await web.get("/registrations")
    home = await web.get("/")
    # then
    assert "Walsall Homes" in page.text and "Solihull Homes" in page.text
    assert "Registrations to decide" in home.text and "Local authorities" in home.text
