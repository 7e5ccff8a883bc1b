"""Annual reporting (domain.md §2): the five steps of a provider's reporting year, the
attestation that locks the year, reopening, and staff extensions of one provider's
deadline. The Program Summary is in :mod:`app.services.program_summary`; how deadlines
are chosen, and accreditors' deadlines, in :mod:`app.services.annual_deadlines`.

The five steps (§2.2): (1) accept the annual Provider Agreement; (2) enter the year's
activities and close those that ended; (3) update the learner counts of enduring materials;
(4) complete the Program Summary; (5) review the contacts. Submitting the year is the
attestation: it refuses while any step is unmet, and afterwards the year is locked (its
activities and summary are read-only for the provider) until ACCME staff reopen it.

Only the provider's contacts and ACCME staff change a provider's year; Recognized
Accreditors and surveyors read within their scope. Every function takes the session and
the acting user, owns one transaction, and raises NotInScopeError for a provider (or
accreditor) the actor may not act for: the views answer 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import (
    AccreditorDeadline,
    Activity,
    ProgramSummary,
    Provider,
    ReportingYear,
)
from app.schema import vocabularies as v
from app.security import scoping
from app.services import audit
from app.services.annual_deadlines import (
    YearDeadline,
    check_due,
    check_year,
    commit_or_conflict,
    resolve_deadline,
)
from app.services.clock import utcnow
from app.services.errors import NotInScopeError, RuleError

SUBMITTED = "annual report submitted"
REOPENED = "annual report reopened"
DEADLINE_EXTENDED = "annual deadline extended"

#: Steps marked by a button: step key -> (timestamp column, "by" column or None).
MARKS = {
    "agreement": ("agreement_accepted_at", "agreement_accepted_by_id"),
    "enduring": ("enduring_updated_at", None),
    "contacts": ("contacts_reviewed_at", None),
}


# ---- progress -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityCounts:
    total: int = 0  # activities of the reporting year
    ended_open: int = 0  # of those: ended before today but not Closed
    enduring: int = 0  # enduring materials available during the year


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    label: str
    done: bool
    detail: str


@dataclass(frozen=True)
class YearProgress:
    provider: Provider
    year: int
    today: dt.date
    deadline: YearDeadline
    steps: tuple[Step, ...]
    counts: ActivityCounts
    record: ReportingYear | None
    summary: ProgramSummary | None

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def submitted(self) -> bool:
        return self.record is not None and self.record.submitted_at is not None

    @property
    def days_left(self) -> int:
        return self.deadline.days_left(self.today)

    @property
    def overdue(self) -> bool:
        """Past the due date and not submitted."""
        return not self.submitted and self.today > self.deadline.due


STEP_LABELS = (
    ("agreement", "Accept the Provider Agreement"),
    ("activities", "Enter the activities and close those that ended"),
    ("enduring", "Update the enduring materials' learner counts"),
    ("summary", "Complete the Program Summary"),
    ("contacts", "Review the contacts"),
)


def _steps(
    record: ReportingYear | None, summary: ProgramSummary | None, counts: ActivityCounts
) -> tuple[Step, ...]:
    def marked(name: str) -> bool:
        return record is not None and getattr(record, name) is not None

    state = {
        "agreement": (marked("agreement_accepted_at"), ""),
        "activities": (
            counts.ended_open == 0,
            f"{counts.total} in the year, {counts.ended_open} ended but not Closed",
        ),
        "enduring": (
            (True, "No enduring material in this year")
            if counts.enduring == 0
            else (marked("enduring_updated_at"), f"{counts.enduring} enduring materials")
        ),
        "summary": (summary is not None and summary.saved_at is not None, ""),
        "contacts": (marked("contacts_reviewed_at"), ""),
    }
    return tuple(
        Step(number, key, label, *state[key])
        for number, (key, label) in enumerate(STEP_LABELS, start=1)
    )


def _activity_counts(
    session: Session, provider_ids: list[int], year: int, today: dt.date
) -> dict[int, ActivityCounts]:
    of_year = Activity.reporting_year == year
    enduring = and_(
        Activity.format == v.ENDURING,
        Activity.start_date <= dt.date(year, 12, 31),
        Activity.end_date >= dt.date(year, 1, 1),
    )
    ended_open = and_(of_year, Activity.end_date < today, Activity.status != v.CLOSED)
    rows = session.execute(
        select(
            Activity.provider_id,
            func.sum(case((of_year, 1), else_=0)),
            func.sum(case((ended_open, 1), else_=0)),
            func.sum(case((enduring, 1), else_=0)),
        )
        .where(Activity.provider_id.in_(provider_ids), of_year | enduring)
        .group_by(Activity.provider_id)
    ).all()
    return {pid: ActivityCounts(int(t or 0), int(o or 0), int(e or 0)) for pid, t, o, e in rows}


def progress_for_providers(
    session: Session, providers: Sequence[Provider], year: int, today: dt.date
) -> list[YearProgress]:
    """Progress of each of ``providers`` (read by the caller through the scope) in
    ``year``, in a fixed number of queries whatever the number of providers."""
    ids = [p.id for p in providers]
    records = {
        r.provider_id: r
        for r in session.scalars(
            select(ReportingYear).where(
                ReportingYear.year == year, ReportingYear.provider_id.in_(ids)
            )
        )
    }
    summaries = {
        s.provider_id: s
        for s in session.scalars(
            select(ProgramSummary).where(
                ProgramSummary.year == year, ProgramSummary.provider_id.in_(ids)
            )
        )
    }
    accreditor_dues = {
        accreditor_id: due
        for accreditor_id, due in session.execute(
            select(AccreditorDeadline.accreditor_id, AccreditorDeadline.due).where(
                AccreditorDeadline.year == year
            )
        )
    }
    counts = _activity_counts(session, ids, year, today)
    result = []
    for provider in providers:
        record, summary = records.get(provider.id), summaries.get(provider.id)
        extended = record.deadline_extended_to if record is not None else None
        deadline = resolve_deadline(year, extended, accreditor_dues.get(provider.accreditor_id))
        mine = counts.get(provider.id, ActivityCounts())
        steps = _steps(record, summary, mine)
        result.append(YearProgress(provider, year, today, deadline, steps, mine, record, summary))
    return result


def visible_provider(session: Session, actor: Any, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None or not scoping.can_see_provider(session, actor, provider_id):
        raise NotInScopeError()
    return provider


def year_progress(
    session: Session, *, actor: Any, provider_id: int, year: int, today: dt.date | None = None
) -> YearProgress:
    """The five steps of the provider's ``year`` with their counts, its deadline and
    whether it is overdue. Raises NotInScopeError outside the actor's scope."""
    provider = visible_provider(session, actor, provider_id)
    return progress_for_providers(session, [provider], year, today or dt.date.today())[0]


