"""A page of referrals read straight from its rows (schema/rows.py, the lanes in
schema/referrals/making.py): every field a lane reads is what the made object holds, and the
list answers byte for byte what it answers with the objects made."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from strawberry.types.private import is_private

from core.access import PROVIDER_STAFF
from core.children.access_log import AccessChannel, AccessLog, reading
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.referrals import queries
from schema.referrals import making
from schema.referrals.types import (
    Referral,
    ReferralChild,
    ReferralDelivery,
    referral_for_viewer,
)
from schema.rows import Lane, RowList, Source
from tests.people import People
from tests.referrals.test_page_at_driver import _world


def _referral(**changes: Any) -> SimpleNamespace:
    row = SimpleNamespace(
        id=uuid.uuid4(),
        local_authority_id=uuid.uuid4(),
        reference="BIR-2026-000042",
        category="RESIDENTIAL",
        status="SENT",
        version=3,
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        sent_at=datetime(2026, 1, 3, tzinfo=UTC),
        purged_at=None,
        respond_by=datetime(2026, 1, 9, tzinfo=UTC),
        urgency="TODAY",
        children=[{"age": 14, "gender": "FEMALE", "needs": "x"}, {"age": 3, "gender": "MALE"}],
        summary="A summary",
        postcode="B1 1AA",
        required_from=date(2026, 2, 1),
        details={"a": [1, {"b": None}]},
    )
    row.__dict__.update(changes)
    return row


def _delivery(**changes: Any) -> SimpleNamespace:
    row = SimpleNamespace(
        id=uuid.uuid4(),
        provider_id=uuid.uuid4(),
        status="NEW",
        version=2,
        delivered_at=datetime(2026, 1, 3, tzinfo=UTC),
        decline_reason=None,
        decline_reason_code=None,
        responded_at=None,
        opened_at=None,
    )
    row.__dict__.update(changes)
    return row


def _snapshot(**changes: Any) -> dict[str, Any]:
    return {
        "children": [{"age": 9, "gender": "MALE", "needs": "n"}, {"ageBand": "5-9"}],
        "summary": "Delivered",
        "urgency": "WITHIN_5_DAYS",
        "postcode": "B2 2BB",
        "requiredFrom": "2026-03-01",
        "details": {"school": "St Mary's"},
        "documentIds": [str(uuid.uuid4())],
        **changes,
    }


def _provider_record(referral: SimpleNamespace, delivery: SimpleNamespace, snapshot: Any) -> tuple:
    """A provider's page record (core.referrals.queries.PROVIDER_RECORD) of these rows."""
    values = {
        **{c.key: getattr(referral, c.key) for c in queries.LIST_COLUMNS},
        "delivery_id": delivery.id,
        "delivery_status": delivery.status,
        "delivery_version": delivery.version,
        "content": orjson.dumps(snapshot).decode(),
        **{
            name: getattr(delivery, name)
            for name in queries.PROVIDER_RECORD
            if hasattr(delivery, name) and name not in ("id", "status", "version")
        },
    }
    return tuple(values[name] for name in queries.PROVIDER_RECORD)


def _live_record(referral: SimpleNamespace) -> tuple:
    """The LA's page record (core.referrals.queries.LIVE_RECORD) of this row."""
    return tuple(getattr(referral, name) for name in queries.LIVE_RECORD)


PROVIDER = uuid.uuid4()
PROVIDER_PAGE = queries.ReferralPage(
    [
        _provider_record(_referral(), _delivery(), _snapshot()),
        _provider_record(_referral(version=5), _delivery(version=0), _snapshot()),  # 0: or
        _provider_record(
            _referral(purged_at=datetime(2027, 1, 1, tzinfo=UTC), status="WITHDRAWN"),
            _delivery(
                status="DECLINED",
                decline_reason="No room.",
                decline_reason_code="NO_VACANCY",
                responded_at=datetime(2026, 1, 4, tzinfo=UTC),
                opened_at=datetime(2026, 1, 4, tzinfo=UTC),
            ),
            {"children": [{"ageBand": "10-15"}], "summary": "", "urgency": "TODAY"},
        ),
        _provider_record(
            _referral(category="FOSTERING"),
            _delivery(),
            _snapshot(requiredFrom=None, details=None, documentIds=[], postcode=None),
        ),
    ],
    False,
    PROVIDER,
)
LIVE_PAGE = queries.ReferralPage(
    [
        _live_record(_referral()),
        _live_record(_referral(details=None, required_from=None, postcode=None, sent_at=None)),
        _live_record(_referral(children=[{"ageBand": "16-17"}], purged_at=datetime(2027, 1, 1))),
    ],
    True,
)
CASES = [
    pytest.param(making.PROVIDER_EDGES, PROVIDER_PAGE, id="provider"),
    pytest.param(making.LIVE_EDGES, LIVE_PAGE, id="live"),
]


