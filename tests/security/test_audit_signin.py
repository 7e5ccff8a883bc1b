"""Check 24, the audit trail of signing in (ASVS 16.2.1, 16.3.1 to 16.3.3, 16.4.1).

Proves that:

* a successful sign-in, a failed sign-in, a reset request (for a known and for an unknown
  address) and the use of a reset link each append exactly one ``audit_event`` row, with
  the action names of :mod:`app.services.audit`, the time in UTC (checked with the
  process's local time zone set to UTC-5), the actor, the request id (the ``X-Request-ID`` the
  response carried) and the client's IP address;
* no password and no token appears in any column of those rows;
* CR and LF typed into the email field cannot forge a line: they are neutralised;
* the database refuses UPDATE and DELETE on ``audit_event`` (triggers, on SQLite and on
  PostgreSQL; TRUNCATE too on PostgreSQL), and the row stays as it was.

Audit rows are never deleted between tests, so each test looks only at rows added after
it started.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models import AuditEvent, SignInLockout
from app.services import audit
from app.services.clock import utcnow
from app.views import auth
from tests.conftest import World, login, post_form
from tests.factories import PASSWORD
from tests.smtp import Inbox

IP = "203.0.113.7"
WRONG_PASSWORD = "a wrong password typed"
NEW_PASSWORD = "a brand new passphrase for pars"
COLUMNS = [column.key for column in AuditEvent.__table__.columns]


# ---- helpers -------------------------------------------------------------------------


def last_id() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def rows_after(first: int) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.id > first).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def browser(client_for: Any) -> FlaskClient:
    client = client_for(None)
    client.environ_base["REMOTE_ADDR"] = IP
    return client


def background_work_done() -> None:
    """Wait for the threads that handle "forgot password" requests after the answer."""
    for thread in threading.enumerate():
        if thread.name == auth.RESET_THREAD:
            thread.join(timeout=10)


def the_one_row(first: int, action: str, response: Any) -> AuditEvent:
    """The single row added since ``first``: ``action``, for this request and client."""
    rows = rows_after(first)
    assert [row.action for row in rows] == [action]
    row = rows[0]
    assert row.request_id and row.request_id == response.headers["X-Request-ID"]
    assert row.ip == IP
    return row


def assert_no_secret(row: AuditEvent, *secrets: str) -> None:
    for column in COLUMNS:
        value = str(getattr(row, column) or "")
        for secret in secrets:
            assert secret not in value, f"{column} holds a secret"


def assert_recent_utc(row: AuditEvent, before: dt.datetime) -> None:
    assert before - dt.timedelta(seconds=1) <= row.occurred_at <= utcnow() + dt.timedelta(seconds=1)


# ---- sign-in --------------------------------------------------------------------------


@pytest.fixture
def local_zone_not_utc(monkeypatch: Any) -> Iterator[None]:
    """The process's local time zone is UTC-5 (POSIX TZ), so local time is not UTC."""
    monkeypatch.setenv("TZ", "XYZ+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_sign_in_appends_one_row_in_utc(
    client_for: Any, world: World, local_zone_not_utc: None
) -> None:
    assert abs(dt.datetime.now() - utcnow()) > dt.timedelta(hours=4)
    first, before = last_id(), utcnow()
    response = login(browser(client_for), world.contact_a.email)
    assert response.status_code == 302
    row = the_one_row(first, audit.SIGN_IN, response)
    assert_recent_utc(row, before)
    assert row.actor_id == world.contact_a.id and row.actor == world.contact_a.email
    assert_no_secret(row, PASSWORD)


def test_a_failed_sign_in_appends_one_row(client_for: Any, world: World) -> None:
    first, before = last_id(), utcnow()
    response = login(browser(client_for), world.contact_a.email, WRONG_PASSWORD)
    row = the_one_row(first, audit.SIGN_IN_FAILED, response)
    assert_recent_utc(row, before)
    assert row.actor == world.contact_a.email
    assert_no_secret(row, WRONG_PASSWORD)


