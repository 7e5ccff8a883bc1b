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
