"""``/referrals/{id}/offer``: make or edit the provider's offer - one of its matching homes,
the weekly core fee, additional costs, start date, the category's offer details (fostering:
the family, filled from a saved one), the compulsory documents as they will be attached and
optional ones.

The form posts to ``/referrals/{id}/offer/check`` (check your answers): everything that will
be sent, in summary lists, the form's values carried in hidden fields. Its "Change" buttons
post them back to ``/referrals/{id}/offer`` (the form again, as it was filled, at the field);
"Send offer" / "Save changes" posts them to the check page with ``send``, which runs
``submitOffer`` / ``updateOffer``. No JavaScript and nothing kept on the server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import describe_fields, parse_date, parse_form, schema_fields
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

COST_ROWS = 3
FREQUENCIES = (("WEEKLY", "Weekly"), ("ONE_OFF", "One-off"))


async def _load(p: Page) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    data = await p.query(OPS["OfferForm"], {"id": p.params["id"]})
    referral = data["node"]
    if not referral or "reference" not in referral or referral.get("myDelivery") is None:
        raise p.not_found()
    category = next(c for c in data["categories"] if c["category"] == referral["category"])
    return data, referral, category


def _documents(data: dict[str, Any], category: dict[str, Any]) -> tuple[list, list]:
    """The compulsory documents as they will be attached (newest unexpired of each kind, or
    what is wrong), and the other profile documents that may be added."""
    today = date.today().isoformat()
    documents = data["viewer"]["organisation"]["documents"]
    required = []
    for kind in category["requiredOfferDocuments"]:
        of_kind = [d for d in documents if d["kind"] == kind]
        current = [d for d in of_kind if not d["expiresOn"] or d["expiresOn"] > today]
        required.append(
            {
                "kind": kind,
                "document": current[0] if current else None,
                "expired": of_kind[0] if of_kind and not current else None,
            }
        )
    chosen = {r["document"]["id"] for r in required if r["document"]}
    optional = [
        d
        for d in documents
        if d["id"] not in chosen and (not d["expiresOn"] or d["expiresOn"] > today)
    ]
    return required, optional


def _live(referral: dict[str, Any]) -> dict[str, Any] | None:
    return next((o for o in referral["offers"] if o["status"] == "SUBMITTED"), None)


def _family(data: dict[str, Any], family_id: Any) -> dict[str, Any] | None:
    return next((f for f in data["fosteringFamilies"] if f["id"] == family_id), None)


@page("/referrals/{id}/offer", methods=("GET", "POST"), kinds=("PROVIDER",))
async def offer_form(p: Page) -> Response:
    """The form; posted to (a "Change" on the check page), the form as it was filled."""
    data, referral, category = await _load(p)
    live = _live(referral)
    if p.request.method == "GET":
        family = _family(data, p.query_params.get("family"))
        return _render(p, data, referral, category, live, Form(), family=family)
    values = await p.form_values()
    values.pop("send", None)
    family = _family(data, values.get("fosteringFamilyId"))
    return _render(p, data, referral, category, live, Form(values=values), family=family)


@page("/referrals/{id}/offer/check", methods=("GET", "POST"), kinds=("PROVIDER",))
async def check_offer(p: Page) -> Response:
    """Check your answers: the offer as it will be sent; with ``send``, send it."""
    data, referral, category = await _load(p)
    if p.request.method == "GET":  # nothing posted to check (a bookmark, a reload): the form
        return p.redirect(f"/referrals/{referral['id']}/offer")
    live = _live(referral)
    values = await p.form_values()
    send = values.pop("send", None) is not None
    family = _family(data, values.get("fosteringFamilyId"))
    form = Form(values=values)
    variables = _input(values, category, form)
    variables["referralId"] = referral["id"]
    if form:
        return _render(p, data, referral, category, live, form, family=family, status=400)
    if not send:
        return _check(p, data, referral, category, live, values, variables, family)
    if live is not None:
        variables.pop("referralId")
        variables.pop("fosteringFamilyId", None)
        update = {"input": {"id": live["id"], **variables}}
        outcome = await p.mutate(OPS["UpdateOffer"], update, form=form)
        banner = "Your offer was updated."
    else:
        outcome = await p.mutate(OPS["SubmitOffer"], {"input": variables}, form=form)
        banner = "Your offer was sent to " + referral["localAuthority"]["name"] + "."
    if not outcome.ok:
        return _render(p, data, referral, category, live, outcome.form, family=family, status=400)
    return p.redirect(f"/offers/{outcome['offer']['id']}", banner=banner)


def _carried(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The form's values as hidden fields of the check page: what "Change" and "Send" post."""
    fields: list[tuple[str, str]] = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, str(item)))
    return fields


