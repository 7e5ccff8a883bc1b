"""The accreditation review workflow (domain.md §6.3).

A review moves Confirmation of Intent (reaccreditation only) -> Materials Due ->
Submitted -> Under Review -> Committee -> Decided, and only through these functions:
each checks who may take the step and at which stage, appends the step to the review's
history, and owns one transaction.

* ACCME staff open a review, return submitted materials that are not complete enough
  (back to Materials Due, with the reason), start it once two or three surveyors are
  assigned, schedule
  the interview, send it to the committee once every required criterion has a finding,
  and record the decision.
* The provider's contacts confirm their intent and submit complete materials.
* A decision with Noncompliance findings opens a progress report, due one year later.
* State-accredited providers have no online accreditation: no review is ever opened for
  them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AccreditationDecision, Provider, Review
from app.schema import vocabularies as v
from app.services import audit, decisions, findings, review_mail, review_materials, review_team
from app.services.clock import utcnow
from app.services.errors import InputError, NotInScopeError, RuleError
from app.services.review_access import (
    commit_step,
    require_accredited_by_accme,
    require_provider_side,
    require_staff,
    require_stage,
    review_for,
)
from app.services.review_history import advance, note

#: A progress report answers Noncompliance findings within a year of the decision.
PROGRESS_REPORT_YEARS = 1
INITIAL, REACCREDITATION, PROGRESS_REPORT = v.REVIEW_CYCLES.values
#: Outcomes after which the provider answers its Noncompliance findings.
ANSWERED_BY_PROGRESS_REPORT = frozenset(v.ACCREDITATION_STATUSES.values) - {"Nonaccreditation"}


def open_review(
    session: Session,
    actor: Any,
    provider_id: int,
    cycle: str,
    materials_due: dt.date | None,
    intent_due: dt.date | None = None,
) -> Review:
    """ACCME staff open a review for an ACCME-accredited or jointly accredited provider
    that has no open review. A reaccreditation starts with the Confirmation of Intent
    (due before the materials) and covers the current term."""
    require_staff(actor, "open accreditation reviews")
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotInScopeError()
    _check_can_open(session, provider, cycle)
    _check_due_dates(cycle, materials_due, intent_due)
    review = Review(
        provider_id=provider.id,
        cycle=cycle,
        stage=v.REVIEW_INTENT if cycle == REACCREDITATION else v.REVIEW_MATERIALS_DUE,
        intent_due=intent_due if cycle == REACCREDITATION else None,
        materials_due=materials_due,
    )
    if cycle != INITIAL:
        review.term_start, review.term_end = provider.term_start, provider.term_end
    session.add(review)
    session.flush()
    note(session, review, actor, "review opened", f"{cycle}, stage {review.stage}")
    _audit(session, actor, review, "accreditation review opened", cycle)
    session.commit()
    return review


def _check_can_open(session: Session, provider: Provider, cycle: str) -> None:
    require_accredited_by_accme(provider)
    if cycle not in v.REVIEW_CYCLES:
        raise InputError("cycle", "Choose one of the listed cycles.")
    open_stage = session.scalars(
        select(Review.stage).where(
            Review.provider_id == provider.id, Review.stage != v.REVIEW_DECIDED
        )
    ).first()
    if open_stage is not None:
        raise RuleError(
            f'{provider.name} already has an open review (at the stage "{open_stage}"): '
            "it must be decided before another one is opened."
        )


def _check_due_dates(cycle: str, materials_due: dt.date | None, intent_due: dt.date | None) -> None:
    today = utcnow().date()
    if materials_due is None:
        raise InputError("materials_due", "Enter the date the materials are due.")
    if materials_due < today:
        raise InputError("materials_due", "The materials due date has already passed.")
    if cycle != REACCREDITATION:
        return
    if intent_due is None:
        raise InputError("intent_due", "Enter the date the Confirmation of Intent is due.")
    if intent_due < today:
        raise InputError("intent_due", "The Confirmation of Intent due date has already passed.")
    if intent_due > materials_due:
        raise InputError("intent_due", "The Confirmation of Intent is due before the materials.")


def confirm_intent(session: Session, actor: Any, review_id: Any, attests: bool) -> Review:
    """The provider attests that it continues to follow the accreditation criteria,
    standards and policies; the materials are due next."""
    review = review_for(session, actor, review_id)
    require_provider_side(session, actor, review, "confirm the intent to reaccredit")
    require_stage(review, (v.REVIEW_INTENT,), "confirm your intent")
    if not attests:
        raise InputError(
            "attests",
            "Tick the box to attest that you continue to follow the accreditation "
            "criteria, standards and policies.",
        )
    advance(session, review, actor, "intent confirmed", v.REVIEW_MATERIALS_DUE)
    commit_step(session)
    return review


def submit(session: Session, actor: Any, review_id: Any) -> Review:
    """The provider submits its materials once they are complete: the self-study report
    (or progress report) and evidence for every activity picked for
    performance-in-practice review. Nothing can be changed afterwards."""
    review = review_for(session, actor, review_id)
    require_provider_side(session, actor, review, "submit the review materials")
    require_stage(review, (v.REVIEW_MATERIALS_DUE,), "submit the materials")
    missing = review_materials.missing_materials(session, review)
    if missing:
        raise RuleError("The materials are not complete yet. Still missing:", missing)
    review.submitted_at = utcnow()
    advance(session, review, actor, "materials submitted", v.REVIEW_SUBMITTED)
    _audit(session, actor, review, "review materials submitted", review.cycle)
    commit_step(session)
    review_mail.submitted(session, review)
    return review


REASON_MAX = 2000


def return_materials(session: Session, actor: Any, review_id: Any, reason: str) -> Review:
    """Staff return submitted materials that are not complete enough to review: the
    review goes back to Materials Due, the provider is told what is needed, and its
    contacts can add or replace files and submit again."""
    require_staff(actor, "return materials to the provider")
    review = review_for(session, actor, review_id)
    require_stage(review, (v.REVIEW_SUBMITTED,), "return the materials")
    text = (reason or "").strip()
    if not text:
        raise InputError("reason", "Say what the provider needs to add or change.")
    if len(text) > REASON_MAX:
        raise InputError("reason", f"The reason is limited to {REASON_MAX} characters.")
    review.submitted_at = None
    advance(session, review, actor, "materials returned", v.REVIEW_MATERIALS_DUE, text)
    commit_step(session)
    review_mail.returned(session, review, text)
    return review


def start_review(session: Session, actor: Any, review_id: Any) -> Review:
    """Staff start the review of submitted materials; an initial or reaccreditation
    review needs two or three volunteer surveyors."""
    require_staff(actor, "start reviews")
    review = review_for(session, actor, review_id)
    require_stage(review, (v.REVIEW_SUBMITTED,), "start the review")
    count = review_team.active_surveyors(session, review)
    if (
        review.cycle != PROGRESS_REPORT
        and not review_team.SURVEYORS_MIN <= count <= review_team.SURVEYORS_MAX
    ):
        raise RuleError(
            f"Assign two or three volunteer surveyors before the review starts ({count} assigned)."
        )
    advance(session, review, actor, "review started", v.REVIEW_UNDER_REVIEW)
    commit_step(session)
    return review


def schedule_interview(session: Session, actor: Any, review_id: Any, on: dt.date | None) -> Review:
    """Staff set the date of the accreditation interview with the surveyors."""
    require_staff(actor, "schedule interviews")
    review = review_for(session, actor, review_id)
    require_stage(review, (v.REVIEW_SUBMITTED, v.REVIEW_UNDER_REVIEW), "schedule the interview")
    if on is None:
        raise InputError("interview_on", "Enter the date of the interview.")
    if on < utcnow().date():
        raise InputError("interview_on", "The interview date has already passed.")
    review.interview_on = on
    note(session, review, actor, "interview scheduled", f"{on:%m/%d/%Y}")
    commit_step(session)
    return review


def send_to_committee(session: Session, actor: Any, review_id: Any) -> Review:
    """Staff send the review to the Accreditation Review Committee once every required
    criterion has a finding."""
    require_staff(actor, "send reviews to the committee")
    review = review_for(session, actor, review_id)
    require_stage(review, (v.REVIEW_UNDER_REVIEW,), "send the review to the committee")
    missing = findings.missing_findings(session, review)
    if missing:
        raise RuleError("A finding is still missing for these criteria:", missing)
    advance(session, review, actor, "sent to the committee", v.REVIEW_COMMITTEE)
    commit_step(session)
    return review


def decide(
    session: Session,
    actor: Any,
    review_id: Any,
    outcome: str,
    decided_on: dt.date | None,
    notes: str | None = None,
) -> AccreditationDecision:
    """Staff record the committee's decision on the review: the provider's status and
    term follow (see :mod:`app.services.decisions`), the review is decided, and
    Noncompliance findings open a progress report due a year after the decision."""
    require_staff(actor, "record accreditation decisions")
    review = review_for(session, actor, review_id)
    require_stage(review, (v.REVIEW_COMMITTEE,), "record the decision")
    day = decisions.check_outcome(outcome, decided_on)
    advance(session, review, actor, "decision recorded", v.REVIEW_DECIDED, outcome)
    decision = decisions.add_decision(
        session, actor, review.provider_id, outcome, day, notes, review_id=review.id
    )
    progress = _progress_report_for(session, actor, review, decision)
    commit_step(session)
    review_mail.decided(
        session, review, decision, progress.materials_due if progress is not None else None
    )
    return decision


def _progress_report_for(
    session: Session, actor: Any, review: Review, decision: AccreditationDecision
) -> Review | None:
    """A progress report review when the decision leaves Noncompliance findings to answer."""
    criteria = findings.noncompliant_codes(session, review)
    if not criteria or decision.outcome not in ANSWERED_BY_PROGRESS_REPORT:
        return None
    progress = Review(
        provider_id=review.provider_id,
        cycle=PROGRESS_REPORT,
        stage=v.REVIEW_MATERIALS_DUE,
        materials_due=decisions.anniversary(decision.decided_on, PROGRESS_REPORT_YEARS),
        term_start=decision.term_start or review.term_start,
        term_end=decision.term_end or review.term_end,
        follows_review_id=review.id,
    )
    session.add(progress)
    session.flush()
    detail = f"answers the Noncompliance findings on {', '.join(criteria)}"
    note(session, progress, actor, "progress report opened", detail)
    note(session, review, actor, "progress report opened", f"review {progress.id}, {detail}")
    return progress


def _audit(session: Session, actor: Any, review: Review, action: str, detail: str) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        provider_id=review.provider_id,
        object_type="Review",
        object_id=review.id,
        detail=detail,
    )
