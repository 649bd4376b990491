"""A small world of organisations and signed-in people, made lazily per test."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from core.identity.roles import OrganisationKind, Role
from tests.graphql_client import GraphQLClient
from tests.people import People, Person

CREATE_API_TOKEN = """
mutation ($name: String!) { createApiToken(input: {name: $name}) { token apiToken { id } userErrors { code message } } }
"""


@dataclass
class World:
    people: People
    client: GraphQLClient
    _people: dict[str, Person] = field(default_factory=dict)
    _orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    async def org(self, name: str) -> uuid.UUID:
        if name not in self._orgs:
            if name == "la":
                self._orgs[name] = await self.people.local_authority("Birmingham", "BIR")
            elif name == "other_la":
                self._orgs[name] = await self.people.local_authority(
                    "Coventry", "COV", ("FOSTERING",)
                )
            elif name == "provider":
                self._orgs[name] = await self.people.organisation(
                    OrganisationKind.PROVIDER, "Acorn Care", managing_la=await self.org("la")
                )
            elif name == "other_provider":
                self._orgs[name] = await self.people.organisation(
                    OrganisationKind.PROVIDER, "Birch Homes", managing_la=await self.org("other_la")
                )
            elif name == "platform":
                self._orgs[name] = await self.people.organisation(OrganisationKind.PLATFORM)
        return self._orgs[name]

    ROLES: ClassVar[dict[str, tuple[str, tuple[Role, ...]]]] = {
        "platform_admin": ("platform", (Role.PLATFORM_ADMIN,)),
        "category_lead": ("platform", (Role.CATEGORY_LEAD,)),
        "la_admin": ("la", (Role.LA_ADMIN,)),
        "caseworker": ("la", (Role.LA_CASEWORKER,)),
        "la_signatory": ("la", (Role.LA_SIGNATORY,)),
        "other_la_admin": ("other_la", (Role.LA_ADMIN,)),
        "other_caseworker": ("other_la", (Role.LA_CASEWORKER,)),
        "provider_admin": ("provider", (Role.PROVIDER_ADMIN, Role.PROVIDER_USER)),
        "provider_user": ("provider", (Role.PROVIDER_USER,)),
        "provider_signatory": ("provider", (Role.PROVIDER_SIGNATORY,)),
        "other_provider_admin": ("other_provider", (Role.PROVIDER_ADMIN, Role.PROVIDER_USER)),
    }

    async def person(self, who: str) -> Person:
        if who not in self._people:
            org, roles = self.ROLES[who]
            self._people[who] = await self.people.signed_in(await self.org(org), *roles)
        return self._people[who]

    async def token(self, who: str) -> str:
        """A bearer token for ``who``: a person, ``api_token`` (of the LA) or ``nobody``."""
        if who == "nobody":
            return ""
        if who == "api_token":
            if "api" not in self._tokens:
                admin = await self.person("la_admin")
                data = await self.client.data(
                    CREATE_API_TOKEN, {"name": "Case system"}, token=admin.token
                )
                self._tokens["api"] = data["createApiToken"]["token"]
            return self._tokens["api"]
        return (await self.person(who)).token
