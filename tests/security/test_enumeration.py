"""Check 10, no account enumeration (ASVS 6.3.8): neither the answer nor its timing tells
whether an email address has a PARS account.

Proves that:

* signing in as an unknown address, as a known one with a wrong password, and as a
  deactivated account with its right password gives the same status, Location, body and
  message; the median times of 30 tries of the first two are within 20% of each other;
* "forgot password" for a known and for an unknown address gives the same status,
  Location and body, with median times within 20%;
* the reset email goes out on a background thread: the request has answered before the
  message is delivered (delivery is held back until after the answer).

Timings: the app is warmed up first, the two kinds of try are interleaved (alternating
which goes first) and timed with ``time.perf_counter``; lockout is raised out of the way
so that every try does the same work as a real first failure.
"""

from __future__ import annotations

import gc
import html
import re
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.services import accounts
from app.services import mail as mail_service
from app.services.mail import Email, send_email
from app.views import auth
from tests.conftest import World, csrf_token
from tests.smtp import Inbox

TRIES = 30
WARM_UP = 2
TOLERANCE = 0.20
WRONG_PASSWORD = "not-the-right-password-at-all"
UNKNOWN = "no.account.here@example.test"
#: A flashed message: its category and text (after the close button).
FLASH = re.compile(
    r'<div class="alert alert-(\w+)"[^>]*>\s*<button.*?</button>\s*(.*?)\s*</div>', re.S
)


# ---- helpers -------------------------------------------------------------------------


@pytest.fixture
def no_lockout(app: Flask, monkeypatch: Any) -> None:
    """Lockout out of the way: every try is a first failure, as an attacker's would be."""
    monkeypatch.setitem(app.config, "PARS_LOCKOUT_FAILURES", 10_000)


def answer(response: Any) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("Location"), response.get_data()


def flashed(client: FlaskClient) -> list[str]:
    page = client.get("/login/").get_data(as_text=True)
    return [html.unescape(text) for _category, text in FLASH.findall(page)]


def poster(client: FlaskClient, url: str) -> Callable[[dict[str, str]], Any]:
    """POST to ``url`` with a CSRF token made once (so that only the request is timed)."""
    token = csrf_token(client)
    return lambda data: client.post(url, data={**data, "csrf_token": token})


def timed(send: Callable[[], Any]) -> float:
    start = time.perf_counter()
    send()
    return time.perf_counter() - start


def median_times(
    first: Callable[[], Any], second: Callable[[], Any], after: Callable[[], Any] = lambda: None
) -> tuple[float, float]:
    """Median seconds of ``TRIES`` interleaved calls of each, after a warm-up; ``after``
    runs untimed after every call (e.g. waiting for background work to finish). The
    garbage collector is paused so that its pauses do not land on one side."""
    for _ in range(WARM_UP):
        first(), after(), second(), after()
    times: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    gc.disable()
    try:
        for n in range(TRIES):
            order = ((0, first), (1, second)) if n % 2 == 0 else ((1, second), (0, first))
            for index, send in order:
                times[index].append(timed(send))
                after()
    finally:
        gc.enable()
    return statistics.median(times[0]), statistics.median(times[1])


def background_work_done() -> None:
    """Wait for the threads that handle "forgot password" after the answer."""
    for thread in threading.enumerate():
        if thread.name == auth.RESET_THREAD:
            thread.join(timeout=10)


def assert_close(a: float, b: float, what: str) -> None:
    assert abs(a - b) <= TOLERANCE * max(a, b), (
        f"{what}: medians {a * 1000:.1f} ms and {b * 1000:.1f} ms differ by more than "
        f"{TOLERANCE:.0%}"
    )


# ---- sign-in --------------------------------------------------------------------------


