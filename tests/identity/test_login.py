"""Signing in: password, then an authenticator code; sessions; lockout."""

import asyncio
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.identity.roles import Role
from core.models import AuditEvent, PendingSignUp, UserSession
from core.models.base import utcnow
from tests.people import ENROL, LOGIN, PASSWORD, VERIFY, People, code_for_step, current_step

VIEWER = "{ viewer { email roles organisation { name } } }"
LOGOUT = "mutation { logout { userErrors { field message code } } }"


async def test_a_new_user_enrols_an_authenticator_and_gets_a_session(
    people: People, client
) -> None:
    # given
    la = await people.local_authority()
    person = await people.account(la, Role.LA_CASEWORKER)
    # when
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    enrol = (await client.data(ENROL, {"challenge": login["challenge"]}))["enrolTotp"]
    person.totp_secret = enrol["secret"]
    verify = (
        await client.data(VERIFY, {"challenge": login["challenge"], "code": person.next_code()})
    )["verifyTotp"]
    # then
    assert login["nextStep"] == "ENROL_TOTP"
    assert enrol["provisioningUri"].startswith("otpauth://totp/")
    assert verify["userErrors"] == []
    viewer = (await client.data(VIEWER, token=verify["sessionToken"]))["viewer"]
    assert viewer == {
        "email": person.email,
        "roles": ["LA_CASEWORKER"],
        "organisation": {"name": "Birmingham"},
    }


async def test_the_email_is_matched_case_insensitively(people: People, client) -> None:
    la = await people.local_authority()
    person = await people.account(la, Role.LA_CASEWORKER)
    login = (await client.data(LOGIN, {"email": person.email.upper(), "password": PASSWORD}))[
        "login"
    ]
    assert login["challenge"]


