"""GraphiQL at /graphql in Chromium, with every request to another origin blocked: it loads,
runs a query with the session cookie and receives a subscription event."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from core.identity.roles import OrganisationKind, Role
from schema.view import SESSION_COOKIE
from tests.notifications.helpers import notify_users, served, wait_until

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]


async def _editor(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.evaluate(
        "text => document.querySelector('.graphiql-query-editor .CodeMirror')"
        ".CodeMirror.setValue(text)",
        text,
    )


async def _response(page) -> str:  # type: ignore[no-untyped-def]
    return await page.evaluate(
        "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
    )


async def test_graphiql_runs_a_query_and_a_subscription_with_the_session_cookie(
    portal, people, db, settings
) -> None:
    from playwright.async_api import async_playwright

    # given: a signed-in provider user, and the portal on a real port
    provider = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.signed_in(provider, Role.PROVIDER_USER)
    async with served(portal) as ws_url, async_playwright() as playwright:
        origin = "http://" + urlsplit(ws_url).netloc
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
        )
        try:
            context = await browser.new_context()
            await context.add_cookies(
                [{"name": SESSION_COOKIE, "value": person.token, "url": origin}]
            )
            elsewhere: list[str] = []

            async def only_this_origin(route) -> None:  # type: ignore[no-untyped-def]
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    await route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    await route.abort()

            await context.route("**/*", only_this_origin)
            page = await context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            # when: GraphiQL loads and runs a query
            await page.goto(f"{origin}/graphql")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
            await _editor(page, "{ viewer { email } }")
            await page.click(".graphiql-execute-button")
            await page.wait_for_function(
                "() => document.querySelector('.graphiql-response .CodeMirror')"
                ".CodeMirror.getValue().includes('email')",
                timeout=15_000,
            )
            queried = await _response(page)
            # and a subscription
            await _editor(page, "subscription { notifications { message } }")
            await page.click(".graphiql-execute-button")

            async def subscribed() -> bool:
                return portal.state.realtime.subscriber_count(person.user_id) > 0

            try:
                await wait_until(subscribed, within=15, what="GraphiQL's subscription")
            except AssertionError:
                raise AssertionError([await _response(page), problems, elsewhere]) from None
            await notify_users(db, settings, person.user_id, message="Seen in GraphiQL")
            await page.wait_for_function(
                "() => document.querySelector('.graphiql-response .CodeMirror')"
                ".CodeMirror.getValue().includes('Seen in GraphiQL')",
                timeout=15_000,
            )
        finally:
            await browser.close()
    # then
    assert person.email in queried
    assert elsewhere == []
    assert problems == []