def test_sign_in_answers_the_same_for_unknown_wrong_and_deactivated(
    client_for: Any, world: World, no_lockout: None
) -> None:
    world.nobody.active = False
    db.session.commit()
    tries = {
        "unknown address": (UNKNOWN, WRONG_PASSWORD),
        "known address, wrong password": (world.contact_a.email, WRONG_PASSWORD),
        "deactivated, right password": (world.nobody.email, "correct-horse-battery-staple"),
    }
    seen = {}
    for name, (email, password) in tries.items():
        client = client_for(None)
        response = poster(client, "/login/")({"email": email, "password": password})
        seen[name] = (answer(response), flashed(client))
    first = next(iter(seen.values()))
    assert first[0][:2] == (302, "/login/")
    assert first[1] and "not correct" in first[1][0]
    assert all(value == first for value in seen.values()), seen


def test_sign_in_timing_does_not_tell_known_from_unknown(
    client_for: Any, world: World, no_lockout: None
) -> None:
    known_client, unknown_client = client_for(None), client_for(None)
    post_known, post_unknown = poster(known_client, "/login/"), poster(unknown_client, "/login/")
    known, unknown = median_times(
        lambda: post_known({"email": world.contact_a.email, "password": WRONG_PASSWORD}),
        lambda: post_unknown({"email": UNKNOWN, "password": WRONG_PASSWORD}),
    )
    assert_close(known, unknown, "sign-in, known address vs unknown")


# ---- forgot password ------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown(
    client_for: Any, world: World, inbox: Inbox
) -> None:
    answers = {}
    for email in (world.contact_a.email, UNKNOWN, world.contact_a.email.upper()):
        client = client_for(None)
        answers[email] = answer(poster(client, "/forgot-password")({"email": email}))
    assert answers[UNKNOWN][:2] == (302, "/forgot-password/sent")
    assert len(set(answers.values())) == 1, answers
    assert len(inbox.wait_for(2)) == 2  # the known address (in either case) got its email
    assert inbox.to(UNKNOWN) == []


def test_forgot_password_timing_does_not_tell_known_from_unknown(
    client_for: Any, world: World, inbox: Inbox, monkeypatch: Any
) -> None:
    mail_threads: list[threading.Thread] = []

    def send_and_keep(email: Email) -> threading.Thread | None:
        thread = send_email(email)
        if thread is not None:
            mail_threads.append(thread)
        return thread

    monkeypatch.setattr(accounts, "send_email", send_and_keep)
    forgot = poster(client_for(None), "/forgot-password")

    def finished() -> None:
        """Wait for the background work and email, so that they slow no later try down."""
        background_work_done()
        for thread in mail_threads:
            thread.join(timeout=10)

    known, unknown = median_times(
        lambda: forgot({"email": world.contact_a.email}),
        lambda: forgot({"email": UNKNOWN}),
        after=finished,
    )
    assert len(inbox.messages) == WARM_UP + TRIES  # the known address did get its emails
    assert_close(known, unknown, "forgot password, known address vs unknown")


def test_reset_email_is_sent_after_the_answer(
    client_for: Any, world: World, inbox: Inbox, monkeypatch: Any
) -> None:
    """Delivery is held until the request has answered: if the email were sent inline, the
    request would wait for it and the inbox would already hold it (or the gate time out)."""
    gate = threading.Event()
    real_send = mail_service.mail.send

    def held_send(message: Any) -> Any:
        assert gate.wait(timeout=5), "delivery was never released"
        return real_send(message)

    monkeypatch.setattr(mail_service.mail, "send", held_send)
    client = client_for(None)
    started = time.perf_counter()
    response = poster(client, "/forgot-password")({"email": world.contact_a.email})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert elapsed < 4, "the request waited for the mail server"
    assert inbox.messages == []
    gate.set()
    assert inbox.wait_for(1)[0].rcpt_tos == [world.contact_a.email]


def test_send_email_returns_the_background_thread(app: Flask, inbox: Inbox) -> None:
    with app.app_context():
        thread = send_email(Email("someone@example.test", "Subject", "Body"))
    assert isinstance(thread, threading.Thread)
    assert thread is not threading.current_thread() and thread.daemon
    thread.join(timeout=10)
    assert inbox.wait_for(1)[0].rcpt_tos == ["someone@example.test"]
