"""The emails of an accreditation review (domain.md §6.3, §7.1).

The provider hears through its Primary Contact, who receives every official ACCME
communication: the receipt of its materials, the decision, and reminders before the
Confirmation of Intent and the self-study materials are due. Surveyors hear when they are
assigned, when the provider submits, and before the interview; a surveyor who declared a
conflict (recused) hears nothing more about the review.

Every function here only reads, builds the messages and sends them: call it after the
use case has committed, so that no email tells of something that was rolled back.
Reminders are the exception that writes: each one sent is recorded in the review's
history, which is what keeps a daily run from sending it twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    AccreditationDecision,
    ProviderContact,
    Review,
    ReviewAssignment,
    ReviewEvent,
    User,
)
from app.schema import vocabularies as v
from app.security.urls import public_base_url
from app.services import emails, review_history
from app.services.mail import Email, send_email

REMINDER_SENT = "reminder sent"
INTENT = "the Confirmation of Intent"
MATERIALS = "the self-study report and materials"
INTERVIEW = "the interview"
INTERVIEW_STAGES = (v.REVIEW_SUBMITTED, v.REVIEW_UNDER_REVIEW)
#: Messages handed to the mail server at the same time by a reminder run.
_PARALLEL_SENDS = 8
#: How long a reminder run waits for one message to be handed to the mail server.
_SEND_WAIT_SECONDS = 60.0


def review_link(review: Review) -> str:
    """The review's page at the site's configured address (never the request's host, see
    :mod:`app.security.urls`); works in a request and in a command alike."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("ReviewModelView.show", {"pk": review.id})
    return public_base_url(current_app.config) + path


def _primary_contacts_of(session: Session, provider_ids: Iterable[int]) -> dict[int, list[Any]]:
    ids = sorted(set(provider_ids))
    found: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(
        select(ProviderContact.provider_id, User)
        .join(User, User.id == ProviderContact.user_id)
        .where(
            ProviderContact.provider_id.in_(ids),
            ProviderContact.contact_type == v.PRIMARY_CONTACT,
            User.active.is_(True),
        )
        .order_by(ProviderContact.provider_id, User.id)
    )
    for provider_id, user in rows:
        found[provider_id].append(user)
    return found


def primary_contacts(session: Session, provider_id: int) -> list[Any]:
    """The provider's Primary Contact (active accounts only): the person who receives
    every official ACCME communication about the provider."""
    return _primary_contacts_of(session, [provider_id]).get(provider_id, [])


def _active_surveyors(review: Review) -> list[Any]:
    """Assigned surveyors who did not declare a conflict, with an active account."""
    return [
        a.user
        for a in sorted(review.assignments, key=lambda a: a.user_id)
        if not a.recused and a.user is not None and a.user.active
    ]


def assigned(session: Session, assignment: ReviewAssignment) -> None:
    """Tell a surveyor newly assigned to a review (nothing once recused)."""
    user = assignment.user
    if assignment.recused or user is None or not user.active:
        return
    review = assignment.review
    link = review_link(review)
    send_email(emails.surveyor_assigned(user, review.provider.name, review.cycle, link))


def submitted(session: Session, review: Review) -> None:
    """The provider submitted its materials: a receipt to its Primary Contact and a notice
    to every assigned surveyor who has not recused."""
    name, link = review.provider.name, review_link(review)
    messages = [
        emails.materials_submitted(user, name, review.cycle, link)
        for user in primary_contacts(session, review.provider_id)
    ]
    messages += [
        emails.review_submitted_to_surveyor(user, name, review.cycle, link)
        for user in _active_surveyors(review)
    ]
    for message in messages:
        send_email(message)


def returned(session: Session, review: Review, reason: str) -> None:
    """Tell the provider's Primary Contact that staff returned its materials, and why."""
    name, link = review.provider.name, review_link(review)
    for user in primary_contacts(session, review.provider_id):
        send_email(emails.materials_returned(user, name, review.cycle, reason, link))


def decided(
    session: Session,
    review: Review,
    decision: AccreditationDecision,
    progress_due: dt.date | None = None,
) -> None:
    """Tell the provider's Primary Contact the accreditation decision (its term end, and
    the due date of the progress report when the decision asks for one)."""
    name, link = review.provider.name, review_link(review)
    for user in primary_contacts(session, review.provider_id):
        send_email(
            emails.accreditation_decided(
                user,
                name,
                decision.outcome,
                decision.decided_on,
                decision.term_end,
                link,
                progress_due=progress_due,
            )
        )


@dataclass(frozen=True)
class _Reminder:
    """One reminder due today: which review, what, and the history line that records it."""

    review: Review
    what: str
    due: dt.date
    days_left: int
    detail: str
    to_surveyors: bool


