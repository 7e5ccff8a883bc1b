"""Reads of the review dashboard (domain.md §6.3): the accreditation reviews a user works
on, with the date each one waits for next.

ACCME staff see every review; anyone else sees the reviews they are assigned to as a
surveyor and have not declared a conflict for (a Provider Contact or a Recognized
Accreditor has no dashboard: the view refuses them, and these reads give them nothing).
Every read also goes through :func:`app.security.scoping.predicate`.

The date a review waits for follows its stage: the confirmation of intent at
"Confirmation of Intent", the materials at "Materials Due", the interview once the
materials are submitted and while they are under review, nothing afterwards. A review is
overdue when the intent or materials deadline has passed while it is still at that stage
(a past interview date is not a deadline of the provider).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Provider, Review, ReviewAssignment
from app.schema import vocabularies as v
from app.security import scoping

Ts = TypeVarTuple("Ts")
#: The stages before the decision, in their order.
OPEN_STAGES = tuple(stage for stage in v.REVIEW_STAGES.values if stage != v.REVIEW_DECIDED)
#: The date a review waits for at each stage, and what that date is.
NEXT_DUE = {
    v.REVIEW_INTENT: (Review.intent_due, "Confirmation of Intent due"),
    v.REVIEW_MATERIALS_DUE: (Review.materials_due, "Materials due"),
    v.REVIEW_SUBMITTED: (Review.interview_on, "Interview"),
    v.REVIEW_UNDER_REVIEW: (Review.interview_on, "Interview"),
}
#: The stages whose date is a deadline of the provider (so it can be overdue).
DEADLINE_STAGES = (v.REVIEW_INTENT, v.REVIEW_MATERIALS_DUE)


@dataclass(frozen=True)
class ReviewFilters:
    """The dashboard's filters: one stage (or every open stage when ``open_only``), one
    cycle, overdue reviews only. None means any."""

    stage: str | None = None
    cycle: str | None = None
    overdue_only: bool = False
    open_only: bool = False


@dataclass(frozen=True)
class ReviewRow:
    """One review on the dashboard."""

    review_id: int
    provider_name: str
    accme_id: str | None
    cycle: str
    stage: str
    due: dt.date | None
    overdue: bool
    interview_on: dt.date | None
    #: Surveyors assigned who have not declared a conflict.
    active_surveyors: int
    #: The acting user's own assignment to the review (a surveyor's), if any.
    assigned: bool
    declared_at: dt.datetime | None

    @property
    def due_what(self) -> str | None:
        """What the due date is ("Materials due", "Interview"...), None without one."""
        return NEXT_DUE[self.stage][1] if self.stage in NEXT_DUE else None


@dataclass(frozen=True)
class RowPage:
    """One page of the dashboard's table: its rows, the matching total and the page."""

    rows: list[ReviewRow]
    total: int
    page: int
    pages: int


def _due() -> ColumnElement[Any]:
    return case(*((Review.stage == stage, column) for stage, (column, _) in NEXT_DUE.items()))


def _overdue(today: dt.date) -> ColumnElement[bool]:
    return and_(Review.stage.in_(DEADLINE_STAGES), _due() < today)


def _active_surveyors() -> Any:
    return (
        select(func.count(ReviewAssignment.id))
        .where(ReviewAssignment.review_id == Review.id, ReviewAssignment.recused.is_(False))
        .correlate(Review)
        .scalar_subquery()
    )


def _mine(user: Any) -> Any:
    """The acting user's own assignment to each review (outer-joined)."""
    return and_(
        ReviewAssignment.review_id == Review.id,
        ReviewAssignment.user_id == getattr(user, "id", None),
    )


def _scoped(session: Session, user: Any, query: Select[*Ts]) -> Select[*Ts]:
    """``query`` over the reviews ``user`` works on: every one in scope for staff, else
    the reviews they survey (as :func:`app.security.scoping.visible_reviews` says), with
    the user's own assignment outer-joined."""
    query = query.outerjoin(ReviewAssignment, _mine(user)).where(
        scoping.predicate(session, Review, user)
    )
    scope = scoping.visible_reviews(session, user)
    if scope is None:
        return query
    return query.where(Review.id.in_(sorted(scope.surveyed)))


