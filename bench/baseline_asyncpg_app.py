"""The practical limit for the provider referral list on this machine: the same endpoint as
bench/baseline_app.py (the same two statements, the session looked up by its token on every
request, the same JSON made with orjson) on a plain asyncpg pool, without SQLAlchemy.
PostgreSQL only. Run by bench/provider_referrals.py: ``uvicorn bench.baseline_asyncpg_app:app``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench._ids import global_id

VIEWER = (
    "SELECT u.organisation_id FROM user_sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > CURRENT_TIMESTAMP"
)
PAGE = (
    "SELECT r.id, r.reference, r.category, r.status, d.status AS delivery_status, d.version, "
    "v.content FROM referrals r JOIN referral_deliveries d ON d.referral_id = r.id "
    "AND d.provider_id = $1 JOIN referral_versions v ON v.referral_id = r.id "
    "AND v.version = d.version ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
)
EMPTY = b'{"data":{"referrals":{"edges":[]}}}'


def dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


_pool: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # The portal's pool size (core.db.create_engine: 10).
    pool = await asyncpg.create_pool(
        dsn(os.environ["PORTAL_DATABASE_URL"]), min_size=1, max_size=10
    )
    _pool["pool"] = pool
    try:
        yield
    finally:
        await pool.close()


async def referrals(request: Request) -> Response:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    async with _pool["pool"].acquire() as connection:
        provider = await connection.fetchval(VIEWER, hashlib.sha256(token.encode()).digest())
        if provider is None:
            return Response(EMPTY, media_type="application/json")
        rows = await connection.fetch(PAGE, provider)
    edges = []
    for row in rows:
        content = row["content"]
        if not isinstance(content, dict):
            content = orjson.loads(content)
        edges.append(
            {
                "node": {
                    "id": global_id("Referral", row["id"]),
                    "reference": row["reference"],
                    "category": row["category"],
                    "status": row["status"],
                    "urgency": content["urgency"],
                    "summary": content["summary"],
                    "children": [
                        {"age": c["age"], "gender": c["gender"]} for c in content["children"]
                    ],
                    "myDelivery": {"status": row["delivery_status"], "version": row["version"]},
                }
            }
        )
    return Response(
        orjson.dumps({"data": {"referrals": {"edges": edges}}}), media_type="application/json"
    )


app = Starlette(routes=[Route("/graphql", referrals, methods=["POST"])], lifespan=lifespan)
