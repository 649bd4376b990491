"""A browser-like HTTP session for the web client's tests without a browser: cookies kept,
redirects shown, and each form posted with the CSRF token of the page it came from."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx

from tests.people import PASSWORD, Person

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


class WebSession:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.last: httpx.Response | None = None

    async def get(self, path: str) -> httpx.Response:
        self.last = await self.http.get(path, headers={"accept": "text/html"})
        return self.last

    def token(self, response: httpx.Response | None = None) -> str:
        page = response or self.last
        assert page is not None, "no page loaded yet"
        found = CSRF.search(page.text)
        assert found, "the page has no form with a CSRF token"
        return unescape(found.group(1))

    async def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        files: dict[str, Any] | None = None,
        from_page: str | None = None,
        csrf: bool = True,
    ) -> httpx.Response:
        """POST a form of the page ``from_page`` (default: the path itself) as a browser
        would: with the token that page carried."""
        form = dict(data or {})
        if csrf:
            page = await self.get(from_page or path)
            form["csrf_token"] = self.token(page)
        self.last = await self.http.post(
            path, data=form, files=files, headers={"accept": "text/html"}
        )
        return self.last

    async def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, (response.status_code, response.text[:2000])
        return await self.get(response.headers["location"])

    async def sign_in(self, person: Person) -> httpx.Response:
        """Password, then the authenticator step (enrolling the first time), as a person
        does in the browser; the home page after."""
        answer = await self.post("/sign-in", {"email": person.email, "password": PASSWORD})
        step = await self.follow(answer)
        found = SECRET.search(step.text)
        if found:
            person.totp_secret = found.group(1)
        token = self.token(step)
        self.last = await self.http.post(
            "/sign-in/authenticator",
            data={
                "csrf_token": token,
                "code": person.next_code(),
                **_hidden(step.text, "uri", "secret"),
            },
            headers={"accept": "text/html"},
        )
        return await self.follow(self.last)


def _hidden(html: str, *names: str) -> dict[str, str]:
    values = {}
    for name in names:
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        if found:
            values[name] = unescape(found.group(1))
    return values
