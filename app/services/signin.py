"""Signing in by email and password, with lockout after repeated failures.

PARS users sign in with their email address, whatever its case; there is no
organization id. After ``failures`` wrong attempts within ``window`` an email address is
locked for ``lock_for``, whether or not an account uses it, so the lock message tells an
attacker nothing about which accounts exist; staff can unlock it. A wrong address, a wrong
password and a deactivated account get the same message after the same work (one
password hash check, one lockout row and one audit row), so neither the message nor the
timing says which it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import SignInLockout, User
from app.security import scoping
from app.services import audit
from app.services.clock import utcnow
from app.services.errors import NotInScopeError
from app.services.passwords import hash_password, matches

WRONG = "The email address or password is not correct. Please try again."
LOCKED = (
    "Too many failed sign-ins for this email address: it is locked until {until} UTC. "
    'Use "Can\'t log in or forgot your password?" to set a new password, or ask ACCME '
    "staff to unlock it."
)


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures within how long lock an address, and for how long."""

    failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock_for: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class SignInResult:
    """The signed-in user, or the message to show."""

    user: Any = None
    message: str | None = None


def address_key(email: str | None) -> str:
    """The email address as lockouts are kept: trimmed, lower case, one line."""
    return (audit.neutralise((email or "").strip().lower()) or "")[:320]


def _lockout_of(session: Session, key: str) -> SignInLockout | None:
    return session.scalars(select(SignInLockout).where(SignInLockout.email == key)).first()


@cache
def _decoy_hash() -> str:
    """A hash to check when there is no account, so the work is the same as for one."""
    return hash_password("pars-decoy-password-for-even-timing")


def find_by_email(session: Session, email: str | None) -> Any:
    """The account whose email address equals ``email`` ignoring case, if exactly one."""
    key = (email or "").strip().lower()
    if not key or len(key) > 320 or audit.CONTROL_CHARACTERS.search(key):
        return None  # no account has such an address (and the database never sees it)
    found = session.scalars(select(User).where(func.lower(User.email) == key)).all()
    return found[0] if len(found) == 1 else None


def authenticate(
    session: Session, email: str, password: str, policy: LockoutPolicy
) -> SignInResult:
    """Check an email and password; record the attempt; commit."""
    key = address_key(email)
    now = utcnow()
    lockout = _lockout_of(session, key)
    if lockout is not None and lockout.locked_until and lockout.locked_until > now:
        audit.record(session, audit.SIGN_IN_FAILED, actor_email=key, detail="address locked")
        session.commit()
        return SignInResult(message=_locked_message(lockout.locked_until))
    user = find_by_email(session, email)
    usable = user is not None and user.is_active
    if matches(user.password if usable else _decoy_hash(), password) and usable:
        return _succeed(session, user, lockout, now)
    return _fail(session, key, user, lockout, now, policy)


def _succeed(session: Session, user: Any, lockout: SignInLockout | None, now: dt.datetime) -> Any:
    if lockout is not None:
        session.delete(lockout)
    user.last_login = now
    user.login_count = (user.login_count or 0) + 1
    user.fail_login_count = 0
    audit.record(session, audit.SIGN_IN, actor=user)
    session.commit()
    return SignInResult(user=user)


def _fail(
    session: Session,
    key: str,
    user: Any,
    lockout: SignInLockout | None,
    now: dt.datetime,
    policy: LockoutPolicy,
) -> SignInResult:
    if lockout is None:
        lockout = SignInLockout(email=key, failures=0, first_failure_at=now)
        session.add(lockout)
    elif now - lockout.first_failure_at > policy.window or lockout.locked_until:
        lockout.failures, lockout.first_failure_at, lockout.locked_until = 0, now, None
    lockout.failures += 1
    if user is not None:
        user.fail_login_count = (user.fail_login_count or 0) + 1
    audit.record(session, audit.SIGN_IN_FAILED, actor=user, actor_email=key)
    message = WRONG
    if lockout.failures >= policy.failures:
        lockout.locked_until = now + policy.lock_for
        audit.record(session, audit.LOCKOUT, actor=user, actor_email=key)
        message = _locked_message(lockout.locked_until)
    try:
        session.commit()
    except IntegrityError:  # a simultaneous first failure for the same address
        session.rollback()
    return SignInResult(message=message)


def _locked_message(until: dt.datetime) -> str:
    return LOCKED.format(until=until.strftime("%H:%M"))


def locked_until(session: Session, email: str | None) -> dt.datetime | None:
    """When the lock on this address ends, if it is locked now."""
    lockout = _lockout_of(session, address_key(email))
    if lockout is None or not lockout.locked_until or lockout.locked_until <= utcnow():
        return None
    return lockout.locked_until


def unlock(session: Session, *, actor: Any, emails: list[str]) -> int:
    """Staff lift the sign-in lock of these addresses; returns how many there were.

    Only ACCME staff (and administrators) may unlock. One audit row per address. Commits.
    """
    if not scoping.sees_everything(actor):
        raise NotInScopeError()
    keys = sorted({address_key(email) for email in emails})
    result = session.execute(delete(SignInLockout).where(SignInLockout.email.in_(keys)))
    for key in keys:
        audit.record(
            session,
            audit.UNLOCK,
            actor=actor,
            object_type="SignInLockout",
            object_id=key[:40],
            detail=f"address {key}",
        )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
