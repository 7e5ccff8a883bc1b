"""Single-use links sent by email: 256 random bits, only their SHA-256 stored; a link
works once, until it expires, and only while it is the newest of its kind."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import PasswordLink, User
from app.services import password_links as pl
from tests import factories as f

T0 = dt.datetime(2026, 2, 10, 9, 0, 0)
HOUR = dt.timedelta(minutes=60)
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def user(app_ctx) -> User:
    account = f.UserFactory(email="link.owner@example.test")
    db.session.commit()
    return account


def issue(user: User, purpose: str, lifetime: dt.timedelta = HOUR, **kwargs) -> str:
    token = pl.issue(db.session, user_id=user.id, purpose=purpose, lifetime=lifetime, **kwargs)
    db.session.commit()
    return token


def stored_link(token: str) -> PasswordLink:
    db.session.expire_all()
    return db.session.scalars(
        select(PasswordLink).where(PasswordLink.token_hash == pl.token_hash(token))
    ).one()


def test_issue_returns_a_long_urlsafe_token_and_stores_only_its_hash(user: User) -> None:
    """The token has 256 random bits (43+ URL-safe characters); the database holds only
    its SHA-256, never the token."""
    with freeze_time(T0):
        token = issue(user, pl.RESET)
    assert len(token) >= 43
    assert URLSAFE.match(token)
    links = db.session.scalars(select(PasswordLink).where(PasswordLink.user_id == user.id)).all()
    assert len(links) == 1
    link = links[0]
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {link.token_hash, link.new_email}
    assert (link.purpose, link.created_at, link.expires_at) == (pl.RESET, T0, T0 + HOUR)
    assert link.used_at is None and link.superseded_at is None


def test_two_tokens_differ(user: User) -> None:
    assert issue(user, pl.EMAIL, new_email="a@example.test") != issue(
        user, pl.EMAIL, new_email="a@example.test"
    )


def test_a_fresh_link_may_be_used(user: User) -> None:
    token = issue(user, pl.RESET)
    found = pl.check(db.session, token, pl.PASSWORD_PURPOSES)
    assert found.problem is None
    assert found.link is not None and found.link.user_id == user.id


@pytest.mark.parametrize(
    "token",
    [None, "", "not-a-token-anyone-issued", "x" * 201],
    ids=["none", "empty", "unknown", "over-long"],
)
def test_unknown_token_is_not_valid(user: User, token: str | None) -> None:
    """A token nobody issued (or nothing at all) gets the plain "not valid" answer."""
    issue(user, pl.RESET)
    assert pl.check(db.session, token, pl.ALL_PURPOSES) == pl.LinkCheck(None, pl.NOT_VALID)


@pytest.mark.parametrize(
    ("purpose", "asked_for"),
    [
        (pl.EMAIL, pl.PASSWORD_PURPOSES),
        (pl.RESET, (pl.EMAIL,)),
        (pl.WELCOME, (pl.EMAIL,)),
        (pl.RESET, (pl.WELCOME,)),
    ],
)
def test_link_of_another_kind_is_not_valid(user: User, purpose: str, asked_for) -> None:
    """An email-confirmation link cannot set a password, and a password link cannot
    confirm an email address: to the wrong page it looks like an unknown link."""
    token = issue(user, purpose, new_email="n@example.test" if purpose == pl.EMAIL else None)
    assert pl.check(db.session, token, asked_for) == pl.LinkCheck(None, pl.NOT_VALID)


def test_used_link_does_not_work_again(user: User) -> None:
    token = issue(user, pl.RESET)
    found = pl.check(db.session, token, pl.PASSWORD_PURPOSES)
    pl.mark_used(found.link)
    db.session.commit()
    assert stored_link(token).used_at is not None
    assert pl.check(db.session, token, pl.PASSWORD_PURPOSES) == pl.LinkCheck(None, pl.USED)


def test_superseded_link_says_so(user: User) -> None:
    older = issue(user, pl.RESET)
    newer = issue(user, pl.RESET)
    assert pl.check(db.session, older, pl.PASSWORD_PURPOSES) == pl.LinkCheck(None, pl.SUPERSEDED)
    assert pl.check(db.session, newer, pl.PASSWORD_PURPOSES).link is not None


@pytest.mark.parametrize(
    ("after", "expired"),
    [
        (dt.timedelta(minutes=59), False),
        (dt.timedelta(minutes=59, seconds=59), False),
        (dt.timedelta(minutes=60), True),
        (dt.timedelta(minutes=61), True),
        (dt.timedelta(days=3), True),
    ],
)
def test_link_expires_after_its_lifetime(user: User, after: dt.timedelta, expired: bool) -> None:
    """A 60-minute link works at +59 minutes and not at +61; the message says how long
    links are valid for."""
    with freeze_time(T0):
        token = issue(user, pl.RESET)
    with freeze_time(T0 + after):
        found = pl.check(db.session, token, pl.PASSWORD_PURPOSES)
    if expired:
        assert found == pl.LinkCheck(None, pl.EXPIRED.format(minutes=60))
        assert "60 minutes" in (found.problem or "")
    else:
        assert found.link is not None and found.problem is None


def test_expiry_message_names_the_lifetime_of_the_link(user: User) -> None:
    """A welcome link valid 72 hours says 4320 minutes, not the reset lifetime."""
    with freeze_time(T0):
        token = issue(user, pl.WELCOME, lifetime=dt.timedelta(hours=72))
    with freeze_time(T0 + dt.timedelta(hours=72, minutes=1)):
        found = pl.check(db.session, token, (pl.WELCOME,))
    assert found.problem == pl.EXPIRED.format(minutes=4320)


def test_used_is_reported_before_expired(user: User) -> None:
    """A used link that has also expired says it was used (the more useful answer)."""
    with freeze_time(T0):
        token = issue(user, pl.RESET)
        pl.mark_used(pl.check(db.session, token, pl.PASSWORD_PURPOSES).link)
        db.session.commit()
    with freeze_time(T0 + dt.timedelta(hours=2)):
        assert pl.check(db.session, token, pl.PASSWORD_PURPOSES).problem == pl.USED


@pytest.mark.parametrize(
    ("older_password_link", "new_purpose", "superseded"),
    [
        (pl.RESET, pl.RESET, {pl.RESET}),
        (pl.WELCOME, pl.RESET, {pl.WELCOME}),
        (pl.RESET, pl.WELCOME, {pl.RESET}),
        (pl.RESET, pl.EMAIL, {pl.EMAIL}),
        (pl.WELCOME, pl.EMAIL, {pl.EMAIL}),
    ],
)
def test_new_link_supersedes_older_links_of_its_kind_only(
    user: User, older_password_link: str, new_purpose: str, superseded: set[str]
) -> None:
    """A new set-password link (reset or welcome) retires every older set-password link
    but not a pending email confirmation; a new email confirmation retires only older
    email confirmations, never a set-password link."""
    older = {
        older_password_link: issue(user, older_password_link),
        pl.EMAIL: issue(user, pl.EMAIL, new_email="pending@example.test"),
    }
    assert all(pl.check(db.session, t, (p,)).link for p, t in older.items())
    fresh = issue(user, new_purpose, new_email="new@example.test")
    for purpose, token in older.items():
        problem = pl.check(db.session, token, (purpose,)).problem
        assert problem == (pl.SUPERSEDED if purpose in superseded else None), purpose
    assert pl.check(db.session, fresh, (new_purpose,)).link is not None


def test_issuing_leaves_other_users_links_alone(user: User) -> None:
    other = f.UserFactory(email="other.owner@example.test")
    db.session.commit()
    theirs = issue(other, pl.RESET)
    issue(user, pl.RESET)
    assert pl.check(db.session, theirs, pl.PASSWORD_PURPOSES).link is not None


def test_used_link_is_not_marked_superseded_later(user: User) -> None:
    """Superseding touches only unused links: a used link keeps reporting "used"."""
    token = issue(user, pl.RESET)
    pl.mark_used(pl.check(db.session, token, pl.PASSWORD_PURPOSES).link)
    db.session.commit()
    issue(user, pl.RESET)
    assert stored_link(token).superseded_at is None
    assert pl.check(db.session, token, pl.PASSWORD_PURPOSES).problem == pl.USED


def test_email_link_keeps_the_new_address(user: User) -> None:
    token = issue(user, pl.EMAIL, new_email="New.Address@Example.test")
    assert stored_link(token).new_email == "New.Address@Example.test"
