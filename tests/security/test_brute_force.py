"""Check 9, brute force (ASVS 6.3.1, 2.4.1): sign-in and "forgot password" are rate limited
in storage every app server shares, and repeated failures lock an email address.

Proves that, with rate limiting on (``limited_app``, on the test database):

* the 11th failed sign-in within 20 s from one IP answers 429 (the 10 before are 302);
* the limiter counts in the database (``pars-db://``, table ``rate_limit_counter``), not
  in ``memory://`` (which would count per gunicorn worker);
* ``/forgot-password`` takes at most 5 requests an hour from one IP (the 6th answers 429)
  and sends at most 5 emails an hour for one account, whatever the IP, with every answer
  identical;

and, with rate limiting off (so that only the lockout is at work):

* 5 wrong passwords lock the address with a clear message; the right password is then
  refused too; an address no account uses locks with the identical message;
* staff lift the lock with the "unlock" action, after which the right password works;
* the lock ends by itself after ``PARS_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import RateLimitCounter, SignInLockout
from app.security.ratelimit import DatabaseStorage
from app.services import accounts, signin
from app.services.clock import utcnow
from app.views import auth
from tests.conftest import IsolatedClient, World, login, post_form
from tests.smtp import Inbox, mail_to, smtp_server

WRONG_PASSWORD = "not-the-right-password-at-all"
UNKNOWN = "nobody.here@example.test"
#: A flashed message: its category and text (after the close button).
FLASH = re.compile(
    r'<div class="alert alert-(\w+)"[^>]*>\s*<button.*?</button>\s*(.*?)\s*</div>', re.S
)


# ---- helpers -------------------------------------------------------------------------


def flashed(client: FlaskClient) -> list[str]:
    """The messages the next page shows (the sign-in page, where a failed attempt lands)."""
    page = client.get("/login/").get_data(as_text=True)
    return [html.unescape(text) for _category, text in FLASH.findall(page)]


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account/").status_code == 200


def fail_times(client: FlaskClient, email: str, times: int) -> list[str]:
    """Sign in ``times`` with a wrong password; the messages shown (each answers 302)."""
    statuses = [login(client, email, WRONG_PASSWORD).status_code for _ in range(times)]
    assert statuses == [302] * times
    return flashed(client)


def counters() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(RateLimitCounter)) or 0


def lockout_of(email: str) -> SignInLockout:
    db.session.expire_all()
    return db.session.scalars(select(SignInLockout).where(SignInLockout.email == email)).one()


def forgot(client: FlaskClient, email: str, ip: str = "127.0.0.1") -> Any:
    """POST "forgot password" from ``ip``."""
    client.environ_base["REMOTE_ADDR"] = ip
    return post_form(client, "/forgot-password", {"email": email})


def background_work_done() -> None:
    """Wait for the threads that handle "forgot password" requests after the answer."""
    for thread in threading.enumerate():
        if thread.name == auth.RESET_THREAD:
            thread.join(timeout=10)


def answer(response: Any) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("Location"), response.get_data()


# ---- rate limits (limited_app) --------------------------------------------------------


@pytest.fixture
def limited_inbox(limited_app: Flask) -> Iterator[Inbox]:
    """The rate-limited app's email goes to a real SMTP server on loopback."""
    with smtp_server() as (controller, received), mail_to(limited_app, controller):
        yield received


def test_eleventh_failed_sign_in_within_20_seconds_answers_429(
    limited_app: Flask, world: World
) -> None:
    client = limited_app.test_client()
    started = time.monotonic()
    statuses = [
        login(client, f"guess{n}@example.test", WRONG_PASSWORD).status_code for n in range(11)
    ]
    assert time.monotonic() - started < 20, "too slow to test a 20-second window"
    assert statuses == [302] * 10 + [429]
    # The right password does not get through the limit either.
    assert login(client, world.contact_a.email).status_code == 429
    # Another IP is not limited by this one's attempts.
    other = limited_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert login(other, world.contact_a.email).status_code == 302
    assert signed_in(other)


def test_the_limiter_counts_in_the_shared_database(limited_app: Flask, world: World) -> None:
    storage = limited_app.appbuilder.sm.limiter.storage
    assert isinstance(storage, DatabaseStorage), type(storage)
    assert counters() == 0
    client = limited_app.test_client()
    login(client, UNKNOWN, WRONG_PASSWORD)
    forgot(client, UNKNOWN)
    background_work_done()
    db.session.expire_all()
    keys = db.session.scalars(select(RateLimitCounter.key)).all()
    assert any("forgot-ip" in key for key in keys), keys
    assert any("login" in key.lower() or "signin" in key.lower() for key in keys), keys


