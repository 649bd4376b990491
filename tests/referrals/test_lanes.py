"""A page of referrals read straight from its rows (schema/rows.py, the lanes in
schema/referrals/making.py): every field a lane reads is what the made object holds, and the
list answers byte for byte what it answers with the objects made."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from core.referrals.queries import ReferralRow
from schema.referrals import making
from schema.referrals.types import Referral, ReferralChild, ReferralDelivery
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


PROVIDER_ROWS = [
    ReferralRow(_referral(), _delivery(), _snapshot()),
    ReferralRow(_referral(version=5), _delivery(version=0), _snapshot()),  # version 0: or
    ReferralRow(
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
    ReferralRow(
        _referral(category="FOSTERING"),
        _delivery(),
        _snapshot(requiredFrom=None, details=None, documentIds=[], postcode=None),
    ),
]
LIVE_ROWS = [
    ReferralRow(_referral()),
    ReferralRow(_referral(details=None, required_from=None, postcode=None, sent_at=None)),
    ReferralRow(_referral(children=[{"ageBand": "16-17"}], purged_at=datetime(2027, 1, 1))),
]
CASES = [
    pytest.param(making.PROVIDER_EDGES, PROVIDER_ROWS, id="provider"),
    pytest.param(making.LIVE_EDGES, LIVE_ROWS, id="live"),
]


def _read(source: Source, expression: str, row: object) -> Any:
    """What the lane reads of ``row`` with ``expression`` (one of ``source``'s)."""
    return eval(
        expression.replace("{x}", "x"), {**making.NAMESPACE, "x": row}
    )  # the lane's own expressions


def _object_fields(made: object) -> dict[str, Any]:
    """Every field ``made`` holds, as read (the private ones included; not the resolvers)."""
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    return {f.name: getattr(made, f.name) for f in fields if f.init}


def _check(source: Source, row: object, made: object) -> None:
    """Each of ``source``'s expressions on ``row`` gives ``made``'s field, nested ones too."""
    assert type(made) is source.origin
    assert _read(source, source.guard, row) if source.guard else True
    fields = _object_fields(made)
    assert set(source.fields) == set(fields)  # a field added to the objects is read here too
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


@pytest.mark.parametrize(("lane", "rows"), CASES)
def test_every_field_a_lane_reads_is_what_the_made_object_holds(
    lane: Lane, rows: list[ReferralRow]
) -> None:
    # given the edges a page makes of its rows
    edges = RowList(rows, making._edges, lane).objects()
    # then the lane reads each field of each edge, node, child and delivery from its row
    for row, edge in zip(rows, edges, strict=True):
        _check(lane.source, row, edge)


def test_the_lanes_read_every_type_a_referral_holds() -> None:
    # then: what a page's referral holds is read by both lanes
    for lane in (making.PROVIDER_EDGES, making.LIVE_EDGES):
        node = lane.source.nested["node"]
        assert node.origin is Referral
        assert node.nested["children"].origin is ReferralChild
        assert node.nested["my_delivery"].origin is ReferralDelivery


def test_each_lane_refuses_the_other_views_rows() -> None:
    # then: a provider's lane takes only delivered rows with a snapshot, the LA's only live ones
    provider = making.PROVIDER_REFERRAL
    live = making.LIVE_REFERRAL
    assert all(_read(provider, provider.guard or "", row) for row in PROVIDER_ROWS)
    assert not any(_read(provider, provider.guard or "", row) for row in LIVE_ROWS)
    assert not _read(provider, provider.guard or "", ReferralRow(_referral(), _delivery(), {}))
    assert all(_read(live, live.guard or "", row) for row in LIVE_ROWS)
    assert not any(_read(live, live.guard or "", row) for row in PROVIDER_ROWS)


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
