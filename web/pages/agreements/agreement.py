"""``/agreements/{id}``: the IPA for both parties.

The LA, while it is a DRAFT, fills its own fields (dates, social worker, team manager,
finance contact, purchase order, invoice address, additional terms) and attaches documents;
the terms drawn from the offer are shown read-only. ``/agreements/{id}/enable`` freezes it
behind a confirmation. ``/agreements/{id}/sign``: each side's signatory, or a colleague a
signatory authorised, signs the content hash shown. Printable: the IPA's ``printUrl``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import parse_date
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import LA_STAFF, category_of, children_text, schema_summary

OPS = operations(__file__)

SIGNATORY_ROLE = {"LOCAL_AUTHORITY": "LA_SIGNATORY", "PROVIDER": "PROVIDER_SIGNATORY"}
PARTY_NAMES = {"LOCAL_AUTHORITY": "The local authority", "PROVIDER": "The provider"}
DATES = (
    ("placementStartDate", "Placement start date"),
    ("placementEndDate", "Placement end date (optional)"),
    ("reviewDate", "First review date (optional)"),
)
CONTACTS = (
    ("socialWorker", "Social worker"),
    ("teamManager", "Team manager"),
    ("financeContact", "Finance contact"),
)
CONTACT_PARTS = (("name", "Name"), ("email", "Email address"), ("phone", "Telephone"))


async def _agreement(p: Page) -> dict[str, Any]:
    data = await p.query(OPS["Agreement"], {"id": p.params["id"]})
    ipa = data["node"]
    if not ipa or "terms" not in ipa:
        raise p.not_found()
    viewer = data["viewer"]
    kind = viewer["organisation"]["kind"]
    roles = set(viewer["roles"])
    terms = ipa["terms"]
    category = category_of(data["categories"], terms.get("category", "")) or {}
    signed = {s["party"] for s in ipa["signatures"]}
    own_role = SIGNATORY_ROLE.get(kind)
    sign_as: list[tuple[str, str]] = []
    if own_role in roles:
        sign_as.append(("self", "Yourself, as a signatory"))
    for principal in viewer["signsOnBehalfOf"]:
        if own_role in principal["roles"]:
            sign_as.append((principal["id"], f"On behalf of {principal['name']}"))
    return {
        "ipa": ipa,
        "terms": terms,
        "children": children_text(terms.get("children") or []),
        "offer_rows": schema_summary(
            category.get("offerDetailsSchema") or {}, terms.get("offerDetails")
        ),
        "la_editing": ipa["status"] == "DRAFT"
        and kind == "LOCAL_AUTHORITY"
        and bool(roles & LA_STAFF),
        "sign_as": sign_as if ipa["status"] == "READY_FOR_SIGNING" and kind not in signed else [],
        "party": kind,
        "staff": bool(roles & (LA_STAFF | {"PROVIDER_ADMIN", "PROVIDER_USER"})),
        "party_names": PARTY_NAMES,
        "dates": DATES,
        "contacts": CONTACTS,
        "contact_parts": CONTACT_PARTS,
    }


@page("/agreements/{id}", methods=("GET", "POST"))
async def agreement(p: Page) -> Response:
    view = await _agreement(p)
    if p.request.method == "GET":
        return p.render("agreements/agreement.html", **view)
    if not view["la_editing"]:
        raise p.not_found()
    values = await p.form_values()
    form = Form(values=values)
    fields = _la_fields(values, form)
    kept = values.get("documentIds") or []
    document_ids = [kept] if isinstance(kept, str) else list(kept)
    for upload in await _files(p, "attachments"):
        outcome = await p.mutate(OPS["UploadIpaAttachment"], {"file": upload}, form=Form())
        if outcome.ok:
            document_ids.append(outcome["document"]["id"])
        else:
            for message in [*outcome.form.errors.values(), *outcome.form.general]:
                form.add("attachments", f"{upload.filename}: {message}")
    if form:
        return p.render("agreements/agreement.html", form=form, status=400, **view)
    outcome = await p.mutate(
        OPS["UpdateIpaDraft"],
        {"input": {"id": view["ipa"]["id"], "fields": fields, "documentIds": document_ids}},
        form=form,
    )
    if not outcome.ok:
        return p.render("agreements/agreement.html", form=outcome.form, status=400, **view)
    return p.redirect(f"/agreements/{view['ipa']['id']}", banner="Draft agreement saved")


def _la_fields(values: Mapping[str, Any], form: Form) -> dict[str, Any]:
    """The LA's fields as ``updateIpaDraft`` takes them (an empty one removes it)."""
    fields: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, label in DATES:
        fields[key] = parse_date(
            values, f"fields.{key}", label.replace(" (optional)", ""), problems
        )
    for key, _ in CONTACTS:
        contact = {
            part: str(values.get(f"fields.{key}.{part}") or "").strip() or None
            for part, _ in CONTACT_PARTS
        }
        fields[key] = {k: v for k, v in contact.items() if v} or None
    for key in ("purchaseOrderNumber", "invoiceAddress", "additionalTerms"):
        fields[key] = str(values.get(f"fields.{key}") or "").strip() or None
    for name, message in problems:
        form.add(name, message)
    return fields


async def _files(p: Page, name: str) -> list[UploadFile]:
    data = await p.form()
    return [f for f in data.getlist(name) if isinstance(f, UploadFile) and f.filename]


@page("/agreements/{id}/enable", methods=("GET", "POST"))
async def enable(p: Page) -> Response:
    view = await _agreement(p)
    if not view["la_editing"]:
        raise p.not_found()
    if p.request.method == "GET":
        return p.render("agreements/enable.html", **view)
    outcome = await p.mutate(OPS["EnableIpaForSigning"], {"id": view["ipa"]["id"]}, form=Form())
    if not outcome.ok:
        return p.render("agreements/enable.html", form=outcome.form, status=400, **view)
    return p.redirect(
        f"/agreements/{view['ipa']['id']}",
        banner="Agreement enabled for signing: the signatories have been told",
    )


@page("/agreements/{id}/sign", methods=("GET", "POST"))
async def sign(p: Page) -> Response:
    view = await _agreement(p)
    if not view["sign_as"]:
        raise p.not_found()
    if p.request.method == "GET":
        return p.render("agreements/sign.html", **view)
    values = await p.form_values()
    form = Form(values=values)
    chosen = str(values.get("onBehalfOfUserId") or "")
    if chosen not in {value for value, _ in view["sign_as"]}:
        form.add("onBehalfOfUserId", "Select whose authority you sign under")
        return p.render("agreements/sign.html", form=form, status=400, **view)
    outcome = await p.mutate(
        OPS["SignIpa"],
        {"id": view["ipa"]["id"], "onBehalfOfUserId": None if chosen == "self" else chosen},
        form=form,
    )
    if not outcome.ok:
        return p.render("agreements/sign.html", form=outcome.form, status=400, **view)
    done = outcome["ipa"]["status"] == "SIGNED"
    return p.redirect(
        f"/agreements/{view['ipa']['id']}",
        banner="Agreement signed by both sides" if done else "Agreement signed",
    )