def _check(
    p: Page,
    data: dict[str, Any],
    referral: dict[str, Any],
    category: dict[str, Any],
    live: dict[str, Any] | None,
    values: dict[str, Any],
    variables: dict[str, Any],
    family: dict[str, Any] | None,
) -> Response:
    required, optional = _documents(data, category)
    chosen = set(variables["documentIds"])
    homes = referral["myDelivery"]["matchedHomes"]
    return p.render(
        "referrals/offer_check.html",
        referral=referral,
        category=category,
        offer=live,
        home=next((h for h in homes if h["id"] == variables["homeId"]), None),
        core_fee=variables["coreFee"],
        costs=variables["additionalCosts"],
        frequencies=dict(FREQUENCIES),
        start_date=variables["startDate"],
        details=describe_fields(category["offerDetailsSchema"], variables["details"], "details"),
        family=family,
        required_documents=required,
        chosen_documents=[d for d in optional if d["id"] in chosen],
        carried=_carried(values),
    )


def _input(values: dict[str, Any], category: dict[str, Any], form: Form) -> dict[str, Any]:
    """The offer's input from the posted form; problems the page can see go on ``form``."""
    problems: list[tuple[str, str]] = []
    if not values.get("homeId"):
        form.add("homeId", "Select the home you are offering")
    core_fee = _money(values.get("coreFee"), "coreFee", "the weekly core fee", form, True)
    costs = []
    for index in range(COST_ROWS):
        prefix = f"additionalCosts.{index}"
        description = str(values.get(f"{prefix}.description", "")).strip()
        amount_text = str(values.get(f"{prefix}.amount", "")).strip()
        if not description and not amount_text:
            continue
        if not description:
            form.add(f"{prefix}.description", "Describe what the cost is for")
        amount = _money(amount_text, f"{prefix}.amount", "the amount", form, True)
        frequency = values.get(f"{prefix}.frequency") or "WEEKLY"
        costs.append({"description": description, "amount": amount, "frequency": frequency})
    start = parse_date(values, "startDate", "Start date", problems)
    details, detail_problems = parse_form(category["offerDetailsSchema"], "details", values)
    for name, message in [*problems, *detail_problems]:
        form.add(name, message)
    documents = values.get("documentIds") or []
    variables: dict[str, Any] = {
        "referralId": None,
        "homeId": values.get("homeId"),
        "coreFee": core_fee,
        "additionalCosts": costs,
        "startDate": start,
        "details": details,
        "documentIds": documents if isinstance(documents, list) else [documents],
    }
    if values.get("fosteringFamilyId"):
        variables["fosteringFamilyId"] = values["fosteringFamilyId"]
    return variables


def _money(text: Any, name: str, what: str, form: Form, required: bool) -> str | None:
    value = str(text or "").strip().replace(",", "").removeprefix("£")
    if not value:
        if required:
            form.add(name, f"Enter {what} in pounds")
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        form.add(name, f"Enter {what} as an amount in pounds, like 1250.00")
        return None
    if not amount.is_finite() or amount < 0:
        form.add(name, f"Enter {what} as an amount in pounds, like 1250.00")
        return None
    return str(amount)


def _render(
    p: Page,
    data: dict[str, Any],
    referral: dict[str, Any],
    category: dict[str, Any],
    live: dict[str, Any] | None,
    form: Form,
    *,
    family: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    required, optional = _documents(data, category)
    details = (live or {}).get("details") or {}
    family_key = "family" if referral["category"] == "FOSTERING" else None
    if family is not None and family_key:
        details = {**details, family_key: family["details"]}
    return p.render(
        "referrals/offer.html",
        form=form,
        status=status,
        referral=referral,
        category=category,
        offer=live,
        homes=referral["myDelivery"]["matchedHomes"],
        detail_fields=schema_fields(category["offerDetailsSchema"], "details", details),
        required_documents=required,
        optional_documents=optional,
        chosen_documents=[d["id"] for d in (live or {}).get("documents", [])],
        families=data["fosteringFamilies"] if family_key else [],
        family=family,
        cost_rows=_cost_rows(live),
        frequencies=FREQUENCIES,
    )


def _cost_rows(live: dict[str, Any] | None) -> list[dict[str, str]]:
    costs = list((live or {}).get("additionalCosts") or [])
    rows = [
        {"description": c["description"], "amount": c["amount"], "frequency": c["frequency"]}
        for c in costs
    ]
    while len(rows) < max(COST_ROWS, len(costs)):
        rows.append({"description": "", "amount": "", "frequency": "WEEKLY"})
    return rows[:COST_ROWS]
