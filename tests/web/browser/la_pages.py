"""Page objects of the LA's side: what a caseworker, a signatory or an administrator does on
each page, by its labels and buttons."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.web.browser.pages import Visit, tab_to


async def press(page: Page, selector: str, key: str = "Enter") -> None:
    """Tab to ``selector`` and press ``key`` (keyboard only)."""
    await tab_to(page, selector, most=200)
    await page.keyboard.press(key)


async def type_into(page: Page, selector: str, text: str) -> None:
    await tab_to(page, selector, most=200)
    await page.keyboard.type(text)


async def create_sibling_referral_with_keyboard(visit: Visit, form_path: str) -> None:
    """``/referrals/new`` with the keyboard only: category, two children, urgency, summary,
    the residential details, a referral form; then check the answers and send it."""
    page = visit.page
    await visit.go("/referrals/new")
    await press(page, "#category", "Space")
    await press(page, "button.govuk-button", "Enter")
    await page.wait_for_url(re.compile(r"/referrals/new\?category=RESIDENTIAL"))
    await visit.check()
    await type_into(page, "#children-0-age", "12")
    await press(page, "#children-0-gender", "Space")  # Female, the first
    await press(page, 'button[value="add-child"]')
    await page.wait_for_load_state()
    await expect(page.locator("#children-1-age")).to_be_visible()
    await visit.check()
    await type_into(page, "#children-1-age", "14")
    await press(page, "#children-1-gender", "Space")
    await press(page, "#urgency", "ArrowDown")  # Today -> Within 5 days (arrows select)
    await type_into(page, "#summary", "Two sisters who need to stay together near school.")
    await type_into(page, "#details-legalStatus", "Section 20")
    await tab_to(page, "#referralForms", most=200)
    async with page.expect_file_chooser() as chooser:
        await page.keyboard.press("Space")
    await (await chooser.value).set_files(form_path)
    await press(page, 'button[value="save"]')
    await page.wait_for_url(re.compile(r"/referrals/[^/]+/check$"))
    await visit.check()
    await press(page, "form[action$='/send'] button.govuk-button")
    await page.wait_for_url(re.compile(r"/referrals/[^/]+$"))
    await visit.check()


async def create_sibling_referral(visit: Visit, form_path: str) -> None:
    """The same with clicks and typing (the journey without JavaScript)."""
    page = visit.page
    await visit.go("/referrals/new")
    await visit.choose("Residential")
    await visit.click("Continue")
    await page.locator("#children-0-age").fill("12")
    await page.locator("#children-0-gender").check()
    await visit.click("Add another child")
    await page.locator("#children-1-age").fill("14")
    await page.locator("#children-1-gender").check()
    await visit.choose("Within 5 days")
    await visit.fill("Summary", "Two sisters who need to stay together near school.")
    await page.locator("#details-legalStatus").fill("Section 20")
    await page.locator("#referralForms").set_input_files(form_path)
    await visit.click("Continue")
    await expect(page.locator("h1")).to_contain_text("Check your answers")
    await visit.click("Send referral")


async def banner(visit: Visit) -> str:
    return await visit.page.locator(".govuk-notification-banner--success").inner_text()


async def tab(chromium, base_url: str, javascript: bool) -> Visit:  # type: ignore[no-untyped-def]
    """A new person's tab; without JavaScript, axe-core checks its pages in a second tab
    that runs scripts (the same HTML, scripts removed)."""
    context = await chromium.new_context(java_script_enabled=javascript)
    context.set_default_timeout(20_000)
    checker = None if javascript else await (await chromium.new_context()).new_page()
    return Visit(await context.new_page(), base_url, checker=checker)