async def test_a_known_user_is_asked_for_a_code(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    assert login["nextStep"] == "VERIFY_TOTP"


async def test_unknown_email_and_wrong_password_get_the_same_error(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    wrong_password = (
        await client.data(LOGIN, {"email": person.email, "password": "not the password"})
    )["login"]
    unknown = (
        await client.data(LOGIN, {"email": "nobody@example.org", "password": "not the password"})
    )["login"]
    assert wrong_password["challenge"] is None
    assert wrong_password["userErrors"] == unknown["userErrors"]
    assert unknown["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_a_code_is_accepted_once_only(people: People, client) -> None:
    # given a user who signed in with the code of this time step
    person = await people.caseworker(await people.local_authority())
    used_code = code_for_step(person.totp_secret, person.last_step)
    # when the same code is sent again with a fresh password check
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    verify = (await client.data(VERIFY, {"challenge": login["challenge"], "code": used_code}))[
        "verifyTotp"
    ]
    # then
    assert verify["sessionToken"] is None
    assert verify["userErrors"][0]["field"] == ["input", "code"]
    assert "already been used" in verify["userErrors"][0]["message"]


async def test_two_concurrent_verifications_with_one_code_open_one_session(
    people: People, client
) -> None:
    # given two password checks of one user
    person = await people.account(await people.local_authority(), Role.LA_CASEWORKER)
    first = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    person.totp_secret = (await client.data(ENROL, {"challenge": first["challenge"]}))["enrolTotp"][
        "secret"
    ]
    second = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    code = code_for_step(person.totp_secret, current_step())
    # when both send the same code at once
    results = await asyncio.gather(
        client.data(VERIFY, {"challenge": first["challenge"], "code": code}),
        client.data(VERIFY, {"challenge": second["challenge"], "code": code}),
    )
    # then
    tokens = [r["verifyTotp"]["sessionToken"] for r in results]
    assert len([t for t in tokens if t]) == 1
    async with people.db.session() as session:
        sessions = (
            await session.scalars(select(UserSession).where(UserSession.user_id == person.user_id))
        ).all()
    assert len(sessions) == 1


async def test_a_challenge_takes_five_codes_at_most(people: People, client) -> None:
    # given
    person = await people.caseworker(await people.local_authority())
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    # when a wrong code is sent six times
    errors = []
    for _ in range(6):
        verify = (await client.data(VERIFY, {"challenge": login["challenge"], "code": "000000"}))[
            "verifyTotp"
        ]
        errors.append(verify["userErrors"][0]["code"])
    # then the sixth is refused as locked, and so is the right code
    assert errors[:5] == ["INVALID_CODE"] * 5
    assert errors[5] == "LOCKED"
    right = (
        await client.data(VERIFY, {"challenge": login["challenge"], "code": person.next_code()})
    )["verifyTotp"]
    assert right["sessionToken"] is None
    assert right["userErrors"][0]["code"] == "LOCKED"


async def test_five_wrong_passwords_make_the_next_attempt_wait_a_second(
    people: People, client
) -> None:
    # given an address with five wrong passwords
    person = await people.caseworker(await people.local_authority())
    for _ in range(5):
        last = (await client.data(LOGIN, {"email": person.email, "password": "wrong password!"}))[
            "login"
        ]
    # when the right one comes at once, then a second later
    at_once = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    await asyncio.sleep(1.1)
    later = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    # then the fifth wrong answer said to wait, the first right one was not checked, the next was
    assert last["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert "Wait 1 second" in last["userErrors"][0]["message"]
    assert at_once["challenge"] is None
    assert at_once["userErrors"][0]["code"] == "RATE_LIMITED"
    assert later["userErrors"] == [] and later["challenge"]


@pytest.mark.skipif(
    shutil.which("oathtool") is None, reason="oathtool is not installed (.ci/run installs it)"
)
async def test_a_code_from_an_independent_totp_implementation_is_accepted(
    people: People, client
) -> None:
    # given a user in the middle of enrolling
    person = await people.account(await people.local_authority(), Role.LA_CASEWORKER)
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    secret = (await client.data(ENROL, {"challenge": login["challenge"]}))["enrolTotp"]["secret"]
    # when the code comes from Debian's oathtool
    code = subprocess.run(
        ["oathtool", "--totp", "-b", secret], capture_output=True, text=True, check=True
    ).stdout.strip()
    verify = (await client.data(VERIFY, {"challenge": login["challenge"], "code": code}))[
        "verifyTotp"
    ]
    # then
    assert verify["userErrors"] == []
    assert verify["sessionToken"]


async def test_the_challenge_can_do_nothing_but_the_totp_step(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    # the challenge as a bearer token is nobody
    assert (await client.data(VIEWER, token=login["challenge"]))["viewer"] is None
    logout = (await client.data(LOGOUT, token=login["challenge"]))["logout"]
    assert logout["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_a_logged_out_session_is_refused(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    assert (await client.data(LOGOUT, token=person.token))["logout"]["userErrors"] == []
    assert (await client.data(VIEWER, token=person.token))["viewer"] is None


async def test_an_expired_session_is_refused(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    async with people.db.transaction() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == person.user_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await client.data(VIEWER, token=person.token))["viewer"] is None


async def test_a_session_lasts_fourteen_days(people: People, client) -> None:
    person = await people.account(await people.local_authority(), Role.LA_CASEWORKER)
    await people.sign_in(person)
    async with people.db.session() as session:
        created = await session.scalar(
            select(UserSession).where(UserSession.user_id == person.user_id)
        )
    assert created is not None
    assert timedelta(days=13, hours=23) < created.expires_at - utcnow() <= timedelta(days=14)


async def test_the_browser_gets_an_httponly_samesite_cookie(people: People, client, http) -> None:
    person = await people.account(await people.local_authority(), Role.LA_CASEWORKER)
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    person.totp_secret = (await client.data(ENROL, {"challenge": login["challenge"]}))["enrolTotp"][
        "secret"
    ]
    response = await client.post(
        VERIFY, {"challenge": login["challenge"], "code": person.next_code()}
    )
    cookie = response.headers["set-cookie"]
    assert "portal_session=pps_" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()


async def test_totp_secrets_are_encrypted_at_rest(people: People) -> None:
    person = await people.caseworker(await people.local_authority())
    user = await people.user_row(person)
    assert user.totp_secret is not None
    assert person.totp_secret.encode() not in user.totp_secret


async def test_passwords_are_hashed_with_argon2id(people: People, client) -> None:
    signup = await client.data(
        """mutation { signUpProvider(input: {organisationName: "Acorn Care", name: "Ann Smith",
           email: "ann.smith@acorn.example", password: "a long enough password"}) { user { id } userErrors { message } } }"""
    )
    assert signup["signUpProvider"]["userErrors"] == []
    async with people.db.session() as session:
        stored = await session.scalar(
            select(PendingSignUp.password_hash).where(
                PendingSignUp.email == "ann.smith@acorn.example"
            )
        )
    assert stored is not None and stored.startswith("$argon2id$")


async def test_login_attempts_are_audited_with_the_client_address(people: People, client) -> None:
    person = await people.caseworker(await people.local_authority())
    await client.data(LOGIN, {"email": person.email, "password": "wrong password!"})
    async with people.db.session() as session:
        kinds = {
            (e.kind, e.client_address)
            for e in await session.scalars(
                select(AuditEvent).where(AuditEvent.subject_user_id == person.user_id)
            )
        }
    assert ("LOGIN_SUCCEEDED", "127.0.0.1") in kinds
    assert ("TOTP_ENROLLED", "127.0.0.1") in kinds
    assert ("LOGIN_FAILED", "127.0.0.1") in kinds
