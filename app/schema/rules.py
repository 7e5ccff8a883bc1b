"""Rules across activity fields that hold whatever the status (domain.md §1.2, §1.3).

The status-specific requirements of the PARS lifecycle build on these; every rule returns
all of its problems at once so a form or a batch row reports everything in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from app.schema import vocabularies as v
from app.schema.fields import FIELDS_BY_NAME
from app.schema.values import ValueProblem

RSS_MAX_DAYS = 366
ENDURING_MAX_DAYS = 3 * 366


def _problem(name: str, message: str, value: Any = "") -> ValueProblem:
    spec = FIELDS_BY_NAME[name]
    return ValueProblem(name, spec.label, str(value), f"{spec.label}: {message}")


def date_problems(values: Mapping[str, Any]) -> list[ValueProblem]:
    """End date not before start date; an RSS lasts at most 12 months and an enduring
    material at most 3 years."""
    start, end = values.get("start_date"), values.get("end_date")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return []
    if end < start:
        return [_problem("end_date", "must not be before the start date.", end)]
    span = (end - start).days
    fmt = values.get("format")
    if fmt == v.RSS and span > RSS_MAX_DAYS:
        return [_problem("end_date", "a Regularly Scheduled Series lasts at most 12 months.", end)]
    if fmt == v.ENDURING and span > ENDURING_MAX_DAYS:
        return [_problem("end_date", "an enduring material lasts at most 3 years.", end)]
    return []


def location_problems(values: Mapping[str, Any]) -> list[ValueProblem]:
    """A US location names its state; a state is only given for a US location."""
    state, country = values.get("state"), values.get("country")
    if state and country and country != "USA":
        return [_problem("state", "give a state only for activities in the USA.", state)]
    return []


def cross_field_problems(values: Mapping[str, Any]) -> list[ValueProblem]:
    """Every rule that relates two or more fields, whatever the activity's status."""
    return date_problems(values) + location_problems(values)


def reporting_year(start_date: dt.date) -> int:
    """The reporting year of an activity: the calendar year in which it starts
    (PARS asks providers to enter every activity started in the year)."""
    return start_date.year
