"""What the review page shows to the acting user: every part of a review read through
the scoping rules (a contact sees the findings once the review is decided and never the
surveyors' comments; a surveyor sees only reviews they are active on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    AccreditationDecision,
    Criterion,
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
)
from app.schema import vocabularies as v
from app.security import scoping


@dataclass
class Pick:
    """An activity picked for performance-in-practice review and its evidence."""

    pick: ReviewActivity
    evidence: list[ReviewMaterial] = field(default_factory=list)


@dataclass
class Workspace:
    review: Review
    materials: list[ReviewMaterial]
    picks: list[Pick]
    assignments: list[ReviewAssignment]
    findings: dict[int, ReviewFinding]
    criteria: list[Criterion]
    comments: list[ReviewComment]
    events: list[ReviewEvent]
    decision: AccreditationDecision | None


def _scoped(session: Session, user: Any, model: Any, review: Review) -> list[Any]:
    query = select(model).where(
        model.review_id == review.id, scoping.predicate(session, model, user)
    )
    return list(session.scalars(query.order_by(model.id)))


def workspace(session: Session, user: Any, review: Review) -> Workspace:
    """Every part of ``review`` that ``user`` may read (the review itself is in scope)."""
    materials = _scoped(session, user, ReviewMaterial, review)
    picks = [Pick(p) for p in _scoped(session, user, ReviewActivity, review)]
    by_pick = {p.pick.id: p for p in picks}
    for material in materials:
        if material.review_activity_id in by_pick:
            by_pick[material.review_activity_id].evidence.append(material)
    findings = {f.criterion_id: f for f in _scoped(session, user, ReviewFinding, review)}
    return Workspace(
        review=review,
        materials=[m for m in materials if m.review_activity_id is None],
        picks=picks,
        assignments=_scoped(session, user, ReviewAssignment, review),
        findings=findings,
        criteria=_criteria(session, review, findings),
        comments=_scoped(session, user, ReviewComment, review),
        events=_scoped(session, user, ReviewEvent, review),
        decision=_decision(session, user, review),
    )


def _criteria(
    session: Session, review: Review, findings: dict[int, ReviewFinding]
) -> list[Criterion]:
    """The criteria of the findings table: the active catalogue while the review is open,
    and the criteria with a finding once it is decided."""
    query = select(Criterion).order_by(Criterion.position, Criterion.code)
    if review.stage == v.REVIEW_DECIDED:
        query = query.where(Criterion.id.in_(list(findings) or [-1]))
    else:
        query = query.where(Criterion.active.is_(True))
    return list(session.scalars(query))


def _decision(session: Session, user: Any, review: Review) -> AccreditationDecision | None:
    query = select(AccreditationDecision).where(
        AccreditationDecision.review_id == review.id,
        scoping.predicate(session, AccreditationDecision, user),
    )
    return session.scalars(query).first()


def decision_findings(
    session: Session, user: Any, decision: AccreditationDecision
) -> list[ReviewFinding]:
    """The findings behind a decision (its review's), as the user may read them."""
    if decision.review_id is None:
        return []
    query = (
        select(ReviewFinding)
        .join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .where(
            ReviewFinding.review_id == decision.review_id,
            scoping.predicate(session, ReviewFinding, user),
        )
        .order_by(Criterion.position, Criterion.code)
    )
    return list(session.scalars(query))
