"""A real SMTP server on loopback (aiosmtpd) for tests that follow links in emails."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

LINK = re.compile(r"https?://\S+")


class Inbox:
    """Every message the SMTP server received, with helpers to read them."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The first ``count`` messages, waiting for the background sender."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"
        return self.messages[:count]

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address.lower() in [r.lower() for r in m.rcpt_tos]]

    @staticmethod
    def text(envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        return str(message["Subject"]) + "\n" + (body.get_content() if body else "")

    @classmethod
    def links(cls, envelope: Any) -> list[str]:
        return LINK.findall(cls.text(envelope))

    def last_link(self, address: str, timeout: float = 10.0) -> str:
        """The link in the newest message to ``address`` (waiting for one to arrive)."""
        deadline = time.monotonic() + timeout
        while not self.to(address) and time.monotonic() < deadline:
            time.sleep(0.02)
        received = self.to(address)
        assert received, f"no message to {address}"
        return self.links(received[-1])[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@contextmanager
def mail_to(app: Flask, controller: Controller) -> Iterator[None]:
    """Send the app's email to ``controller`` for the duration (tests suppress mail)."""
    state = app.extensions["mail"]
    saved = (app.config.get("MAIL_SERVER"), state.server, state.port, state.suppress)
    app.config["MAIL_SERVER"] = state.server = controller.hostname
    state.port, state.suppress = controller.port, False
    try:
        yield
    finally:
        app.config["MAIL_SERVER"], state.server, state.port, state.suppress = saved
