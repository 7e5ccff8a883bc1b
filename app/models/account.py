"""Sign-in records: the PARS columns of a user account, signed-in sessions, password
links, sign-in lockouts, rate-limit counters and the audit trail.

Flask-AppBuilder's ``User`` (table ``ab_user``) gains two columns here, declared on the
mapped class so FAB's own screens and ours load the same object.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model

#: A contact's telephone number, edited by the user on "My account".
User.phone = Column(String(40))
#: Accounts brought over from a legacy system set a new password at their first sign-in.
User.must_set_password = Column(Boolean, nullable=False, default=False, server_default=false())


class SignInSession(Model):
    """A signed-in browser session, kept on the server so that it can be ended.

    The browser's cookie holds a random key; only its SHA-256 is stored. A session ends on
    logout, on a password reset or change, on deactivation, after the idle timeout and at
    its absolute lifetime; an ended session is refused on the very next request.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))


class PasswordLink(Model):
    """A single-use link sent by email: set a password (reset, or access granted to a new
    contact) or confirm a new email address. Only the token's SHA-256 is stored."""

    __tablename__ = "password_link"
    __table_args__ = (Index("ix_password_link_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False
    )
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    new_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user = relationship(User)


class SignInLockout(Model):
    """Failed sign-ins per email address as typed (lower case), known account or not, so
    that a locked address looks the same whether or not an account uses it."""

    __tablename__ = "sign_in_lockout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RateLimitCounter(Model):
    """Fixed-window request counters shared by every app server (the rate limiter's
    storage): key, count and the window's end in epoch seconds."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)


class AuditEvent(Model):
    """One security-relevant event. Append-only: the database refuses UPDATE and DELETE.

    No foreign keys, so that removing a user or a provider never rewrites history.
    Passwords and tokens never appear; text is stored with line breaks neutralised.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(320))
    provider_id: Mapped[int | None] = mapped_column(Integer, index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(Text)
