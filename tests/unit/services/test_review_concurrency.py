"""Two people moving the same review at once: the second is told, nothing is written
twice (one decision per review, at most three surveyors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AccreditationDecision, ReviewAssignment
from app.schema import vocabularies as v
from app.security import roles
from app.services import review_team, reviews
from app.services.clock import utcnow
from app.services.errors import ConflictError
from tests.conftest import World, make_user


@pytest.fixture
def other_session() -> Iterator[Session]:
    """A second user's connection, in its own transaction."""
    session = Session(db.engine)
    yield session
    session.close()


def test_two_staff_recording_the_decision_at_once_record_one(
    world: World, other_session: Session
) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_COMMITTEE
    db.session.commit()
    assert review.stage == v.REVIEW_COMMITTEE  # this user has the review open
    today = utcnow().date()
    reviews.decide(other_session, world.staff, review.id, "Accreditation", today)
    with pytest.raises(ConflictError, match="Someone else moved this review"):
        reviews.decide(db.session, world.staff, review.id, "Probation", today)
    count = db.session.scalar(
        select(func.count(AccreditationDecision.id)).where(
            AccreditationDecision.review_id == review.id
        )
    )
    assert count == 1
    db.session.refresh(review)
    assert review.stage == v.REVIEW_DECIDED
    assert world.p3.accreditation_status != "Probation"


def test_a_step_on_a_review_moved_meanwhile_writes_nothing(
    world: World, other_session: Session
) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_SUBMITTED
    db.session.commit()
    second = make_user("second@example.test", roles.SURVEYOR)
    db.session.commit()
    assert review.stage == v.REVIEW_SUBMITTED
    review_team.assign_surveyor(other_session, world.staff, review.id, second.id)
    reviews.start_review(other_session, world.staff, review.id)
    with pytest.raises(ConflictError):
        reviews.start_review(db.session, world.staff, review.id)
    active = db.session.scalar(
        select(func.count(ReviewAssignment.id)).where(ReviewAssignment.review_id == review.id)
    )
    assert active == 2
