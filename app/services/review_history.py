"""The history of an accreditation review: every step appends one :class:`ReviewEvent`
(who, when, what, and the stage it moved from and to). Events are never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import Review, ReviewEvent
from app.services.clock import utcnow


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