def year_is_locked(session: Session, provider_id: int, year: int) -> bool:
    """Whether the provider's ``year`` is submitted (attested) and not reopened: its
    activities and Program Summary are then read-only for the provider."""
    submitted = session.scalar(
        select(ReportingYear.submitted_at).where(
            ReportingYear.provider_id == provider_id, ReportingYear.year == year
        )
    )
    return submitted is not None


# ---- the year's steps, attestation and reopening ---------------------------------------


def _find_year(session: Session, provider_id: int, year: int) -> ReportingYear | None:
    return session.scalars(
        select(ReportingYear).where(
            ReportingYear.provider_id == provider_id, ReportingYear.year == year
        )
    ).first()


def _year_record(session: Session, provider_id: int, year: int) -> ReportingYear:
    """The provider's record of ``year``, added to the session when there is none yet."""
    record = _find_year(session, provider_id, year)
    if record is None:
        record = ReportingYear(provider_id=provider_id, year=year)
        session.add(record)
    return record


def check_changeable(
    session: Session, actor: Any, provider_id: int, year: int
) -> ReportingYear | None:
    """The year's record (None before its first change), when the actor may change the
    year: one of the provider's contacts or staff, and the year not locked. Writes nothing.

    Raises NotInScopeError, InputError for a year out of range, RuleError when locked.
    """
    if session.get(Provider, provider_id) is None or not scoping.can_act_for_provider(
        session, actor, provider_id
    ):
        raise NotInScopeError()
    check_year(year)
    record = _find_year(session, provider_id, year)
    if record is not None and record.submitted_at is not None:
        raise RuleError(
            f"The {year} annual report is submitted and locked. "
            "ACCME staff can reopen it if something must change."
        )
    return record


