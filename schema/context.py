"""The per-request context: settings, registry, database access, the viewer and loaders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from core.db import Database
from core.identity.ratelimit import AttemptLimiter
from core.identity.viewer import Viewer
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    registry: CategoryRegistry
    db: Database
    limiter: AttemptLimiter
    viewer: Viewer | None = None
    client_address: str | None = None
    #: Websockets: the ``connection_init`` payload, and the token the viewer signed in with.
    connection_params: dict[str, object] | None = None
    credentials: str | None = None
    #: Where the operation came from: ``"API"`` (``/graphql``, HTTP or websocket) or ``"WEB"``
    #: (a web page of ``web/`` running its operation in process). Read by the access log.
    channel: str = "API"
    _read_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read session for one resolver or loader batch.

        Resolvers run concurrently, and a session must not be shared between tasks at once,
        so reads of one request take turns; each read ends its transaction when it is done,
        so it never holds a connection or an old snapshot while the request goes on.
        """
        async with self._read_lock, self.db.session() as session:
            yield session

    @asynccontextmanager
    async def read_plain(self) -> AsyncIterator[AsyncConnection]:
        """Like :meth:`read`, for Core statements only (no ORM objects): a bare connection,
        which costs less than a session on lists read on every visit."""
        async with self._read_lock, self.db.connection() as connection:
            yield connection


Info = StrawberryInfo[Context, None]
