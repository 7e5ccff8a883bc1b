"""Who reads which part of an accreditation review (app/security/scoping.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Activity,
    Criterion,
    MocRegistration,
    Review,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
)
from app.schema import vocabularies as v
from app.security import roles, scoping
from app.services import findings, review_team
from tests import factories as f
from tests.conftest import World, make_user


def seen(model: Any, user: Any) -> set[int]:
    query = select(model.id).where(scoping.predicate(db.session, model, user))
    return set(db.session.scalars(query))


def with_finding_and_comment(world: World) -> Review:
    review = world.review_p3
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    criterion = db.session.scalars(select(Criterion).order_by(Criterion.position)).first()
    findings.record_finding(db.session, world.surveyor, review.id, criterion.id, "Compliance", "ok")
    findings.add_comment(db.session, world.surveyor, review.id, "internal")
    return review


def test_reviews_by_role(world: World) -> None:
    p3, p2 = world.review_p3.id, world.review_p2.id
    assert seen(Review, world.staff) >= {p2, p3}
    assert seen(Review, world.contact_a) == {p2}  # P1 is state-accredited: no review
    assert seen(Review, world.contact_b) == {p3}
    assert seen(Review, world.surveyor) == {p3}
    assert seen(Review, world.accreditor_tx) == set()
    assert seen(Review, world.ja_contact) == set()


def test_a_surveyor_sees_only_the_assigned_review_of_a_provider(world: World) -> None:
    earlier = f.ReviewFactory(provider=world.p3, stage=v.REVIEW_DECIDED)
    db.session.commit()
    assert earlier.id not in seen(Review, world.surveyor)
    assert earlier.id in seen(Review, world.contact_b)


def test_the_provider_reads_findings_once_decided_and_never_comments(world: World) -> None:
    review = with_finding_and_comment(world)
    assert seen(ReviewFinding, world.surveyor) and seen(ReviewComment, world.surveyor)
    assert seen(ReviewFinding, world.contact_b) == set()
    assert seen(ReviewComment, world.contact_b) == set()
    internal = {e.id for e in db.session.scalars(select(ReviewEvent)) if e.internal}
    assert internal and not internal & seen(ReviewEvent, world.contact_b)
    assert internal <= seen(ReviewEvent, world.surveyor)
    review.stage = v.REVIEW_DECIDED
    db.session.commit()
    assert seen(ReviewFinding, world.contact_b)
    assert seen(ReviewComment, world.contact_b) == set()
    assert seen(ReviewFinding, world.contact_a) == set()


def test_a_recused_surveyor_reads_nothing_of_the_review(world: World) -> None:
    with_finding_and_comment(world)
    review_team.declare(db.session, world.surveyor, world.review_p3.id, True, "conflict")
    for model in (Review, ReviewFinding, ReviewComment, ReviewEvent, Activity):
        assert seen(model, world.surveyor) == set(), model.__name__


def test_a_surveyor_sees_the_activities_of_the_term_only(world: World) -> None:
    review = world.review_p3
    review.term_start, review.term_end = dt.date(2023, 1, 1), dt.date(2026, 12, 31)
    older = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="P3-OLD",
        start_date=dt.date(2020, 5, 1),
        end_date=dt.date(2020, 5, 2),
    )
    spanning = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="P3-SPAN",
        start_date=dt.date(2021, 6, 1),
        end_date=dt.date(2023, 5, 31),
    )
    registration = f.MocFactory(activity_id=older.id, board="ABIM")
    db.session.commit()
    visible = seen(Activity, world.surveyor)
    assert world.a3.id in visible and spanning.id in visible and older.id not in visible
    assert older.id in seen(Activity, world.contact_b)  # the provider sees all of its own
    assert registration.id not in seen(MocRegistration, world.surveyor)
    assert registration.id in seen(MocRegistration, world.contact_b)


def test_online_accreditation_by_role(world: World) -> None:
    state_only = make_user("state.only@example.test", roles.CONTACT)
    f.ContactFactory(provider=world.p1, user=state_only, contact_type="Staff")
    db.session.commit()
    assert not scoping.uses_online_accreditation(db.session, state_only)
    assert not scoping.uses_online_accreditation(db.session, world.accreditor_tx)
    for user in (world.contact_a, world.ja_contact, world.surveyor, world.staff):
        assert scoping.uses_online_accreditation(db.session, user)
