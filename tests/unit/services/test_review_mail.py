"""The emails of an accreditation review: the surveyor hears of an assignment and of the
submission, the provider's Primary Contact gets the receipt, the decision and the
reminders before its due dates; a reminder goes once, and a recused surveyor hears
nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from app.extensions import db
from app.models import AccreditationDecision, Review, ReviewEvent, User
from app.schema import vocabularies as v
from app.security.urls import public_base_url
from app.services import review_mail
from app.services.clock import utcnow
from app.services.mail import Email
from tests import factories as f
from tests.conftest import World, make_user

TODAY = dt.date(2026, 3, 2)
P3 = "Columbus Community Hospital"


def link_of(app: Flask, review: Review) -> str:
    return f"{public_base_url(app.config)}/reviews/show/{review.id}"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Email]:
    """Every email the review functions hand over for sending."""
    outbox: list[Email] = []
    monkeypatch.setattr(review_mail, "send_email", lambda email: outbox.append(email))
    return outbox


def to(outbox: list[Email], user: Any) -> list[Email]:
    return [email for email in outbox if email.to == user.email]


def with_due_date(review: Review, stage: str, **dates: dt.date | None) -> Review:
    review.stage = stage
    for name, value in dates.items():
        setattr(review, name, value)
    db.session.commit()
    return review


def reminder_details(review: Review) -> list[str | None]:
    query = (
        select(ReviewEvent.detail)
        .where(ReviewEvent.review_id == review.id, ReviewEvent.action == "reminder sent")
        .order_by(ReviewEvent.id)
    )
    return list(db.session.scalars(query))


def second_surveyor(world: World, recused: bool) -> User:
    user = make_user("surveyor.two@example.test", None, first_name="Ann", last_name="Two")
    f.AssignmentFactory(review=world.review_p3, user=user, recused=recused)
    db.session.commit()
    return user


# Who receives what.


def test_primary_contacts_are_the_active_primary_contact_only(world: World) -> None:
    f.ContactFactory(provider=world.p3, contact_type="Billing Contact")
    assert review_mail.primary_contacts(db.session, world.p3.id) == [world.contact_b]
    world.contact_b.active = False
    db.session.commit()
    assert review_mail.primary_contacts(db.session, world.p3.id) == []


def test_an_assigned_surveyor_is_asked_to_declare_conflicts(
    app: Flask, world: World, sent: list[Email]
) -> None:
    assignment = world.review_p3.assignments[0]
    db.session.commit()
    review_mail.assigned(db.session, assignment)
    [email] = sent
    assert email.to == world.surveyor.email
    assert email.subject == f"PARS: you are assigned to the review of {P3}"
    assert "Reaccreditation review of Columbus" in email.body
    assert "conflict of interest" in email.body
    assert link_of(app, world.review_p3) in email.body


def test_a_recused_surveyor_is_not_told_of_the_assignment(world: World, sent: list[Email]) -> None:
    assignment = world.review_p3.assignments[0]
    assignment.recused = True
    db.session.commit()
    review_mail.assigned(db.session, assignment)
    assert sent == []


def test_submission_receipt_to_primary_contact_and_notice_to_active_surveyors(
    app: Flask, world: World, sent: list[Email]
) -> None:
    recused = second_surveyor(world, recused=True)
    f.ContactFactory(provider=world.p3, contact_type="Billing Contact")
    db.session.commit()  # as the caller does: everything is expired, then read again
    review_mail.submitted(db.session, world.review_p3)
    assert sorted(email.to for email in sent) == [world.contact_b.email, world.surveyor.email]
    assert to(sent, recused) == []
    [receipt] = to(sent, world.contact_b)
    assert receipt.subject == f"PARS: we received the materials of {P3}"
    assert "for its Reaccreditation review" in receipt.body
    [notice] = to(sent, world.surveyor)
    assert notice.subject == f"PARS: {P3} submitted its materials"
    assert "record your findings" in notice.body
    for email in sent:
        assert link_of(app, world.review_p3) in email.body
        assert "<" not in email.body  # plain text


def test_submission_emails_reach_the_mail_server(app: Flask, world: World, inbox: Any) -> None:
    review_mail.submitted(db.session, world.review_p3)
    inbox.wait_for(2)
    assert "materials" in inbox.text(inbox.to(world.contact_b.email)[0])
    assert inbox.last_link(world.surveyor.email) == link_of(app, world.review_p3)


def decision(world: World, term_end: dt.date | None) -> AccreditationDecision:
    made = AccreditationDecision(
        provider_id=world.p3.id,
        outcome="Accreditation with Commendation",
        decided_on=dt.date(2026, 7, 9),
        term_start=dt.date(2026, 7, 9),
        term_end=term_end,
        recorded_at=utcnow(),
        review_id=world.review_p3.id,
    )
    db.session.add(made)
    db.session.commit()
    return made


def test_the_decision_goes_to_the_primary_contact(
    app: Flask, world: World, sent: list[Email]
) -> None:
    made = decision(world, term_end=dt.date(2032, 7, 31))
    review_mail.decided(db.session, world.review_p3, made, progress_due=dt.date(2027, 1, 15))
    [email] = sent
    assert email.to == world.contact_b.email
    assert email.subject == f"PARS: accreditation decision for {P3}"
    assert "On 07/09/2026 ACCME decided" in email.body
    assert "Accreditation with Commendation" in email.body
    assert "runs until 07/31/2032" in email.body
    assert "progress report is due by 01/15/2027" in email.body
    assert link_of(app, world.review_p3) in email.body


def test_a_decision_without_term_or_progress_report_says_neither(
    world: World, sent: list[Email]
) -> None:
    review_mail.decided(db.session, world.review_p3, decision(world, term_end=None))
    [email] = sent
    assert "runs until" not in email.body and "progress report" not in email.body


# Reminders before the due dates.


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(31, []), (30, [30]), (29, []), (8, []), (7, [7]), (2, []), (1, [1]), (0, []), (-1, [])],
)
def test_reminders_at_30_7_and_1_days_each_once(
    world: World, sent: list[Email], days_left: int, expected: list[int]
) -> None:
    due = dt.date(2026, 4, 1)
    review = with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=due)
    for earlier in (31, 30, 29, 8, 7, 2, 1, 0, -1):  # the daily job, up to this day
        if earlier <= days_left:
            break
        review_mail.send_due_reminders(db.session, due - dt.timedelta(days=earlier))
    before = len(sent)
    count = review_mail.send_due_reminders(db.session, due - dt.timedelta(days=days_left))
    assert count == len(sent) - before == len(expected)
    if expected:
        assert reminder_details(review)[-1] == (
            f"the Confirmation of Intent due 04/01/2026: {expected[0]} days"
        )


def test_the_reminder_text(app: Flask, world: World, sent: list[Email]) -> None:
    review = with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=dt.date(2026, 3, 9))
    assert review_mail.send_due_reminders(db.session, TODAY) == 1
    [email] = sent
    assert email.to == world.contact_b.email
    assert email.subject == (
        f"PARS: reminder, the Confirmation of Intent for {P3} is due 03/09/2026"
    )
    assert "is 03/09/2026, in 7 days" in email.body
    assert link_of(app, review) in email.body
    assert reminder_details(review) == ["the Confirmation of Intent due 03/09/2026: 7 days"]


def test_materials_reminder_and_a_missed_run_catches_up(world: World, sent: list[Email]) -> None:
    review = with_due_date(
        world.review_p3, v.REVIEW_MATERIALS_DUE, materials_due=dt.date(2026, 3, 3)
    )
    assert review_mail.send_due_reminders(db.session, TODAY) == 1
    assert "self-study report and materials" in sent[0].subject
    assert "03/03/2026, tomorrow" in sent[0].body
    assert reminder_details(review) == [
        "the self-study report and materials due 03/03/2026: 1 days"
    ]


def test_a_reminder_due_today_that_was_never_sent_goes_out(world: World, sent: list[Email]) -> None:
    with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=TODAY)
    assert review_mail.send_due_reminders(db.session, TODAY) == 1
    assert "is 03/02/2026, today" in sent[0].body


def test_running_twice_the_same_day_sends_once(world: World, sent: list[Email]) -> None:
    review = with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=dt.date(2026, 4, 1))
    assert review_mail.send_due_reminders(db.session, TODAY) == 1
    assert review_mail.send_due_reminders(db.session, TODAY) == 0
    assert len(sent) == 1 and len(reminder_details(review)) == 1


def test_a_moved_due_date_is_reminded_again(world: World, sent: list[Email]) -> None:
    review = with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=dt.date(2026, 3, 9))
    review_mail.send_due_reminders(db.session, TODAY)
    with_due_date(review, v.REVIEW_INTENT, intent_due=dt.date(2026, 3, 8))
    assert review_mail.send_due_reminders(db.session, TODAY) == 1


@pytest.mark.parametrize(
    ("stage", "dates"),
    [
        (v.REVIEW_DECIDED, {"intent_due": TODAY, "materials_due": TODAY}),
        (v.REVIEW_COMMITTEE, {"materials_due": TODAY, "interview_on": TODAY}),
        (v.REVIEW_SUBMITTED, {"intent_due": TODAY, "materials_due": TODAY}),
        # Each stage reminds of its own date only.
        (v.REVIEW_INTENT, {"intent_due": None, "materials_due": TODAY}),
        (v.REVIEW_MATERIALS_DUE, {"intent_due": TODAY, "materials_due": None}),
    ],
)
def test_other_stages_and_dates_get_no_reminder(
    world: World, sent: list[Email], stage: str, dates: dict[str, dt.date | None]
) -> None:
    review = with_due_date(world.review_p3, stage, **dates)
    assert review_mail.send_due_reminders(db.session, TODAY) == 0
    assert sent == [] and reminder_details(review) == []


def test_only_the_primary_contact_is_reminded(world: World, sent: list[Email]) -> None:
    billing = f.ContactFactory(provider=world.p3, contact_type="Billing Contact").user
    with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=dt.date(2026, 4, 1))
    review_mail.send_due_reminders(db.session, TODAY)
    assert [email.to for email in sent] == [world.contact_b.email]
    assert to(sent, billing) == [] and to(sent, world.surveyor) == []


def test_a_reminder_nobody_receives_is_not_recorded(world: World, sent: list[Email]) -> None:
    world.contact_b.active = False
    review = with_due_date(world.review_p3, v.REVIEW_INTENT, intent_due=dt.date(2026, 4, 1))
    assert review_mail.send_due_reminders(db.session, TODAY) == 0
    assert reminder_details(review) == []


@pytest.mark.parametrize(
    ("stage", "days_left", "threshold"),
    [
        (v.REVIEW_SUBMITTED, 8, None),
        (v.REVIEW_SUBMITTED, 7, 7),
        (v.REVIEW_UNDER_REVIEW, 3, 7),
        (v.REVIEW_UNDER_REVIEW, 1, 1),
        (v.REVIEW_UNDER_REVIEW, -1, None),
    ],
)
def test_interview_reminders_go_to_active_surveyors_only(
    world: World, sent: list[Email], stage: str, days_left: int, threshold: int | None
) -> None:
    recused = second_surveyor(world, recused=True)
    interview = TODAY + dt.timedelta(days=days_left)
    review = with_due_date(world.review_p3, stage, interview_on=interview)
    count = review_mail.send_due_reminders(db.session, TODAY)
    if threshold is None:
        assert count == 0 and sent == []
        return
    assert count == 1 and [email.to for email in sent] == [world.surveyor.email]
    assert to(sent, recused) == [] and to(sent, world.contact_b) == []
    assert f"interview with {P3} on {interview:%m/%d/%Y}" in sent[0].subject
    assert reminder_details(review) == [f"the interview on {interview:%m/%d/%Y}: {threshold} days"]
    assert review_mail.send_due_reminders(db.session, TODAY) == 0


def _selects_for(reviews: int) -> int:
    for _ in range(reviews):
        provider = f.ProviderFactory()
        f.ContactFactory(provider=provider, contact_type=v.PRIMARY_CONTACT)
        review = f.ReviewFactory(provider=provider, stage=v.REVIEW_SUBMITTED, interview_on=TODAY)
        f.AssignmentFactory(review=review, user=f.UserFactory())
        f.ReviewFactory(provider=provider, stage=v.REVIEW_INTENT, intent_due=TODAY)
    db.session.commit()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        review_mail.send_due_reminders(db.session, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_reminders_read_with_a_fixed_number_of_queries(app_ctx: Flask, sent: list[Email]) -> None:
    few = _selects_for(2)
    assert len(sent) == 4
    assert _selects_for(10) == few <= 5
    assert len(sent) == 4 + 20


def test_the_review_link_is_the_review_page_on_the_configured_site(
    app: Flask, world: World
) -> None:
    assert review_mail.review_link(world.review_p3) == link_of(app, world.review_p3)
