"""The Program Summary of a provider's reporting year (domain.md §2.1): commercial support
summed from the year's activities, and six amounts the provider types (income by source and
total expenses, each 0 or more), saved with optimistic locking."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Activity, CommercialSupport, ProgramSummary
from app.models.reporting import SUMMARY_AMOUNTS
from app.services.annual import check_changeable, visible_provider
from app.services.annual_deadlines import commit_or_conflict
from app.services.clock import utcnow
from app.services.errors import ConflictError, InputError

MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")


def commercial_support_total(session: Session, provider_id: int, year: int) -> Decimal:
    """Monetary commercial support of the provider's activities of ``year`` (§2.1: summed
    from the activities, never typed)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CommercialSupport.amount), 0))
        .join(Activity, Activity.id == CommercialSupport.activity_id)
        .where(
            Activity.provider_id == provider_id,
            Activity.reporting_year == year,
            CommercialSupport.kind == "Monetary",
        )
    )
    return Decimal(total or 0).quantize(CENT)


def program_summary(
    session: Session, *, actor: Any, provider_id: int, year: int
) -> tuple[ProgramSummary | None, Decimal]:
    """The stored Program Summary (None before the first save) and the commercial support
    summed from the year's activities. Raises NotInScopeError outside the scope."""
    visible_provider(session, actor, provider_id)
    summary = session.scalars(
        select(ProgramSummary).where(
            ProgramSummary.provider_id == provider_id, ProgramSummary.year == year
        )
    ).first()
    return summary, commercial_support_total(session, provider_id, year)


def _amount(name: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise InputError(name, "Enter an amount in dollars (0 if none).")
    if amount < 0 or amount > MAX_AMOUNT:
        raise InputError(name, "Enter an amount from 0 to 999,999,999,999.99.")
    return amount


def save_program_summary(
    session: Session,
    *,
    actor: Any,
    provider_id: int,
    year: int,
    version_id: int | None,
    amounts: Mapping[str, Any],
) -> ProgramSummary:
    """Save the six typed amounts of the Program Summary (each 0 or more).

    ``version_id`` is the version the form was opened at (None for a new summary): if
    someone saved since, ConflictError is raised and nothing is overwritten. Raises
    InputError for a bad amount, RuleError when the year is locked, NotInScopeError when
    the actor may not act for the provider.
    """
    check_changeable(session, actor, provider_id, year)
    values = {name: _amount(name, amounts.get(name)) for name in SUMMARY_AMOUNTS}
    summary = session.scalars(
        select(ProgramSummary).where(
            ProgramSummary.provider_id == provider_id, ProgramSummary.year == year
        )
    ).first()
    current = summary.version_id if summary is not None else None
    if current != version_id:
        raise ConflictError()
    if summary is None:
        summary = ProgramSummary(provider_id=provider_id, year=year)
        session.add(summary)
    for name, value in values.items():
        setattr(summary, name, value)
    summary.saved_at, summary.saved_by_id = utcnow(), actor.id
    commit_or_conflict(session)
    return summary
