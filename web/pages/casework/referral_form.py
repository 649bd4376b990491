"""``/referrals/new`` and ``/referrals/{id}/edit``: the LA's referral as question pages.

First the category (only those enabled for the LA: the pilot control), then one page with the
children (add and remove a child, age and gender each), urgency, summary, the category's
details form (drawn from the plugin's JSON Schema) and the referral forms to attach. Saving
makes (or updates) the DRAFT and shows "Check your answers" before "Send referral".

Field names are the paths of the API's input (``children.0.age``), so its ``userErrors`` land
on their fields. "Add another child" and "Remove child N" post the form and show it again with
every answer kept: no JavaScript needed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import parse_date, parse_form, schema_fields
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import (
    GENDERS,
    LA,
    URGENCIES,
    category_of,
    require_la_staff,
)

OPS = operations(__file__)

_CHILD = re.compile(r"^children\.(\d+)\.(age|gender|needs)$")
MAX_CHILDREN = 8


@dataclass
class ChildRow:
    age: str = ""
    gender: str = ""
    needs: str = ""


@dataclass
class ReferralAnswers:
    """The answers as typed (text), so that they are shown back as they were."""

    children: list[ChildRow] = field(default_factory=lambda: [ChildRow()])
    document_ids: list[str] = field(default_factory=list)

    @classmethod
    def of_referral(cls, referral: Mapping[str, Any]) -> ReferralAnswers:
        return cls(
            children=[
                ChildRow(str(c["age"]), c["gender"], c.get("needs") or "")
                for c in referral.get("children") or []
            ]
            or [ChildRow()],
            document_ids=[d["id"] for d in referral.get("documents") or []],
        )

    @classmethod
    def of_post(cls, values: Mapping[str, Any]) -> ReferralAnswers:
        rows: dict[int, ChildRow] = {}
        for name, value in values.items():
            match = _CHILD.match(name)
            if match:
                row = rows.setdefault(int(match.group(1)), ChildRow())
                setattr(row, match.group(2), str(value).strip())
        kept = values.get("documentIds") or []
        return cls(
            children=[rows[i] for i in sorted(rows)] or [ChildRow()],
            document_ids=[kept] if isinstance(kept, str) else list(kept),
        )

    def apply(self, action: str) -> bool:
        """Add or remove a child; True when ``action`` was one of those (show the form again)."""
        if action == "add-child":
            if len(self.children) < MAX_CHILDREN:
                self.children.append(ChildRow())
            return True
        found = re.fullmatch(r"remove-child-(\d+)", action)
        if found:
            index = int(found.group(1))
            if 0 <= index < len(self.children) and len(self.children) > 1:
                del self.children[index]
            return True
        return False

    def children_input(self, form: Form) -> list[dict[str, Any]]:
        """The children as the API takes them; an age that is no whole number, or a missing
        answer, is put on its field (the API is not asked about what it cannot read)."""
        children: list[dict[str, Any]] = []
        for index, child in enumerate(self.children):
            name = f"children.{index}"
            if not child.age:
                form.add(f"{name}.age", f"Enter the age of child {index + 1}")
            elif not re.fullmatch(r"\d{1,2}", child.age):
                form.add(f"{name}.age", f"Age of child {index + 1} must be a whole number, like 14")
            if child.gender not in {g for g, _ in GENDERS}:
                form.add(f"{name}.gender", f"Select the gender of child {index + 1}")
            children.append(
                {
                    "age": int(child.age) if child.age.isdigit() else 0,
                    "gender": child.gender or "OTHER",
                    "needs": child.needs or None,
                }
            )
        return children

    def values(self) -> dict[str, str]:
        """The children's answers as form values (to show them again)."""
        values: dict[str, str] = {}
        for index, child in enumerate(self.children):
            values[f"children.{index}.age"] = child.age
            values[f"children.{index}.gender"] = child.gender
            values[f"children.{index}.needs"] = child.needs
        return values


# ---------------------------------------------------------------- pages


@page("/referrals/new", methods=("GET", "POST"), kinds=LA)
async def new_referral(p: Page) -> Response:
    await require_la_staff(p)
    data = await p.query(OPS["ReferralForm"])
    enabled = set(data["viewer"]["organisation"]["enabledCategories"])
    choices = [c for c in data["categories"] if c["category"] in enabled]
    chosen = p.query_params.get("category") or ""
    if p.request.method == "POST":
        chosen = str((await p.form_values()).get("category") or chosen)
    if len(choices) == 1 and not chosen:
        chosen = choices[0]["category"]
    category = next((c for c in choices if c["category"] == chosen), None)
    if category is None:
        form = Form()
        if chosen or "category" in p.query_params:
            form.add("category", "Select the category of placement")
        return p.render(
            "casework/choose_category.html",
            choices=choices,
            form=form,
            status=400 if form else 200,
        )
    if p.request.method == "GET":
        return _render(p, category, ReferralAnswers(), Form(), referral=None, documents=[])
    return await _save(p, category, referral=None)


