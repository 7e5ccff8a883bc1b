"""Reads of annual reporting for staff and Recognized Accreditors: every provider in the
user's scope with its progress in a year, and the accreditors whose deadlines they set."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Accreditor, AccreditorDeadline, AccreditorMember, Provider
from app.security import scoping
from app.services.annual import YearProgress, progress_for_providers


def year_overview(
    session: Session, user: Any, year: int, today: dt.date, *, overdue_only: bool = False
) -> list[YearProgress]:
    """Each provider ``user`` may see, by name, with its progress in ``year``."""
    providers = session.scalars(
        select(Provider)
        .where(scoping.predicate(session, Provider, user))
        .order_by(Provider.name, Provider.id)
    ).all()
    rows = progress_for_providers(session, providers, year, today)
    return [row for row in rows if row.overdue] if overdue_only else rows


def deadline_accreditors(session: Session, user: Any) -> list[Accreditor]:
    """The accreditors whose deadlines ``user`` sets: every one for staff, else the
    Recognized Accreditors the user is a member of."""
    query = select(Accreditor).order_by(Accreditor.name)
    if not scoping.sees_everything(user):
        member_of = select(AccreditorMember.accreditor_id).where(
            AccreditorMember.user_id == user.id
        )
        query = query.where(Accreditor.id.in_(member_of))
    return list(session.scalars(query))


def accreditor_deadlines(session: Session, accreditor_ids: list[int]) -> list[AccreditorDeadline]:
    """The deadlines set by these accreditors, latest year first."""
    return list(
        session.scalars(
            select(AccreditorDeadline)
            .where(AccreditorDeadline.accreditor_id.in_(accreditor_ids))
            .order_by(AccreditorDeadline.year.desc(), AccreditorDeadline.accreditor_id)
        )
    )
