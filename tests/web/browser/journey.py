"""The provider's whole journey, as the browser tests walk it: the LA's side through the
GraphQL API (its pages are another issue's), the provider's in the browser."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from playwright.async_api import Locator, expect

from core.identity.roles import OrganisationKind, Role
from portal.demo.providers import demo_pdf
from tests.graphql_client import GraphQLClient
from tests.offers.helpers import La, sent_referral
from tests.people import People, Person
from tests.registration.helpers import ORGANISATION_SHEET, fill, home
from tests.web.browser.pages import Visit, tab_to

REQUEST = """
mutation ($input: RequestAccountInput!) { requestAccount(input: $input) { accountRequest { id } userErrors { field message code } } }
"""
DECIDE = """
mutation ($id: ID!) { decideAccountRequest(input: {id: $id, approve: true}) { userErrors { field message code } } }
"""
PENDING = """query { registrations(status: PENDING_APPROVAL) { id organisation { name } } }"""
APPROVE = """
mutation ($id: ID!) { approveRegistration(input: {id: $id}) { registration { status } userErrors { field message code } } }
"""
ACCEPT = """
mutation ($id: ID!) { acceptOffer(input: {id: $id}) { offer { status } userErrors { field message code } } }
"""
OPENED = """
query ($id: ID!) { node(id: $id) { ... on Referral { myDelivery { openedAt } } } }
"""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    """An LA (admin and caseworker signed in to the API) and a provider with an admin who
    invites the person the journey follows."""

    la: La
    la_admin: Person
    la_name: str
    provider_name: str
    provider_admin: Person
    person: Person


async def world(people: People, api: GraphQLClient) -> World:
    tag = uuid.uuid4().hex[:6]
    la_name = f"Dudley {tag}"
    code = "".join(chr(65 + int(c, 16) % 26) for c in tag[:4])
    la_id = await people.local_authority(la_name, code, ("FOSTERING", "RESIDENTIAL"))
    la = La(id=la_id, caseworker=await people.caseworker(la_id))
    la_admin = await people.la_admin(la_id)
    provider_name = f"Hazel Fostering {tag}"
    provider = await people.organisation(
        OrganisationKind.PROVIDER, provider_name, managing_la=la_id
    )
    admin = await people.signed_in(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    email = f"jo.{tag}@hazel.example.org"
    asked = await api.data(
        REQUEST,
        {
            "input": {
                "email": email,
                "name": "Jo Hazel",
                "roles": ["PROVIDER_ADMIN", "PROVIDER_USER"],
            }
        },
        token=admin.token,
    )
    assert asked["requestAccount"]["userErrors"] == [], asked
    request_id = asked["requestAccount"]["accountRequest"]["id"]
    decided = await api.data(DECIDE, {"id": request_id}, token=la_admin.token)
    assert decided["decideAccountRequest"]["userErrors"] == [], decided
    person = Person(
        user_id=uuid.uuid4(), organisation_id=provider, email=email, roles=(Role.PROVIDER_ADMIN,)
    )
    return World(la, la_admin, la_name, provider_name, admin, person)


async def invitation_link(people: People, email: str) -> str:
    from sqlalchemy import select

    from core.models import OutboxEmail

    async with people.db.session() as session:
        bodies = list(
            await session.scalars(select(OutboxEmail.body).where(OutboxEmail.recipient == email))
        )
    found = re.search(r"(http://\S+/accept-invitation\?token=\S+)", "\n".join(bodies))
    assert found, bodies
    return found.group(1)


# ---------------------------------------------------------------- registration


async def spreadsheets(base_url: str, w: World) -> tuple[bytes, bytes]:
    """The template from the portal, filled in: once with two bad cells, once right."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        template = (await http.get("/registration-template.xlsx")).content
    organisation = {
        **ORGANISATION_SHEET,
        "Organisation name": w.provider_name,
        "Managing local authority": w.la_name,
    }
    good = home(
        home_name="The Khan household",
        care_category="Fostering",
        minimum_age=0,
        maximum_age=17,
        beds=2,
        local_authority_area=w.la_name,
    )
    bad = {**good, "Beds": "lots", "Minimum age": 30}
    return fill(template, organisation, [bad]), fill(template, organisation, [good])