def _read(source: Source, expression: str, row: object) -> Any:
    """What the lane reads of ``row`` with ``expression`` (one of ``source``'s, its ``let``
    names computed first)."""
    namespace = {**making.NAMESPACE, "x": row}
    for name, let in source.let.items():
        namespace[f"let_{name}"] = eval(let.replace("{x}", "x"), namespace)
    for name in source.let:
        expression = expression.replace(f"{{{name}}}", f"let_{name}")
    return eval(expression.replace("{x}", "x"), namespace)


def _plain_fields(made: object) -> dict[str, Any]:
    """Every GraphQL field of ``made`` without a resolver, as read."""
    definition = type(made).__strawberry_definition__  # type: ignore[attr-defined]
    names = [
        f.python_name
        for f in definition.fields
        if f.base_resolver is None
        and not (f.type_annotation and is_private(f.type_annotation.annotation))
    ]
    return {name: getattr(made, name) for name in names}


def _check(source: Source, row: object, made: object) -> None:
    """Each of ``source``'s expressions on ``row`` gives ``made``'s field, nested ones too."""
    assert type(made) is source.origin
    assert _read(source, source.guard, row) if source.guard else True
    fields = _plain_fields(made)
    assert set(source.fields) == set(fields)  # a field added to the type is read here too
    for name, expression in source.fields.items():
        value = _read(source, expression, row)
        nested = source.nested.get(name)
        if nested is None:
            assert value == fields[name], name
            assert type(value) is type(fields[name]), name
        elif isinstance(fields[name], list):
            assert len(value) == len(fields[name]), name
            for item_row, item in zip(value, fields[name], strict=True):
                _check(nested, item_row, item)
        elif fields[name] is None:
            assert value is None, name
        else:
            _check(nested, value, fields[name])


@pytest.mark.parametrize(("lane", "page"), CASES)
def test_every_field_a_lane_reads_is_what_the_made_object_holds(
    lane: Lane, page: queries.ReferralPage
) -> None:
    # given the edges a page makes of its rows
    edges = making._edges(page.rows)
    # then the lane reads each field of each edge, node, child and delivery from its record
    for record, edge in zip(page.records, edges, strict=True):
        _check(lane.source, record, edge)


def test_the_lanes_read_every_type_a_referral_holds() -> None:
    # then: what a page's referral holds is read by both lanes
    for lane in (making.PROVIDER_EDGES, making.LIVE_EDGES):
        node = lane.source.nested["node"]
        assert node.origin is Referral
        assert node.nested["children"].origin is ReferralChild
        assert node.nested["my_delivery"].origin is ReferralDelivery


def test_a_providers_lane_refuses_a_record_without_a_snapshot() -> None:
    # given
    provider = making.PROVIDER_REFERRAL
    empty = _provider_record(_referral(), _delivery(), {})
    # then
    assert all(_read(provider, provider.guard or "", r) for r in PROVIDER_PAGE.records)
    assert not _read(provider, provider.guard or "", empty)


def _signatory() -> Viewer:
    return Viewer(
        organisation_id=uuid.uuid4(),
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_SIGNATORY}),
        user_id=uuid.uuid4(),
    )


