"""Printable views: ``GET /ipas/{id}/print`` and ``GET /offers/{id}/print``.

Plain HTML pages a provider or LA can print or keep, served with the caller's credentials
(bearer token or session cookie, as ``/documents/{id}``); 404 for anyone who may not see them.
Everything shown is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from core.children.access_log import AccessChannel, Subject, record_read
from core.ipas.print_view import IpaPrint, SignatureLine, ipa_to_print
from core.ipas.terms import money
from core.offers.print_view import OfferPrint, offer_to_print
from schema.http.viewer import not_found, read_as_viewer

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


def _signature_row(line: SignatureLine) -> str:
    s, behalf = line.signature, line.on_behalf_of
    return (
        f"<tr><td>{'Local authority' if s.party == 'LOCAL_AUTHORITY' else 'Provider'}</td>"
        f"<td>{escape(line.signed_by.name)}</td>"
        f"<td>{escape(behalf.name) if behalf else '&mdash;'}</td>"
        f"<td>{stamp(s.signed_at)}</td><td><code>{escape(s.content_hash)}</code></td></tr>"
    )


def ipa_html(printed: IpaPrint) -> str:
    row, documents = printed.row, printed.documents
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
        + "".join(_signature_row(line) for line in printed.signatures)
        + "</table>"
        if printed.signatures
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
    seen = await read_as_viewer(request, "IndividualPlacementAgreement", ipa_to_print)
    if seen is None:
        return not_found()
    viewer, printed = seen
    ipa = printed.row.ipa
    record_read(
        request.app.state.access_log,
        viewer,
        AccessChannel.PRINT,
        Subject.IPA,
        ipa.id,
        ipa.referral_id,
    )
    reference = str(ipa.terms.get("referralReference", printed.row.referral.reference))
    return page(f"IPA {reference}", ipa_html(printed))


# ---------------------------------------------------------------- the offer


def offer_html(printed: OfferPrint) -> str:
    offer, referral, home = printed.offer, printed.referral, printed.home
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
            ("localAuthority", printed.local_authority.name),
            ("provider", printed.provider.name),
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
    seen = await read_as_viewer(request, "Offer", offer_to_print)
    if seen is None:
        return not_found()
    viewer, printed = seen
    offer = printed.offer
    record_read(
        request.app.state.access_log,
        viewer,
        AccessChannel.PRINT,
        Subject.OFFER,
        offer.id,
        offer.referral_id,
        offer.version,
    )
    return page(f"Offer {printed.referral.reference}", offer_html(printed))
