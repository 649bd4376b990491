"""DataLoaders, created per request (never shared: a cache must not leak between viewers).

Each wraps one bulk read from ``core`` that takes a session and keys and returns results in
key order. Named ``<thing>_by_<key>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from core.identity import queries as identity

if TYPE_CHECKING:
    from schema.context import Context

T = TypeVar("T")
BulkRead = Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[T]]]


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._loaders: dict[BulkRead[Any], DataLoader[Any, Any]] = {}

    def get(self, read: BulkRead[T]) -> DataLoader[Any, T]:
        """The request's loader for ``read`` (made on first use)."""
        loader = self._loaders.get(read)
        if loader is None:
            context = self._context

            async def load(keys: list[Any]) -> Sequence[T]:
                async with context.read() as session:
                    return await read(session, keys)

            loader = DataLoader(load_fn=load)
            self._loaders[read] = loader
        return loader

    # The identity loaders, named for readability at call sites.
    @property
    def organisation_by_id(self) -> DataLoader[uuid.UUID, Any]:
        return self.get(identity.organisations_by_ids)

    @property
    def user_by_id(self) -> DataLoader[uuid.UUID, Any]:
        return self.get(identity.users_by_ids)

    @property
    def roles_by_user_id(self) -> DataLoader[uuid.UUID, list[str]]:
        return self.get(identity.roles_by_user_ids)

    @property
    def members_by_organisation_id(self) -> DataLoader[uuid.UUID, Any]:
        return self.get(identity.members_by_organisation_ids)

    @property
    def delegates_by_signatory_id(self) -> DataLoader[uuid.UUID, Any]:
        return self.get(identity.delegates_by_signatory_ids)
