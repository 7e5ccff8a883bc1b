"""Signed-in sessions kept on the server, so that PARS can end them.

Flask's signed cookie cannot be revoked by itself. At sign-in PARS records a session with
a random key; the cookie carries the key and the database only its SHA-256. Every request
checks the record: a session that was ended (logout, password reset or change, account
deactivated), that has been idle longer than ``PARS_SESSION_IDLE_MINUTES`` or that is
older than ``PARS_SESSION_MAX_HOURS`` is refused on the very next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.models import SignInSession
from app.services.clock import utcnow

#: last_seen_at is written at most once per this interval (not on every request).
TOUCH_INTERVAL = dt.timedelta(seconds=60)

# Why a session ended.
LOGGED_OUT = "signed out"
IDLE = "idle timeout"
EXPIRED = "absolute lifetime"
PASSWORD_RESET = "password reset"  # noqa: S105 (an event name)
PASSWORD_CHANGED = "password changed"  # noqa: S105 (an event name)
DEACTIVATED = "account deactivated"


@dataclass(frozen=True)
class Limits:
    """How long a session may stay idle, and live at most."""

    idle: dt.timedelta
    lifetime: dt.timedelta


@dataclass(frozen=True)
class Check:
    """The result of checking a session key: the user's id, or why it was refused."""

    user_id: int | None
    ended_because: str | None = None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, *, user_id: int, ip: str | None) -> str:
    """Record a new session for the user; returns the key for the cookie (caller commits)."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        SignInSession(
            key_hash=key_hash(key), user_id=user_id, started_at=now, last_seen_at=now, ip=ip
        )
    )
    return key


def check(engine: Engine, key: str | None, limits: Limits) -> Check:
    """Whether the session with ``key`` is live; refreshes its idle clock.

    Uses its own short transaction on ``engine`` (it runs while a request's own work may
    be under way). A session past its idle or absolute limit is ended here.
    """
    if not key:
        return Check(None)
    table = SignInSession.__table__
    now = utcnow()
    with engine.begin() as connection:
        row = connection.execute(
            select(
                table.c.id,
                table.c.user_id,
                table.c.started_at,
                table.c.last_seen_at,
                table.c.ended_at,
                table.c.end_reason,
            ).where(table.c.key_hash == key_hash(key))
        ).first()
        if row is None:
            return Check(None, LOGGED_OUT)
        if row.ended_at is not None:
            return Check(None, row.end_reason)
        reason = None
        if now - row.started_at > limits.lifetime:
            reason = EXPIRED
        elif now - row.last_seen_at > limits.idle:
            reason = IDLE
        if reason:
            connection.execute(
                update(table).where(table.c.id == row.id).values(ended_at=now, end_reason=reason)
            )
            return Check(None, reason)
        if now - row.last_seen_at > TOUCH_INTERVAL:
            connection.execute(update(table).where(table.c.id == row.id).values(last_seen_at=now))
        return Check(row.user_id)


def end(session: Session, key: str | None, reason: str = LOGGED_OUT) -> None:
    """End the session with ``key`` (caller commits)."""
    if key:
        session.execute(
            update(SignInSession)
            .where(SignInSession.key_hash == key_hash(key), SignInSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )


def end_all(session: Session, user_id: int, reason: str, *, keep: str | None = None) -> int:
    """End every live session of the user but the one with key ``keep``; returns how many
    (caller commits)."""
    condition = [SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)]
    if keep:
        condition.append(SignInSession.key_hash != key_hash(keep))
    result = session.execute(
        update(SignInSession).where(*condition).values(ended_at=utcnow(), end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)
