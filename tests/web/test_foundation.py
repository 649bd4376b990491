"""The web client's foundation: pages, security headers, CSRF, errors, sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.responses import Response

from core.identity.roles import OrganisationKind, Role
from core.models import OutboxEmail
from core.settings import Settings
from schema.app import create_app
from tests.people import PASSWORD, People
from tests.web.session import WebSession
from web import operations as web_operations
from web.operations import OperationError, operations
from web.page import ROUTES, Page, PageRoute


async def test_a_page_carries_the_security_headers(web: WebSession) -> None:
    # when a page is read
    response = await web.get("/sign-in")
    # then it has the headers of web.md 1.6
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_pages_have_no_inline_script(web: WebSession) -> None:
    # when the sign-in page is read
    html = (await web.get("/sign-in")).text
    # then every script is a file
    assert "<script>" not in html and "<script " in html
    assert all("src=" in tag for tag in html.split("<script")[1:])


async def test_an_address_that_is_no_page_answers_the_404_page(web: WebSession) -> None:
    response = await web.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_form_posted_without_its_csrf_token_is_refused(
    web: WebSession, people: People
) -> None:
    # given a person who could sign in
    provider = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.account(provider, Role.PROVIDER_ADMIN)
    await web.get("/sign-in")
    # when the sign-in form is posted without the token
    response = await web.post("/sign-in", {"email": person.email, "password": "x" * 20}, csrf=False)
    # then it is refused and nothing is done
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "portal_sign_in" not in response.headers.get("set-cookie", "")


async def test_a_form_posted_with_a_token_of_another_session_is_refused(
    web: WebSession, people: People
) -> None:
    # given a token, and a visitor whose CSRF cookie is not the one it was made for
    await web.get("/sign-in")
    token = web.token()
    web.http.cookies.clear()
    await web.get("/sign-up")
    # when the form is posted with the first token
    response = await web.http.post(
        "/sign-in", data={"csrf_token": token, "email": "a@example.org", "password": "p"}
    )
    # then it is refused
    assert response.status_code == 403


async def test_sign_in_enrols_an_authenticator_and_opens_the_api_session(
    web: WebSession, people: People
) -> None:
    # given a provider admin who never signed in
    provider = await people.organisation(OrganisationKind.PROVIDER, "Oak Homes")
    person = await people.account(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    # when they sign in with the password, then a code of the secret the page shows
    home = await web.sign_in(person)
    # then they are home, under their organisation's name, with the API's session cookie
    assert home.status_code == 200
    assert "Oak Homes" in home.text and "Sign out" in home.text
    assert person.totp_secret
    assert "portal_session" in web.http.cookies


async def test_the_authenticator_step_shows_a_qr_code_drawn_on_the_server(
    web: WebSession, people: People
) -> None:
    # given a person who signed in with the password for the first time
    provider = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.account(provider, Role.PROVIDER_ADMIN)
    answer = await web.post(
        "/sign-in", {"email": person.email, "password": "correct horse battery staple"}
    )
    # when the authenticator page is shown
    page = await web.follow(answer)
    # then it has the QR code as inline SVG and the secret as text; no image from elsewhere
    assert "<svg" in page.text and 'aria-label="QR code for your authenticator app"' in page.text
    assert 'id="totp-secret"' in page.text
    assert "http://" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


async def test_a_wrong_password_is_shown_in_the_error_summary_and_the_email_kept(
    web: WebSession, people: People
) -> None:
    # given a person
    provider = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.account(provider, Role.PROVIDER_ADMIN)
    # when the wrong password is given
    response = await web.post("/sign-in", {"email": person.email, "password": "wrong password!"})
    # then the error summary links to the email field, whose value is kept
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#email"' in response.text
    assert f'value="{person.email}"' in response.text
    assert response.text.count("The email address or the password is not right.") == 2


async def test_user_errors_land_on_their_field_by_path(web: WebSession) -> None:
    # when a provider signs up with a password the API refuses
    response = await web.post(
        "/sign-up",
        {
            "organisationName": "Birch Care",
            "name": "Ann Birch",
            "email": "ann@birch.example.org",
            "password": "short",
            "confirm": "short",
        },
    )
    # then the API's message is shown on the password field, the other answers kept
    assert response.status_code == 400
    assert 'id="password-error"' in response.text
    assert "at least 12 characters" in response.text
    assert 'value="Birch Care"' in response.text


async def test_sign_up_asks_to_check_the_email_and_its_link_finishes_it(
    web: WebSession, people: People
) -> None:
    # given a provider that registers on the sign-up page
    form = {
        "organisationName": "Birch Care",
        "name": "Ann Birch",
        "email": "ann@birch.example.org",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    sent = await web.post("/sign-up", form)
    async with people.db.session() as session:
        body = await session.scalar(
            select(OutboxEmail.body).where(OutboxEmail.recipient == "ann@birch.example.org")
        )
    assert body is not None
    link = re.search(r"http://\S+(/finish-sign-up\?token=\S+)", body)
    assert link
    # when the emailed link is opened and the password entered
    opened = await web.get(link.group(1))
    token = re.search(r'name="token" value="([^"]+)"', opened.text)
    assert token
    done = await web.post(
        "/finish-sign-up",
        {"token": token.group(1), "password": "a long enough password"},
        from_page=link.group(1),
    )
    # then the sign-up page said to check the email, and the link's page sends to sign in
    assert sent.status_code == 200 and "Check your email" in sent.text
    assert "Finish registering" in opened.text
    page = await web.follow(done)
    assert "Your organisation is registered" in page.text


async def test_sign_up_with_a_registered_address_shows_the_same_page(
    web: WebSession, people: People
) -> None:
    # given an account
    await people.account(
        await people.organisation(OrganisationKind.PROVIDER), email="ann@birch.example.org"
    )
    # when its address, and a new one, are used on the sign-up page
    pages = []
    for email in ("ann@birch.example.org", "bea@birch.example.org"):
        form = {
            "organisationName": "Birch Care",
            "name": "Ann Birch",
            "email": email,
            "password": "a long enough password",
            "confirm": "a long enough password",
        }
        response = await web.post("/sign-up", form)
        assert response.status_code == 200
        pages.append(re.sub(r'value="[^"]*"', "", response.text.replace(email, "EMAIL")))
    # then the pages are the same but for the address
    assert pages[0] == pages[1]
    assert "Check your email" in pages[0]


async def test_the_sign_in_page_says_how_long_to_wait_after_repeated_failures(
    web: WebSession, people: People
) -> None:
    # given an address with five wrong passwords
    person = await people.account(await people.organisation(OrganisationKind.PROVIDER))
    for _ in range(5):
        await web.post("/sign-in", {"email": person.email, "password": "not the password"})
    # when the right password comes at once
    response = await web.post("/sign-in", {"email": person.email, "password": PASSWORD})
    # then the page says to wait, and for how long
    assert response.status_code == 400
    assert "Wait 1 second, then try again." in response.text


async def test_a_page_needing_a_person_sends_a_visitor_to_sign_in(web: WebSession) -> None:
    response = await web.get("/notifications")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fnotifications"


async def test_sign_out_ends_the_session(web: WebSession, people: People) -> None:
    # given a signed-in person
    provider = await people.organisation(OrganisationKind.PROVIDER)
    await web.sign_in(await people.account(provider, Role.PROVIDER_ADMIN))
    # when they sign out
    answer = await web.post("/sign-out", from_page="/account")
    page = await web.follow(answer)
    # then the banner says so and their pages need signing in again
    assert "You have signed out." in page.text
    assert (await web.get("/account")).status_code == 303


async def test_the_success_banner_is_shown_once(web: WebSession, people: People) -> None:
    provider = await people.organisation(OrganisationKind.PROVIDER)
    await web.sign_in(await people.account(provider, Role.PROVIDER_ADMIN))
    answer = await web.post("/sign-out", from_page="/account")
    assert "You have signed out." in (await web.follow(answer)).text
    assert "You have signed out." not in (await web.get("/")).text


# ---------------------------------------------------------------- throwaway pages


@pytest.fixture
def failing_page() -> Iterator[None]:
    async def broken(p: Page) -> Response:
        raise RuntimeError("the database caught fire")

    route = PageRoute("/test/broken", broken, ("GET",), False)
    ROUTES.append(route)
    yield
    ROUTES.remove(route)


async def test_a_fault_shows_the_500_page_with_the_logged_id(
    failing_page: None, settings: Settings, registry: object, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx
    from asgi_lifespan import LifespanManager

    # given an app with a page that fails
    app = create_app(settings, registry=registry)  # type: ignore[arg-type]
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            # when it is visited
            response = await c.get("/test/broken", headers={"accept": "text/html"})
    # then the plain page with a reference, which the log has with the trace; no trace shown
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "database caught fire" not in response.text
    reference = response.text.split('id="error-reference">', 1)[1].split("<", 1)[0]
    assert any(
        reference in record.getMessage() or getattr(record, "error_id", None) == reference
        for record in caplog.records
    )


@pytest.fixture
def misspelled_operation(tmp_path: Path) -> Iterator[Path]:
    module = tmp_path / "broken_page.py"
    (tmp_path / "broken_page.graphql").write_text("query Broken { viewer { nmae } }\n")
    ops = operations(str(module))
    yield module
    web_operations._ALL.remove(ops)


def test_an_operation_that_does_not_fit_the_schema_stops_the_start(
    misspelled_operation: Path, settings: Settings, registry: object
) -> None:
    with pytest.raises(OperationError, match=r"broken_page\.graphql.*nmae"):
        create_app(settings, registry=registry)  # type: ignore[arg-type]


def test_a_drawn_tag_is_what_the_govuk_macro_draws(application) -> None:  # type: ignore[no-untyped-def]
    # given the web client's templates
    templates = application.state.web.templates
    macro = templates.get_template("govuk_frontend_jinja/components/tag/macro.html").module
    for params in (
        {"text": "New", "classes": "govuk-tag--blue portal-new"},
        {"text": "Awaiting <response>", "classes": "govuk-tag--blue"},
        {"text": "Sent", "classes": "govuk-tag--blue", "attributes": {"id": "status"}},
    ):
        # when a tag is drawn twice through the cache, then it is the macro's, escaped
        first = templates.globals["govuk_tag"](params)
        assert first == templates.globals["govuk_tag"](params) == macro.govukTag(params)
    assert "&lt;response&gt;" in templates.globals["govuk_tag"]({"text": "Awaiting <response>"})
