"""A provider's next deadline (domain.md §2.2, §6.2): a reporting year's data is due by
March 31 of the next year; the next deadline is the earlier of that date and the end of
the accreditation term."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.deadlines import (
    Deadline,
    annual_report_due,
    next_deadline,
    open_reporting_year,
)

D = dt.date


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (D(2026, 1, 1), 2025),
        (D(2026, 3, 30), 2025),
        (D(2026, 3, 31), 2025),
        (D(2026, 4, 1), 2026),
        (D(2026, 12, 31), 2026),
        (D(2024, 2, 29), 2023),
    ],
)
def test_open_reporting_year(today: dt.date, year: int) -> None:
    """Last year's data stays open up to and including March 31; from April 1 the
    current year is the one due next."""
    assert open_reporting_year(today) == year


def test_annual_report_due_is_march_31_of_the_next_year() -> None:
    assert annual_report_due(2025) == D(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "label", "due", "days_left"),
    [
        (D(2026, 3, 30), "2025 annual report due", D(2026, 3, 31), 1),
        (D(2026, 3, 31), "2025 annual report due", D(2026, 3, 31), 0),
        (D(2026, 4, 1), "2026 annual report due", D(2027, 3, 31), 364),
        (D(2026, 1, 1), "2025 annual report due", D(2026, 3, 31), 89),
    ],
)
def test_next_deadline_without_a_term(
    today: dt.date, label: str, due: dt.date, days_left: int
) -> None:
    deadline = next_deadline(today)
    assert deadline == Deadline(label, due)
    assert deadline.days_left(today) == days_left


@pytest.mark.parametrize(
    ("today", "term_end", "expected"),
    [
        pytest.param(
            D(2026, 1, 10),
            D(2026, 2, 28),
            Deadline("Accreditation term ends", D(2026, 2, 28)),
            id="term ends before the report is due",
        ),
        pytest.param(
            D(2026, 1, 10),
            D(2026, 12, 31),
            Deadline("2025 annual report due", D(2026, 3, 31)),
            id="term ends after the report is due",
        ),
        pytest.param(
            D(2026, 4, 1),
            D(2026, 12, 31),
            Deadline("Accreditation term ends", D(2026, 12, 31)),
            id="after March 31 the term end comes first",
        ),
        pytest.param(
            D(2026, 1, 10),
            D(2026, 1, 9),
            Deadline("2025 annual report due", D(2026, 3, 31)),
            id="term already ended is not a deadline",
        ),
        pytest.param(
            D(2026, 1, 10),
            D(2026, 1, 10),
            Deadline("Accreditation term ends", D(2026, 1, 10)),
            id="term ending today is still a deadline",
        ),
        pytest.param(
            D(2026, 1, 10),
            D(2026, 3, 31),
            Deadline("2025 annual report due", D(2026, 3, 31)),
            id="same day: the annual report is named",
        ),
    ],
)
def test_next_deadline_with_a_term(today: dt.date, term_end: dt.date, expected: Deadline) -> None:
    """The next deadline is the earlier of the report due date and the term end; a term
    that has already ended is not a deadline."""
    assert next_deadline(today, term_end) == expected


def test_days_left_is_negative_once_past() -> None:
    assert Deadline("x", D(2026, 3, 31)).days_left(D(2026, 4, 2)) == -2
