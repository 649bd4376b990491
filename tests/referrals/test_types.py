"""Referral.of makes its strawberry types without their dataclass ``__init__``: the same
instances as ``__init__`` makes, every field set (a provider's view makes three of them from
its snapshot when first read); a page of them notes the same reads as one by one."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from schema.referrals.types import (
    Referral,
    ReferralChild,
    ReferralDelivery,
)

#: Read when the field is (a provider's view: from its snapshot).
LAZY = ("required_from", "details", "version_document_keys")


def _row(*, purged: bool = True) -> SimpleNamespace:
    """A referral's row; ``purged``: one of its children is an age band only."""
    band = [{"band": "0-4"}] if purged else []
    return SimpleNamespace(
        id=uuid.uuid4(),
        local_authority_id=uuid.uuid4(),
        reference="BIR-2026-000042",
        category="RESIDENTIAL",
        status="SENT",
        version=3,
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        sent_at=datetime(2026, 1, 3, tzinfo=UTC),
        purged_at=None,
        respond_by=None,
        urgency="TODAY",
        children=[{"age": 14, "gender": "FEMALE", "needs": "x"}, *band],
        summary="A summary",
        postcode="B1 1AA",
        required_from=date(2026, 2, 1),
        details={"a": 1},
    )


def _delivery() -> SimpleNamespace:
    return SimpleNamespace(
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


def _as_init_makes(made: object) -> object:
    """``made`` again, through its type's ``__init__`` (objects inside it too)."""
    values = {}
    for field in dataclasses.fields(made):  # type: ignore[arg-type]
        if field.init:
            value = getattr(made, field.name)
            if dataclasses.is_dataclass(value):
                value = _as_init_makes(value)
            elif isinstance(value, list):
                value = [_as_init_makes(v) if dataclasses.is_dataclass(v) else v for v in value]
            values[field.name] = value
    return type(made)(**values)


def _snapshot() -> dict[str, object]:
    return {
        "children": [{"age": 9, "gender": "MALE"}, {"band": "5-9"}],
        "summary": "Delivered",
        "urgency": "WITHIN_5_DAYS",
        "postcode": "B2 2BB",
        "requiredFrom": "2026-03-01",
        "details": {"school": "St Mary's", "needs": ["a", "b"]},
        "documentIds": [str(uuid.uuid4()), str(uuid.uuid4())],
    }


def _fields(made: object) -> dict[str, object]:
    """Every dataclass field of ``made``, as read (a snapshot's fields made on the way)."""
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    return {f.name: getattr(made, f.name) for f in fields if f.init}


def test_a_live_referral_is_made_as_its_init_makes_it() -> None:
    # given / when
    made = Referral.of(_row())  # type: ignore[arg-type]
    # then
    again = _as_init_makes(made)
    assert made.__dict__ == again.__dict__
    assert made.details is not _row().details
    assert made == again
    assert [c.__dict__ for c in made.children] == [c.__dict__ for c in again.children]  # type: ignore[attr-defined]
    assert [type(c) for c in made.children] == [ReferralChild]


def test_a_providers_referral_is_made_as_its_init_makes_it() -> None:
    # given
    snapshot = _snapshot()
    # when
    made = Referral.of(_row(), snapshot, 2, _delivery())  # type: ignore[arg-type]
    # then
    again = _as_init_makes(made)
    assert _fields(made) == _fields(again)
    assert {k: v for k, v in made.__dict__.items() if k != "_snapshot"} == again.__dict__
    assert made == again
    assert type(made.my_delivery) is ReferralDelivery
    assert made.my_delivery.__dict__.keys() == again.my_delivery.__dict__.keys()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "snapshot",
    [
        _snapshot(),
        {"children": [], "summary": "", "urgency": "TODAY"},
        {"children": [], "summary": "", "urgency": "TODAY", "requiredFrom": None, "details": None},
    ],
)
def test_a_snapshots_fields_are_made_when_read_as_they_were_made_at_once(
    snapshot: dict[str, object],
) -> None:
    # given
    made = Referral.of(_row(), snapshot, 2)  # type: ignore[arg-type]
    assert not set(LAZY) & made.__dict__.keys()
    stamp = snapshot.get("requiredFrom")
    # when
    read = {name: getattr(made, name) for name in LAZY}
    # then
    assert read == {
        "required_from": date.fromisoformat(stamp) if isinstance(stamp, str) else None,
        "details": snapshot.get("details") or {},
        "version_document_keys": tuple(
            uuid.UUID(key)
            for key in snapshot.get("documentIds") or ()  # type: ignore[attr-defined]
        ),
    }
    assert made.details is not snapshot.get("details")
    assert all(made.__dict__[name] is getattr(made, name) for name in LAZY)  # made once


def test_the_class_shows_its_lazy_fields_as_the_dataclass_left_them() -> None:
    # then
    assert Referral.version_document_keys is None
    assert not hasattr(Referral, "details")
    assert not hasattr(Referral, "required_from")
    made = Referral(**_fields(Referral.of(_row(), _snapshot(), 2)))  # type: ignore[arg-type]
    assert made.details == _snapshot()["details"]


def test_a_redacted_referral_is_made_as_its_init_makes_it() -> None:
    # given / when
    made = Referral.redacted(_row(purged=False))  # type: ignore[arg-type]
    # then
    again = _as_init_makes(made)
    assert _fields(made) == _fields(again)
    assert made.without_case_details is True
    assert made.details == {}
    assert made.version_document_keys == ()


def test_a_purged_referral_redacted_for_a_signatory_shows_no_child() -> None:
    # given: a purged referral keeps its children as age bands only
    row = _row()
    row.children = [{"ageBand": "10-15"}, {"ageBand": "16-17"}]
    row.purged_at = datetime(2027, 1, 1, tzinfo=UTC)
    # when: a signatory-only user reaches it through an IPA (no children from its terms)
    made = Referral.redacted(row)  # type: ignore[arg-type]
    # then
    assert made.children == []
    assert made.purged is True
