"""Findings and comments of an accreditation review (domain.md §6.2).

The review's volunteer surveyors (once they have declared they have no conflict of
interest) and ACCME staff record one finding per criterion: Compliance, Noncompliance or
Not applicable, always with a rationale. Surveyors record findings while the review is
under review; staff may still adjust them at the committee. Surveyors never decide.
An initial or reaccreditation review needs a finding on every core criterion and every
Standard for Integrity and Independence (commendation criteria are optional); a
progress report needs one on each criterion found in Noncompliance before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Criterion, Review, ReviewComment, ReviewFinding
from app.schema import criteria as c
from app.schema import vocabularies as v
from app.security import scoping
from app.services.clock import utcnow
from app.services.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    RuleError,
)
from app.services.review_access import active_assignment, require_stage, review_for, row_by_id
from app.services.review_history import note

RATIONALE_MAX = 5000
COMMENT_MAX = 5000


def required_criteria(session: Session, review: Review) -> list[Criterion]:
    """The criteria that must have a finding before the review goes to the committee."""
    if review.follows_review_id is not None:
        earlier = select(ReviewFinding.criterion_id).where(
            ReviewFinding.review_id == review.follows_review_id,
            ReviewFinding.finding == v.NONCOMPLIANCE,
        )
        query = select(Criterion).where(Criterion.id.in_(earlier))
    else:
        query = select(Criterion).where(
            Criterion.active.is_(True), Criterion.kind.in_((c.CORE, c.STANDARD))
        )
    return list(session.scalars(query.order_by(Criterion.position, Criterion.code)))


def missing_findings(session: Session, review: Review) -> list[str]:
    """The required criteria without a finding yet, as "C2 Educational Needs"."""
    done = set(
        session.scalars(
            select(ReviewFinding.criterion_id).where(ReviewFinding.review_id == review.id)
        )
    )
    return [
        f"{criterion.code} {criterion.name}"
        for criterion in required_criteria(session, review)
        if criterion.id not in done
    ]


def noncompliant_codes(session: Session, review: Review) -> list[str]:
    """Codes of the criteria found in Noncompliance in the review."""
    query = (
        select(Criterion.code)
        .join(ReviewFinding, ReviewFinding.criterion_id == Criterion.id)
        .where(ReviewFinding.review_id == review.id, ReviewFinding.finding == v.NONCOMPLIANCE)
        .order_by(Criterion.position, Criterion.code)
    )
    return list(session.scalars(query))


def finding_stages(actor: Any) -> tuple[str, ...]:
    """When the actor records findings: surveyors while the review is under review;
    staff also at the committee."""
    if scoping.sees_everything(actor):
        return (v.REVIEW_UNDER_REVIEW, v.REVIEW_COMMITTEE)
    return (v.REVIEW_UNDER_REVIEW,)


def _require_reviewer(session: Session, actor: Any, review: Review, doing: str) -> None:
    """The review's surveyors who declared no conflict, or ACCME staff."""
    if scoping.sees_everything(actor):
        return
    assignment = active_assignment(session, actor, review)
    if assignment is None:
        raise ForbiddenError(f"Only the review's surveyors and ACCME staff {doing}.")
    if assignment.declared_at is None:
        raise RuleError("Declare your conflicts of interest for this review first.")


def record_finding(
    session: Session,
    actor: Any,
    review_id: Any,
    criterion_id: Any,
    finding: str,
    rationale: str,
    version_id: int | None = None,
) -> ReviewFinding:
    """Record (or change) the finding on one criterion. ``version_id`` is the version
    the user saw: if someone else saved the finding since, nothing is overwritten."""
    review = review_for(session, actor, review_id)
    _require_reviewer(session, actor, review, "record findings")
    require_stage(review, finding_stages(actor), "record findings")
    criterion = _criterion(session, criterion_id)
    value = v.FINDINGS.canonical(finding or "")
    if value is None:
        raise InputError("finding", "Choose Compliance, Noncompliance or Not applicable.")
    text = (rationale or "").strip()
    if not text:
        raise InputError("rationale", "Give the rationale for the finding.")
    if len(text) > RATIONALE_MAX:
        raise InputError("rationale", f"The rationale is limited to {RATIONALE_MAX} characters.")
    row = _upsert(session, review, criterion, value, text, actor, version_id)
    note(
        session, review, actor, "finding recorded", f"{criterion.code} {criterion.name}: {value}",
        internal=True,
    )  # fmt: skip
    try:
        session.commit()
    except IntegrityError:  # someone recorded the same criterion at the same moment
        session.rollback()
        raise ConflictError() from None
    return row


def _criterion(session: Session, criterion_id: Any) -> Criterion:
    criterion = row_by_id(session, Criterion, criterion_id)
    if criterion is None or not criterion.active:
        raise InputError("criterion", "Choose one of the listed criteria.")
    return criterion


def _upsert(
    session: Session,
    review: Review,
    criterion: Criterion,
    value: str,
    text: str,
    actor: Any,
    version_id: int | None,
) -> ReviewFinding:
    row = session.scalars(
        select(ReviewFinding).where(
            ReviewFinding.review_id == review.id, ReviewFinding.criterion_id == criterion.id
        )
    ).first()
    if row is None:
        if version_id:  # the user saw a finding that has since been removed
            raise ConflictError()
        row = ReviewFinding(review_id=review.id, criterion_id=criterion.id)
        session.add(row)
    elif version_id is not None and row.version_id != version_id:
        raise ConflictError(
            f"Someone else recorded the finding on {criterion.code} after you opened it. "
            "Nothing was overwritten: reload the review to see it, then change it again."
        )
    row.finding, row.rationale = value, text
    row.recorded_at, row.recorded_by = utcnow(), getattr(actor, "email", None)
    return row


def add_comment(session: Session, actor: Any, review_id: Any, body: str) -> ReviewComment:
    """A surveyor's or staff member's comment on the review (never shown to the provider)."""
    review = review_for(session, actor, review_id)
    _require_reviewer(session, actor, review, "comment on reviews")
    if review.stage == v.REVIEW_DECIDED:
        raise RuleError("This review is decided: comments are closed.")
    text = (body or "").strip()
    if not text:
        raise InputError("body", "Write the comment first.")
    if len(text) > COMMENT_MAX:
        raise InputError("body", f"A comment is limited to {COMMENT_MAX} characters.")
    comment = ReviewComment(
        review_id=review.id, author=getattr(actor, "email", None), body=text, created_at=utcnow()
    )
    session.add(comment)
    session.commit()
    return comment
