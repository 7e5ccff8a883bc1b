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
from app.services.errors import InputError, NotInScopeError, RuleError

#: Years of the term each accrediting outcome gives.
TERM_YEARS = {
    "Provisional Accreditation": 2,
    "Accreditation": 4,
    "Accreditation with Commendation": 6,
}
RECORDED = "accreditation decision recorded"


class NotStaffError(RuleError):
    """Only ACCME staff record accreditation decisions (views answer 403)."""


def term_for(outcome: str, decided_on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The term an outcome gives from its decision date: the day of the decision to the
    day before the same date N years later (none for Probation and Nonaccreditation)."""
    years = TERM_YEARS.get(outcome)
    if years is None:
        return None, None
    try:
        anniversary = decided_on.replace(year=decided_on.year + years)
    except ValueError:  # February 29
        anniversary = dt.date(decided_on.year + years, 3, 1)
    return decided_on, anniversary - dt.timedelta(days=1)


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
    if not scoping.sees_everything(actor):
        raise NotStaffError("Only ACCME staff record accreditation decisions.")
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotInScopeError()
    if provider.kind == v.STATE_KIND:
        raise RuleError(
            f"{provider.name} is accredited by a Recognized Accreditor, not by ACCME: its "
            "accreditation decisions are not recorded in PARS."
        )
    if outcome not in v.ACCREDITATION_STATUSES:
        raise InputError("outcome", "Choose one of the listed outcomes.")
    if decided_on > utcnow().date():
        raise InputError("decided_on", "The decision date cannot be in the future.")
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
    session.commit()
    return decision