async def register(visit: Visit, w: World, wrong: bytes, right: bytes) -> None:
    page = visit.page
    await visit.go("/organisation/registration")
    await page.get_by_label("Completed registration spreadsheet").set_input_files(
        files=[{"name": "registration.xlsx", "mimeType": XLSX, "buffer": wrong}]
    )
    await visit.click("Upload and send for approval")
    table = page.locator("#cell-errors")
    await expect(table).to_contain_text("Homes")
    rows = await table.locator("tbody tr").all_inner_texts()
    assert len(rows) >= 2, rows
    assert all(re.match(r"Homes\s+[A-Z]+\d+\s+\S", r) for r in rows), rows
    await page.get_by_label("Completed registration spreadsheet").set_input_files(
        files=[{"name": "registration.xlsx", "mimeType": XLSX, "buffer": right}]
    )
    await visit.click("Upload and send for approval")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "sent to your managing"
    )
    await expect(page.locator("main")).to_contain_text("Pending approval")


async def approve(api: GraphQLClient, w: World) -> None:
    pending = (await api.data(PENDING, token=w.la_admin.token))["registrations"]
    mine = next(r for r in pending if r["organisation"]["name"] == w.provider_name)
    approved = await api.data(APPROVE, {"id": mine["id"]}, token=w.la_admin.token)
    assert approved["approveRegistration"]["userErrors"] == [], approved


async def upload_documents(visit: Visit) -> None:
    page = visit.page
    next_year = date.today() + timedelta(days=365)
    for kind, title in (
        ("Insurance", "Public liability insurance"),
        ("Ofsted certificate", "Ofsted registration"),
    ):
        await visit.go("/organisation/documents")
        await visit.choose(kind)
        await page.get_by_label("Choose the file").set_input_files(
            files=[
                {
                    "name": f"{title}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": demo_pdf(title, ("Hazel Fostering",)),
                }
            ]
        )
        await visit.fill("Day", str(next_year.day))
        await visit.fill("Month", str(next_year.month))
        await visit.fill("Year", str(next_year.year))
        await visit.click("Upload document")
        await expect(page.locator(".govuk-notification-banner")).to_contain_text("was uploaded")
    await expect(page.locator("#documents")).to_contain_text("Ofsted certificate")


# ---------------------------------------------------------------- referrals and offers


async def send_referral(api: GraphQLClient, w: World) -> str:
    return await sent_referral(
        api, w.la, "FOSTERING", children=[{"age": 9, "gender": "MALE", "needs": "Loves football"}]
    )


def _row(visit: Visit, referral_id: str) -> Locator:
    return visit.page.locator(
        "#referrals tr", has=visit.page.locator(f"a[href='/referrals/{referral_id}']")
    )


async def open_referral(visit: Visit, referral_id: str) -> None:
    await visit.go("/referrals")
    row = _row(visit, referral_id)
    await expect(row.locator(".portal-new")).to_have_text("New")
    await row.get_by_role("link").first.click()
    await visit.page.wait_for_load_state()
    await visit.check()
    await expect(visit.page.locator("#matched-homes")).to_contain_text("The Khan household")
    await expect(visit.page.locator("main")).to_contain_text("Loves football")
    # opened: no longer new on the list
    await visit.go("/referrals")
    await expect(_row(visit, referral_id).locator(".portal-new")).to_have_count(0)
    await visit.go(f"/referrals/{referral_id}")


async def opened_by_a_colleague(
    visit: Visit, api: GraphQLClient, w: World, referral_id: str
) -> None:
    """New on the person's list until a colleague (the provider's admin, through the API)
    opens it: then it is new to nobody in the organisation."""
    await visit.go("/referrals")
    await expect(_row(visit, referral_id).locator(".portal-new")).to_have_text("New")
    opened = await api.data(OPENED, {"id": referral_id}, token=w.provider_admin.token)
    assert opened["node"]["myDelivery"]["openedAt"], opened
    await visit.go("/referrals")
    await expect(_row(visit, referral_id).locator(".portal-new")).to_have_count(0)


async def message_the_la(visit: Visit, w: World) -> None:
    await visit.fill(f"Write a message to {w.la_name}", "We have a family near his school.")
    await visit.click("Send message")
    await expect(visit.page.locator(".govuk-notification-banner")).to_contain_text(
        "message was sent"
    )
    await expect(visit.page.locator("main")).to_contain_text("We have a family near his school.")


