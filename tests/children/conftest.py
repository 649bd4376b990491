"""Given-steps for children's data: the IPA tests' scene (an LA, its caseworker, a provider
with a home, signatories), an LA admin, and the access log written on demand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from core.models import AccessLogEntry
from schema.node import encode_id
from tests.ipas.given import Scene, scene
from tests.people import People, Person

ERRORS = "userErrors { field message code }"


@dataclass
class Children:
    scene: Scene
    la_admin: Person
    app: Any

    @property
    def people(self) -> People:
        return self.scene.people

    async def logged(self, **where: Any) -> list[AccessLogEntry]:
        """Write what the access log holds, then its rows (filtered by column values)."""
        await self.app.state.access_log.flush()
        async with self.people.db.session() as session:
            statement = select(AccessLogEntry).order_by(AccessLogEntry.at)
            for column, value in where.items():
                statement = statement.where(getattr(AccessLogEntry, column) == value)
            return list(await session.scalars(statement))


@pytest.fixture
async def given(people: People, client: Any, application: Any) -> Children:
    s = await scene(people, client)
    return Children(scene=s, la_admin=await people.la_admin(s.la_id), app=application)


def referral_id(key: uuid.UUID) -> str:
    return encode_id("Referral", key)