def _threshold(days_left: int, days: Sequence[int]) -> int | None:
    """The smallest threshold that ``days_left`` has reached (None: not yet, or past)."""
    reached = [t for t in days if 0 <= days_left <= t]
    return min(reached) if reached else None


def _reminder_of(
    review: Review, today: dt.date, days: Sequence[int], interview_days: Sequence[int]
) -> _Reminder | None:
    """The reminder the review's stage calls for today, if any (one date per stage)."""
    if review.stage == v.REVIEW_INTENT:
        what, due, thresholds, to_surveyors = INTENT, review.intent_due, days, False
    elif review.stage == v.REVIEW_MATERIALS_DUE:
        what, due, thresholds, to_surveyors = MATERIALS, review.materials_due, days, False
    elif review.stage in INTERVIEW_STAGES:
        what, due, thresholds, to_surveyors = INTERVIEW, review.interview_on, interview_days, True
    else:
        return None
    if due is None:
        return None
    days_left = (due - today).days
    threshold = _threshold(days_left, thresholds)
    if threshold is None:
        return None
    verb = "on" if to_surveyors else "due"
    detail = f"{what} {verb} {due:%m/%d/%Y}: {threshold} days"
    return _Reminder(review, what, due, days_left, detail, to_surveyors)


def _candidates(
    session: Session, today: dt.date, days: Sequence[int], interview_days: Sequence[int]
) -> list[Review]:
    """Reviews with a due date or interview inside the reminder window (one query)."""
    until = today + dt.timedelta(days=max(days, default=-1))
    interview_until = today + dt.timedelta(days=max(interview_days, default=-1))
    query = (
        select(Review)
        .where(
            or_(
                and_(Review.stage == v.REVIEW_INTENT, Review.intent_due.between(today, until)),
                and_(
                    Review.stage == v.REVIEW_MATERIALS_DUE,
                    Review.materials_due.between(today, until),
                ),
                and_(
                    Review.stage.in_(INTERVIEW_STAGES),
                    Review.interview_on.between(today, interview_until),
                ),
            )
        )
        .options(selectinload(Review.assignments))
        .order_by(Review.id)
    )
    return list(session.scalars(query))


def _already_sent(session: Session, review_ids: list[int]) -> set[tuple[int, str | None]]:
    if not review_ids:
        return set()
    rows = session.execute(
        select(ReviewEvent.review_id, ReviewEvent.detail).where(
            ReviewEvent.review_id.in_(review_ids), ReviewEvent.action == REMINDER_SENT
        )
    )
    return {(review_id, detail) for review_id, detail in rows}


def _messages(reminder: _Reminder, contacts: dict[int, list[Any]]) -> list[Email]:
    review = reminder.review
    name, link = review.provider.name, review_link(review)
    if reminder.to_surveyors:
        return [
            emails.interview_soon(user, name, reminder.due, reminder.days_left, link)
            for user in _active_surveyors(review)
        ]
    return [
        emails.review_due_soon(user, name, reminder.what, reminder.due, reminder.days_left, link)
        for user in contacts.get(review.provider_id, [])
    ]


def send_due_reminders(
    session: Session,
    today: dt.date,
    days: tuple[int, ...] = (30, 7, 1),
    *,
    interview_days: tuple[int, ...] = (7, 1),
) -> int:
    """Remind the Primary Contact of a Confirmation of Intent or of materials falling due
    within ``days`` (30, 7 and 1 days before; a missed run catches up with the nearest
    threshold), and the active surveyors of an interview ``interview_days`` ahead.

    Each reminder goes once: it is recorded in the review's history, and a reminder
    already recorded is skipped, so the daily job may run again. A reminder nobody could
    receive (no Primary Contact, no active surveyor) is not recorded. Commits once, then
    sends and waits for the messages to reach the mail server (a command must not end
    before they leave). Returns the number of emails sent.
    """
    reviews = _candidates(session, today, days, interview_days)
    sent_before = _already_sent(session, [r.id for r in reviews])
    contacts = _primary_contacts_of(session, (r.provider_id for r in reviews))
    outgoing: list[Email] = []
    for review in reviews:
        reminder = _reminder_of(review, today, days, interview_days)
        if reminder is None or (review.id, reminder.detail) in sent_before:
            continue
        messages = _messages(reminder, contacts)
        if messages:
            review_history.note(session, review, None, REMINDER_SENT, reminder.detail)
            outgoing += messages
    session.commit()
    _send_and_wait(outgoing)
    return len(outgoing)


def _send_and_wait(messages: list[Email]) -> None:
    """Send, a few at a time, and wait until each is handed over (or has failed)."""
    pending: list[threading.Thread] = []
    for message in messages:
        thread = send_email(message)
        if thread is not None:
            pending.append(thread)
        if len(pending) >= _PARALLEL_SENDS:
            pending.pop(0).join(_SEND_WAIT_SECONDS)
    for thread in pending:
        thread.join(_SEND_WAIT_SECONDS)