async def make_offer(visit: Visit, *, keyboard: bool) -> str:
    """Make a fostering offer (the family in the category's details); its id."""
    page = visit.page
    await page.get_by_role("button", name="Make an offer").click()
    await page.wait_for_load_state()
    await visit.check()
    await expect(page.locator("#compulsory-documents")).to_contain_text(
        "Public liability insurance"
    )
    if keyboard:
        await tab_to(page, "#homeId")
        await page.keyboard.press("Space")
        await tab_to(page, "#coreFee")
        await page.keyboard.type("650.00")
        await tab_to(page, "#additionalCosts-0-description")
        await page.keyboard.type("Travel to school")
        await tab_to(page, "#additionalCosts-0-amount")
        await page.keyboard.type("40")
        await tab_to(page, "#details-family-label")
        await page.keyboard.type("The Khan family")
        await tab_to(page, "#details-family-carers-0-name")
        await page.keyboard.type("Amira Khan")
        await tab_to(page, "#details-family-bedrooms")
        await page.keyboard.type("2")
        await tab_to(page, "form[method=post] button.govuk-button")
        await page.keyboard.press("Enter")
        await checked(visit, "£650.00", "The Khan family")
        await tab_to(page, "button[name=send]")
        await page.keyboard.press("Enter")
    else:
        await page.get_by_label("The Khan household").check()
        await visit.fill("Weekly core fee", "600.00")
        await page.locator("#additionalCosts-0-description").fill("Travel to school")
        await page.locator("#additionalCosts-0-amount").fill("40")
        await page.locator("#details-family-label").fill("The Khan family")
        await page.locator("#details-family-carers-0-name").fill("Amira Khan")
        await page.locator("#details-family-bedrooms").fill("2")
        await visit.click("Continue")
        await checked(visit, "£600.00", "The Khan family")
        # "Change" goes back to the form with every answer kept
        await visit.click("Change weekly core fee")
        await expect(page.locator("#details-family-carers-0-name")).to_have_value("Amira Khan")
        await expect(page.locator("#additionalCosts-0-amount")).to_have_value("40")
        await visit.fill("Weekly core fee", "650.00")
        await visit.click("Continue")
        await checked(visit, "£650.00", "Amira Khan")
        await page.get_by_role("button", name="Send offer").click()
    await page.wait_for_url(re.compile(r"/offers/[^/]+$"))
    await visit.check()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Your offer was sent")
    await expect(page.locator("main")).to_contain_text("£690.00")  # 650 + 40 a week
    await expect(page.locator("main")).to_contain_text("Amira Khan")
    return page.url.rsplit("/", 1)[1]


async def checked(visit: Visit, *shown: str) -> None:
    """On the check-your-answers page of an offer: what will be sent, nothing sent yet."""
    page = visit.page
    await page.wait_for_url(re.compile(r"/offer/check$"))
    await page.wait_for_load_state()
    await visit.check()
    await expect(page.locator("#documents-summary")).to_contain_text("Public liability insurance")
    for text in shown:
        await expect(page.locator("main")).to_contain_text(text)


async def edit_offer(visit: Visit) -> None:
    page = visit.page
    await page.get_by_role("button", name="Edit offer").click()
    await page.wait_for_load_state()
    await visit.check()
    await expect(page.locator("#details-family-label")).to_have_value("The Khan family")
    await visit.fill("Weekly core fee", "700")
    await visit.click("Continue")
    await checked(visit, "£700.00", "Check the changes to your offer")
    await visit.click("Save changes")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your offer was updated"
    )
    await expect(page.locator("#offer-status")).to_contain_text("Version 2")
    await expect(page.locator("main")).to_contain_text("£700.00")


async def accepted(visit: Visit, api: GraphQLClient, w: World, offer_id: str) -> None:
    result = await api.data(ACCEPT, {"id": offer_id}, token=w.la.caseworker.token)
    assert result["acceptOffer"]["userErrors"] == [], result
    await visit.go(f"/offers/{offer_id}")
    await expect(visit.page.locator("#offer-status")).to_contain_text("Accepted")
    await expect(visit.page.get_by_role("button", name="Withdraw offer")).to_have_count(0)


async def decline(visit: Visit, referral_id: str) -> None:
    page = visit.page
    await visit.go(f"/referrals/{referral_id}")
    await page.get_by_role("button", name="Decline referral").click()
    await page.wait_for_load_state()
    await visit.check()
    await visit.click("Decline referral")  # without a reason
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are declining the referral"
    )
    await visit.fill("Why are you declining this referral?", "No foster family free until spring.")
    await visit.click("Decline referral")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("You declined")
    await expect(page.locator("main")).to_contain_text("No foster family free until spring.")
