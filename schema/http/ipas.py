"""Printable views: ``GET /ipas/{id}/print`` and ``GET /offers/{id}/print``.

Plain HTML pages a provider or LA can print or keep, served with the caller's credentials
(bearer token or session cookie, as ``/documents/{id}``); 404 for anyone who may not see them.
Everything shown is escaped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from core.db import Database
from core.identity.authenticate import authenticate
from core.identity.viewer import Viewer
from core.ipas import queries
from core.ipas.terms import money
from core.ipas.visibility import sees_case_details, visible_condition
from core.models import Home, Ipa, Offer, Organisation, Referral, User
from schema.http.documents import _not_found
from schema.node import decode_any_id
from schema.view import SESSION_COOKIE, bearer_token

HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 1px solid #999; }
dl { display: grid; grid-template-columns: 14rem 1fr; gap: 0.3rem 1rem; margin: 0.5rem 0; }
dt { font-weight: bold; } dd { margin: 0; } dd dl { grid-template-columns: 10rem 1fr; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999;
        padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
code { font-family: 'Courier New', monospace; word-break: break-all; font-size: 0.85rem; }
.status { font-family: sans-serif; font-size: 0.9rem; }
@media print { body { margin: 0; } }
"""


def label(name: str) -> str:
    """``totalWeeklyFee`` -> ``Total weekly fee``."""
    words = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", str(name)).lower()
    return words[:1].upper() + words[1:]


def value_html(value: Any) -> str:
    if value is None or value == "":
        return "&mdash;"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return definitions(value.items())
    if isinstance(value, list):
        if not value:
            return "&mdash;"
        return "<ul>" + "".join(f"<li>{value_html(v)}</li>" for v in value) + "</ul>"
    return escape(str(value)).replace("\n", "<br>")


def definitions(items: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{escape(label(k))}</dt><dd>{value_html(v)}</dd>" for k, v in items)
    return f"<dl>{rows}</dl>"


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>",
        headers=HEADERS,
    )


def stamp(moment: datetime | None) -> str:
    return escape(moment.strftime("%d %B %Y %H:%M UTC")) if moment else "&mdash;"


async def _viewer(request: Request) -> Viewer | None:
    db: Database = request.app.state.db
    client_address = request.client.host if request.client else None
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    return await authenticate(db, token, client_address)


def _key(request: Request, type_name: str) -> uuid.UUID | None:
    decoded = decode_any_id(request.path_params["id"])
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


# ---------------------------------------------------------------- the IPA

FEE_KEYS = ("currency", "coreFee", "additionalCosts", "totalWeeklyFee", "oneOffCostsTotal")
REFERRAL_KEYS = ("referralReference", "localAuthority", "categoryLabel", "urgency", "children")
PLACEMENT_KEYS = ("provider", "home", "startDate", "offerVersion")
SKIP_KEYS = {"category", "offerDetails"}


def _costs_table(costs: list[dict[str, Any]]) -> str:
    if not costs:
        return "&mdash;"
    rows = "".join(
        f"<tr><td>{escape(str(c.get('description', '')))}</td>"
        f"<td>&pound;{escape(str(c.get('amount', '')))}</td>"
        f"<td>{escape(str(c.get('frequency', '')).replace('_', '-').lower())}</td></tr>"
        for c in costs
    )
    return f"<table><tr><th>Description</th><th>Amount</th><th>Frequency</th></tr>{rows}</table>"


def ipa_html(
    row: queries.IpaRow,
    documents: list[Any],
    signatures: list[tuple[Any, User, User | None]],
) -> str:
    ipa = row.ipa
    terms: dict[str, Any] = dict(ipa.terms or {})
    fees = []
    for key in FEE_KEYS:
        value = terms.get(key)
        if key == "additionalCosts":
            fees.append(f"<dt>Additional costs</dt><dd>{_costs_table(value or [])}</dd>")
        elif key == "currency":
            continue
        else:
            fees.append(f"<dt>{escape(label(key))}</dt><dd>&pound;{value_html(value)}</dd>")
    la_keys = [
        k
        for k in terms
        if k not in (*FEE_KEYS, *REFERRAL_KEYS, *PLACEMENT_KEYS) and k not in SKIP_KEYS
    ]
    docs = (
        "<ol>"
        + "".join(
            f"<li>{escape(d.name)}<br><code>sha256 {escape(d.sha256)}</code></li>"
            for d in documents
        )
        + "</ol>"
        if documents
        else "<p>None.</p>"
    )
    signed = (
        "<table><tr><th>Side</th><th>Signed by</th><th>On behalf of</th><th>When</th>"
        "<th>Hash signed</th></tr>"
        + "".join(
            f"<tr><td>{'Local authority' if s.party == 'LOCAL_AUTHORITY' else 'Provider'}</td>"
            f"<td>{escape(by.name)}</td><td>{escape(behalf.name) if behalf else '&mdash;'}</td>"
            f"<td>{stamp(s.signed_at)}</td><td><code>{escape(s.content_hash)}</code></td></tr>"
            for s, by, behalf in signatures
        )
        + "</table>"
        if signatures
        else "<p>Not signed yet.</p>"
    )
    reference = str(terms.get("referralReference", row.referral.reference))
    return (
        f"<h1>Individual Placement Agreement</h1>"
        f'<p class="status">Referral {escape(reference)} &middot; status '
        f"<strong>{escape(ipa.status.replace('_', ' ').lower())}</strong></p>"
        f"<h2>Referral</h2>{definitions((k, terms.get(k)) for k in REFERRAL_KEYS)}"
        f"<h2>Placement</h2>{definitions((k, terms.get(k)) for k in PLACEMENT_KEYS)}"
        f"<h2>Fees</h2><dl>{''.join(fees)}</dl>"
        f"<h2>Offer details</h2>{value_html(terms.get('offerDetails') or {})}"
        f"<h2>Local authority's terms</h2>"
        f"{definitions((k, terms[k]) for k in la_keys) if la_keys else '<p>None.</p>'}"
        f"<h2>Attached documents</h2>{docs}"
        f"<h2>Content hash</h2><p><code>{escape(ipa.content_hash or 'not fixed yet (draft)')}"
        f"</code></p>"
        f"<h2>Signatures</h2>{signed}"
        f'<p class="status">Enabled for signing {stamp(ipa.enabled_at)} &middot; '
        f"signed {stamp(ipa.signed_at)}</p>"
    )


