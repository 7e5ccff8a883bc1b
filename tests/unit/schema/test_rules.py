"""Cross-field activity rules (domain.md §1.2, §1.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.schema import vocabularies as v
from app.schema.rules import cross_field_problems, reporting_year

D = dt.date

CASES = [
    ({"start_date": D(2025, 1, 2), "end_date": D(2025, 1, 1)}, "end_date", "must not be before"),
    (
        {"format": v.RSS, "start_date": D(2025, 1, 1), "end_date": D(2026, 1, 3)},
        "end_date",
        "12 months",
    ),
    (
        {"format": v.ENDURING, "start_date": D(2025, 1, 1), "end_date": D(2028, 3, 1)},
        "end_date",
        "3 years",
    ),
    ({"state": "TX", "country": "CAN"}, "state", "only for activities in the USA"),
]
FINE = [
    {"start_date": D(2025, 1, 1), "end_date": D(2025, 1, 1)},
    {"format": v.RSS, "start_date": D(2025, 1, 1), "end_date": D(2025, 12, 31)},
    {"format": v.ENDURING, "start_date": D(2025, 1, 1), "end_date": D(2027, 12, 31)},
    {"state": "TX", "country": "USA"},
    {"start_date": None, "end_date": D(2025, 1, 1)},
]


@pytest.mark.parametrize(("values", "field", "words"), CASES)
def test_problem_names_field(values: dict, field: str, words: str) -> None:
    problems = cross_field_problems(values)
    assert [p.field for p in problems] == [field]
    assert words in problems[0].message


@pytest.mark.parametrize("values", FINE)
def test_valid_values_pass(values: dict) -> None:
    assert cross_field_problems(values) == []


def test_reporting_year_is_the_start_year() -> None:
    assert reporting_year(D(2024, 12, 31)) == 2024
