"""The 'given' part of tests: organisations and signed-in people.

Organisations and accounts are created with the core services; people then sign in through
the GraphQL API (password, TOTP enrolment, code) exactly as a client would.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import pyotp
from sqlalchemy import select

from core.db import Database
from core.identity import passwords
from core.identity.accounts import platform_organisation
from core.identity.emails import email_key
from core.identity.roles import OrganisationKind, Role
from core.models import Organisation, User, UserRole
from core.settings import Settings
from schema.node import encode_id
from tests.graphql_client import GraphQLClient

PASSWORD = "correct horse battery staple"

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    challenge nextStep userErrors { field message code }
  }
}"""
ENROL = """
mutation ($challenge: String!) {
  enrolTotp(input: {challenge: $challenge}) { provisioningUri secret userErrors { field message code } }
}"""
VERIFY = """
mutation ($challenge: String!, $code: String!) {
  verifyTotp(input: {challenge: $challenge, code: $code}) {
    sessionToken expiresAt viewer { id email } userErrors { field message code }
  }
}"""


def code_for_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def current_step() -> int:
    return int(time.time() // 30)


@dataclass
class Person:
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    token: str = ""
    totp_secret: str = ""
    last_step: int = 0
    roles: tuple[Role, ...] = ()

    @property
    def id(self) -> str:
        return encode_id("User", self.user_id)

    @property
    def organisation(self) -> str:
        return encode_id("Organisation", self.organisation_id)

    def next_code(self) -> str:
        """A code for a time step not used yet (within the tolerated drift)."""
        step = max(current_step(), self.last_step + 1)
        self.last_step = step
        return code_for_step(self.totp_secret, step)


@dataclass
class People:
    db: Database
    settings: Settings
    client: GraphQLClient
    _count: int = field(default=0)

    def _email(self, hint: str) -> str:
        self._count += 1
        return f"{hint}.{self._count}.{uuid.uuid4().hex[:6]}@example.org"

    async def organisation(
        self,
        kind: OrganisationKind,
        name: str | None = None,
        *,
        code: str | None = None,
        categories: tuple[str, ...] = (),
        managing_la: uuid.UUID | None = None,
    ) -> uuid.UUID:
        async with self.db.transaction() as session:
            if kind is OrganisationKind.PLATFORM:
                return (await platform_organisation(session)).id
            organisation = Organisation(
                id=uuid.uuid4(),
                kind=kind.value,
                name=name or f"{kind.value.title()} {uuid.uuid4().hex[:6]}",
                code=code,
                enabled_categories=list(categories),
                managing_local_authority_id=managing_la,
            )
            session.add(organisation)
        return organisation.id

    async def local_authority(
        self,
        name: str = "Birmingham",
        code: str = "BIR",
        categories: tuple[str, ...] = ("RESIDENTIAL", "SUPPORTED_ACCOMMODATION"),
    ) -> uuid.UUID:
        return await self.organisation(
            OrganisationKind.LOCAL_AUTHORITY, name, code=code, categories=categories
        )

    async def account(
        self, organisation_id: uuid.UUID, *roles: Role, email: str | None = None
    ) -> Person:
        """An active account with a password, not signed in yet."""
        address = email or self._email(roles[0].value.lower() if roles else "user")
        password_hash = await passwords.hash_password(PASSWORD, fast=True)
        async with self.db.transaction() as session:
            user = User(
                id=uuid.uuid4(),
                organisation_id=organisation_id,
                email=address,
                email_key=email_key(address),
                name=address.split("@")[0].replace(".", " ").title(),
                password_hash=password_hash,
                email_opt_outs=[],
            )
            session.add(user)
            for role in roles:
                session.add(UserRole(user_id=user.id, role=role.value))
        return Person(user_id=user.id, organisation_id=organisation_id, email=address, roles=roles)

    async def sign_in(self, person: Person) -> Person:
        """Password, then TOTP (enrolling first if needed), through the API.

        A challenge lives five minutes of wall-clock time; a CI machine that stalls (or whose
        clock is stepped) between two steps can outlive it. Only then is the sign-in begun
        again, once: any other problem fails the test with the API's own message.
        """
        for attempt in (1, 2):
            problems = await self._try_sign_in(person)
            if not problems:
                return person
            if attempt == 2 or [p["code"] for p in problems] != ["EXPIRED"]:
                break
        raise AssertionError(f"{person.email} could not sign in: {problems}")

    async def _try_sign_in(self, person: Person) -> list[dict[str, object]]:
        challenge = (
            await self.client.data(LOGIN, {"email": person.email, "password": PASSWORD}, token="")
        )["login"]
        if not challenge["challenge"]:
            return challenge["userErrors"]
        if challenge["nextStep"] == "ENROL_TOTP":
            enrolment = (
                await self.client.data(ENROL, {"challenge": challenge["challenge"]}, token="")
            )["enrolTotp"]
            if not enrolment["secret"]:
                return enrolment["userErrors"]
            person.totp_secret = enrolment["secret"]
        verified = (
            await self.client.data(
                VERIFY, {"challenge": challenge["challenge"], "code": person.next_code()}, token=""
            )
        )["verifyTotp"]
        if not verified["sessionToken"]:
            return verified["userErrors"]
        person.token = verified["sessionToken"]
        return []

    async def signed_in(self, organisation_id: uuid.UUID, *roles: Role) -> Person:
        return await self.sign_in(await self.account(organisation_id, *roles))

    async def platform_admin(self) -> Person:
        platform = await self.organisation(OrganisationKind.PLATFORM)
        return await self.signed_in(platform, Role.PLATFORM_ADMIN)

    async def la_admin(self, la: uuid.UUID) -> Person:
        return await self.signed_in(la, Role.LA_ADMIN)

    async def caseworker(self, la: uuid.UUID) -> Person:
        return await self.signed_in(la, Role.LA_CASEWORKER)

    async def provider_admin(
        self, provider: uuid.UUID | None = None, *, managing_la: uuid.UUID | None = None
    ) -> Person:
        if provider is None:
            provider = await self.organisation(OrganisationKind.PROVIDER, managing_la=managing_la)
        return await self.signed_in(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)

    async def user_row(self, person: Person) -> User:
        async with self.db.session() as session:
            user = await session.scalar(select(User).where(User.id == person.user_id))
        assert user is not None
        return user
