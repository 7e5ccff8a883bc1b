"""Signed-in sessions kept on the server (app.services.signin_sessions): a session can be
ended, and is refused once idle too long or older than its absolute lifetime."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import SignInSession, User
from app.services import signin_sessions as ss
from tests import factories as f

T0 = dt.datetime(2026, 2, 10, 9, 0, 0)
LIMITS = ss.Limits(idle=dt.timedelta(minutes=30), lifetime=dt.timedelta(hours=12))


@pytest.fixture
def user(app_ctx) -> User:
    account = f.UserFactory(email="session.owner@example.test")
    db.session.commit()
    return account


def start(user: User, ip: str | None = "10.0.0.1") -> str:
    key = ss.start(db.session, user_id=user.id, ip=ip)
    db.session.commit()
    return key


def row(key: str) -> SignInSession:
    db.session.expire_all()
    return db.session.scalars(
        select(SignInSession).where(SignInSession.key_hash == ss.key_hash(key))
    ).one()


def check(key: str | None) -> ss.Check:
    return ss.check(db.engine, key, LIMITS)


def test_start_stores_only_the_hash_of_a_random_key(user: User) -> None:
    with freeze_time(T0):
        key = start(user, ip="192.0.2.7")
    assert len(key) >= 43
    stored = row(key)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    assert (stored.user_id, stored.started_at, stored.last_seen_at, stored.ip) == (
        user.id,
        T0,
        T0,
        "192.0.2.7",
    )
    assert stored.ended_at is None and stored.end_reason is None
    assert start(user) != key


def test_live_session_names_its_user(user: User) -> None:
    key = start(user)
    assert check(key) == ss.Check(user.id)


@pytest.mark.parametrize(
    ("key", "expected"),
    [(None, ss.Check(None)), ("", ss.Check(None)), ("never-issued", ss.Check(None, ss.LOGGED_OUT))],
)
def test_missing_or_unknown_key_is_refused(user: User, key: str | None, expected) -> None:
    start(user)
    assert check(key) == expected


@pytest.mark.parametrize(
    ("after", "touched"),
    [
        (dt.timedelta(seconds=30), False),
        (dt.timedelta(seconds=60), False),
        (dt.timedelta(seconds=61), True),
        (dt.timedelta(minutes=10), True),
    ],
)
def test_last_seen_is_written_at_most_once_a_minute(
    user: User, after: dt.timedelta, touched: bool
) -> None:
    """A check within 60 seconds of the last recorded activity does not write; after 61
    seconds it moves last_seen_at to now."""
    with freeze_time(T0):
        key = start(user)
    with freeze_time(T0 + after):
        assert check(key) == ss.Check(user.id)
    assert row(key).last_seen_at == (T0 + after if touched else T0)


def test_activity_keeps_a_session_alive_past_the_idle_limit(user: User) -> None:
    """A user active every 10 minutes is never idle, even hours after signing in."""
    with freeze_time(T0) as clock:
        key = start(user)
        for minutes in range(10, 11 * 60, 10):
            clock.move_to(T0 + dt.timedelta(minutes=minutes))
            assert check(key) == ss.Check(user.id), minutes


@pytest.mark.parametrize(
    ("after", "ended_because"),
    [
        (dt.timedelta(minutes=30), None),
        (dt.timedelta(minutes=30, seconds=1), ss.IDLE),
        (dt.timedelta(hours=2), ss.IDLE),
        (dt.timedelta(hours=12, seconds=1), ss.EXPIRED),
    ],
)
def test_idle_session_is_ended(user: User, after: dt.timedelta, ended_because: str | None) -> None:
    """A session unused for more than the idle limit is ended at the next check, and
    stays ended (with its reason) afterwards."""
    with freeze_time(T0):
        key = start(user)
    with freeze_time(T0 + after):
        result = check(key)
    if ended_because is None:
        assert result == ss.Check(user.id)
        return
    assert result == ss.Check(None, ended_because)
    stored = row(key)
    assert (stored.ended_at, stored.end_reason) == (T0 + after, ended_because)
    with freeze_time(T0 + after + dt.timedelta(seconds=1)):
        assert check(key) == ss.Check(None, ended_because)


def test_idle_clock_runs_from_the_last_recorded_activity(user: User) -> None:
    """Idle is measured from last_seen_at: activity at +20 minutes keeps the session
    alive until +50, not beyond."""
    with freeze_time(T0) as clock:
        key = start(user)
        clock.move_to(T0 + dt.timedelta(minutes=20))
        assert check(key).user_id == user.id
        clock.move_to(T0 + dt.timedelta(minutes=50))
        assert check(key).user_id == user.id
        clock.move_to(T0 + dt.timedelta(minutes=80, seconds=1))
        assert check(key) == ss.Check(None, ss.IDLE)


def test_absolute_lifetime_ends_even_an_active_session(user: User) -> None:
    """However active, a session ends 12 hours after sign-in."""
    with freeze_time(T0) as clock:
        key = start(user)
        for minutes in range(10, 12 * 60 + 1, 10):
            clock.move_to(T0 + dt.timedelta(minutes=minutes))
            assert check(key).user_id == user.id, minutes
        clock.move_to(T0 + LIMITS.lifetime + dt.timedelta(seconds=1))
        assert check(key) == ss.Check(None, ss.EXPIRED)
    assert row(key).end_reason == ss.EXPIRED


def test_ended_session_reports_its_reason(user: User) -> None:
    """An ended session is refused on the next check, saying why it ended."""
    with freeze_time(T0):
        key = start(user)
        ss.end(db.session, key, ss.PASSWORD_RESET)
        db.session.commit()
        assert check(key) == ss.Check(None, ss.PASSWORD_RESET)
    stored = row(key)
    assert (stored.ended_at, stored.end_reason) == (T0, ss.PASSWORD_RESET)


def test_end_defaults_to_signed_out_and_keeps_the_first_reason(user: User) -> None:
    key = start(user)
    ss.end(db.session, key)
    db.session.commit()
    ss.end(db.session, key, ss.DEACTIVATED)
    db.session.commit()
    assert check(key) == ss.Check(None, ss.LOGGED_OUT)


def test_end_without_key_changes_nothing(user: User) -> None:
    key = start(user)
    ss.end(db.session, None)
    ss.end(db.session, "")
    db.session.commit()
    assert check(key) == ss.Check(user.id)


def test_end_all_ends_every_session_of_the_user(user: User) -> None:
    other = f.UserFactory(email="someone.else@example.test")
    db.session.commit()
    keys = [start(user) for _ in range(3)]
    theirs = start(other)
    assert ss.end_all(db.session, user.id, ss.DEACTIVATED) == 3
    db.session.commit()
    assert [check(k) for k in keys] == [ss.Check(None, ss.DEACTIVATED)] * 3
    assert check(theirs) == ss.Check(other.id)


def test_end_all_keeps_the_given_key(user: User) -> None:
    """Changing one's password ends every other session but the one in use."""
    current, *others = [start(user) for _ in range(3)]
    assert ss.end_all(db.session, user.id, ss.PASSWORD_CHANGED, keep=current) == 2
    db.session.commit()
    assert check(current) == ss.Check(user.id)
    assert [check(k) for k in others] == [ss.Check(None, ss.PASSWORD_CHANGED)] * 2


def test_end_all_counts_only_live_sessions(user: User) -> None:
    """Sessions already ended keep their first reason and are not counted again."""
    first, second = start(user), start(user)
    ss.end(db.session, first)
    db.session.commit()
    assert ss.end_all(db.session, user.id, ss.PASSWORD_RESET) == 1
    db.session.commit()
    assert check(first) == ss.Check(None, ss.LOGGED_OUT)
    assert check(second) == ss.Check(None, ss.PASSWORD_RESET)
