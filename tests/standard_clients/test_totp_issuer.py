"""PORTAL_TOTP_ISSUER: the name an authenticator app shows, so staging and production differ."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from core.identity.roles import Role
from tests.people import ENROL, LOGIN, PASSWORD, People
from tests.standard_clients.conftest import AppWith


async def test_the_authenticator_app_shows_the_configured_issuer(
    people: People, portal_with: AppWith
) -> None:
    # given
    la = await people.local_authority()
    person = await people.account(la, Role.LA_CASEWORKER)
    async with portal_with(totp_issuer="Placement portal (staging)") as client:
        # when
        login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
        enrol = (await client.data(ENROL, {"challenge": login["challenge"]}))["enrolTotp"]
    # then
    uri = urlsplit(enrol["provisioningUri"])
    assert parse_qs(uri.query)["issuer"] == ["Placement portal (staging)"]
    assert uri.path.startswith("/Placement%20portal%20%28staging%29:")