def test_two_workers_share_one_count(limited_app: Flask, world: World) -> None:
    """Ten failures on one app server, the eleventh on another: still 429."""
    other_worker = create_app("config.TestConfig", dict(limited_app.config))
    other_worker.test_client_class = IsolatedClient
    first, second = limited_app.test_client(), other_worker.test_client()
    fail_times(first, UNKNOWN, 10)
    assert login(second, UNKNOWN, WRONG_PASSWORD).status_code == 429


def test_forgot_password_at_most_5_an_hour_from_one_ip(
    limited_app: Flask, world: World, limited_inbox: Inbox
) -> None:
    client = limited_app.test_client()
    emails = [f"someone{n}@example.test" for n in range(5)] + [world.contact_a.email]
    responses = [forgot(client, email, "203.0.113.9") for email in emails]
    assert [r.status_code for r in responses] == [302] * 5 + [429]
    assert "Too many" in responses[-1].get_data(as_text=True)
    # The refused request sent nothing; another IP still may ask.
    background_work_done()
    assert limited_inbox.to(world.contact_a.email) == []
    assert forgot(client, world.contact_a.email, "203.0.113.10").status_code == 302


def test_forgot_password_at_most_5_emails_an_hour_per_account(
    limited_app: Flask, world: World, limited_inbox: Inbox, monkeypatch: Any
) -> None:
    threads: list[threading.Thread] = []
    real_send = accounts.send_email

    def send_and_keep(email: Any) -> Any:
        thread = real_send(email)
        threads.append(thread)
        return thread

    monkeypatch.setattr(accounts, "send_email", send_and_keep)
    client = limited_app.test_client()
    answers = [answer(forgot(client, world.contact_a.email, f"192.0.2.{n}")) for n in range(1, 7)]
    assert answers[0][:2] == (302, "/forgot-password/sent")
    assert all(a == answers[0] for a in answers), "the answers differ"
    background_work_done()
    for thread in threads:
        thread.join(timeout=10)
    assert len(threads) == 5
    assert len(limited_inbox.to(world.contact_a.email)) == len(limited_inbox.messages) == 5


# ---- lockout (rate limiting off) ------------------------------------------------------


def test_five_wrong_passwords_lock_the_address(client_for: Any, world: World) -> None:
    client = client_for(None)
    assert fail_times(client, world.contact_a.email, 4) == [signin.WRONG] * 4
    login(client, world.contact_a.email, WRONG_PASSWORD)
    message = flashed(client)
    assert len(message) == 1 and "locked" in message[0], message
    assert lockout_of(world.contact_a.email).locked_until is not None
    # The right password is refused while the lock lasts.
    assert login(client, world.contact_a.email).status_code == 302
    assert "locked" in flashed(client)[0]
    assert not signed_in(client)


def test_an_unknown_address_locks_with_the_identical_message(client_for: Any, world: World) -> None:
    known, unknown = client_for(None), client_for(None)
    with freeze_time(utcnow()):  # the message names the time the lock ends
        known_messages = fail_times(known, world.contact_a.email, 5)
        unknown_messages = fail_times(unknown, UNKNOWN, 5)
        assert "locked" in known_messages[-1]
        assert known_messages == unknown_messages
        assert answer(login(known, world.contact_a.email)) == answer(login(unknown, UNKNOWN))


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_unlock_lets_the_right_password_in(client_for: Any, world: World, role: str) -> None:
    client = client_for(None)
    fail_times(client, world.contact_a.email, 5)
    login(client, world.contact_a.email)
    assert not signed_in(client)
    row_id = lockout_of(world.contact_a.email).id
    staff = client_for(getattr(world, role))
    response = post_form(
        staff, "/signinlockoutmodelview/action_post", {"action": "unlock", "rowid": row_id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SignInLockout, row_id) is None
    assert login(client, world.contact_a.email).status_code == 302
    assert signed_in(client)


def test_a_contact_cannot_unlock(client_for: Any, world: World) -> None:
    client = client_for(None)
    fail_times(client, world.contact_b.email, 5)
    row_id = lockout_of(world.contact_b.email).id
    contact = client_for(world.contact_a)
    post_form(contact, "/signinlockoutmodelview/action_post", {"action": "unlock", "rowid": row_id})
    assert lockout_of(world.contact_b.email).locked_until is not None
    login(client, world.contact_b.email)
    assert not signed_in(client)


def test_the_lock_ends_after_the_lockout_minutes(app: Flask, client_for: Any, world: World) -> None:
    minutes = app.config["PARS_LOCKOUT_MINUTES"]
    start = utcnow()
    with freeze_time(start) as clock:
        client = client_for(None)
        assert "locked" in fail_times(client, world.contact_a.email, 5)[-1]
        clock.move_to(start + dt.timedelta(minutes=minutes - 1))
        login(client, world.contact_a.email)
        assert "locked" in flashed(client)[0]
        assert not signed_in(client)
        clock.move_to(start + dt.timedelta(minutes=minutes, seconds=1))
        assert login(client, world.contact_a.email).status_code == 302
        assert signed_in(client)
