"""The history of an accreditation review: every step appends one :class:`ReviewEvent`
(who, when, what, and the stage it moved from and to). Events are never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import Review, ReviewEvent
from app.services.clock import utcnow
from app.services.errors import ConflictError

MOVED_MEANWHILE = (
    "Someone else moved this review on after you opened it. Nothing was written: reload "
    "the review to see where it stands."
)


def note(
    session: Session,
    review: Review,
    actor: Any,
    action: str,
    detail: str | None = None,
    *,
    to_stage: str | None = None,
    internal: bool = False,
) -> ReviewEvent:
    """Append one step to the review's history; ``to_stage`` also moves the review.
    An ``internal`` step (surveyors' and staff's work) is hidden from the provider."""
    event = ReviewEvent(
        review_id=review.id,
        at=utcnow(),
        actor=getattr(actor, "email", None) if actor is not None else None,
        action=action,
        from_stage=review.stage if to_stage else None,
        to_stage=to_stage,
        detail=detail,
        internal=internal,
    )
    if to_stage:
        review.stage = to_stage
    session.add(event)
    return event


def advance(
    session: Session,
    review: Review,
    actor: Any,
    action: str,
    to_stage: str,
    detail: str | None = None,
) -> ReviewEvent:
    """Move the review to ``to_stage`` now (written at once, guarded by its version): if
    someone else moved it since it was read, nothing is written (ConflictError)."""
    event = note(session, review, actor, action, detail, to_stage=to_stage)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ConflictError(MOVED_MEANWHILE) from None
    return event
