"""Check 12, the reset link's host (ASVS 3.7.2; the class of CVE-2025-32962) and the
token's privacy.

Proves that:

* ``POST /forgot-password`` sent with ``Host: evil.example`` (as a header, and as the
  address the request was made to) or with ``X-Forwarded-Host: evil.example`` emails a
  link built from the configured ``SERVER_NAME`` and ``PREFERRED_URL_SCHEME``, never from
  the request; a signal receiver records that the forged host did reach the app; this
  holds behind a reverse proxy too (``PARS_PROXY_COUNT=1``);
* the set-password page, whether the link is valid or not, and its answer to a POST, send
  ``Referrer-Policy: no-referrer``;
* the raw token appears in no log record, at DEBUG level on every logger, during the
  request for a link, the email, opening the link (through a real Werkzeug server, whose
  request lines are logged) and setting the password;
* ``app.logs.redact`` removes tokens from Werkzeug and gunicorn request lines.

Flask 3.1 does not restrict requests to ``SERVER_NAME`` (it only uses it to build URLs),
so the test app keeps answering on ``localhost`` while ``SERVER_NAME`` is set.
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, request, request_started
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.logs import redact
from tests.conftest import IsolatedClient, World, post_form
from tests.smtp import Inbox, free_port, mail_to, smtp_server

SITE = "https://pars.example.org"
EVIL = "evil.example"
NEW_PASSWORD = "a brand new passphrase for pars"
ON_SITE = "http://pars.example.org"
FORGED = {
    "Host header": {"base_url": ON_SITE, "headers": {"Host": EVIL}},
    "request made to evil.example": {"base_url": f"http://{EVIL}"},
    "X-Forwarded-Host": {"base_url": ON_SITE, "headers": {"X-Forwarded-Host": EVIL}},
    "both": {"base_url": f"http://{EVIL}", "headers": {"X-Forwarded-Host": EVIL}},
}
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# ---- helpers -------------------------------------------------------------------------


@pytest.fixture
def configured_site(app: Flask, monkeypatch: Any) -> str:
    """The test app's public address set as in production (restored afterwards)."""
    monkeypatch.setitem(app.config, "SERVER_NAME", "pars.example.org")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    return SITE


@pytest.fixture
def hosts_seen(app: Flask) -> Iterator[list[tuple[str, str | None]]]:
    """(Host, X-Forwarded-Host) of every request the app receives."""
    seen: list[tuple[str, str | None]] = []

    def record(sender: Flask, **extra: Any) -> None:
        seen.append((request.host, request.headers.get("X-Forwarded-Host")))

    request_started.connect(record, app)
    yield seen
    request_started.disconnect(record, app)


@pytest.fixture
def proxied_app(app: Flask) -> Iterator[tuple[Flask, Inbox]]:
    """The app as deployed behind one reverse proxy, with its own SMTP inbox."""
    proxied = create_app(
        "config.TestConfig",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PARS_PROXY_COUNT": 1,
            "SERVER_NAME": "pars.example.org",
            "PREFERRED_URL_SCHEME": "https",
        },
    )
    proxied.test_client_class = IsolatedClient
    with smtp_server() as (controller, received), mail_to(proxied, controller):
        yield proxied, received


def forgot(client: FlaskClient, email: str, **how: Any) -> Any:
    """Open "forgot password" and send it, both requests made as ``how`` says (as an
    attacker would: the form's CSRF token comes from the page)."""
    page = client.get("/forgot-password", **how).get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    assert token, "no CSRF token on the page"
    return client.post(
        "/forgot-password", data={"email": email, "csrf_token": token.group(1)}, **how
    )


def emailed_link(inbox: Inbox, email: str) -> str:
    return inbox.last_link(email)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of every logger, at DEBUG level (levels restored afterwards)."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level, disabled, propagate in saved:
        logger.setLevel(level)
        logger.disabled = disabled
        if not propagate:
            logger.removeHandler(caplog.handler)


