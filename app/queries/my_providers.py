"""The providers a user is a contact for ("My providers" and the provider switcher)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Provider, ProviderContact
from app.security import roles, scoping


@dataclass(frozen=True)
class MyProvider:
    provider: Provider
    contact_types: tuple[str, ...]


def my_providers(session: Session, user: Any) -> list[MyProvider]:
    """Providers ``user`` is a contact for (and may see), by name, with their contact types."""
    rows = session.execute(
        select(Provider, ProviderContact.contact_type)
        .join(ProviderContact, ProviderContact.provider_id == Provider.id)
        .where(ProviderContact.user_id == user.id, scoping.predicate(session, Provider, user))
        .order_by(Provider.name, Provider.id, ProviderContact.contact_type)
    ).all()
    found: dict[int, tuple[Provider, list[str]]] = {}
    for provider, contact_type in rows:
        found.setdefault(provider.id, (provider, []))[1].append(contact_type)
    return [MyProvider(p, tuple(types)) for p, types in found.values()]


def provider_choices(session: Session, user: Any) -> list[tuple[int, str]]:
    """(id, "name (ACCME id)") of the providers ``user`` is a contact for, by name."""
    if roles.CONTACT not in scoping.role_names(user):
        return []  # only contacts have providers of their own (no query for the others)
    rows = session.execute(
        select(Provider.id, Provider.name, Provider.accme_id)
        .where(
            Provider.id.in_(
                select(ProviderContact.provider_id).where(ProviderContact.user_id == user.id)
            ),
            scoping.predicate(session, Provider, user),
        )
        .order_by(Provider.name, Provider.id)
    ).all()
    return [(pid, f"{name} ({accme_id})") for pid, name, accme_id in rows]
