"""The JSON-Schema form component: a plugin's schema as fields, the posted form as JSON."""

from __future__ import annotations

from plugins.family_assessment.plugin import REFERRAL_DETAILS_SCHEMA as FAMILY_REFERRAL
from plugins.fostering.plugin import OFFER_DETAILS_SCHEMA as FOSTERING_OFFER
from plugins.supported_accommodation.plugin import SETTINGS_SCHEMA as SUPPORTED_SETTINGS
from web.jsonschema_form import parse_form, schema_fields

SCHEMA = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["A_ONE", "B_TWO"], "title": "Kind of place"},
        "beds": {"type": "integer", "minimum": 1, "description": "How many"},
        "hours": {"type": "number"},
        "pets": {"type": "boolean"},
        "notes": {"type": "string", "maxLength": 4000},
        "risks": {"type": "array", "items": {"type": "string"}},
        "kinds": {"type": "array", "items": {"enum": ["X", "Y", "Z"]}},
        "approvedOn": {"type": "string", "format": "date"},
    },
}


def test_each_schema_type_becomes_its_govuk_field() -> None:
    fields = {f.name: f for f in schema_fields(SCHEMA, "details")}
    assert fields["details.kind"].kind == "radios"
    assert fields["details.kind"].label == "Kind of place"
    assert fields["details.kind"].options == [("A_ONE", "A one"), ("B_TWO", "B two")]
    assert fields["details.kind"].required
    assert fields["details.beds"].kind == "integer"
    assert fields["details.beds"].hint == "How many"
    assert fields["details.hours"].kind == "number"
    assert fields["details.pets"].kind == "boolean"
    assert fields["details.notes"].kind == "textarea"
    assert fields["details.risks"].kind == "lines"
    assert fields["details.kinds"].kind == "checkboxes"
    assert fields["details.approvedOn"].kind == "date"
    assert fields["details.approvedOn"].label == "Approved on"


def test_the_posted_form_becomes_typed_json() -> None:
    posted = {
        "details.kind": "B_TWO",
        "details.beds": "3",
        "details.hours": "12.5",
        "details.pets": "false",
        "details.notes": "  quiet house ",
        "details.risks": "absconding\n\n exploitation ",
        "details.kinds": ["X", "Z"],
        "details.approvedOn-day": "3",
        "details.approvedOn-month": "12",
        "details.approvedOn-year": "2026",
    }
    value, problems = parse_form(SCHEMA, "details", posted)
    assert problems == []
    assert value == {
        "kind": "B_TWO",
        "beds": 3,
        "hours": 12.5,
        "pets": False,
        "notes": "quiet house",
        "risks": ["absconding", "exploitation"],
        "kinds": ["X", "Z"],
        "approvedOn": "2026-12-03",
    }


def test_empty_optional_fields_are_left_out() -> None:
    value, problems = parse_form(SCHEMA, "details", {"details.kind": "A_ONE", "details.beds": ""})
    assert value == {"kind": "A_ONE"}
    assert problems == []


def test_problems_point_at_their_fields() -> None:
    posted = {
        "details.beds": "two",
        "details.hours": "1.5.2",
        "details.approvedOn-day": "31",
        "details.approvedOn-month": "2",
        "details.approvedOn-year": "2026",
    }
    _, problems = parse_form(SCHEMA, "details", posted)
    assert dict(problems) == {
        "details.beds": "Beds must be a number",
        "details.hours": "Hours must be a number",
        "details.approvedOn": "Approved on must be a real date",
        "details.kind": "Select kind of place",
    }


def test_a_nested_object_and_an_array_of_objects_round_trip() -> None:
    # given the fostering offer's family, with two carers
    details = {
        "family": {
            "label": "The Smiths",
            "carers": [{"name": "Jo Smith"}, {"name": "Sam Smith", "approvedOn": "2024-05-01"}],
            "bedrooms": 2,
        }
    }
    fields = schema_fields(FOSTERING_OFFER, "details", details)
    family = next(f for f in fields if f.name == "details.family")
    carers = next(f for f in family.children if f.name == "details.family.carers")
    # then each carer has a fieldset, and one more is offered
    assert [c.label for c in carers.children] == ["Carer 1", "Carer 2", "Carer 3"]
    # when those fields are posted back as a browser would
    posted = {
        "details.family.label": "The Smiths",
        "details.family.carers.0.name": "Jo Smith",
        "details.family.carers.1.name": "Sam Smith",
        "details.family.carers.1.approvedOn-day": "1",
        "details.family.carers.1.approvedOn-month": "5",
        "details.family.carers.1.approvedOn-year": "2024",
        "details.family.carers.2.name": "",
        "details.family.bedrooms": "2",
    }
    value, problems = parse_form(FOSTERING_OFFER, "details", posted)
    # then the JSON is as it was
    assert problems == []
    assert value == details


def test_required_fields_left_empty_are_named() -> None:
    _, problems = parse_form(FOSTERING_OFFER, "details", {"details.family.label": ""})
    assert dict(problems) == {
        "details.family.label": "Enter label",
        "details.family.carers.0.name": "Add at least one carer",
    }


def test_an_array_of_enums_is_checkboxes_and_enums_in_objects_are_radios() -> None:
    settings = {f.name: f for f in schema_fields(SUPPORTED_SETTINGS, "settings")}
    assert any(f.kind == "checkboxes" for f in settings.values())
    parents = next(f for f in schema_fields(FAMILY_REFERRAL, "details") if f.kind == "items")
    role = next(c for c in parents.children[0].children if c.name.endswith(".role"))
    assert role.kind == "radios"
