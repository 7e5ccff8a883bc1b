"""Provider contacts: who may act for a provider, and its one Primary Contact (§7.1).

A provider has exactly one Primary Contact, who receives all official communications.
The database refuses a second one; these rules refuse to leave a provider without one and
move the role from one contact to another in a single transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ProviderContact
from app.schema.vocabularies import PRIMARY_CONTACT
from app.security import scoping
from app.services.errors import NotInScopeError, PrimaryContactError

DEMOTED_TYPE = "Staff"


def _primary_of(session: Session, provider_id: int) -> ProviderContact | None:
    query = select(ProviderContact).where(
        ProviderContact.provider_id == provider_id,
        ProviderContact.contact_type == PRIMARY_CONTACT,
    )
    return session.scalars(query).first()


def check_contact_change(session: Session, *, actor: Any, contact: ProviderContact) -> None:
    """Refuse a new or edited contact that would give its provider two Primary Contacts or
    take the Primary Contact type away from the only one.

    Raises NotInScopeError for a provider outside the actor's scope and
    PrimaryContactError for a broken primary-contact rule.
    """
    with session.no_autoflush:  # compare with what is stored, not with the pending change
        provider = contact.provider
        provider_id = provider.id if provider is not None else contact.provider_id
        if not scoping.can_see_provider(session, actor, provider_id):
            raise NotInScopeError()
        current = _primary_of(session, provider_id)
    becomes_primary = contact.contact_type == PRIMARY_CONTACT
    if becomes_primary and current is not None and current.id != contact.id:
        raise PrimaryContactError(
            f"This provider already has a Primary Contact ({current.user}). "
            "Use 'Make primary contact' to move the role."
        )
    if not becomes_primary and current is not None and current.id == contact.id:
        raise PrimaryContactError(
            "A provider must keep exactly one Primary Contact. Make another contact primary first."
        )


def check_contact_removal(session: Session, *, actor: Any, contact: ProviderContact) -> None:
    """Refuse to remove the Primary Contact: another contact must take the role first."""
    if not scoping.can_see_provider(session, actor, contact.provider_id):
        raise NotInScopeError()
    if contact.contact_type == PRIMARY_CONTACT:
        raise PrimaryContactError(
            "The Primary Contact cannot be removed. Make another contact primary first."
        )


def _demote(session: Session, current: ProviderContact) -> None:
    """The former Primary Contact stays a contact, as Staff (or is merged into their
    existing Staff entry)."""
    existing = session.scalars(
        select(ProviderContact).where(
            ProviderContact.provider_id == current.provider_id,
            ProviderContact.user_id == current.user_id,
            ProviderContact.contact_type == DEMOTED_TYPE,
        )
    ).first()
    if existing is not None:
        session.delete(current)
    else:
        current.contact_type = DEMOTED_TYPE
    session.flush()


def make_primary_contact(session: Session, *, actor: Any, contact_id: int) -> ProviderContact:
    """Make this contact the provider's Primary Contact; the previous one becomes Staff.

    One transaction: the provider is never without a Primary Contact, never with two.
    """
    contact = session.get(ProviderContact, contact_id)
    if contact is None or not scoping.can_see_provider(session, actor, contact.provider_id):
        raise NotInScopeError()
    current = _primary_of(session, contact.provider_id)
    if current is not None and current.id == contact.id:
        return contact
    try:
        if current is not None:
            _demote(session, current)
        contact.contact_type = PRIMARY_CONTACT
        session.commit()
    except Exception:
        session.rollback()
        raise
    return contact
