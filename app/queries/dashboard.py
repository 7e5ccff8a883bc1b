"""Counts for the home page, within the user's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Activity, Provider
from app.security import scoping


def home_counts(session: Session, user: Any) -> dict[str, Any]:
    """Providers the user sees, and their activities by status."""
    providers = session.scalar(
        select(func.count()).select_from(Provider).where(scoping.predicate(session, Provider, user))
    )
    by_status = session.execute(
        select(Activity.status, func.count())
        .where(scoping.predicate(session, Activity, user))
        .group_by(Activity.status)
    ).all()
    return {"providers": providers or 0, "activities_by_status": dict(by_status)}


def provider_choices(session: Session, user: Any) -> list[Any]:
    """(id, name, ACCME Provider ID) of the providers the user sees, by name: the light
    rows behind provider dropdowns (no objects are built for 1,700 providers)."""
    query = (
        select(Provider.id, Provider.name, Provider.accme_id)
        .where(scoping.predicate(session, Provider, user))
        .order_by(Provider.name)
    )
    return list(session.execute(query).all())