def mark_step(
    session: Session, *, actor: Any, provider_id: int, year: int, step: str
) -> ReportingYear:
    """Mark step ``agreement`` (accept the Provider Agreement), ``enduring`` (enduring
    materials' learner counts updated as of Dec 31) or ``contacts`` (contacts reviewed)
    as done. Marking twice keeps the first time. Raises RuleError for a locked year,
    NotInScopeError when the actor may not act for the provider, KeyError for another step.
    """
    at_column, by_column = MARKS[step]
    record = check_changeable(session, actor, provider_id, year)
    record = record or _year_record(session, provider_id, year)
    if getattr(record, at_column) is None:
        setattr(record, at_column, utcnow())
        if by_column:
            setattr(record, by_column, actor.id)
    commit_or_conflict(session)
    return record


def accept_agreement(session: Session, *, actor: Any, provider_id: int, year: int) -> ReportingYear:
    """Step 1: the provider accepts the annual Provider Agreement."""
    return mark_step(session, actor=actor, provider_id=provider_id, year=year, step="agreement")


def mark_enduring_updated(
    session: Session, *, actor: Any, provider_id: int, year: int
) -> ReportingYear:
    """Step 3: the learner counts of the enduring materials are updated as of Dec 31."""
    return mark_step(session, actor=actor, provider_id=provider_id, year=year, step="enduring")


def mark_contacts_reviewed(
    session: Session, *, actor: Any, provider_id: int, year: int
) -> ReportingYear:
    """Step 5: the provider's contacts are reviewed."""
    return mark_step(session, actor=actor, provider_id=provider_id, year=year, step="contacts")


def submit_year(
    session: Session, *, actor: Any, provider_id: int, year: int, today: dt.date | None = None
) -> ReportingYear:
    """Attest that the year's data is complete: the year is then locked.

    Raises RuleError listing every unmet step, RuleError for a year already submitted,
    NotInScopeError when the actor may not act for the provider.
    """
    record = check_changeable(session, actor, provider_id, year)
    record = record or _year_record(session, provider_id, year)
    provider = session.get(Provider, provider_id)
    assert provider is not None
    progress = progress_for_providers(session, [provider], year, today or dt.date.today())[0]
    unmet = [step for step in progress.steps if not step.done]
    if unmet:
        session.rollback()
        raise RuleError(
            f"The {year} annual report cannot be submitted yet: complete every step first.",
            [f"Step {s.number}: {s.label}" + (f" ({s.detail})" if s.detail else "") for s in unmet],
        )
    record.submitted_at, record.submitted_by_id = utcnow(), actor.id
    audit.record(
        session, SUBMITTED, actor=actor, provider_id=provider_id, obj=record, detail=str(year)
    )
    commit_or_conflict(session)
    return record


def _check_staff(session: Session, actor: Any, provider_id: int, year: int) -> None:
    if not scoping.sees_everything(actor) or session.get(Provider, provider_id) is None:
        raise NotInScopeError()
    check_year(year)


def reopen_year(session: Session, *, actor: Any, provider_id: int, year: int) -> ReportingYear:
    """ACCME staff reopen a submitted year: the provider may change it and submit again.

    Raises NotInScopeError for anyone but staff, RuleError for a year not submitted.
    """
    _check_staff(session, actor, provider_id, year)
    record = _find_year(session, provider_id, year)
    if record is None or record.submitted_at is None:
        raise RuleError(f"The {year} annual report is not submitted: there is nothing to reopen.")
    detail = f"{year}, submitted {record.submitted_at:%Y-%m-%d %H:%M} UTC"
    record.submitted_at, record.submitted_by_id, record.reopened_at = None, None, utcnow()
    audit.record(session, REOPENED, actor=actor, provider_id=provider_id, obj=record, detail=detail)
    commit_or_conflict(session)
    return record


def extend_deadline(
    session: Session, *, actor: Any, provider_id: int, year: int, due: dt.date | None
) -> ReportingYear:
    """ACCME staff set (or, with None, remove) one provider's deadline for ``year``; it
    takes precedence over the accreditor's and the default one.

    Raises NotInScopeError for anyone but staff, InputError for a date within the year.
    """
    _check_staff(session, actor, provider_id, year)
    if due is not None:
        check_due(year, due)
    record = _year_record(session, provider_id, year)
    record.deadline_extended_to = due
    detail = f"{year}: {due.isoformat() if due else 'extension removed'}"
    audit.record(
        session, DEADLINE_EXTENDED, actor=actor, provider_id=provider_id, obj=record, detail=detail
    )
    commit_or_conflict(session)
    return record
