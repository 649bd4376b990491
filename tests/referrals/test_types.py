"""Referral.of makes its strawberry types without their dataclass ``__init__``: the same
instances as ``__init__`` makes, every field set."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

from schema.referrals.types import Referral, ReferralChild, ReferralDelivery


def _row() -> SimpleNamespace:
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
        children=[{"age": 14, "gender": "FEMALE", "needs": "x"}, {"band": "0-4"}],
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


def test_a_live_referral_is_made_as_its_init_makes_it() -> None:
    # given / when
    made = Referral.of(_row())  # type: ignore[arg-type]
    # then
    again = _as_init_makes(made)
    assert made.__dict__ == again.__dict__
    assert made == again
    assert [c.__dict__ for c in made.children] == [c.__dict__ for c in again.children]  # type: ignore[attr-defined]
    assert [type(c) for c in made.children] == [ReferralChild]


def test_a_providers_referral_is_made_as_its_init_makes_it() -> None:
    # given
    snapshot = {
        "children": [{"age": 9, "gender": "MALE"}],
        "summary": "Delivered",
        "urgency": "WITHIN_5_DAYS",
        "requiredFrom": "2026-03-01",
        "documentIds": [str(uuid.uuid4())],
    }
    # when
    made = Referral.of(_row(), snapshot, 2, _delivery())  # type: ignore[arg-type]
    # then
    again = _as_init_makes(made)
    assert made.__dict__ == again.__dict__
    assert made == again
    assert type(made.my_delivery) is ReferralDelivery
    assert made.my_delivery.__dict__.keys() == again.my_delivery.__dict__.keys()  # type: ignore[attr-defined]
