"""Outgoing email through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from app.services.mail import Email, send_email


class Inbox:
    """Collects every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def mail_app(**settings: Any) -> Any:
    overrides = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SUPPRESS_SEND": False}
    return create_app("config.TestConfig", {**overrides, **settings})


def test_message_reaches_the_smtp_server(smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    app = mail_app(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_DEFAULT_SENDER="pars-support@example.org",
    )
    with app.app_context():
        thread = send_email(Email("contact@example.org", "PARS - System Access Granted", "Hello"))
    assert thread is not None
    thread.join(timeout=10)
    assert [m.rcpt_tos for m in inbox.messages] == [["contact@example.org"]]
    message = message_from_bytes(inbox.messages[0].content)
    assert message["Subject"] == "PARS - System Access Granted"
    assert message["From"] == "pars-support@example.org"
    assert message.get_payload().strip() == "Hello"


def test_without_a_mail_server_the_message_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = mail_app(MAIL_SERVER=None)
    with app.app_context(), caplog.at_level(logging.INFO, logger="app.services.mail"):
        assert send_email(Email("x@example.org", "Subject line", "Body text")) is None
    assert "x@example.org" in caplog.text and "Body text" in caplog.text


def test_an_unreachable_server_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    app = mail_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context(), caplog.at_level(logging.ERROR, logger="app.services.mail"):
        thread = send_email(Email("x@example.org", "Subject", "Body"))
        assert thread is not None
        thread.join(timeout=10)
    assert "Sending email to x@example.org failed" in caplog.text
