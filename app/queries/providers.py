"""Reads of providers for dropdowns, within the user's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Provider
from app.schema import vocabularies as v
from app.security import scoping


def provider_choices(session: Session, user: Any) -> list[Any]:
    """(id, name, ACCME Provider ID) of the providers the user sees, by name: the light
    rows behind provider dropdowns (no objects are built for 1,700 providers)."""
    query = (
        select(Provider.id, Provider.name, Provider.accme_id)
        .where(scoping.predicate(session, Provider, user))
        .order_by(Provider.name)
    )
    return list(session.execute(query).all())


def accredited_by_accme_choices(session: Session, user: Any) -> list[tuple[int, str]]:
    """(id, "name (ACCME Provider ID)") of the providers in scope whose accreditation ACCME
    decides online: ACCME-accredited and jointly accredited (not state-accredited)."""
    query = (
        select(Provider.id, Provider.name, Provider.accme_id)
        .where(Provider.kind != v.STATE_KIND, scoping.predicate(session, Provider, user))
        .order_by(Provider.name)
    )
    return [(pid, f"{name} ({accme_id})") for pid, name, accme_id in session.execute(query)]
