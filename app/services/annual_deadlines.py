"""Deadlines of annual reports (domain.md §2.2).

A provider's report of a year is due, in this order: by the date ACCME staff extended it
to for that provider; by the date its Recognized Accreditor set for the year (state-
accredited providers may have earlier deadlines); else by March 31 of the following year.
A Recognized Accreditor's deadline must be earlier than that March 31; staff may set any
date after the end of the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import Accreditor, AccreditorDeadline, AccreditorMember, Provider, ReportingYear
from app.security import roles, scoping
from app.services import audit
from app.services.deadlines import annual_report_due
from app.services.errors import ConflictError, InputError, NotInScopeError

FIRST_YEAR = 2005  # PARS holds data back to reporting year 2005
ACCREDITOR_DEADLINE_SET = "accreditor deadline set"


def commit_or_conflict(session: Session) -> None:
    """Commit; a concurrent change of the same row (or a second first row) is a conflict."""
    try:
        session.commit()
    except (StaleDataError, IntegrityError) as error:
        session.rollback()
        raise ConflictError() from error


def check_year(year: int) -> None:
    """Reporting years run from 2005 (PARS's oldest data) to next year."""
    if not FIRST_YEAR <= year <= dt.date.today().year + 1:
        raise InputError("year", f"Choose a reporting year from {FIRST_YEAR}.")


def check_due(year: int, due: dt.date) -> None:
    """A year's report cannot be due before the year ends."""
    if due <= dt.date(year, 12, 31):
        raise InputError("due", f"The deadline must be after the end of {year}.")


@dataclass(frozen=True)
class YearDeadline:
    due: dt.date
    source: str  # "extension", "accreditor" or "default"

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


def resolve_deadline(
    year: int, extended_to: dt.date | None, accreditor_due: dt.date | None
) -> YearDeadline:
    """Staff extension, else the accreditor's deadline, else March 31 of the next year."""
    if extended_to is not None:
        return YearDeadline(extended_to, "extension")
    if accreditor_due is not None:
        return YearDeadline(accreditor_due, "accreditor")
    return YearDeadline(annual_report_due(year), "default")


def deadline_for(session: Session, provider_id: int, year: int) -> YearDeadline:
    """The due date of the provider's report for ``year`` (no scope check: a date only)."""
    extended = session.scalar(
        select(ReportingYear.deadline_extended_to).where(
            ReportingYear.provider_id == provider_id, ReportingYear.year == year
        )
    )
    accreditor_due = session.scalar(
        select(AccreditorDeadline.due)
        .join(Provider, Provider.accreditor_id == AccreditorDeadline.accreditor_id)
        .where(Provider.id == provider_id, AccreditorDeadline.year == year)
    )
    return resolve_deadline(year, extended, accreditor_due)


def _may_set_deadline(session: Session, actor: Any, accreditor_id: int) -> bool:
    if scoping.sees_everything(actor):
        return True
    if roles.ACCREDITOR not in scoping.role_names(actor):
        return False
    member = select(AccreditorMember.id).where(
        AccreditorMember.accreditor_id == accreditor_id, AccreditorMember.user_id == actor.id
    )
    return session.scalars(member).first() is not None


def set_accreditor_deadline(
    session: Session, *, actor: Any, accreditor_id: int, year: int, due: dt.date | None
) -> AccreditorDeadline | None:
    """A Recognized Accreditor sets the deadline of ``year`` for its providers (None
    removes it). It must be earlier than March 31 of the next year; staff may set any
    date after the year.

    Raises NotInScopeError unless the actor is a member of that accreditor (or staff),
    InputError for a date that is not allowed.
    """
    if session.get(Accreditor, accreditor_id) is None or not _may_set_deadline(
        session, actor, accreditor_id
    ):
        raise NotInScopeError()
    check_year(year)
    default = annual_report_due(year)
    if due is not None:
        check_due(year, due)
        if due >= default and not scoping.sees_everything(actor):
            raise InputError("due", f"The deadline must be earlier than {default:%B %d, %Y}.")
    row = session.scalars(
        select(AccreditorDeadline).where(
            AccreditorDeadline.accreditor_id == accreditor_id, AccreditorDeadline.year == year
        )
    ).first()
    if due is None:
        if row is not None:
            session.delete(row)
        row = None
    elif row is None:
        row = AccreditorDeadline(accreditor_id=accreditor_id, year=year, due=due)
        session.add(row)
    else:
        row.due = due
    detail = f"accreditor {accreditor_id}, {year}: {due.isoformat() if due else 'removed'}"
    audit.record(
        session,
        ACCREDITOR_DEADLINE_SET,
        actor=actor,
        object_type="AccreditorDeadline",
        object_id=accreditor_id,
        detail=detail,
    )
    commit_or_conflict(session)
    return row
