"""Signing in by email address and password, with lockout after repeated failures
(app.services.signin): the messages and the records never tell which accounts exist."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, SignInLockout, User
from app.security import roles
from app.services import audit, signin
from app.services.errors import NotInScopeError
from app.services.signin import LockoutPolicy, address_key, authenticate
from tests import factories as f
from tests.conftest import make_user

POLICY = LockoutPolicy(
    failures=3, window=dt.timedelta(minutes=15), lock_for=dt.timedelta(minutes=15)
)
T0 = dt.datetime(2026, 2, 10, 9, 0, 0)
KNOWN = "contact.a@example.test"
UNKNOWN = "nobody.here@example.test"
WRONG_PASSWORD = "not-the-right-password"
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def locked(until: dt.datetime) -> str:
    return signin.LOCKED.format(until=until.strftime("%H:%M"))


@pytest.fixture
def user(app_ctx) -> User:
    account = make_user(KNOWN, roles.CONTACT)
    db.session.commit()
    return account


def audit_mark() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(mark: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id))
    )


def lockout_of(email: str) -> SignInLockout | None:
    db.session.expire_all()
    return db.session.scalars(
        select(SignInLockout).where(SignInLockout.email == address_key(email))
    ).first()


def attempt(email: str, password: str = f.PASSWORD) -> signin.SignInResult:
    return authenticate(db.session, email, password, POLICY)


@pytest.mark.parametrize(
    "typed", [KNOWN, "Contact.A@Example.TEST", f"  {KNOWN}  ", f"\t{KNOWN.upper()}\n"]
)
def test_success_whatever_the_case_and_surrounding_spaces(user: User, typed: str) -> None:
    """The email address is matched ignoring case and surrounding whitespace; a success
    counts the login, stamps the time and writes one "sign-in" audit row."""
    user.login_count, user.fail_login_count = 4, 2
    db.session.commit()
    mark = audit_mark()
    with freeze_time(T0):
        result = attempt(typed)
    assert result.message is None
    assert result.user is not None and result.user.id == user.id
    db.session.expire_all()
    account = db.session.get(User, user.id)
    assert (account.login_count, account.fail_login_count, account.last_login) == (5, 0, T0)
    rows = audit_since(mark)
    assert [(r.action, r.actor_id, r.actor) for r in rows] == [(audit.SIGN_IN, user.id, KNOWN)]


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        pytest.param(KNOWN, WRONG_PASSWORD, True, id="wrong password"),
        pytest.param(KNOWN, f.PASSWORD.upper(), True, id="password in another case"),
        pytest.param(KNOWN, f.PASSWORD + " ", True, id="password with a trailing space"),
        pytest.param(UNKNOWN, f.PASSWORD, True, id="unknown email"),
        pytest.param(KNOWN, f.PASSWORD, False, id="inactive user, right password"),
        pytest.param(KNOWN, WRONG_PASSWORD, False, id="inactive user, wrong password"),
        pytest.param("", f.PASSWORD, True, id="no email"),
    ],
)
def test_every_failure_gets_the_same_message(
    user: User, email: str, password: str, active: bool
) -> None:
    """A wrong password, an unknown address and a deactivated account all get WRONG,
    one lockout count and one "sign-in failed" audit row naming the typed address."""
    user.active = active
    db.session.commit()
    mark = audit_mark()
    with freeze_time(T0):
        result = attempt(email, password)
    assert result == signin.SignInResult(user=None, message=signin.WRONG)
    rows = audit_since(mark)
    assert [(r.action, r.actor) for r in rows] == [
        (audit.SIGN_IN_FAILED, address_key(email) or None)
    ]
    lockout = lockout_of(email)
    assert lockout is not None
    assert (lockout.failures, lockout.first_failure_at, lockout.locked_until) == (1, T0, None)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login is None


def test_wrong_password_counts_against_the_account(user: User) -> None:
    attempt(KNOWN, WRONG_PASSWORD)
    attempt(KNOWN.upper(), WRONG_PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, user.id).fail_login_count == 2
    assert lockout_of(KNOWN).failures == 2


@pytest.mark.parametrize("email", [KNOWN, UNKNOWN])
def test_lockout_after_policy_failures(user: User, email: str) -> None:
    """The third failure within the window locks the address for 15 minutes, whether or
    not an account uses it; the lock is audited."""
    mark = audit_mark()
    with freeze_time(T0):
        messages = [attempt(email, WRONG_PASSWORD).message for _ in range(3)]
        assert signin.locked_until(db.session, email) == T0 + POLICY.lock_for
    assert messages == [signin.WRONG, signin.WRONG, locked(T0 + POLICY.lock_for)]
    actions = [r.action for r in audit_since(mark)]
    assert actions == [audit.SIGN_IN_FAILED] * 3 + [audit.LOCKOUT]
    lockout = lockout_of(email)
    assert (lockout.failures, lockout.locked_until) == (3, T0 + POLICY.lock_for)


def test_known_and_unknown_addresses_are_told_the_same(user: User) -> None:
    """Step by step, an address with an account and one without get identical answers,
    including the lock message and the right password afterwards."""

    def story(email: str) -> list[str | None]:
        with freeze_time(T0):
            answers = [attempt(email, WRONG_PASSWORD).message for _ in range(4)]
            answers.append(attempt(email, f.PASSWORD).message)
        return answers

    known, unknown = story(KNOWN), story(UNKNOWN)
    assert known == unknown
    assert known[2:] == [locked(T0 + POLICY.lock_for)] * 3


@pytest.mark.parametrize("typed", [KNOWN, KNOWN.upper(), f" {KNOWN} "])
def test_locked_address_refuses_even_the_right_password(user: User, typed: str) -> None:
    with freeze_time(T0):
        for _ in range(3):
            attempt(KNOWN, WRONG_PASSWORD)
    mark = audit_mark()
    with freeze_time(T0 + dt.timedelta(minutes=14, seconds=59)):
        result = attempt(typed, f.PASSWORD)
    assert result == signin.SignInResult(user=None, message=locked(T0 + POLICY.lock_for))
    db.session.expire_all()
    assert db.session.get(User, user.id).login_count in (None, 0)
    rows = audit_since(mark)
    assert [(r.action, r.detail) for r in rows] == [(audit.SIGN_IN_FAILED, "address locked")]


def test_lock_expires(user: User) -> None:
    """At the end of the lock the right password works again, and clears the record."""
    with freeze_time(T0) as clock:
        for _ in range(3):
            attempt(KNOWN, WRONG_PASSWORD)
        clock.move_to(T0 + POLICY.lock_for - dt.timedelta(seconds=1))
        assert attempt(KNOWN).user is None
        assert signin.locked_until(db.session, KNOWN) is not None
        clock.move_to(T0 + POLICY.lock_for)
        assert signin.locked_until(db.session, KNOWN) is None
        result = attempt(KNOWN)
    assert result.user is not None and result.user.id == user.id
    assert lockout_of(KNOWN) is None


def test_failure_after_lock_expired_starts_a_new_count(user: User) -> None:
    """After the lock ends, the next failure is failure one of a new count, not another
    lock."""
    with freeze_time(T0) as clock:
        for _ in range(3):
            attempt(UNKNOWN, WRONG_PASSWORD)
        later = T0 + POLICY.lock_for + dt.timedelta(minutes=1)
        clock.move_to(later)
        assert attempt(UNKNOWN, WRONG_PASSWORD).message == signin.WRONG
    lockout = lockout_of(UNKNOWN)
    assert (lockout.failures, lockout.first_failure_at, lockout.locked_until) == (1, later, None)


def test_failures_outside_the_window_restart_the_count(user: User) -> None:
    """The count runs for 15 minutes from the first failure; a failure after that starts
    a new count, so two old failures and one new one do not lock."""
    with freeze_time(T0) as clock:
        attempt(KNOWN, WRONG_PASSWORD)
        clock.move_to(T0 + dt.timedelta(minutes=5))
        attempt(KNOWN, WRONG_PASSWORD)
        restart = T0 + dt.timedelta(minutes=15, seconds=1)
        clock.move_to(restart)
        assert attempt(KNOWN, WRONG_PASSWORD).message == signin.WRONG
        lockout = lockout_of(KNOWN)
        assert (lockout.failures, lockout.first_failure_at) == (1, restart)
        assert attempt(KNOWN, WRONG_PASSWORD).message == signin.WRONG
        assert attempt(KNOWN, WRONG_PASSWORD).message == locked(restart + POLICY.lock_for)


def test_failures_at_the_edge_of_the_window_still_count(user: User) -> None:
    with freeze_time(T0) as clock:
        attempt(KNOWN, WRONG_PASSWORD)
        attempt(KNOWN, WRONG_PASSWORD)
        edge = T0 + POLICY.window
        clock.move_to(edge)
        assert attempt(KNOWN, WRONG_PASSWORD).message == locked(edge + POLICY.lock_for)


def test_success_clears_the_count(user: User) -> None:
    """A successful sign-in forgets earlier failures: two more failures do not lock."""
    with freeze_time(T0):
        attempt(KNOWN, WRONG_PASSWORD)
        attempt(KNOWN, WRONG_PASSWORD)
        assert attempt(KNOWN).user is not None
        assert lockout_of(KNOWN) is None
        assert [attempt(KNOWN, WRONG_PASSWORD).message for _ in range(2)] == [signin.WRONG] * 2


def test_lockouts_are_per_address(user: User) -> None:
    """Locking one address does not affect another."""
    with freeze_time(T0):
        for _ in range(3):
            attempt(UNKNOWN, WRONG_PASSWORD)
        assert attempt(KNOWN).user is not None


@pytest.mark.parametrize("role", [roles.STAFF, roles.ADMIN])
def test_staff_unlock_deletes_the_lockout_and_audits(user: User, role: str) -> None:
    """ACCME staff and administrators lift a lock; one "unlock" audit row per address;
    the address works again at once."""
    staff = make_user(f"unlocker.{role.split()[0].lower()}@example.test", role)
    db.session.commit()
    with freeze_time(T0):
        for _ in range(3):
            attempt(KNOWN, WRONG_PASSWORD)
        mark = audit_mark()
        count = signin.unlock(
            db.session, actor=staff, emails=[f" {KNOWN.upper()} ", KNOWN, UNKNOWN]
        )
        assert count == 1
        assert lockout_of(KNOWN) is None
        rows = audit_since(mark)
        assert sorted((r.action, r.actor_id, r.object_type, r.object_id) for r in rows) == [
            (audit.UNLOCK, staff.id, "SignInLockout", KNOWN),
            (audit.UNLOCK, staff.id, "SignInLockout", UNKNOWN),
        ]
        assert attempt(KNOWN).user is not None


@pytest.mark.parametrize("role", [roles.CONTACT, roles.ACCREDITOR, roles.SURVEYOR, None])
def test_others_cannot_unlock(user: User, role: str | None) -> None:
    """Only staff unlock: anyone else is told "not found" and the lock stays."""
    other = make_user("someone.else@example.test", role)
    db.session.commit()
    for _ in range(3):
        attempt(KNOWN, WRONG_PASSWORD)
    mark = audit_mark()
    with pytest.raises(NotInScopeError):
        signin.unlock(db.session, actor=other, emails=[KNOWN])
    db.session.rollback()
    assert lockout_of(KNOWN).locked_until is not None
    assert audit_since(mark) == []


def test_anonymous_cannot_unlock(user: User) -> None:
    with pytest.raises(NotInScopeError):
        signin.unlock(db.session, actor=None, emails=[KNOWN])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        (" Contact.A@Example.TEST ", KNOWN),
        ("a@example.test\r\nX-Injected: yes", "a@example.test  x-injected: yes"),
        ("a@example.test\nfake log line", "a@example.test fake log line"),
        ("a\x00b@example.test", "a b@example.test"),
        ("a\u2028b@example.test", "a b@example.test"),
        (None, ""),
        ("", ""),
        ("x" * 400, "x" * 320),
    ],
)
def test_address_key_is_one_trimmed_lower_case_line(typed: str | None, key: str) -> None:
    """Lockouts and audit rows keep the address trimmed, in lower case, on one line (CR
    and LF cannot forge a log line), at most 320 characters."""
    assert address_key(typed) == key


def test_forged_line_break_in_address_is_neutralised_in_records(user: User) -> None:
    typed = "a@example.test\r\n2026-02-10 sign-in admin@example.test"
    mark = audit_mark()
    assert attempt(typed).message == signin.WRONG
    (row,) = audit_since(mark)
    assert "\r" not in row.actor and "\n" not in row.actor
    assert lockout_of(typed).email == address_key(typed)


def test_over_long_address_is_an_ordinary_failure(user: User) -> None:
    """An address longer than the lockout column is refused like any wrong address,
    never a database error."""
    typed = "x" * 400 + "@example.test"
    assert attempt(typed).message == signin.WRONG
    assert lockout_of(typed).failures == 1


def test_nul_in_address_is_an_ordinary_failure(user: User) -> None:
    """The sign-in form passes any text up to 320 characters: a NUL character in the
    address must give the usual answer, not a database error (PostgreSQL text cannot hold
    NUL)."""
    typed = "contact.a\x00@example.test"
    try:
        assert attempt(typed).message == signin.WRONG
    finally:
        db.session.rollback()


def test_find_by_email_ignores_case_and_spaces(user: User) -> None:
    assert signin.find_by_email(db.session, f"  {KNOWN.upper()} ").id == user.id
    assert signin.find_by_email(db.session, UNKNOWN) is None
    assert signin.find_by_email(db.session, "   ") is None
    assert signin.find_by_email(db.session, None) is None
