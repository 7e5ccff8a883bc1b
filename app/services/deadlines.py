"""A provider's next deadline, shown on "My providers" (domain.md §2.2, §6.2).

A reporting year is a calendar year; its data (activities closed, Program Summary) is due
by March 31 of the following year. An accredited provider's term also ends on a date.
The next deadline is the earlier of the open reporting year's due date and the term end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY = 3, 31


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


def annual_report_due(reporting_year: int) -> dt.date:
    """The default due date of a reporting year's data: March 31 of the next year."""
    return dt.date(reporting_year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)


def open_reporting_year(today: dt.date) -> int:
    """The reporting year whose data is due next: last year until its March 31 deadline,
    then the current year."""
    return today.year - 1 if today <= annual_report_due(today.year - 1) else today.year


def next_deadline(today: dt.date, term_end: dt.date | None = None) -> Deadline:
    """The provider's next deadline from ``today``."""
    year = open_reporting_year(today)
    candidates = [Deadline(f"{year} annual report due", annual_report_due(year))]
    if term_end is not None and term_end >= today:
        candidates.append(Deadline("Accreditation term ends", term_end))
    return min(candidates, key=lambda deadline: deadline.due)
