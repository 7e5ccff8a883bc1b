"""The review dashboard's reads (domain.md §6.3): open reviews counted by stage, the date
each review waits for, the overdue rule, filters and pages; staff read every review, a
surveyor their active assignments only, anyone else nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Review
from app.queries import reviews
from app.queries.reviews import ReviewFilters
from app.schema import vocabularies as v
from app.services.clock import utcnow
from tests import factories as f
from tests.conftest import World

TODAY = dt.date(2026, 5, 1)
DAY = dt.timedelta(days=1)
ANY = ReviewFilters()


@dataclass
class Reviews:
    intent_late: Review
    intent_soon: Review
    materials_late: Review
    materials_today: Review
    submitted: Review
    interview_past: Review
    committee: Review
    decided: Review
    p3_earlier: Review


def review(provider: Any, stage: str, cycle: str = "Reaccreditation", **dates: Any) -> Review:
    return f.ReviewFactory(provider=provider, stage=stage, cycle=cycle, **dates)


@pytest.fixture
def many(world: World) -> Reviews:
    """Reviews at every stage (besides the world's: P3's Under Review, P2's Decided);
    surveyor S: active on P3's and the submitted one (declared), recused from the late
    intent."""
    p5 = f.ProviderFactory(name="Zeta Medical College", kind=v.ACCME_KIND)
    p6 = f.ProviderFactory(name="Alpha Health System", kind=v.ACCME_KIND)
    made = Reviews(
        intent_late=review(world.p2, v.REVIEW_INTENT, "Initial", intent_due=TODAY - 10 * DAY),
        intent_soon=review(world.p4, v.REVIEW_INTENT, intent_due=TODAY + 10 * DAY),
        materials_late=review(
            p5, v.REVIEW_MATERIALS_DUE, intent_due=TODAY - 90 * DAY, materials_due=TODAY - DAY
        ),
        materials_today=review(p6, v.REVIEW_MATERIALS_DUE, "Progress Report", materials_due=TODAY),
        submitted=review(p5, v.REVIEW_SUBMITTED, "Initial", interview_on=TODAY + 30 * DAY),
        interview_past=review(p6, v.REVIEW_UNDER_REVIEW, interview_on=TODAY - 5 * DAY),
        committee=review(world.p2, v.REVIEW_COMMITTEE, materials_due=TODAY - 60 * DAY),
        decided=review(world.p4, v.REVIEW_DECIDED, intent_due=TODAY - 400 * DAY),
        p3_earlier=review(world.p3, v.REVIEW_DECIDED, "Initial"),
    )
    f.AssignmentFactory(review=made.intent_late, user=world.surveyor, recused=True)
    f.AssignmentFactory(review=made.submitted, user=world.surveyor, declared_at=utcnow())
    other = f.UserFactory(email="other.surveyor@example.test", username="other.surveyor")
    f.AssignmentFactory(review=made.submitted, user=other)
    f.AssignmentFactory(review=made.committee, user=other, recused=True)
    db.session.commit()
    return made


def ids(rows: list[reviews.ReviewRow]) -> list[int]:
    return [row.review_id for row in rows]


def test_staff_count_open_reviews_by_stage_in_one_query(world: World, many: Reviews) -> None:
    assert reviews.stage_counts(db.session, world.staff) == {
        v.REVIEW_INTENT: 2,
        v.REVIEW_MATERIALS_DUE: 2,
        v.REVIEW_SUBMITTED: 1,
        v.REVIEW_UNDER_REVIEW: 2,  # P3's, the one with a past interview
        v.REVIEW_COMMITTEE: 1,
    }


def test_staff_rows_overdue_first_then_by_due_date(world: World, many: Reviews) -> None:
    page = reviews.dashboard_rows(db.session, world.staff, TODAY, ANY)
    assert page.total == 11 and page.pages == 1
    assert ids(page.rows[:6]) == [
        many.intent_late.id,  # 10 days late
        many.materials_late.id,  # 1 day late
        many.interview_past.id,
        many.materials_today.id,
        many.intent_soon.id,
        many.submitted.id,
    ]
    assert [row.overdue for row in page.rows] == [True, True] + [False] * 9
    # No date to wait for: Committee, Decided and P3's review without an interview date.
    assert set(ids(page.rows[6:])) == {
        many.committee.id, many.decided.id, many.p3_earlier.id, world.review_p3.id,
        world.review_p2.id,
    }  # fmt: skip


def test_next_due_date_follows_the_stage(world: World, many: Reviews) -> None:
    rows = {row.review_id: row for row in reviews.all_rows(db.session, world.staff, TODAY, ANY)}
    expected = {
        many.intent_late.id: ("Confirmation of Intent due", TODAY - 10 * DAY),
        many.materials_late.id: ("Materials due", TODAY - DAY),
        many.submitted.id: ("Interview", TODAY + 30 * DAY),
        many.interview_past.id: ("Interview", TODAY - 5 * DAY),
        many.committee.id: (None, None),
        many.decided.id: (None, None),
    }
    for review_id, (what, due) in expected.items():
        assert (rows[review_id].due_what, rows[review_id].due) == (what, due)
    late = rows[many.materials_late.id]
    assert (late.provider_name, late.cycle, late.stage) == (
        "Zeta Medical College", "Reaccreditation", v.REVIEW_MATERIALS_DUE,
    )  # fmt: skip


def test_overdue_only_while_still_at_that_stage(world: World, many: Reviews) -> None:
    """A deadline passed yesterday is overdue; one due today is not; a passed intent date
    at Materials Due, a past materials date at Committee or a past interview is not."""
    late, total = reviews.overdue(db.session, world.staff, TODAY)
    assert (ids(late), total) == ([many.intent_late.id, many.materials_late.id], 2)
    assert ids(reviews.overdue(db.session, world.staff, TODAY, limit=1)[0]) == [many.intent_late.id]
    assert reviews.overdue(db.session, world.staff, TODAY - 30 * DAY)[1] == 0
    a_year_on = TODAY + 365 * DAY  # the soon intent, today's materials: late too by then
    assert reviews.overdue(db.session, world.staff, a_year_on)[1] == 4


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ReviewFilters(stage=v.REVIEW_INTENT), {"intent_late", "intent_soon"}),
        (ReviewFilters(stage=v.REVIEW_DECIDED), {"decided", "p3_earlier", "review_p2"}),
        (ReviewFilters(cycle="Initial"), {"intent_late", "submitted", "p3_earlier"}),
        (ReviewFilters(cycle="Initial", open_only=True), {"intent_late", "submitted"}),
        (ReviewFilters(overdue_only=True), {"intent_late", "materials_late"}),
        (ReviewFilters(stage=v.REVIEW_MATERIALS_DUE, overdue_only=True), {"materials_late"}),
        (ReviewFilters(stage=v.REVIEW_COMMITTEE, cycle="Initial"), set()),
    ],
)
def test_filters(world: World, many: Reviews, filters: ReviewFilters, expected: set) -> None:
    rows = reviews.all_rows(db.session, world.staff, TODAY, filters)
    made = {name: getattr(many, name, None) or getattr(world, name) for name in expected}
    assert set(ids(rows)) == {review.id for review in made.values()}
    assert reviews.count_rows(db.session, world.staff, TODAY, filters) == len(expected)


def test_open_only_leaves_out_decided_reviews(world: World, many: Reviews) -> None:
    rows = reviews.all_rows(db.session, world.staff, TODAY, ReviewFilters(open_only=True))
    assert len(rows) == 8 and v.REVIEW_DECIDED not in {row.stage for row in rows}


def test_pages(world: World, many: Reviews) -> None:
    everything = ids(reviews.all_rows(db.session, world.staff, TODAY, ANY))
    pages = [
        reviews.dashboard_rows(db.session, world.staff, TODAY, ANY, page=n, page_size=4)
        for n in (1, 2, 3)
    ]
    assert [p.pages for p in pages] == [3, 3, 3] and [p.total for p in pages] == [11] * 3
    assert [review_id for p in pages for review_id in ids(p.rows)] == everything
    beyond = reviews.dashboard_rows(db.session, world.staff, TODAY, ANY, page=99, page_size=4)
    assert (beyond.page, ids(beyond.rows)) == (3, ids(pages[2].rows))
    before = reviews.dashboard_rows(db.session, world.staff, TODAY, ANY, page=0, page_size=4)
    assert before.page == 1
    nothing = ReviewFilters(stage=v.REVIEW_COMMITTEE, cycle="Initial")
    empty = reviews.dashboard_rows(db.session, world.staff, TODAY, nothing, page=5)
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)


def test_active_surveyors_leave_out_the_recused(world: World, many: Reviews) -> None:
    rows = {row.review_id: row for row in reviews.all_rows(db.session, world.staff, TODAY, ANY)}
    assert rows[many.submitted.id].active_surveyors == 2
    assert rows[world.review_p3.id].active_surveyors == 1
    assert rows[many.intent_late.id].active_surveyors == 0  # S recused
    assert rows[many.committee.id].active_surveyors == 0


def test_surveyor_reads_only_active_assignments(world: World, many: Reviews) -> None:
    """Not the review S declared a conflict for, nor P3's earlier review (S sees P3)."""
    rows = reviews.all_rows(db.session, world.surveyor, TODAY, ANY)
    assert set(ids(rows)) == {world.review_p3.id, many.submitted.id}
    declared = {row.review_id: row.declared_at is not None for row in rows}
    assert declared == {world.review_p3.id: False, many.submitted.id: True}
    assert all(row.assigned for row in rows)
    assert reviews.stage_counts(db.session, world.surveyor) == {
        v.REVIEW_INTENT: 0,
        v.REVIEW_MATERIALS_DUE: 0,
        v.REVIEW_SUBMITTED: 1,
        v.REVIEW_UNDER_REVIEW: 1,
        v.REVIEW_COMMITTEE: 0,
    }
    assert reviews.overdue(db.session, world.surveyor, TODAY) == ([], 0)


@pytest.mark.parametrize("who", ["contact_a", "contact_b", "accreditor_tx", "nobody", None])
def test_everyone_else_reads_nothing(world: World, many: Reviews, who: str | None) -> None:
    """Contact B sees P3's reviews on the review pages, but has no dashboard rows."""
    user = getattr(world, who) if who else None
    assert reviews.all_rows(db.session, user, TODAY, ANY) == []
    assert set(reviews.stage_counts(db.session, user).values()) == {0}
    assert reviews.overdue(db.session, user, TODAY) == ([], 0)


def test_page_and_counts_take_three_statements(world: World, many: Reviews) -> None:
    """The page's count, its rows (with their providers and surveyor counts) and the
    counts by stage: three statements, however many rows."""
    for _ in range(60):
        review(f.ProviderFactory(kind=v.ACCME_KIND), v.REVIEW_INTENT, intent_due=TODAY)
    db.session.commit()
    staff = world.staff
    assert reviews.stage_counts(db.session, staff)  # roles loaded
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = reviews.dashboard_rows(db.session, staff, TODAY, ANY)
        assert len(page.rows) == 50 and page.pages == 2
        assert {row.provider_name for row in page.rows}  # already read
        assert reviews.stage_counts(db.session, staff)[v.REVIEW_INTENT] == 62
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 3, statements