def _filtered(query: Select[*Ts], filters: ReviewFilters, today: dt.date) -> Select[*Ts]:
    if filters.stage is not None:
        query = query.where(Review.stage == filters.stage)
    if filters.open_only:
        query = query.where(Review.stage != v.REVIEW_DECIDED)
    if filters.cycle is not None:
        query = query.where(Review.cycle == filters.cycle)
    if filters.overdue_only:
        query = query.where(_overdue(today))
    return query


def _rows_query(
    session: Session, user: Any, today: dt.date, filters: ReviewFilters
) -> Select[*tuple[Any, ...]]:
    """The dashboard's rows, overdue first, then by due date (none last)."""
    due, overdue = _due(), _overdue(today)
    query = select(
        Review.id,
        Provider.name,
        Provider.accme_id,
        Review.cycle,
        Review.stage,
        due.label("due"),
        overdue.label("overdue"),
        Review.interview_on,
        _active_surveyors().label("active_surveyors"),
        ReviewAssignment.id.label("assignment_id"),
        ReviewAssignment.declared_at,
    ).join(Provider, Provider.id == Review.provider_id)
    query = _filtered(_scoped(session, user, query), filters, today)
    return query.order_by(
        case((overdue, 0), else_=1),
        case((due.is_(None), 1), else_=0),
        due,
        Provider.name,
        Review.id,
    )


def _row(record: Any) -> ReviewRow:
    return ReviewRow(
        review_id=record.id,
        provider_name=record.name,
        accme_id=record.accme_id,
        cycle=record.cycle,
        stage=record.stage,
        due=record.due,
        overdue=bool(record.overdue),
        interview_on=record.interview_on,
        active_surveyors=int(record.active_surveyors or 0),
        assigned=record.assignment_id is not None,
        declared_at=record.declared_at,
    )


def count_rows(session: Session, user: Any, today: dt.date, filters: ReviewFilters) -> int:
    """How many reviews ``user`` works on match ``filters``."""
    query = select(func.count(Review.id)).join(Provider, Provider.id == Review.provider_id)
    query = _filtered(_scoped(session, user, query), filters, today)
    return int(session.scalar(query) or 0)


def all_rows(
    session: Session, user: Any, today: dt.date, filters: ReviewFilters
) -> list[ReviewRow]:
    """Every review ``user`` works on that matches ``filters``, in the dashboard's order
    (the CSV export)."""
    return [_row(record) for record in session.execute(_rows_query(session, user, today, filters))]


def dashboard_rows(
    session: Session,
    user: Any,
    today: dt.date,
    filters: ReviewFilters,
    *,
    page: int = 1,
    page_size: int = 50,
) -> RowPage:
    """One page of the reviews ``user`` works on that match ``filters``, in the
    dashboard's order. A page after the last gives the last page."""
    total = count_rows(session, user, today, filters)
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    query = _rows_query(session, user, today, filters)
    query = query.offset((page - 1) * page_size).limit(page_size)
    rows = [_row(record) for record in session.execute(query)]
    return RowPage(rows=rows, total=total, page=page, pages=pages)


def stage_counts(session: Session, user: Any) -> dict[str, int]:
    """The open reviews ``user`` works on, counted by stage (every open stage, in order,
    zero included), in one query."""
    query = select(Review.stage, func.count(Review.id)).where(Review.stage != v.REVIEW_DECIDED)
    query = _scoped(session, user, query).group_by(Review.stage)
    counted = {stage: int(count) for stage, count in session.execute(query)}
    return {stage: counted.get(stage, 0) for stage in OPEN_STAGES}


def overdue(
    session: Session, user: Any, today: dt.date, *, limit: int = 20
) -> tuple[list[ReviewRow], int]:
    """The overdue reviews ``user`` works on (at most ``limit``, longest overdue first)
    and how many there are in all."""
    filters = ReviewFilters(overdue_only=True)
    total = count_rows(session, user, today, filters)
    query = _rows_query(session, user, today, filters).limit(limit)
    return [_row(record) for record in session.execute(query)], total
