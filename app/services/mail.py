"""Outgoing email: every PARS message (access granted, password reset, review notices).

Messages go out on a background thread, so a request never waits on the mail server and
its timing says nothing about whether a message was sent. When ``MAIL_SERVER`` is not set
(a developer's machine) the message is written to the application log instead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """A plain-text message to one recipient."""

    to: str
    subject: str
    body: str


def send_email(email: Email) -> threading.Thread | None:
    """Send ``email`` in the background; returns the sending thread (None when logged)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("MAIL_SERVER"):
        log.info("Email (MAIL_SERVER not set) to %s: %s\n%s", email.to, email.subject, email.body)
        return None
    thread = threading.Thread(target=_deliver, args=(app, email), daemon=True)
    thread.start()
    return thread


def _deliver(app: Flask, email: Email) -> None:
    """Hand the message to the mail server; a failure is logged, never raised to a user."""
    with app.app_context():
        try:
            mail.send(Message(email.subject, recipients=[email.to], body=email.body))
        except Exception:
            log.exception("Sending email to %s failed", email.to)
