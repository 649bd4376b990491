"""Given-steps shared by the security tests."""

from __future__ import annotations

import uuid
from typing import Any

from core.models import ProviderRegistration
from core.models.base import utcnow
from tests.identity.world import World
from tests.registration.helpers import UPLOAD_DOCUMENT, upload, upload_data


async def approve(world: World, provider: str = "provider") -> uuid.UUID:
    """The world's provider with an APPROVED registration."""
    organisation_id = await world.org(provider)
    async with world.people.db.transaction() as session:
        session.add(
            ProviderRegistration(
                id=uuid.uuid4(),
                organisation_id=organisation_id,
                status="APPROVED",
                details={},
                submitted_at=utcnow(),
                decided_at=utcnow(),
            )
        )
    return organisation_id


async def uploaded(
    world: World, who: str, kind: str, data: bytes, filename: str = "file.pdf"
) -> dict[str, Any]:
    """``uploadDocument`` by ``who``: its payload."""
    return (
        await upload_data(
            world.client.http,
            UPLOAD_DOCUMENT,
            {"kind": kind},
            filename=filename,
            data=data,
            token=await world.token(who),
        )
    )["uploadDocument"]


async def upload_response(world: World, who: str, kind: str, data: bytes, filename: str = "f.pdf"):
    return await upload(
        world.client.http,
        UPLOAD_DOCUMENT,
        {"kind": kind},
        filename=filename,
        data=data,
        token=await world.token(who),
    )


async def download_status(world: World, who: str, document_id: str) -> int:
    token = await world.token(who)
    response = await world.client.http.get(
        f"/documents/{document_id}", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code
