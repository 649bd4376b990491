"""Who is asking, for the HTTP endpoints beside ``/graphql`` (downloads, print views, PDFs).

They authenticate as ``/graphql`` does (a bearer token, or the session cookie) and answer the
same 404 to anyone who may not see what they ask for, or whose id is not of the right type:
never a hint that it exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.db import Database
from core.identity.authenticate import authenticate
from core.identity.viewer import Viewer
from schema.node import decode_any_id
from schema.view import SESSION_COOKIE, bearer_token


def not_found() -> Response:
    return JSONResponse(
        {"error": "Not found."}, status_code=404, headers={"Cache-Control": "no-store"}
    )


async def request_viewer(request: Request) -> Viewer | None:
    """The viewer of this request's credentials, or None (no credentials, or spent ones)."""
    db: Database = request.app.state.db
    client_address = request.client.host if request.client else None
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    settings = request.app.state.settings
    return await authenticate(db, token, client_address, idle=settings.session_idle)


def path_key(request: Request, type_name: str) -> uuid.UUID | None:
    """The key of the path's ``{id}`` if it is a global id of ``type_name``, else None."""
    decoded = decode_any_id(request.path_params["id"])
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


async def viewer_and_key(request: Request, type_name: str) -> tuple[Viewer, uuid.UUID] | None:
    """The signed-in viewer and the key the path names, or None: then answer ``not_found()``."""
    key = path_key(request, type_name)
    if key is None:
        return None
    viewer = await request_viewer(request)
    return None if viewer is None else (viewer, key)


T = TypeVar("T")

#: A core read: (session, viewer, key) -> what the viewer may see of it, or None.
Read = Callable[[Any, Viewer, uuid.UUID], Awaitable[T | None]]


async def read_as_viewer(
    request: Request, type_name: str, read: Read[T]
) -> tuple[Viewer, T] | None:
    """The viewer and what ``read`` (a core function deciding who sees what) finds for them at
    the path's ``{id}``, in one read session; None (answer ``not_found()``) for no viewer, an id
    not of ``type_name``, or nothing the viewer may see."""
    asked = await viewer_and_key(request, type_name)
    if asked is None:
        return None
    viewer, key = asked
    db: Database = request.app.state.db
    async with db.session() as session:
        found = await read(session, viewer, key)
    return None if found is None else (viewer, found)