def record_texts(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """(logger, text) of every record: its message and any exception text."""
    out = []
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        out.append((record.name, text))
    return out


def get_through_werkzeug(app: Flask, path: str) -> int:
    """GET ``path`` from a real Werkzeug development server (it logs request lines)."""
    port = free_port()
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    return status


# ---- the link's host ------------------------------------------------------------------


@pytest.mark.parametrize("how", FORGED.values(), ids=FORGED.keys())
def test_the_link_is_built_from_the_configured_site(
    client_for: Any,
    world: World,
    inbox: Inbox,
    configured_site: str,
    hosts_seen: list[tuple[str, str | None]],
    how: dict[str, Any],
) -> None:
    response = forgot(client_for(None), world.contact_a.email, **how)
    assert response.status_code == 302
    assert EVIL in hosts_seen[-1], hosts_seen  # the forgery did reach the app
    link = emailed_link(inbox, world.contact_a.email)
    assert link.startswith(f"{configured_site}/reset-password/"), link
    assert EVIL not in link


def test_behind_a_proxy_x_forwarded_host_is_ignored(
    proxied_app: tuple[Flask, Inbox], world: World
) -> None:
    proxied, inbox = proxied_app
    client = proxied.test_client()
    headers = {
        "X-Forwarded-Host": EVIL,
        "X-Forwarded-For": "203.0.113.5",
        "X-Forwarded-Proto": "https",
        "Referer": f"{SITE}/forgot-password",
    }
    response = forgot(client, world.contact_a.email, base_url=ON_SITE, headers=headers)
    assert response.status_code == 302
    link = emailed_link(inbox, world.contact_a.email)
    assert link.startswith(f"{SITE}/reset-password/") and EVIL not in link


# ---- Referrer-Policy on the token pages -----------------------------------------------


def test_the_set_password_page_sends_no_referrer(
    client_for: Any, world: World, inbox: Inbox
) -> None:
    client = client_for(None)
    forgot(client, world.contact_a.email)
    path = urlsplit(emailed_link(inbox, world.contact_a.email)).path
    answers = {
        "valid link": client.get(path),
        "invalid link": client.get("/reset-password/not-a-real-token"),
        "policy error": post_form(client, path, {"password": "short", "confirm": "short"}),
        "password set": post_form(
            client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ),
        "used link": client.get(path),
        "invalid email link": client.get("/confirm-email/not-a-real-token"),
    }
    assert [r.status_code for r in answers.values()] == [200, 400, 200, 302, 400, 400]
    for name, response in answers.items():
        assert response.headers.get("Referrer-Policy") == "no-referrer", name


# ---- the token in logs ----------------------------------------------------------------


def test_the_token_never_reaches_a_log(
    app: Flask, client_for: Any, world: World, inbox: Inbox, all_logs: pytest.LogCaptureFixture
) -> None:
    client = client_for(None)
    forgot(client, world.contact_a.email)
    link = emailed_link(inbox, world.contact_a.email)
    path = urlsplit(link).path
    token = path.rsplit("/", 1)[1]
    assert get_through_werkzeug(app, path) == 200
    assert client.get(path).status_code == 200
    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    time.sleep(0.1)  # any late record of the background threads
    texts = record_texts(all_logs)
    request_lines = [text for name, text in texts if name == "werkzeug" and "GET " in text]
    assert request_lines and "/reset-password/[redacted]" in request_lines[-1], request_lines
    # The test's own SMTP server (aiosmtpd, "mail.log") is the recipient, not the app.
    leaked = [(name, text) for name, text in texts if token in text and name != "mail.log"]
    assert not leaked, leaked


REQUEST_LINES = [
    '127.0.0.1 - - [01/Jan/2026 10:00:00] "GET /reset-password/{t} HTTP/1.1" 200 -',
    '127.0.0.1 - - [01/Jan/2026 10:00:00] "POST /reset-password/{t}?x=1 HTTP/1.1" 302 -',
    '127.0.0.1 - - [01/Jan/2026 10:00:00] "GET /confirm-email/{t} HTTP/1.1" 200 -',
    '10.0.0.1 - - [01/Jan/2026:10:00:00 +0000] "POST /reset-password/{t} HTTP/1.1" 302 189 '
    '"https://pars.example.org/reset-password/{t}" "Mozilla/5.0"',
]


@pytest.mark.parametrize("line", REQUEST_LINES)
def test_redact_removes_tokens_from_request_lines(line: str) -> None:
    token = "Zq3_x-9AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"
    cleaned = redact(line.format(t=token))
    assert token not in cleaned
    assert "[redacted]" in cleaned
    assert cleaned == line.format(t="[redacted]")


@pytest.mark.parametrize("logger_name", ["werkzeug", "gunicorn.access"])
def test_request_loggers_redact_tokens(
    app: Flask, logger_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Zq3_x-9AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"
    caplog.set_level(logging.INFO)
    logging.getLogger(logger_name).info(
        '%s - - [%s] "%s" %s -', "127.0.0.1", "date", f"GET /reset-password/{token} HTTP/1.1", 200
    )
    assert caplog.records and token not in caplog.text
    assert "/reset-password/[redacted]" in caplog.text
