"""Referral objects made from rows: the one place that decides what a viewer sees of a
referral (:func:`referral_for_viewer`), for a single one or a page (:func:`referral_edges`),
made without the strawberry types' dataclass ``__init__`` (see ``_new`` in
schema/referrals/types.py; tests/referrals/test_types.py compares with ``__init__``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

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
# How a page's rows are read as referrals without making the objects (schema/rows.py): for
# each field, the expression giving what make_referral puts in the object's field, for the two
# views a page has (a provider's: the delivered version's snapshot; the LA's: the live row). A
# redacted page has no lane. tests/referrals/test_lanes.py evaluates every expression on real
# pages and compares it with the made object's attribute.
NAMESPACE = {
    "encode_id": encode_id,
    "as_json": as_json,
    "_category": _category,
    "_STATUSES": _STATUSES,
    "_URGENCIES": _URGENCIES,
    "_GENDERS": _GENDERS,
    "_DELIVERY_STATUSES": _DELIVERY_STATUSES,
    "_CODES": _CODES,
    "_required_from": _required_from,
    "_details": _details,
    "_document_keys": _document_keys,
}

#: A child as a snapshot or the live row holds it (only those with an age: see make_referral).
CHILD = Source(
    ReferralChild,
    {"age": '{x}["age"]', "gender": '_GENDERS[{x}["gender"]]', "needs": '{x}.get("needs")'},
)

#: A provider's own delivery, from a page's DeliveryRow (ReferralDelivery.of).
DELIVERY = Source(
    ReferralDelivery,
    {
        "key": "{x}.id",
        "provider_key": "{x}.provider_id",
        "status": "_DELIVERY_STATUSES[{x}.status]",
        "version": "{x}.version",
        "delivered_at": "{x}.delivered_at",
        "decline_reason": "{x}.decline_reason",
        "decline_reason_code": '_CODES.get({x}.decline_reason_code or "")',
        "responded_at": "{x}.responded_at",
        "opened_at": "{x}.opened_at",
    },
)

#: What both views read from the referral's own columns (``{x}`` is a page's ReferralRow).
_COMMON = {
    "id": 'encode_id("Referral", {x}.referral.id)',
    "key": "{x}.referral.id",
    "local_authority_key": "{x}.referral.local_authority_id",
    "reference": "{x}.referral.reference",
    "category": "_category({x}.referral.category)",
    "status": "_STATUSES[{x}.referral.status]",
    "created_at": "{x}.referral.created_at",
    "sent_at": "{x}.referral.sent_at",
    "respond_by": "{x}.referral.respond_by",
    "without_case_details": "False",
    "purged": "{x}.referral.purged_at is not None",
}

#: A provider's view: the version delivered to it (make_referral given a snapshot).
PROVIDER_REFERRAL = Source(
    Referral,
    {
        **_COMMON,
        "version": "{x}.delivery.version or {x}.referral.version",
        "urgency": '_URGENCIES[{x}.snapshot["urgency"]]',
        "children": '[c for c in {x}.snapshot["children"] if "age" in c]',
        "summary": '{x}.snapshot["summary"]',
        "postcode": '{x}.snapshot.get("postcode")',
        "required_from": "_required_from({x}.snapshot)",
        "details": "_details({x}.snapshot)",
        "version_document_keys": "_document_keys({x}.snapshot)",
        "my_delivery": "{x}.delivery",
    },
    nested={"children": CHILD, "my_delivery": DELIVERY},
    guard="{x}.delivery is not None and {x}.snapshot",
)

#: The LA's view: the live row (make_referral without a snapshot).
LIVE_REFERRAL = Source(
    Referral,
    {
        **_COMMON,
        "version": "{x}.referral.version",
        "urgency": "_URGENCIES[{x}.referral.urgency]",
        "children": '[c for c in {x}.referral.children if "age" in c]',
        "summary": "{x}.referral.summary",
        "postcode": "{x}.referral.postcode",
        "required_from": "{x}.referral.required_from",
        "details": "as_json({x}.referral.details or {})",
        "version_document_keys": "None",
        "my_delivery": "None",
    },
    nested={"children": CHILD, "my_delivery": DELIVERY},
    guard="{x}.delivery is None",
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


def referral_edges(rows: list[queries.ReferralRow], viewer: Viewer | None) -> RowList[ReferralEdge]:
    """A page of referrals as :func:`referral_for_viewer` shows each, in edges: the viewer's
    rule decided once for the page, the page's reads noted at once (in its order, as
    :meth:`Referral.of` notes one). The edges are made when first read as a list; the
    executor reads a selection of plain fields from the rows instead (a provider's or the
    LA's lane; a redacted page has none)."""
    redacted = not sees_case_details(viewer)
    if redacted:
        reads = [(row.referral.id, row.referral.id, row.referral.version) for row in rows]
        lane = None
    else:
        reads = [
            (
                row.referral.id,
                row.referral.id,
                (None if row.delivery is None else row.delivery.version) or row.referral.version,
            )
            for row in rows
        ]
        lane = PROVIDER_EDGES if rows and rows[0].delivery is not None else LIVE_EDGES
    note_reads(Subject.REFERRAL, reads)
    return RowList(rows, _redacted_edges if redacted else _edges, lane)


def page_cursor(row: queries.ReferralRow) -> str:
    """The cursor of the edge made from ``row`` (ReferralEdge.cursor_value)."""
    return encode_cursor(row.referral.created_at, row.referral.id)


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