def test_a_failed_sign_in_of_an_unknown_address_appends_one_row(client_for: Any) -> None:
    first = last_id()
    response = login(browser(client_for), "Nobody.Here@Example.test", WRONG_PASSWORD)
    row = the_one_row(first, audit.SIGN_IN_FAILED, response)
    assert row.actor == "nobody.here@example.test" and row.actor_id is None
    assert_no_secret(row, WRONG_PASSWORD)


def test_cr_lf_in_the_typed_email_cannot_forge_a_line(client_for: Any, world: World) -> None:
    forged = "victim@example.test\r\n2026-01-01 00:00:00 sign-in admin@example.test\nok"
    first = last_id()
    response = login(browser(client_for), forged, WRONG_PASSWORD)
    row = the_one_row(first, audit.SIGN_IN_FAILED, response)
    assert "\r" not in row.actor and "\n" not in row.actor
    assert "victim@example.test" in row.actor
    lockouts = db.session.scalars(select(SignInLockout.email)).all()
    assert lockouts and not any("\r" in e or "\n" in e for e in lockouts)
    first = last_id()
    response = post_form(browser(client_for), "/forgot-password", {"email": forged})
    background_work_done()
    row = the_one_row(first, audit.RESET_REQUESTED, response)
    assert "\r" not in row.actor and "\n" not in row.actor


# ---- reset request and use ------------------------------------------------------------


@pytest.mark.parametrize("known", [True, False], ids=["known address", "unknown address"])
def test_a_reset_request_appends_one_row(
    client_for: Any, world: World, inbox: Inbox, known: bool
) -> None:
    email = world.contact_a.email if known else "no.account@example.test"
    first, before = last_id(), utcnow()
    response = post_form(browser(client_for), "/forgot-password", {"email": email})
    assert response.status_code == 302
    background_work_done()
    row = the_one_row(first, audit.RESET_REQUESTED, response)
    assert_recent_utc(row, before)
    assert row.actor == email
    if known:
        token = urlsplit(inbox.last_link(email)).path.rsplit("/", 1)[1]
        assert_no_secret(row, token, hashlib.sha256(token.encode()).hexdigest())


def test_using_a_reset_link_appends_one_row(client_for: Any, world: World, inbox: Inbox) -> None:
    client = browser(client_for)
    post_form(client, "/forgot-password", {"email": world.contact_a.email})
    path = urlsplit(inbox.last_link(world.contact_a.email)).path
    background_work_done()
    token = path.rsplit("/", 1)[1]
    first, before = last_id(), utcnow()
    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    row = the_one_row(first, audit.RESET_USED, response)
    assert_recent_utc(row, before)
    assert row.actor_id == world.contact_a.id and row.actor == world.contact_a.email
    assert_no_secret(row, token, hashlib.sha256(token.encode()).hexdigest(), NEW_PASSWORD)


# ---- append-only ----------------------------------------------------------------------


def refused(statement: str, **values: Any) -> bool:
    """Whether the database refuses ``statement`` (the transaction is rolled back)."""
    try:
        db.session.execute(text(statement), values)
        db.session.flush()
    except DatabaseError:
        db.session.rollback()
        return True
    db.session.rollback()
    return False


def test_the_database_refuses_to_change_or_remove_audit_rows(world: World) -> None:
    row_id = last_id()
    before = db.session.execute(select(AuditEvent.__table__).where(AuditEvent.id == row_id)).one()
    assert refused("UPDATE audit_event SET action = 'tampered' WHERE id = :id", id=row_id)
    assert refused("UPDATE audit_event SET actor = NULL")
    assert refused("DELETE FROM audit_event WHERE id = :id", id=row_id)
    assert refused("DELETE FROM audit_event")
    if db.engine.dialect.name == "postgresql":
        assert refused("TRUNCATE audit_event")
    db.session.expire_all()
    after = db.session.execute(select(AuditEvent.__table__).where(AuditEvent.id == row_id)).one()
    assert after == before
    # Appending still works.
    audit.record(db.session, "test event", actor_email="auditor@example.test")
    db.session.commit()
    assert last_id() > row_id