@page("/referrals/{id}/edit", methods=("GET", "POST"), kinds=LA)
async def edit_referral(p: Page) -> Response:
    await require_la_staff(p)
    data = await p.query(OPS["ReferralToEdit"], {"id": p.params["id"]})
    referral = data["node"]
    if not referral or "reference" not in referral:
        raise p.not_found()
    category = category_of(data["categories"], referral["category"])
    if category is None or referral["status"] not in ("DRAFT", "SENT"):
        raise p.not_found()
    if p.request.method == "GET":
        answers = ReferralAnswers.of_referral(referral)
        return _render(
            p, category, answers, Form(), referral=referral, documents=referral["documents"]
        )
    return await _save(p, category, referral=referral)


async def _save(
    p: Page, category: Mapping[str, Any], referral: Mapping[str, Any] | None
) -> Response:
    values = await p.form_values()
    answers = ReferralAnswers.of_post(values)
    form = Form(values=values)
    documents = list(referral["documents"]) if referral else []
    known = {d["id"]: d for d in documents}
    # Referral forms chosen now are uploaded first: they stay attached however the rest goes.
    for upload in await _files(p, "referralForms"):
        outcome = await p.mutate(OPS["UploadReferralForm"], {"file": upload}, form=Form())
        if outcome.ok:
            answers.document_ids.append(outcome["document"]["id"])
            known[outcome["document"]["id"]] = outcome["document"]
        else:
            for message in [*outcome.form.errors.values(), *outcome.form.general]:
                form.add("referralForms", f"{upload.filename}: {message}")
    form = Form(values={**values, **answers.values()}, errors=form.errors, general=form.general)
    attached = [known.get(i, {"id": i, "name": "Referral form"}) for i in answers.document_ids]
    if answers.apply(str(values.get("action") or "")):
        form = Form(values={**values, **answers.values()}, errors=form.errors)
        return _render(p, category, answers, form, referral=referral, documents=attached)
    children = answers.children_input(form)
    details, problems = parse_form(category["referralDetailsSchema"], "details", values)
    for name, message in problems:
        form.add(name, message)
    date_problems: list[tuple[str, str]] = []
    required_from = parse_date(
        values, "requiredFrom", "The date the placement is needed from", date_problems
    )
    for name, message in date_problems:
        form.add(name, message)
    if not str(values.get("summary") or "").strip():
        form.add("summary", "Enter a summary of the referral")
    if form:
        return _render(
            p, category, answers, form, referral=referral, documents=attached, status=400
        )
    fields = {
        "children": children,
        "summary": str(values.get("summary") or "").strip(),
        "urgency": values.get("urgency") or None,
        "postcode": str(values.get("postcode") or "").strip() or None,
        "requiredFrom": required_from,
        "details": details,
        "documentIds": answers.document_ids,
    }
    if referral is None:
        outcome = await p.mutate(
            OPS["CreateReferral"],
            {"input": {"category": category["category"], **fields}},
            form=form,
        )
    else:
        outcome = await p.mutate(
            OPS["UpdateReferral"], {"input": {"id": referral["id"], **fields}}, form=form
        )
    if not outcome.ok:
        return _render(
            p, category, answers, outcome.form, referral=referral, documents=attached, status=400
        )
    saved = outcome["referral"]["id"]
    banner = "Referral saved as a draft" if referral is None else "Referral changed"
    return p.redirect(f"/referrals/{saved}/check", banner=banner)


async def _files(p: Page, name: str) -> list[UploadFile]:
    data = await p.form()
    return [f for f in data.getlist(name) if isinstance(f, UploadFile) and f.filename]


def _render(
    p: Page,
    category: Mapping[str, Any],
    answers: ReferralAnswers,
    form: Form,
    *,
    referral: Mapping[str, Any] | None,
    documents: Sequence[Mapping[str, Any]],
    status: int = 200,
) -> Response:
    value = referral["details"] if referral is not None else None
    fields = schema_fields(category["referralDetailsSchema"], "details", value=value)
    return p.render(
        "casework/referral_form.html",
        category=category,
        children=answers.children,
        documents=documents,
        details_fields=fields,
        referral=referral,
        # after this change, every provider that declined (any version) receives it again
        declined=[d for d in (referral or {}).get("deliveries") or [] if d["status"] == "DECLINED"],
        genders=GENDERS,
        urgencies=URGENCIES,
        required_from=(referral or {}).get("requiredFrom") or "",
        form=form,
        status=status,
    )
