"""Seeding the accreditation criteria catalogue (domain.md §6.4, §6.5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Criterion
from app.schema.criteria import CRITERIA


def seed_criteria(session: Session) -> int:
    """Add the catalogue's criteria that the database lacks (by code) and commit; returns
    how many were added. Criteria already there are left as staff edited them."""
    known = set(session.scalars(select(Criterion.code)))
    added = [
        Criterion(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            group=spec.group,
            position=index,
            active=True,
        )
        for index, spec in enumerate(CRITERIA, start=1)
        if spec.code not in known
    ]
    session.add_all(added)
    session.commit()
    return len(added)
