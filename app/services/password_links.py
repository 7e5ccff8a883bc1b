"""Single-use links sent by email: set a password (after "forgot password", or when access
is granted to a new contact) and confirm a new email address.

A link carries 256 random bits from :mod:`secrets`; only their SHA-256 is stored. A link
works once, until it expires, and only while it is the newest of its kind: a newer
request, a password change or an email change supersedes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import PasswordLink
from app.services.clock import utcnow

RESET = "reset"
WELCOME = "welcome"
EMAIL = "email"
#: Links that set a password.
PASSWORD_PURPOSES = (RESET, WELCOME)
ALL_PURPOSES = (RESET, WELCOME, EMAIL)

NOT_VALID = (
    "This link is not valid. Check that you opened the whole link from the email, "
    "or ask for a new one."
)
USED = "This link has already been used: each link works once. Ask for a new one if you need it."
SUPERSEDED = (
    "This link has been replaced: a newer link was sent, or the password or email address "
    "of the account changed since. Use the newest email, or ask for a new link."
)
EXPIRED = "This link has expired (links are valid for {minutes} minutes). Ask for a new one."


@dataclass(frozen=True)
class LinkCheck:
    """A link that may be used, or the plain-words reason why it may not."""

    link: PasswordLink | None
    problem: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def supersede(session: Session, user_id: int, purposes: Iterable[str]) -> None:
    """Retire the user's unused links of these kinds (caller commits)."""
    session.execute(
        update(PasswordLink)
        .where(
            PasswordLink.user_id == user_id,
            PasswordLink.purpose.in_(list(purposes)),
            PasswordLink.used_at.is_(None),
            PasswordLink.superseded_at.is_(None),
        )
        .values(superseded_at=utcnow())
    )


def issue(
    session: Session,
    *,
    user_id: int,
    purpose: str,
    lifetime: dt.timedelta,
    new_email: str | None = None,
) -> str:
    """A new link for the user, superseding older ones of the same kind; returns the token
    to put in the email (never stored, never logged). The caller commits."""
    kinds = PASSWORD_PURPOSES if purpose in PASSWORD_PURPOSES else (purpose,)
    supersede(session, user_id, kinds)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordLink(
            token_hash=token_hash(token),
            user_id=user_id,
            purpose=purpose,
            new_email=new_email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def check(session: Session, token: str | None, purposes: Iterable[str]) -> LinkCheck:
    """The link for ``token`` if it may be used now for one of ``purposes``."""
    if not token or len(token) > 200:
        return LinkCheck(None, NOT_VALID)
    link = session.scalars(
        select(PasswordLink).where(PasswordLink.token_hash == token_hash(token))
    ).first()
    if link is None or link.purpose not in tuple(purposes):
        return LinkCheck(None, NOT_VALID)
    if link.used_at is not None:
        return LinkCheck(None, USED)
    if link.superseded_at is not None:
        return LinkCheck(None, SUPERSEDED)
    if utcnow() >= link.expires_at:
        minutes = round((link.expires_at - link.created_at).total_seconds() / 60)
        return LinkCheck(None, EXPIRED.format(minutes=minutes))
    return LinkCheck(link)


def mark_used(link: PasswordLink) -> None:
    """The link has done its work and will not work again (caller commits)."""
    link.used_at = utcnow()