@pytest.mark.parametrize(
    ("page", "viewer", "lane"),
    [
        pytest.param(PROVIDER_PAGE, lambda: _provider(), making.PROVIDER_EDGES, id="provider"),
        # (only case staff may list referrals: a redacted page is the one rule's fallback)
        pytest.param(LIVE_PAGE, lambda: _signatory(), None, id="redacted"),
        pytest.param(LIVE_PAGE, lambda: _caseworker(), making.LIVE_EDGES, id="live"),
    ],
)
def test_a_page_notes_its_reads_and_cursors_as_its_edges_would(
    page: queries.ReferralPage, viewer: Any, lane: Lane | None
) -> None:
    # given
    who = viewer()
    log = AccessLog(None, enabled=False)  # type: ignore[arg-type]
    # when
    with reading(log, who, AccessChannel.API, None) as one_by_one:
        each = [referral_for_viewer(row, who) for row in page.rows]
    with reading(log, who, AccessChannel.API, None) as at_once:
        edges = making.referral_edges(page, who)
    # then the same reads, in the same order; the same referrals and cursors
    assert list(at_once.reads.items()) == list(one_by_one.reads.items())
    assert len(at_once.reads) == len(page.records)
    assert edges.lane is lane
    assert [making.page_cursor(r) for r in page.records] == [e.cursor_value() for e in edges]
    assert [_plain_fields(e.node) for e in edges] == [_plain_fields(r) for r in each]


def _provider() -> Viewer:
    return Viewer(
        organisation_id=PROVIDER,
        organisation_kind=OrganisationKind.PROVIDER,
        roles=frozenset(PROVIDER_STAFF),
        user_id=uuid.uuid4(),
    )


def _caseworker() -> Viewer:
    return Viewer(
        organisation_id=uuid.uuid4(),
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_CASEWORKER}),
        user_id=uuid.uuid4(),
    )


# ---------------------------------------------------------------- through the API

SELECTIONS = {
    "the bench's": "id reference category status urgency summary children { age gender } "
    "myDelivery { status version }",
    "every plain field": "id reference category status createdAt sentAt version urgency "
    "summary postcode requiredFrom details respondBy purged children { age gender needs } "
    "myDelivery { status version deliveredAt declineReason declineReasonCode respondedAt "
    "openedAt }",
    "aliases and typenames": "__typename ref: reference again: reference kids: children "
    "{ __typename years: age } myDelivery { __typename v: version }",
    "a fragment": "...Fields",
    # not read by the lane: a resolver below the edge, the node or the delivery
    "a resolver (localAuthority)": "id localAuthority { name }",
    "a resolver (myDelivery.id)": "reference myDelivery { id status }",
}
FRAGMENT = "fragment Fields on Referral { id summary children { needs } }"


def _query(selection: str, edge: str = "") -> str:
    fragment = FRAGMENT if "...Fields" in selection else ""
    return (
        f"query ($first: Int, $after: String) {{ referrals(first: $first, after: $after) {{ "
        f"totalCount pageInfo {{ endCursor }} edges {{ {edge} node {{ {selection} }} }} }} }} "
        f"{fragment}"
    )


async def _answers(client: Any, requests: list[tuple[str, str, dict[str, Any]]]) -> list[bytes]:
    bodies = []
    for token, query, variables in requests:
        response = await client.post(query, variables, token=token)
        assert response.status_code == 200
        bodies.append(response.content)
    return bodies


def _lanes_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each page's lane read it (True) or its objects were made (False)."""
    used: list[bool] = []
    objects = RowList.objects

    def counted(self: RowList[Any]) -> Any:
        if self._objects is None and self.lane is not None:
            used.append(False)
        return objects(self)

    monkeypatch.setattr(RowList, "objects", counted)
    return used


async def test_the_list_answers_the_same_read_from_its_rows(
    people: People, la: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an LA's referrals, delivered to a provider, one changed since and one declined
    _, _, caseworker, provider = await _world(people, la, client)
    requests = []
    for person in (caseworker, provider):
        for selection in SELECTIONS.values():
            requests.append((person.token, _query(selection), {"first": 50}))
            requests.append((person.token, _query(selection), {"first": 2}))
        requests.append((person.token, _query("id", edge="cursor"), {"first": 50}))
    # when the list is read through the lanes, then with every page's objects made
    made = _lanes_used(monkeypatch)
    through_lanes = await _answers(client, requests)
    laned = len(requests) - len(made)
    monkeypatch.setattr(making, "PROVIDER_EDGES", None)
    monkeypatch.setattr(making, "LIVE_EDGES", None)
    with_objects = await _answers(client, requests)
    # then the answers are the same, byte for byte, and the lanes read the plain selections
    assert through_lanes == with_objects
    answers = [orjson.loads(body) for body in through_lanes]
    assert all("errors" not in answer for answer in answers)
    assert all(answer["data"]["referrals"]["edges"] for answer in answers)
    assert laned == 2 * 2 * 4  # two viewers, two page sizes, four selections of plain fields
