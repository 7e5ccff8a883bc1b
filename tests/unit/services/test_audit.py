"""The audit trail (app.services.audit): user-supplied text is kept on one line, and each
row records the request id and the client's address when there is a request."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, g
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services import audit
from tests import factories as f

T0 = dt.datetime(2026, 2, 10, 9, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line one\rline two", "line one line two"),
        ("line one\nline two", "line one line two"),
        ("line one\r\nline two", "line one  line two"),
        ("nul\x00byte", "nul byte"),
        ("tab\there", "tab here"),
        ("escape\x1b[31m", "escape [31m"),
        ("delete\x7f", "delete "),
        ("line\u2028separator", "line separator"),
        ("paragraph\u2029separator", "paragraph separator"),
        ("plain text, ünïcödé", "plain text, ünïcödé"),
        ("", ""),
        (42, "42"),
    ],
)
def test_neutralise_puts_text_on_one_line(text: object, expected: str) -> None:
    """CR, LF, NUL, tab and the Unicode line separators become spaces, so a value typed
    by a user cannot forge a new line in a log or the audit view."""
    assert audit.neutralise(text) == expected


def test_neutralise_removes_the_unicode_next_line_break() -> None:
    """U+0085 (NEL) ends a line like LF does (``"a\\x85b".splitlines() == ["a", "b"]``):
    a typed value must not be able to start a new line with it either."""
    assert "a\x85b".splitlines() == ["a", "b"]
    assert audit.neutralise("a@example.test\x85forged line") == "a@example.test forged line"


def test_neutralise_keeps_none_and_cuts_at_the_limit() -> None:
    assert audit.neutralise(None) is None
    assert audit.neutralise("x" * 400) == "x" * 320
    assert audit.neutralise("y" * 50, 40) == "y" * 40


def stored(event: AuditEvent) -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.id == event.id)).one()


def test_record_outside_a_request(app_ctx: Flask) -> None:
    """A row written by a command or a job has no request id and no client address."""
    actor = f.UserFactory(email="auditor@example.test")
    db.session.commit()
    with freeze_time(T0):
        event = audit.record(
            db.session,
            audit.UNLOCK,
            actor=actor,
            provider_id=7,
            object_type="SignInLockout",
            object_id="a@example.test",
            detail="address a@example.test",
        )
        db.session.commit()
    row = stored(event)
    assert (row.request_id, row.ip) == (None, None)
    assert (row.occurred_at, row.action, row.actor_id, row.actor, row.provider_id) == (
        T0,
        audit.UNLOCK,
        actor.id,
        "auditor@example.test",
        7,
    )
    assert (row.object_type, row.object_id, row.detail) == (
        "SignInLockout",
        "a@example.test",
        "address a@example.test",
    )


def test_record_inside_a_request_keeps_request_id_and_address(app_ctx: Flask) -> None:
    with app_ctx.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        g.request_id = "0123456789abcdef0123456789abcdef"
        event = audit.record(db.session, audit.SIGN_OUT)
        db.session.commit()
    row = stored(event)
    assert (row.request_id, row.ip) == ("0123456789abcdef0123456789abcdef", "10.0.0.9")


def test_record_inside_a_request_without_an_id(app_ctx: Flask) -> None:
    with app_ctx.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        event = audit.record(db.session, audit.SIGN_OUT)
        db.session.commit()
    assert (stored(event).request_id, stored(event).ip) == (None, "10.0.0.9")


def test_record_names_the_object_and_neutralises_text(app_ctx: Flask) -> None:
    """An object gives its type and id; the claimed email and the detail are put on one
    line; the claimed email wins over the actor's own."""
    user = f.UserFactory(email="target@example.test")
    db.session.commit()
    event = audit.record(
        db.session,
        audit.SIGN_IN_FAILED,
        actor_email="typed@example.test\r\nforged line",
        obj=user,
        detail="file\nname.csv",
    )
    db.session.commit()
    row = stored(event)
    assert (row.actor_id, row.actor) == (None, "typed@example.test  forged line")
    assert (row.object_type, row.object_id) == ("User", str(user.id))
    assert row.detail == "file name.csv"


def test_record_of_an_object_keeps_an_explicit_id(app_ctx: Flask) -> None:
    user = f.UserFactory()
    db.session.commit()
    event = audit.record(db.session, audit.UNLOCK, obj=user, object_type="X", object_id="y")
    db.session.commit()
    assert (stored(event).object_type, stored(event).object_id) == ("X", "y")


def test_record_joins_the_callers_transaction(app_ctx: Flask) -> None:
    """The row is written with the event's own change, and not at all on rollback."""
    event = audit.record(db.session, "rolled back event")
    db.session.flush()
    event_id = event.id
    db.session.rollback()
    assert db.session.get(AuditEvent, event_id) is None
