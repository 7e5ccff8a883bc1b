"""Reading and writing activity values by schema kind: every message names its field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.schema.fields import ACTIVITY_FIELDS, FIELDS_BY_NAME, Kind, file_columns
from app.schema.values import Support, ValueProblem, format_value, parse_value, plain_decimal

F = FIELDS_BY_NAME

GOOD = [
    ("title", "  Grand Rounds  ", "Grand Rounds"),
    ("credits", "1.25", Decimal("1.25")),
    ("credits", "12", Decimal("12")),
    ("physician_learners", "1,040", 1040),
    ("physician_learners", "0", 0),
    ("start_date", "03/01/2025", dt.date(2025, 3, 1)),
    ("start_date", "2025-03-01", dt.date(2025, 3, 1)),
    ("format", "live course", "Live Course"),
    ("delivery_methods", "Online; in-person;Online", ["Online", "In-Person"]),
    ("cme_finder", "Yes", True),
    ("cme_finder", "no", False),
    ("rems_id", "EG-123456-001", "EG-123456-001"),
    ("pharmacy_uan", "JA0000123-0000-25-001-L01-P", "JA0000123-0000-25-001-L01-P"),
    ("activity_url", "https://cme.example.org/a/1", "https://cme.example.org/a/1"),
    ("joint_providers", "Clinic A; Clinic B", ["Clinic A", "Clinic B"]),
    (
        "commercial_supports",
        "Acme Pharma: 5,000; Device Co: In-kind",
        [
            Support("Acme Pharma", "Monetary", Decimal("5000")),
            Support("Device Co", "In-kind", None),
        ],
    ),
]

BAD = [
    ("title", "x" * 501, "Activity Title: is 501 characters long; the limit is 500."),
    ("credits", "1.3", "AMA PRA Category 1 Credits: must be in steps of 0.25"),
    ("credits", "0", "AMA PRA Category 1 Credits: must be at least 0.25."),
    ("credits", "abc", "AMA PRA Category 1 Credits: 'abc' is not a number."),
    ("credits", "NaN", "AMA PRA Category 1 Credits: 'NaN' is not a number."),
    ("physician_learners", "-1", "Physician Learners: must be at least 0."),
    ("physician_learners", "2.5", "Physician Learners: '2.5' must be a whole number."),
    ("start_date", "31/12/2025", "Start Date: '31/12/2025' is not a date (use MM/DD/YYYY)."),
    ("start_date", "2025-02-30", "Start Date: '2025-02-30' is not a date"),
    ("format", "Webinar", "Activity Format: 'Webinar' is not an allowed value"),
    (
        "delivery_methods",
        "Online; Teleport",
        "Delivery Methods: 'Teleport' is not an allowed value",
    ),
    ("cme_finder", "Maybe", "CME Finder: 'Maybe' must be Yes or No."),
    ("rems_id", "12345", "REMS RPC ID: '12345' is not valid: use the RPC identifier"),
    ("pharmacy_uan", "JA-1", "Pharmacy UAN: 'JA-1' is not valid"),
    ("activity_url", "javascript:alert(1)", "Activity URL: 'javascript:alert(1)' is not valid"),
    (
        "description",
        "d" * 2501,
        "Activity Description: is 2501 characters long; the limit is 2500.",
    ),
    ("commercial_supports", "Acme", "Commercial Support Sources: 'Acme' must be 'Source: amount'"),
    ("commercial_supports", "Acme: 0", "the amount from 'Acme' must be more than 0."),
    ("commercial_supports", "Acme: lots", "Commercial Support Sources: 'lots' is not a number."),
]


@pytest.mark.parametrize(("name", "raw", "expected"), GOOD)
def test_accepted_values(name: str, raw: str, expected: object) -> None:
    assert parse_value(F[name], raw) == expected


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_refused_values_name_their_field(name: str, raw: str, message: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_value(F[name], raw)
    assert caught.value.field == name
    assert str(caught.value).startswith(F[name].label + ":")
    assert message in str(caught.value)


@pytest.mark.parametrize("spec", ACTIVITY_FIELDS, ids=lambda s: s.name)
def test_blank_is_not_given(spec) -> None:
    blank = parse_value(spec, "   ")
    list_kinds = {Kind.MULTI_CHOICE, Kind.NAME_LIST, Kind.SUPPORT_LIST}
    assert blank == ([] if spec.kind in list_kinds else None)


def test_formatting_round_trips_through_parsing() -> None:
    samples = {
        "credits": Decimal("1.50"),
        "start_date": dt.date(2025, 12, 31),
        "cme_finder": True,
        "delivery_methods": ["In-Person", "Online"],
        "physician_learners": 1040,
    }
    for name, value in samples.items():
        spec = F[name]
        assert parse_value(spec, str(format_value(spec.kind, value))) == value


def test_decimals_are_written_plainly() -> None:
    assert str(plain_decimal(Decimal("100.00"))) == "100"
    assert str(plain_decimal(Decimal("1.50"))) == "1.5"


def test_file_columns_are_unique_and_complete() -> None:
    columns = file_columns()
    assert len(columns) == len(set(columns))
    assert {f.label for f in ACTIVITY_FIELDS} <= set(columns)
    assert "ABIM MOC Points" in columns and "IPCE Credits" in columns
    assert "Nurse Learners" in columns


def test_display_value_as_screens_show_it() -> None:
    from app.schema.values import display_value

    assert display_value(None) == ""
    assert display_value(True) == "Yes" and display_value(False) == "No"
    assert display_value(dt.date(2025, 3, 1)) == "03/01/2025"
    assert str(display_value(Decimal("3.00"))) == "3"
    assert display_value(["In-Person", "Online"]) == "In-Person; Online"
    assert display_value("Grand Rounds") == "Grand Rounds"
