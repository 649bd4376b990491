"""The baseline for the provider referral list: a hand-written Starlette endpoint doing raw
SQL and JSON (orjson), returning the same fields as the GraphQL query in
bench/provider_referrals.py. Run by that benchmark: ``uvicorn bench.baseline_app:app``."""

from __future__ import annotations

import hashlib
import os

import orjson
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench._ids import global_id
from core.db import create_engine

engine = create_engine(os.environ["PORTAL_DATABASE_URL"])

VIEWER = text(
    "SELECT u.organisation_id FROM user_sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = :h AND s.ended_at IS NULL AND s.expires_at > CURRENT_TIMESTAMP"
)
PAGE = text(
    "SELECT r.id, r.reference, r.category, r.status, d.status AS delivery_status, d.version, v.content "
    "FROM referrals r JOIN referral_deliveries d ON d.referral_id = r.id AND d.provider_id = :provider "
    "JOIN referral_versions v ON v.referral_id = r.id AND v.version = d.version "
    "ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
)


async def referrals(request: Request) -> Response:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    async with engine.connect() as connection:
        provider = (
            await connection.execute(VIEWER, {"h": hashlib.sha256(token.encode()).digest()})
        ).scalar()
        if provider is None:
            return Response(b'{"data":{"referrals":{"edges":[]}}}', media_type="application/json")
        rows = (await connection.execute(PAGE, {"provider": provider})).all()
    edges = []
    for row in rows:
        content = row.content if isinstance(row.content, dict) else orjson.loads(row.content)
        edges.append(
            {
                "node": {
                    "id": global_id("Referral", row.id),
                    "reference": row.reference,
                    "category": row.category,
                    "status": row.status,
                    "urgency": content["urgency"],
                    "summary": content["summary"],
                    "children": [
                        {"age": c["age"], "gender": c["gender"]} for c in content["children"]
                    ],
                    "myDelivery": {"status": row.delivery_status, "version": row.version},
                }
            }
        )
    return Response(
        orjson.dumps({"data": {"referrals": {"edges": edges}}}), media_type="application/json"
    )


app = Starlette(routes=[Route("/graphql", referrals, methods=["POST"])])
