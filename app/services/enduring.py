"""Step 3 of the annual report: an enduring material's learners, year by year.

An enduring material is entered once for its whole life (up to 3 years, domain.md §1.2)
and its learner counts are updated as of December 31 of each year it is available. The
counts of each year are kept (as learner counts of the professions "Physician" and "Other
learners" for that year); the activity's Physician Learners and Other Learners are their
totals over the years. Saving the counts of every material of the year completes step 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Activity, LearnerCount
from app.schema import vocabularies as v
from app.services import annual
from app.services.errors import RuleError

PHYSICIANS = "Physician"
OTHERS = "Other learners"
LIMIT = 10_000_000


@dataclass(frozen=True)
class EnduringRow:
    """An enduring material available during the year, with that year's counts."""

    activity: Activity
    physicians: int | None
    others: int | None


def _available(provider_id: int, year: int) -> Any:
    return (
        select(Activity)
        .where(
            Activity.provider_id == provider_id,
            Activity.format == v.ENDURING,
            Activity.start_date <= dt.date(year, 12, 31),
            Activity.end_date >= dt.date(year, 1, 1),
        )
        .order_by(Activity.start_date, Activity.id)
    )


def _count_of(activity: Activity, profession: str, year: int) -> LearnerCount | None:
    for count in activity.learner_counts:
        if count.profession == profession and count.year == year:
            return count
    return None


def enduring_materials(
    session: Session, *, actor: Any, provider_id: int, year: int
) -> list[EnduringRow]:
    """The provider's enduring materials available during ``year`` with that year's
    counts (within the actor's scope)."""
    annual.visible_provider(session, actor, provider_id)
    rows = []
    for activity in session.scalars(_available(provider_id, year)).unique():
        physicians = _count_of(activity, PHYSICIANS, year)
        others = _count_of(activity, OTHERS, year)
        rows.append(
            EnduringRow(
                activity,
                physicians.count if physicians else None,
                others.count if others else None,
            )
        )
    return rows


def _parse(raw: str | None, label: str, problems: list[str]) -> int | None:
    text = (raw or "").strip()
    if text.isdigit() and int(text) <= LIMIT:
        return int(text)
    problems.append(f"{label}: enter a whole number of learners, 0 or more.")
    return None


def save_enduring_counts(
    session: Session,
    *,
    actor: Any,
    provider_id: int,
    year: int,
    counts: Mapping[int, tuple[str | None, str | None]],
) -> int:
    """Record each enduring material's physician and other learners for ``year`` (as
    of December 31), update its totals and complete step 3. Every material needs both
    counts; RuleError lists every missing or wrong one and nothing is saved. Commits."""
    annual.check_changeable(session, actor, provider_id, year)
    materials = enduring_materials(session, actor=actor, provider_id=provider_id, year=year)
    problems: list[str] = []
    parsed = {}
    for row in materials:
        name = f"{row.activity.title} ({row.activity.provider_activity_id})"
        physicians, others = counts.get(row.activity.id, (None, None))
        parsed[row.activity.id] = (
            _parse(physicians, f"{name}, physician learners", problems),
            _parse(others, f"{name}, other learners", problems),
        )
    if problems:
        raise RuleError(f"The {year} learner counts were not saved:", problems)
    for row in materials:
        _record(row.activity, year, *parsed[row.activity.id])
    annual.mark_step(session, actor=actor, provider_id=provider_id, year=year, step="enduring")
    return len(materials)


def _record(activity: Activity, year: int, physicians: Any, others: Any) -> None:
    for profession, value in ((PHYSICIANS, physicians), (OTHERS, others)):
        count = _count_of(activity, profession, year)
        if count is None:
            activity.learner_counts.append(
                LearnerCount(profession=profession, year=year, count=value)
            )
        else:
            count.count = value
    activity.physician_learners = sum(
        c.count for c in activity.learner_counts if c.profession == PHYSICIANS
    )
    activity.other_learners = sum(
        c.count for c in activity.learner_counts if c.profession == OTHERS
    )