async def print_ipa(request: Request) -> Response:
    key = _key(request, "IndividualPlacementAgreement")
    viewer = await _viewer(request) if key is not None else None
    if viewer is None or key is None:
        return _not_found()
    db: Database = request.app.state.db
    async with db.session() as session:
        row = await queries.visible_ipa(session, viewer, key)
        if row is None:
            return _not_found()
        documents = (await queries.documents_by_ipa_ids(session, [key]))[0]
        signatures = (await queries.signatures_by_ipa_ids(session, [key]))[0]
        people = await _users(
            session, [s.signed_by_id for s in signatures] + [s.on_behalf_of_id for s in signatures]
        )
    rows = [
        (s, people[s.signed_by_id], people.get(s.on_behalf_of_id) if s.on_behalf_of_id else None)
        for s in signatures
    ]
    reference = str(row.ipa.terms.get("referralReference", row.referral.reference))
    return page(f"IPA {reference}", ipa_html(row, documents, rows))


async def _users(session: AsyncSession, ids: Sequence[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in await session.scalars(select(User).where(User.id.in_(wanted)))}


# ---------------------------------------------------------------- the offer


async def _may_see_offer(
    session: AsyncSession, viewer: Viewer, offer: Offer, referral: Referral
) -> bool:
    """Staff of the referral's LA and of the offer's provider; a signatory who may see an IPA
    drawn from this offer."""
    if sees_case_details(viewer):
        if viewer.is_local_authority and viewer.organisation_id == referral.local_authority_id:
            return True
        if viewer.is_provider and viewer.organisation_id == offer.provider_id:
            return True
    ipa = await session.scalar(
        select(Ipa.id)
        .join(Referral, Referral.id == Ipa.referral_id)
        .join(Offer, Offer.id == Ipa.offer_id)
        .where(Ipa.offer_id == offer.id, visible_condition(viewer))
        .limit(1)
    )
    return ipa is not None


def offer_html(
    offer: Offer, referral: Referral, home: Home, provider: Organisation, la: Organisation
) -> str:
    costs = [
        {
            "description": c.get("description", ""),
            "amount": money(int(c.get("amountPence", 0))),
            "frequency": c.get("frequency", "WEEKLY"),
        }
        for c in offer.additional_costs or []
    ]
    facts = definitions(
        [
            ("referral", referral.reference),
            ("localAuthority", la.name),
            ("provider", provider.name),
            ("status", offer.status.lower()),
            ("version", offer.version),
            ("submitted", offer.submitted_at.strftime("%d %B %Y %H:%M UTC")),
            ("startDate", offer.start_date.isoformat() if offer.start_date else None),
        ]
    )
    home_facts = definitions(
        [
            ("name", home.name),
            ("ofstedUrn", home.ofsted_urn),
            ("postcode", home.postcode),
            ("localAuthorityArea", home.local_authority_area),
        ]
    )
    return (
        f"<h1>Offer for referral {escape(referral.reference)}</h1>{facts}"
        f"<h2>Home</h2>{home_facts}"
        f"<h2>Fees</h2><dl><dt>Core fee (weekly)</dt><dd>&pound;"
        f"{escape(money(offer.core_fee_pence))}</dd>"
        f"<dt>Additional costs</dt><dd>{_costs_table(costs)}</dd></dl>"
        f"<h2>Offer details</h2>{value_html(offer.details or {})}"
    )


async def print_offer(request: Request) -> Response:
    key = _key(request, "Offer")
    viewer = await _viewer(request) if key is not None else None
    if viewer is None or key is None:
        return _not_found()
    db: Database = request.app.state.db
    async with db.session() as session:
        offer = await session.get(Offer, key)
        referral = await session.get(Referral, offer.referral_id) if offer else None
        if offer is None or referral is None:
            return _not_found()
        if not await _may_see_offer(session, viewer, offer, referral):
            return _not_found()
        home = await session.get(Home, offer.home_id)
        provider = await session.get(Organisation, offer.provider_id)
        la = await session.get(Organisation, referral.local_authority_id)
    assert home is not None and provider is not None and la is not None
    return page(f"Offer {referral.reference}", offer_html(offer, referral, home, provider, la))
