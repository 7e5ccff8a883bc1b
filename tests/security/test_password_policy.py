"""Check 14, the password policy (ASVS 6.2.1 to 6.2.9), through the set-password page of
a reset link and through "My account" (``/account/password``).

Proves that:

* 7 characters (and 11) are refused; 12, 64 and exactly 128 are accepted; 129 is refused;
* every one of the 3000 most common passwords of zxcvbn's list is refused (all of them
  through ``password_problems``; the long ones, which only the list can catch, through
  both web forms too, whatever their case);
* there are no composition rules: a long all-lowercase phrase is accepted;
* a change needs the right current password;
* the password is checked exactly as typed: no trimming, no change of case, no
  truncation (a 128-character password does not open with its first 72 characters).

A refused password leaves the stored hash as it was.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.extensions import db
from app.models import User
from app.services.passwords import MIN_LENGTH, password_problems
from app.services.passwords import matches as hash_matches
from tests.conftest import World, login, post_form
from tests.factories import PASSWORD
from tests.smtp import Inbox

TOP_3000 = FREQUENCY_LISTS["passwords"][:3000]
#: The common passwords that are long enough to pass the length rule: only the list
#: catches them.
LONG_COMMON = [word for word in TOP_3000 if len(word) >= MIN_LENGTH]
PHRASE = "correct pony stapler battery lamp window"  # lower case only, no digit or symbol
TOO_SHORT = "abcdefg"  # 7 characters
ELEVEN = "abcdefghijk"


def of_length(length: int) -> str:
    """A passphrase of exactly ``length`` characters."""
    base = "a long and unusual passphrase for the pars portal "
    return (base * (length // len(base) + 1))[:length]


# ---- helpers -------------------------------------------------------------------------


def stored_password_is(user: User, password: str) -> bool:
    db.session.expire_all()
    return hash_matches(db.session.get(User, user.id).password, password)


def reset_link(client: FlaskClient, inbox: Inbox, email: str) -> str:
    """A fresh reset link for ``email`` (path only)."""
    before = len(inbox.to(email))
    post_form(client, "/forgot-password", {"email": email})
    deadline = time.monotonic() + 10
    while len(inbox.to(email)) <= before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(inbox.to(email)) > before, "no reset email"
    return urlsplit(Inbox.links(inbox.to(email)[-1])[0]).path


def via_reset(client: FlaskClient, path: str, password: str) -> tuple[bool, str]:
    """Set ``password`` through a reset link: (accepted, page text)."""
    response = post_form(client, path, {"password": password, "confirm": password})
    return response.status_code == 302, response.get_data(as_text=True)


def via_account(client: FlaskClient, current: str, password: str) -> tuple[bool, str]:
    """Change the password on "My account": (accepted, page text)."""
    response = post_form(
        client, "/account/password", {"current": current, "password": password, "confirm": password}
    )
    return response.status_code == 302, response.get_data(as_text=True)


# ---- the list -------------------------------------------------------------------------


def test_the_3000_most_common_passwords_are_refused() -> None:
    assert len(TOP_3000) == 3000
    accepted = [word for word in TOP_3000 if not password_problems(word)]
    assert accepted == []
    # The long ones are refused for being common (not merely for their length), in any case.
    assert len(LONG_COMMON) >= 10
    for word in LONG_COMMON:
        for variant in (word, word.upper(), word.capitalize()):
            assert any("commonly used" in p for p in password_problems(variant)), variant


# ---- through the reset page -----------------------------------------------------------


def test_reset_page_applies_the_policy(client_for: Any, world: World, inbox: Inbox) -> None:
    user = world.contact_a
    client = client_for(None)
    path = reset_link(client, inbox, user.email)
    refused = {
        TOO_SHORT: "at least 12",
        ELEVEN: "at least 12",
        of_length(129): "at most 128",
        LONG_COMMON[0]: "commonly used",
        LONG_COMMON[-1].upper(): "commonly used",
    }
    for password, reason in refused.items():
        accepted, page = via_reset(client, path, password)
        assert not accepted and reason in page, password
    assert stored_password_is(user, PASSWORD)  # nothing changed, the link still works
    for password in (of_length(12), of_length(64), of_length(128), PHRASE):
        path = reset_link(client, inbox, user.email)
        assert via_reset(client, path, password)[0], len(password)
        assert stored_password_is(user, password)


# ---- through "My account" -------------------------------------------------------------


def test_account_page_applies_the_policy(client_for: Any, world: World) -> None:
    user = world.contact_a
    client = client_for(user)
    refused = {
        TOO_SHORT: "at least 12",
        of_length(129): "at most 128",
        LONG_COMMON[1]: "commonly used",
        LONG_COMMON[2].capitalize(): "commonly used",
    }
    for password, reason in refused.items():
        accepted, page = via_account(client, PASSWORD, password)
        assert not accepted and reason in page, password
    assert stored_password_is(user, PASSWORD)
    current = PASSWORD
    for password in (of_length(64), of_length(128), PHRASE):
        assert via_account(client, current, password)[0], len(password)
        assert stored_password_is(user, password)
        current = password


def test_a_change_needs_the_right_current_password(client_for: Any, world: World) -> None:
    client = client_for(world.contact_a)
    for current in ("", "wrong current password", PASSWORD.upper(), PASSWORD + " "):
        accepted, page = via_account(client, current, PHRASE)
        assert not accepted and "current password" in page.lower(), repr(current)
        assert stored_password_is(world.contact_a, PASSWORD)
    assert via_account(client, PASSWORD, PHRASE)[0]


# ---- exactly as typed -----------------------------------------------------------------


def signs_in(client_for: Any, email: str, password: str) -> bool:
    client = client_for(None)
    login(client, email, password)
    return client.get("/account/").status_code == 200


def test_the_password_is_checked_exactly_as_typed(client_for: Any, world: World) -> None:
    typed = "Abc def ghi jkl "
    assert via_account(client_for(world.contact_a), PASSWORD, typed)[0]
    assert stored_password_is(world.contact_a, typed)
    for near_miss in ("abc def ghi jkl ", "Abc def ghi jkl", " Abc def ghi jkl "):
        assert not signs_in(client_for, world.contact_a.email, near_miss), repr(near_miss)
    assert signs_in(client_for, world.contact_a.email, typed)


def test_a_long_password_is_not_truncated(client_for: Any, world: World) -> None:
    typed = of_length(128)
    assert via_account(client_for(world.contact_a), PASSWORD, typed)[0]
    for prefix in (typed[:72], typed[:127]):
        assert not signs_in(client_for, world.contact_a.email, prefix), len(prefix)
    assert signs_in(client_for, world.contact_a.email, typed)
