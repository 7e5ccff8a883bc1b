"""The volunteer surveyors of an accreditation review (domain.md §6.3, step 5).

ACCME staff assign two or three surveyors with no affiliation to the provider. Each
surveyor declares their conflicts of interest: "no conflict" opens the findings to them;
a declared conflict recuses them at once, and they lose the review and the provider's
data on their next request. Every assignment change appends one audit row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ProviderContact, Review, ReviewAssignment, User
from app.schema import vocabularies as v
from app.security import roles
from app.services import audit, review_mail
from app.services.clock import utcnow
from app.services.errors import ForbiddenError, InputError, NotInScopeError, RuleError
from app.services.review_access import (
    active_assignment,
    lock_review,
    require_staff,
    review_for,
    row_by_id,
)
from app.services.review_history import note

#: Volunteer surveyors on an initial or reaccreditation review.
SURVEYORS_MIN, SURVEYORS_MAX = 2, 3
NOTE_MAX = 2000


def surveyor_choices(session: Session, review: Review) -> list[User]:
    """Active volunteer surveyors who may still be assigned: not on the review already
    (nor recused from it) and not a contact of the provider."""
    taken = select(ReviewAssignment.user_id).where(ReviewAssignment.review_id == review.id)
    affiliated = select(ProviderContact.user_id).where(
        ProviderContact.provider_id == review.provider_id
    )
    role = User.roles.property.mapper.class_
    query = (
        select(User)
        .where(
            User.roles.any(role.name == roles.SURVEYOR),
            User.active.is_(True),
            User.id.not_in(taken),
            User.id.not_in(affiliated),
        )
        .order_by(User.last_name, User.first_name, User.email)
    )
    return list(session.scalars(query))


def active_surveyors(session: Session, review: Review) -> int:
    """Assigned surveyors who have not declared a conflict."""
    query = select(func.count(ReviewAssignment.id)).where(
        ReviewAssignment.review_id == review.id, ReviewAssignment.recused.is_(False)
    )
    return int(session.scalar(query) or 0)


def assign_surveyor(session: Session, actor: Any, review_id: Any, user_id: Any) -> ReviewAssignment:
    """Staff assign a volunteer surveyor (at most three active per review)."""
    require_staff(actor, "assign surveyors")
    review = review_for(session, actor, review_id)
    if review.stage == v.REVIEW_DECIDED:
        raise RuleError("This review is decided: its surveyors can no longer change.")
    surveyor = _surveyor(session, user_id)
    lock_review(session, review)
    _check_assignable(session, review, surveyor)
    assignment = ReviewAssignment(
        review_id=review.id, user_id=surveyor.id, recused=False, assigned_at=utcnow()
    )
    session.add(assignment)
    session.flush()
    note(session, review, actor, "surveyor assigned", surveyor.email)
    _audit(session, actor, review, "surveyor assigned", assignment.id, surveyor.email)
    session.commit()
    review_mail.assigned(session, assignment)
    return assignment


def _surveyor(session: Session, user_id: Any) -> User:
    user = row_by_id(session, User, user_id)
    if user is None or not user.active or roles.SURVEYOR not in {r.name for r in user.roles}:
        raise InputError("user_id", "Choose one of the listed volunteer surveyors.")
    return user


def _check_assignable(session: Session, review: Review, surveyor: User) -> None:
    existing = session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.review_id == review.id, ReviewAssignment.user_id == surveyor.id
        )
    ).first()
    if existing is not None and existing.recused:
        raise RuleError(
            f"{surveyor.email} declared a conflict of interest with this review and cannot "
            "be assigned to it again."
        )
    if existing is not None:
        raise RuleError(f"{surveyor.email} is already assigned to this review.")
    affiliated = session.scalars(
        select(ProviderContact.id).where(
            ProviderContact.provider_id == review.provider_id,
            ProviderContact.user_id == surveyor.id,
        )
    ).first()
    if affiliated is not None:
        raise RuleError(
            f"{surveyor.email} is a contact of {review.provider.name}: a surveyor must have "
            "no affiliation with the provider."
        )
    if active_surveyors(session, review) >= SURVEYORS_MAX:
        raise RuleError("A review has at most three surveyors: unassign one first.")


def unassign_surveyor(session: Session, actor: Any, assignment_id: Any) -> Review:
    """Staff take a surveyor off a review that is not decided yet."""
    require_staff(actor, "unassign surveyors")
    assignment = row_by_id(session, ReviewAssignment, assignment_id)
    if assignment is None:
        raise NotInScopeError()
    review = assignment.review
    if review.stage == v.REVIEW_DECIDED:
        raise RuleError("This review is decided: its surveyors can no longer change.")
    email = assignment.user.email
    session.delete(assignment)
    note(session, review, actor, "surveyor unassigned", email)
    _audit(session, actor, review, "surveyor unassigned", assignment.id, email)
    session.commit()
    return review


def declare(
    session: Session, actor: Any, review_id: Any, has_conflict: bool, conflict_note: str = ""
) -> ReviewAssignment:
    """The assigned surveyor declares their conflicts of interest. A conflict recuses
    them at once: the review and the provider's data are gone on their next request."""
    review = review_for(session, actor, review_id)
    assignment = active_assignment(session, actor, review)
    if assignment is None:
        raise ForbiddenError("Only the review's surveyors declare conflicts of interest.")
    text = (conflict_note or "").strip()
    if has_conflict and not text:
        raise InputError("conflict_note", "Describe the conflict so that staff can reassign.")
    if len(text) > NOTE_MAX:
        raise InputError("conflict_note", f"The description is limited to {NOTE_MAX} characters.")
    assignment.declared_at = utcnow()
    if has_conflict:
        assignment.recused, assignment.conflict_note = True, text
        note(session, review, actor, "surveyor declared a conflict of interest", internal=True)
        _audit(session, actor, review, "surveyor recused", assignment.id, text)
    else:
        note(session, review, actor, "surveyor declared no conflict of interest", internal=True)
    session.commit()
    return assignment


def _audit(
    session: Session, actor: Any, review: Review, action: str, assignment_id: int, detail: str
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        provider_id=review.provider_id,
        object_type="ReviewAssignment",
        object_id=assignment_id,
        detail=detail,
    )
