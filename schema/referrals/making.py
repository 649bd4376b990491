"""Referral objects made from rows: the one place that decides what a viewer sees of a
referral (:func:`referral_for_viewer`), for a single one or a page (:func:`referral_edges`),
made without the strawberry types' dataclass ``__init__`` (see ``_new`` in
schema/referrals/types.py; tests/referrals/test_types.py compares with ``__init__``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

from orjson import loads
from strawberry.scalars import JSON

from core.access import sees_case_details
from core.children.access_log import Subject, note_reads
from core.identity.viewer import Viewer
from core.models import Referral as ReferralRow
from core.models import ReferralDelivery as DeliveryModel
from core.referrals import queries
from schema.json import as_json
from schema.node import encode_id
from schema.pagination import encode_cursor
from schema.referrals.types import (
    _CATEGORIES,
    _CODES,
    _DELIVERY_STATUSES,
    _GENDERS,
    _STATUSES,
    _URGENCIES,
    Referral,
    ReferralChild,
    ReferralDelivery,
    ReferralEdge,
    _category,
    _new,
)
from schema.rows import Lane, RowList, Source


def _required_from(snapshot: dict[str, Any]) -> date | None:
    stamp = snapshot.get("requiredFrom")
    return date.fromisoformat(stamp) if stamp else None


def _details(snapshot: dict[str, Any]) -> JSON:
    return as_json(snapshot.get("details") or {})


def _document_keys(snapshot: dict[str, Any]) -> tuple[uuid.UUID, ...]:
    documents = snapshot.get("documentIds")
    return tuple(map(uuid.UUID, documents)) if documents else ()


_MISSING: Any = object()


class _FromSnapshot:
    """A field of a provider's view (:func:`make_referral` given a snapshot) made from the
    snapshot when first read, then kept in the instance's ``__dict__`` as ``__init__`` keeps
    it: a list reads few of them. A non-data descriptor set on the class after strawberry
    made it: an instance holding the field (every other one) never calls it."""

    __slots__ = ("default", "make", "name")

    def __init__(self, name: str, make: Callable[[dict[str, Any]], Any], default: Any) -> None:
        self.name = name
        self.make = make
        self.default = default

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            # On the class, as the dataclass left it: its default, if it has one.
            if self.default is _MISSING:
                raise AttributeError(self.name)
            return self.default
        fields = instance.__dict__
        value = fields[self.name] = self.make(fields["_snapshot"])
        return value


for _name, _make, _default in (
    ("required_from", _required_from, _MISSING),
    ("details", _details, _MISSING),
    ("version_document_keys", _document_keys, None),
):
    setattr(Referral, _name, _FromSnapshot(_name, _make, _default))


def make_referral(
    row: ReferralRow,
    snapshot: dict[str, Any] | None,
    version: int | None,
    delivery: DeliveryModel | None,
) -> Referral:
    """:meth:`Referral.of` without noting the read (a page notes its reads at once)."""
    if snapshot:
        children = snapshot["children"]
        urgency = snapshot["urgency"]
        summary = snapshot["summary"]
    else:
        children = row.children
        urgency = row.urgency
        summary = row.summary
    # A purged referral keeps only age bands: statistics, not children.
    made_children = []
    for child in children:
        if "age" in child:
            made_child = _new(ReferralChild)
            made_child.__dict__ = {
                "age": child["age"],
                "gender": _GENDERS[child["gender"]],
                "needs": child.get("needs"),
            }
            made_children.append(made_child)
    category = _CATEGORIES.get(row.category)
    made: Referral = _new(Referral)
    fields = made.__dict__ = {
        "id": encode_id("Referral", row.id),
        "key": row.id,
        "local_authority_key": row.local_authority_id,
        "reference": row.reference,
        "category": _category(row.category) if category is None else category,
        "status": _STATUSES[row.status],
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "version": version or row.version,
        "urgency": _URGENCIES[urgency],
        "children": made_children,
        "summary": summary,
        "respond_by": row.respond_by,
        "my_delivery": None if delivery is None else ReferralDelivery.of(delivery),
        "without_case_details": False,
        "purged": row.purged_at is not None,
    }
    if snapshot:
        fields["postcode"] = snapshot.get("postcode")
        # required_from, details, version_document_keys: _FromSnapshot, when read
        fields["_snapshot"] = snapshot
    else:
        fields["postcode"] = row.postcode
        fields["required_from"] = row.required_from
        # Live: copied now, as the row may change after (a mutation's answer).
        fields["details"] = as_json(row.details or {})
        fields["version_document_keys"] = None
    return made


def make_redacted(
    row: ReferralRow, children: list[dict[str, Any]] | None = None, urgency: str | None = None
) -> Referral:
    """:meth:`Referral.redacted` without noting the read."""
    referral = make_referral(
        row,
        {
            # A purged referral's children are age bands only: none is shown, as in of().
            "children": children
            or [{"age": c["age"], "gender": c["gender"]} for c in row.children if "age" in c],
            "summary": "",
            "urgency": urgency or row.urgency,
            "postcode": None,
            "requiredFrom": None,
            "details": {},
        },
        row.version,
        None,
    )
    referral.without_case_details = True
    return referral


# ------------------------------------------------------------ a page read without objects
# How a page's records (core.referrals.queries.ReferralPage) are read as referrals without
# making the objects (schema/rows.py): for each GraphQL field, the expression giving what
# make_referral puts in the object made from the record, for the two views a page has (a
# provider's: the delivered version's snapshot; the LA's: the live row). A redacted page has
# no lane. tests/referrals/test_lanes.py evaluates every expression on pages and compares it
# with the made object's field.

NAMESPACE = {
    "encode_id": encode_id,
    "as_json": as_json,
    "loads": loads,
    "_category": _category,
    "_STATUSES": _STATUSES,
    "_URGENCIES": _URGENCIES,
    "_GENDERS": _GENDERS,
    "_DELIVERY_STATUSES": _DELIVERY_STATUSES,
    "_CODES": _CODES,
    "_required_from": _required_from,
    "_details": _details,
}

#: A child as a snapshot or the live row holds it (only those with an age: see make_referral).
CHILD = Source(
    ReferralChild,
    {"age": '{x}["age"]', "gender": '_GENDERS[{x}["gender"]]', "needs": '{x}.get("needs")'},
)


def _columns(positions: dict[str, int], fields: dict[str, str]) -> dict[str, str]:
    """``fields`` with ``{name}`` (a column's name) replaced by its place in the record."""
    read = {}
    for field_name, expression in fields.items():
        for column, index in positions.items():
            expression = expression.replace(f"{{{column}}}", f"{{x}}[{index}]")
        read[field_name] = expression
    return read


#: What both views read from the referral's own columns.
_COMMON = {
    "id": 'encode_id("Referral", {id})',
    "reference": "{reference}",
    "category": "_category({category})",
    "status": "_STATUSES[{status}]",
    "created_at": "{created_at}",
    "sent_at": "{sent_at}",
    "respond_by": "{respond_by}",
    "purged": "{purged_at} is not None",
}
_P = queries.PROVIDER_RECORD

#: A provider's own delivery, read from its page's record (ReferralDelivery.of a DeliveryRow).
DELIVERY = Source(
    ReferralDelivery,
    _columns(
        _P,
        {
            "status": "_DELIVERY_STATUSES[{delivery_status}]",
            "version": "{delivery_version}",
            "delivered_at": "{delivered_at}",
            "decline_reason": "{decline_reason}",
            "decline_reason_code": '_CODES.get({decline_reason_code} or "")',
            "responded_at": "{responded_at}",
            "opened_at": "{opened_at}",
        },
    ),
)

#: A provider's view: the version delivered to it (make_referral given a snapshot).
PROVIDER_REFERRAL = Source(
    Referral,
    _columns(
        _P,
        {
            **_COMMON,
            "version": "{delivery_version} or {version}",
            "urgency": '_URGENCIES[{snapshot}["urgency"]]',
            "children": '[c for c in {snapshot}["children"] if "age" in c]',
            "summary": '{snapshot}["summary"]',
            "postcode": '{snapshot}.get("postcode")',
            "required_from": "_required_from({snapshot})",
            "details": "_details({snapshot})",
            "my_delivery": "{x}",
        },
    ),
    nested={"children": CHILD, "my_delivery": DELIVERY},
    let={"snapshot": f"loads({{x}}[{_P['content']}])"},
    guard=f"{{x}}[{_P['delivery_id']}] is not None and {{snapshot}}",
)

#: The LA's view: the live row (make_referral without a snapshot).
LIVE_REFERRAL = Source(
    Referral,
    _columns(
        queries.LIVE_RECORD,
        {
            **_COMMON,
            "version": "{version}",
            "urgency": "_URGENCIES[{urgency}]",
            "children": '[c for c in {children} if "age" in c]',
            "summary": "{summary}",
            "postcode": "{postcode}",
            "required_from": "{required_from}",
            "details": "as_json({details} or {})",
            "my_delivery": "None",
        },
    ),
    nested={"children": CHILD, "my_delivery": DELIVERY},
)

PROVIDER_EDGES = Lane(
    "provider referrals",
    Source(ReferralEdge, {"node": "{x}"}, nested={"node": PROVIDER_REFERRAL}),
    NAMESPACE,
)
LIVE_EDGES = Lane(
    "live referrals",
    Source(ReferralEdge, {"node": "{x}"}, nested={"node": LIVE_REFERRAL}),
    NAMESPACE,
)


def referral_for_viewer(row: queries.ReferralRow, viewer: Viewer | None) -> Referral:
    """What ``viewer`` sees of a referral, decided here for every path that reaches one (its
    list, ``node``, an offer's, a message's, an IPA's): live for its LA's staff, the delivered
    snapshot for a provider's staff, and for anyone else who reaches it (a signatory-only user,
    through an IPA or its offer) only what an IPA says of it, with no case details."""
    if not sees_case_details(viewer):
        return Referral.redacted(row.referral)
    if row.delivery is None:
        return Referral.of(row.referral)
    return Referral.of(row.referral, row.snapshot, row.delivery.version, row.delivery)


def referral_edges(page: queries.ReferralPage, viewer: Viewer | None) -> RowList[ReferralEdge]:
    """A page of referrals as :func:`referral_for_viewer` shows each, in edges: the viewer's
    rule decided once for the page, the page's reads noted at once (in its order, as
    :meth:`Referral.of` notes one). The edges are made from ``page.rows`` when first read as
    a list; the executor reads a selection of plain fields from the page's records instead
    (a provider's or the LA's lane; a redacted page has none)."""
    records = page.records
    redacted = not sees_case_details(viewer)
    key, version = _P["id"], _P["version"]  # the same places in the LA's records
    if page.provider_id is not None and not redacted:
        delivered = _P["delivery_version"]
        reads = [(r[key], r[key], r[delivered] or r[version]) for r in records]
        lane: Lane | None = PROVIDER_EDGES
    else:
        reads = [(r[key], r[key], r[version]) for r in records]
        lane = None if redacted else LIVE_EDGES
    note_reads(Subject.REFERRAL, reads)
    return RowList(records, partial(_page_edges, page, redacted), lane)


def page_cursor(record: Sequence[Any]) -> str:
    """The cursor of the edge made from a page's ``record`` (ReferralEdge.cursor_value)."""
    return encode_cursor(record[_P["created_at"]], record[_P["id"]])


def _page_edges(page: queries.ReferralPage, redacted: bool, _records: object) -> list[ReferralEdge]:
    return _redacted_edges(page.rows) if redacted else _edges(page.rows)


def _redacted_edges(rows: Sequence[queries.ReferralRow]) -> list[ReferralEdge]:
    return _edges_of([make_redacted(row.referral) for row in rows])


def _edges(rows: Sequence[queries.ReferralRow]) -> list[ReferralEdge]:
    return _edges_of(
        [
            make_referral(row.referral, None, None, None)
            if row.delivery is None
            else make_referral(row.referral, row.snapshot, row.delivery.version, row.delivery)
            for row in rows
        ]
    )


def _edges_of(nodes: list[Referral]) -> list[ReferralEdge]:
    edges = []
    for node in nodes:
        edge = _new(ReferralEdge)
        edge.__dict__ = {"node": node}
        edges.append(edge)
    return edges
