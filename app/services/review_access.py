"""Who may take which step of an accreditation review, checked by every review service.

A review outside the user's scope is not there (:class:`NotInScopeError`, 404); a step
the user's role does not take is refused (:class:`ForbiddenError`, 403); a step at the
wrong stage is refused in plain words (:class:`RuleError`)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import Provider, Review, ReviewAssignment
from app.schema import vocabularies as v
from app.security import scoping
from app.services.errors import ConflictError, ForbiddenError, NotInScopeError, RuleError
from app.services.review_history import MOVED_MEANWHILE

T = TypeVar("T")


def review_for(session: Session, actor: Any, review_id: Any) -> Review:
    """The review, if the actor may read it (staff, its provider's contacts, its
    surveyors who have not declared a conflict)."""
    key = as_id(review_id)
    if key is None:
        raise NotInScopeError()
    query = select(Review).where(Review.id == key, scoping.predicate(session, Review, actor))
    review = session.scalars(query).first()
    if review is None:
        raise NotInScopeError()
    return review


def require_staff(actor: Any, doing: str) -> None:
    """Only ACCME staff (and administrators) take this step."""
    if not scoping.sees_everything(actor):
        raise ForbiddenError(f"Only ACCME staff {doing}.")


def require_provider_side(session: Session, actor: Any, review: Review, doing: str) -> None:
    """The provider's own contacts, or ACCME staff on their behalf."""
    if not scoping.can_act_for_provider(session, actor, review.provider_id):
        raise ForbiddenError(f"Only the provider's contacts {doing}.")


def active_assignment(session: Session, actor: Any, review: Review) -> ReviewAssignment | None:
    """The actor's assignment to the review, unless they declared a conflict."""
    query = select(ReviewAssignment).where(
        ReviewAssignment.review_id == review.id,
        ReviewAssignment.user_id == getattr(actor, "id", None),
        ReviewAssignment.recused.is_(False),
    )
    return session.scalars(query).first()


def require_stage(review: Review, stages: tuple[str, ...], doing: str) -> None:
    """The step is possible only at these stages of the review."""
    if review.stage not in stages:
        allowed = " or ".join(f'"{stage}"' for stage in stages)
        raise RuleError(
            f'This review is at the stage "{review.stage}": you can {doing} only when it '
            f"is at {allowed}."
        )


def require_accredited_by_accme(provider: Provider) -> None:
    """Only ACCME-accredited and jointly accredited providers are reviewed and decided in
    PARS; a state-accredited provider's Recognized Accreditor does that outside it."""
    if provider.kind == v.STATE_KIND:
        raise RuleError(
            f"{provider.name} is accredited by a Recognized Accreditor: state-accredited "
            "providers do not use online accreditation, and their accreditation decisions "
            "are not recorded in PARS."
        )


def as_id(value: Any) -> int | None:
    """The id a URL or a form sent, or None when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def row_by_id(session: Session, model: type[T], value: Any) -> T | None:
    """The row whose id a form sent, or None (also for a value that is not a number)."""
    key = as_id(value)
    return None if key is None else session.get(model, key)


def lock_review(session: Session, review: Review) -> None:
    """Serialise the changes to one review (its materials, picks and surveyors), so that
    limits such as one self-study report, 15 picks or three surveyors hold when two
    people save at once (``FOR UPDATE`` on PostgreSQL; SQLite writes one at a time)."""
    session.execute(select(Review.id).where(Review.id == review.id).with_for_update())


def commit_step(session: Session) -> None:
    """Commit a step that moved the review. If someone else moved it since it was read
    (its version changed), nothing is written and the user is told in plain words."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ConflictError(MOVED_MEANWHILE) from None
