"""Check 11, the password-reset token (ASVS 6.4.1, 6.4.3, 7.4.3).

Proves, by following the links of real emails (``inbox``), that a reset token:

* carries at least 128 bits drawn from :mod:`secrets` (it is the value
  ``secrets.token_urlsafe`` returned, asked for at least 16 bytes);
* is stored only as its SHA-256: the raw token is in no column of any table;
* works once: a second use gets a clear page (400, "already been used");
* expires within 60 minutes: with a frozen clock it works at 59 minutes and is refused as
  "expired" at 61;
* is replaced by a newer reset request, by a password change (``/account/password``) and by
  a confirmed email change;
* once used, ends every session of the user: a browser signed in before the reset is sent
  to the sign-in page on its next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import PasswordLink, User
from app.services import password_links
from app.services.passwords import matches
from tests.conftest import World, login, post_form
from tests.factories import PASSWORD
from tests.security.helpers import fingerprint, is_login_redirect
from tests.smtp import Inbox

NEW_PASSWORD = "a brand new passphrase for pars"
OTHER_PASSWORD = "yet another passphrase for pars"
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


# ---- helpers -------------------------------------------------------------------------


def request_reset(client: FlaskClient, inbox: Inbox, email: str) -> str:
    """Ask for a reset link for ``email``; the path of the link in the email that arrives."""
    before = len(inbox.to(email))
    assert post_form(client, "/forgot-password", {"email": email}).status_code == 302
    return newest_link_path(inbox, email, before)


def newest_link_path(inbox: Inbox, email: str, before: int) -> str:
    """The path of the link in the first message to ``email`` after the ``before`` first."""
    deadline = time.monotonic() + 10
    while len(inbox.to(email)) <= before and time.monotonic() < deadline:
        time.sleep(0.02)
    received = inbox.to(email)
    assert len(received) > before, f"no new message to {email}"
    return urlsplit(Inbox.links(received[before])[0]).path


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def link_row(path: str) -> PasswordLink:
    db.session.expire_all()
    digest = hashlib.sha256(token_of(path).encode()).hexdigest()
    return db.session.scalars(select(PasswordLink).where(PasswordLink.token_hash == digest)).one()


def set_password(client: FlaskClient, path: str, password: str) -> Any:
    return post_form(client, path, {"password": password, "confirm": password})


def password_is(user: User, password: str) -> bool:
    db.session.expire_all()
    return matches(db.session.get(User, user.id).password, password)


def refused(response: Any, words: str) -> bool:
    """A clear "this link cannot be used" page naming the reason."""
    return response.status_code == 400 and words in response.get_data(as_text=True)


# ---- tests ----------------------------------------------------------------------------


def test_token_has_128_bits_from_secrets_and_only_its_hash_is_stored(
    client_for: Any, world: World, inbox: Inbox, monkeypatch: Any
) -> None:
    drawn: list[tuple[int, str]] = []

    def spy(nbytes: int | None = None) -> str:
        token = secrets.token_urlsafe(nbytes)
        drawn.append((nbytes or 32, token))
        return token

    # Only the link module's ``secrets`` is watched (sessions and CSP nonces draw too).
    monkeypatch.setattr(password_links, "secrets", SimpleNamespace(token_urlsafe=spy))
    client = client_for(None)
    first = token_of(request_reset(client, inbox, world.contact_a.email))
    second = token_of(request_reset(client, inbox, world.contact_a.email))
    assert [token for _, token in drawn] == [first, second]
    assert all(nbytes >= 16 for nbytes, _ in drawn), drawn
    assert len(first) >= 22 and URLSAFE.match(first) and first != second
    rows = db.session.scalars(select(PasswordLink).order_by(PasswordLink.id)).all()
    assert [row.token_hash for row in rows] == [
        hashlib.sha256(token.encode()).hexdigest() for token in (first, second)
    ]
    stored = repr(fingerprint())
    assert first not in stored and second not in stored


def test_a_link_works_once(client_for: Any, world: World, inbox: Inbox) -> None:
    client = client_for(None)
    path = request_reset(client, inbox, world.contact_a.email)
    assert client.get(path).status_code == 200
    assert is_login_redirect(set_password(client, path, NEW_PASSWORD))
    assert password_is(world.contact_a, NEW_PASSWORD)
    assert refused(client.get(path), "already been used")
    assert refused(set_password(client_for(None), path, OTHER_PASSWORD), "already been used")
    assert password_is(world.contact_a, NEW_PASSWORD)


def test_a_link_works_at_59_minutes(client_for: Any, world: World, inbox: Inbox) -> None:
    path = request_reset(client_for(None), inbox, world.contact_a.email)
    with freeze_time(link_row(path).created_at + dt.timedelta(minutes=59)):
        client = client_for(None)
        assert client.get(path).status_code == 200
        assert is_login_redirect(set_password(client, path, NEW_PASSWORD))
    assert password_is(world.contact_a, NEW_PASSWORD)


def test_a_link_has_expired_at_61_minutes(client_for: Any, world: World, inbox: Inbox) -> None:
    path = request_reset(client_for(None), inbox, world.contact_a.email)
    with freeze_time(link_row(path).created_at + dt.timedelta(minutes=61)):
        client = client_for(None)
        assert refused(client.get(path), "expired")
        assert refused(set_password(client, path, NEW_PASSWORD), "expired")
    assert password_is(world.contact_a, PASSWORD)


def test_a_newer_request_replaces_the_link(client_for: Any, world: World, inbox: Inbox) -> None:
    client = client_for(None)
    older = request_reset(client, inbox, world.contact_a.email)
    newer = request_reset(client, inbox, world.contact_a.email)
    assert refused(client.get(older), "replaced")
    assert refused(set_password(client, older, NEW_PASSWORD), "replaced")
    assert password_is(world.contact_a, PASSWORD)
    assert client.get(newer).status_code == 200


def test_a_password_change_replaces_the_link(client_for: Any, world: World, inbox: Inbox) -> None:
    path = request_reset(client_for(None), inbox, world.contact_a.email)
    signed_in = client_for(world.contact_a)
    response = post_form(
        signed_in,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302 and password_is(world.contact_a, NEW_PASSWORD)
    client = client_for(None)
    assert refused(client.get(path), "replaced")
    assert refused(set_password(client, path, OTHER_PASSWORD), "replaced")
    assert password_is(world.contact_a, NEW_PASSWORD)


def test_a_confirmed_email_change_replaces_the_link(
    client_for: Any, world: World, inbox: Inbox
) -> None:
    new_email = "contact.a.new@example.test"
    path = request_reset(client_for(None), inbox, world.contact_a.email)
    signed_in = client_for(world.contact_a)
    assert post_form(signed_in, "/account/email", {"email": new_email}).status_code == 302
    assert signed_in.get(path).status_code == 200  # asking is not enough: nothing changed yet
    confirm = newest_link_path(inbox, new_email, 0)
    assert confirm.startswith("/confirm-email/")
    assert post_form(signed_in, confirm, {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.contact_a.id).email == new_email
    client = client_for(None)
    assert refused(client.get(path), "replaced")
    assert refused(set_password(client, path, NEW_PASSWORD), "replaced")
    assert password_is(world.contact_a, PASSWORD)


def test_a_reset_ends_every_session_of_the_user(
    client_for: Any, world: World, inbox: Inbox
) -> None:
    browsers = [client_for(world.contact_a), client_for(world.contact_a)]
    bystander = client_for(world.contact_b)
    assert all(b.get("/account/").status_code == 200 for b in [*browsers, bystander])
    client = client_for(None)
    path = request_reset(client, inbox, world.contact_a.email)
    assert is_login_redirect(set_password(client, path, NEW_PASSWORD))
    for browser in browsers:
        assert is_login_redirect(browser.get("/account/"))
    assert bystander.get("/account/").status_code == 200
    fresh = client_for(None)
    assert login(fresh, world.contact_a.email, NEW_PASSWORD).status_code == 302
    assert fresh.get("/account/").status_code == 200
