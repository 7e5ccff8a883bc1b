"""Recording accreditation decisions (domain.md §6.2): only ACCME staff decide; the
decision gives the provider its status and, for an accrediting outcome, its term
(Provisional Accreditation 2 years, Accreditation 4, with Commendation 6). Decisions are
append-only: each one is a new row of the provider's accreditation history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from app.models import AccreditationDecision, Provider
from app.schema import vocabularies as v
from app.security import scoping
from app.services import audit
from app.services.clock import utcnow
from app.services.errors import ForbiddenError, InputError, NotInScopeError
from app.services.review_access import require_accredited_by_accme

#: Years of the term each accrediting outcome gives.
TERM_YEARS = {
    "Provisional Accreditation": 2,
    "Accreditation": 4,
    "Accreditation with Commendation": 6,
}
RECORDED = "accreditation decision recorded"


class NotStaffError(ForbiddenError):
    """Only ACCME staff record accreditation decisions (views answer 403)."""


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later (March 1 for February 29 in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29
        return dt.date(day.year + years, 3, 1)


def term_for(outcome: str, decided_on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The term an outcome gives from its decision date: the day of the decision to the
    day before the same date N years later (none for Probation and Nonaccreditation)."""
    years = TERM_YEARS.get(outcome)
    if years is None:
        return None, None
    return decided_on, anniversary(decided_on, years) - dt.timedelta(days=1)


def check_outcome(outcome: str, decided_on: dt.date | None) -> dt.date:
    """An outcome of the list and a decision date that is not in the future (returned)."""
    if outcome not in v.ACCREDITATION_STATUSES:
        raise InputError("outcome", "Choose one of the listed outcomes.")
    if decided_on is None:
        raise InputError("decided_on", "Enter the decision date.")
    if decided_on > utcnow().date():
        raise InputError("decided_on", "The decision date cannot be in the future.")
    return decided_on


def record_decision(
    session: Session,
    actor: Any,
    provider_id: int,
    outcome: str,
    decided_on: dt.date,
    notes: str | None = None,
) -> AccreditationDecision:
    """Record a decision for an ACCME-accredited or jointly accredited provider and give
    the provider its status and term, with one audit row, in one transaction."""
    decision = add_decision(session, actor, provider_id, outcome, decided_on, notes)
    session.commit()
    return decision


def add_decision(
    session: Session,
    actor: Any,
    provider_id: int,
    outcome: str,
    decided_on: dt.date,
    notes: str | None = None,
    *,
    review_id: int | None = None,
) -> AccreditationDecision:
    """The decision and its effects (status, term, audit row), flushed but not committed:
    the caller's transaction also closes the review it concludes."""
    if not scoping.sees_everything(actor):
        raise NotStaffError("Only ACCME staff record accreditation decisions.")
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotInScopeError()
    require_accredited_by_accme(provider)
    check_outcome(outcome, decided_on)
    start, end = term_for(outcome, decided_on)
    decision = AccreditationDecision(
        provider_id=provider.id,
        outcome=outcome,
        decided_on=decided_on,
        term_start=start,
        term_end=end,
        notes=(notes or "").strip() or None,
        recorded_at=utcnow(),
        recorded_by=getattr(actor, "email", None),
        review_id=review_id,
    )
    session.add(decision)
    provider.accreditation_status = outcome
    if start is not None:
        provider.term_start, provider.term_end = start, end
    session.flush()
    audit.record(
        session,
        RECORDED,
        actor=actor,
        provider_id=provider.id,
        object_type="AccreditationDecision",
        object_id=decision.id,
        detail=f"{outcome}, decided {decided_on:%m/%d/%Y}",
    )
    return decision
