"""Adding a contact to a provider: PARS access by email (domain.md §7.1, §7.2).

A provider's contacts (and ACCME staff) add a contact by email address. A person new to
PARS gets an account (Provider Contact role, no password yet) and an "access granted"
email with a link to set their password; someone who already has an account keeps their
one sign-in and is told that they now have access to this provider too. The provider
keeps exactly one Primary Contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Provider, ProviderContact, User
from app.schema import vocabularies as v
from app.security import roles, scoping
from app.services import audit, emails, password_links
from app.services.accounts import (
    RESET_PATH,
    LinkSettings,
    check_email_format,
    clean_text,
    normalise_email,
)
from app.services.contacts import check_contact_change
from app.services.errors import InputError, MissingRoleError, NotInScopeError
from app.services.mail import send_email
from app.services.signin import find_by_email


@dataclass(frozen=True)
class NewContact:
    """What a user typed on the "Add provider contact" form."""

    provider_id: int | None
    email: str
    first_name: str
    last_name: str
    contact_type: str


def _contact_role(session: Session) -> Any:
    role_model = User.roles.property.mapper.class_
    role = session.scalars(select(role_model).where(role_model.name == roles.CONTACT)).first()
    if role is None:
        raise MissingRoleError("Run 'flask pars sync-roles' to create the PARS roles.")
    return role


def _new_account(session: Session, entry: NewContact, email: str) -> Any:
    first, last = clean_text(entry.first_name), clean_text(entry.last_name)
    if not first or not last:
        field = "first_name" if not first else "last_name"
        raise InputError(field, "First and last name are required for a person new to PARS.")
    if len(first) > 64 or len(last) > 64:
        raise InputError("first_name", "Names have at most 64 characters.")
    user = User(first_name=first, last_name=last, email=email, username=email, active=True)
    user.roles = [_contact_role(session)]
    session.add(user)
    return user


def _check_entry(session: Session, actor: Any, entry: NewContact) -> tuple[Provider, str]:
    provider = session.get(Provider, entry.provider_id) if entry.provider_id else None
    if provider is None or not scoping.can_act_for_provider(session, actor, provider.id):
        raise NotInScopeError()
    email = normalise_email(entry.email)
    check_email_format("email", email)
    if entry.contact_type not in v.CONTACT_TYPES:
        raise InputError("contact_type", f"Contact type: '{entry.contact_type}' is not allowed.")
    return provider, email


def add_contact(
    session: Session, *, actor: Any, entry: NewContact, settings: LinkSettings
) -> ProviderContact:
    """Give the person with ``entry.email`` access to the provider as ``contact_type``.

    Raises NotInScopeError for a provider outside the actor's scope, InputError for a bad
    value, PrimaryContactError for a second Primary Contact. Commits, then emails.
    """
    provider, email = _check_entry(session, actor, entry)
    user = find_by_email(session, email)
    is_new = user is None
    if user is None:
        user = _new_account(session, entry, email)
    elif roles.CONTACT not in scoping.role_names(user):
        user.roles = [*user.roles, _contact_role(session)]
    elif _already(session, provider.id, user.id, entry.contact_type):
        raise InputError("email", f"{email} is already {entry.contact_type} of this provider.")
    contact = ProviderContact(provider=provider, user=user, contact_type=entry.contact_type)
    check_contact_change(session, actor=actor, contact=contact)
    session.add(contact)
    session.flush()
    token = None
    if is_new:
        token = password_links.issue(
            session,
            user_id=user.id,
            purpose=password_links.WELCOME,
            lifetime=settings.welcome_lifetime,
        )
    audit.record(
        session,
        audit.ACCESS_GRANTED,
        actor=actor,
        provider_id=provider.id,
        obj=contact,
        detail=f"{email} as {entry.contact_type}" + (" (new account)" if is_new else ""),
    )
    session.commit()
    _tell(user, provider, entry.contact_type, token, settings)
    return contact


def _already(session: Session, provider_id: int, user_id: int, contact_type: str) -> bool:
    query = select(ProviderContact.id).where(
        ProviderContact.provider_id == provider_id,
        ProviderContact.user_id == user_id,
        ProviderContact.contact_type == contact_type,
    )
    return session.scalars(query).first() is not None


def _tell(
    user: Any, provider: Provider, contact_type: str, token: str | None, settings: LinkSettings
) -> None:
    if token is not None:
        link = settings.url(RESET_PATH.format(token=token))
        hours = int(settings.welcome_lifetime.total_seconds() // 3600)
        send_email(emails.access_granted(user, provider.name, contact_type, link, hours))
    else:
        send_email(
            emails.provider_added(user, provider.name, contact_type, settings.url("/login/"))
        )
