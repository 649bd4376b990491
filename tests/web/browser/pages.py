"""Page objects and checks for the browser tests: what a person does on each page, by its
labels and buttons, as they see them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.people import PASSWORD, Person

ROOT = Path(__file__).resolve().parents[3]
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
#: The rule set of web.md 1.5.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Visit:
    """One person's browser tab: every page it lands on is checked with axe-core."""

    def __init__(self, page: Page, base_url: str, checker: Page | None = None) -> None:
        self.page = page
        self.base_url = base_url
        self.checked: list[str] = []
        #: With JavaScript off in ``page``, axe-core (which needs it) checks the same HTML,
        #: scripts removed, at the same address in this page of a context that runs scripts.
        self.checker = checker
        #: Errors the page's scripts met (a script the CSP refused, a failed module).
        self.script_errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A page answered 400 (a form with errors) is logged too: responses are checked below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.script_errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.script_errors.append(f"{response.status} {response.url}")

    async def go(self, path: str) -> None:
        await self.page.goto(self.base_url + path)
        await self.check()

    async def check(self) -> None:
        """0 violations of the web.md rule set on the page as it is now."""
        if self.checker is not None:
            violations = await self._check_without_javascript()
        else:
            violations = await axe_violations(self.page)
        assert violations == [], f"{self.page.url}: {violations}"
        assert self.script_errors == [], f"{self.page.url}: {self.script_errors}"
        self.checked.append(self.page.url)

    async def _check_without_javascript(self) -> list[dict[str, Any]]:
        assert self.checker is not None
        url = self.page.url
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", await self.page.content(), flags=re.S)

        async def fulfil(route: Any) -> None:
            await route.fulfill(body=html, content_type="text/html; charset=utf-8")

        await self.checker.route(url, fulfil)
        try:
            await self.checker.goto(url)
            return await axe_violations(self.checker)
        finally:
            await self.checker.unroute(url, fulfil)

    async def click(self, name: str, *, role: str = "button") -> None:
        await self.page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]
        await self.page.wait_for_load_state()
        await self.check()

    async def fill(self, label: str, value: str) -> None:
        await self.page.get_by_label(label, exact=True).fill(value)

    async def choose(self, label: str) -> None:
        await self.page.get_by_label(label, exact=True).check()

    async def text(self) -> str:
        return await self.page.locator("main").inner_text()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (from node_modules) run in the page; its violations, briefly."""
    has_axe = await page.evaluate("() => typeof window.axe !== 'undefined'")
    if not has_axe:
        await page.evaluate(AXE + "\n;undefined")
    result = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


# ---------------------------------------------------------------- sign-in


async def accept_invitation(visit: Visit, link: str) -> None:
    await visit.go(link.replace(visit.base_url, ""))
    await visit.fill("Password", PASSWORD)
    await visit.fill("Confirm password", PASSWORD)
    await visit.click("Set password")
    await expect(visit.page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password is set"
    )


async def sign_in(visit: Visit, person: Person) -> None:
    """Password, then the authenticator: the first time, the key shown is added to the
    'app' (the person's secret), and its code is entered."""
    if not visit.page.url.endswith("/sign-in"):
        await visit.go("/sign-in")
    await visit.fill("Email address", person.email)
    await visit.fill("Password", PASSWORD)
    await visit.click("Continue")
    secret = visit.page.locator("#totp-secret")
    if await secret.count():
        person.totp_secret = (await secret.inner_text()).strip()
    await visit.fill("Security code", person.next_code())
    await visit.click("Sign in")
    await expect(visit.page.get_by_role("button", name="Sign out")).to_be_visible()


async def sign_in_with_keyboard(visit: Visit, person: Person) -> None:
    """The same with the keyboard only: Tab to each field, type, Enter."""
    page = visit.page
    await visit.go("/sign-in")
    await tab_to(page, "#email")
    await page.keyboard.type(person.email)
    await tab_to(page, "#password")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/sign-in/authenticator$"))
    await visit.check()
    secret = page.locator("#totp-secret")
    if await secret.count():
        person.totp_secret = (await secret.inner_text()).strip()
    await tab_to(page, "#code")
    await page.keyboard.type(person.next_code())
    await tab_to(page, "button.govuk-button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await visit.check()


async def tab_to(page: Page, selector: str, most: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus."""
    for _ in range(most):
        if await page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
