"""What the demo made, and how it adds a person: shared by the demo's steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.emails import email_key
from core.identity.roles import Role
from core.models import User, UserRole


@dataclass
class DemoWorld:
    """What the demo made, for later steps to build on."""

    las: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)


async def add_user(
    session: AsyncSession,
    world: DemoWorld,
    *,
    organisation_id: uuid.UUID,
    email: str,
    name: str,
    roles: tuple[Role, ...],
    password_hash: str,
) -> uuid.UUID:
    existing = await session.scalar(select(User.id).where(User.email_key == email_key(email)))
    if existing is None:
        existing = uuid.uuid4()
        session.add(
            User(
                id=existing,
                organisation_id=organisation_id,
                email=email,
                email_key=email_key(email),
                name=name,
                password_hash=password_hash,
                email_opt_outs=[],
            )
        )
        await session.flush()
        for role in roles:
            session.add(UserRole(user_id=existing, role=role.value))
    world.users[email] = existing
    world.logins.append(f"  {email:<42} {', '.join(r.value for r in roles)}")
    return existing
