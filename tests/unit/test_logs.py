"""Logging without secrets (app.logs): the token of a password or email link never
reaches a log line."""

from __future__ import annotations

import logging

import pytest

from app.logs import REQUEST_LOGGERS, RedactTokens, redact, redact_tokens_in_logs

TOKEN = "Zq3x-8_kT0pLmN4vW7yB1cD5eF9gH2jK6sA0uR3iO8w"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            f'127.0.0.1 - - [10/Feb/2026 09:00:00] "GET /reset-password/{TOKEN} HTTP/1.1" 200 -',
            '127.0.0.1 - - [10/Feb/2026 09:00:00] "GET /reset-password/[redacted] HTTP/1.1" 200 -',
            id="werkzeug reset GET",
        ),
        pytest.param(
            f'127.0.0.1 - - [10/Feb/2026 09:00:00] "POST /reset-password/{TOKEN}?next=/x HTTP/1.1"'
            " 302 -",
            '127.0.0.1 - - [10/Feb/2026 09:00:00] "POST /reset-password/[redacted]?next=/x '
            'HTTP/1.1" 302 -',
            id="reset with a query string",
        ),
        pytest.param(
            f'10.0.0.9 - - [10/Feb/2026 09:00:00] "GET /confirm-email/{TOKEN}?a=1&b=2 HTTP/1.1"'
            " 200 -",
            '10.0.0.9 - - [10/Feb/2026 09:00:00] "GET /confirm-email/[redacted]?a=1&b=2 '
            'HTTP/1.1" 200 -',
            id="confirm-email with a query string",
        ),
        pytest.param(
            f'"GET /confirm-email/{TOKEN}/ HTTP/1.1"',
            '"GET /confirm-email/[redacted]/ HTTP/1.1"',
            id="trailing slash",
        ),
        pytest.param(
            f'"GET /pars/reset-password/{TOKEN} HTTP/1.1"',
            '"GET /pars/reset-password/[redacted] HTTP/1.1"',
            id="under an application root",
        ),
        pytest.param(
            f'"POST /reset-password/{TOKEN} HTTP/1.1" 302 "https://pars.example.org/'
            f'reset-password/{TOKEN}"',
            '"POST /reset-password/[redacted] HTTP/1.1" 302 "https://pars.example.org/'
            'reset-password/[redacted]"',
            id="gunicorn access line with a referrer",
        ),
        pytest.param(
            '"GET /reset-password/ HTTP/1.1" 404 -',
            '"GET /reset-password/ HTTP/1.1" 404 -',
            id="no token",
        ),
        pytest.param(
            '"GET /activities/list/?q=reset-password HTTP/1.1" 200 -',
            '"GET /activities/list/?q=reset-password HTTP/1.1" 200 -',
            id="other paths untouched",
        ),
    ],
)
def test_redact_removes_link_tokens(line: str, expected: str) -> None:
    assert redact(line) == expected
    assert TOKEN not in redact(line)


def werkzeug_record(path: str) -> logging.LogRecord:
    """A record as werkzeug's development server makes it: a format and its args."""
    return logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "10/Feb/2026 09:00:00", f"GET {path} HTTP/1.1", "200", "-"),
        None,
    )


def test_filter_rewrites_a_record_with_args() -> None:
    """The token is gone from the formatted message, and formatting it again does not
    fail (the arguments were folded into the message)."""
    record = werkzeug_record(f"/reset-password/{TOKEN}?x=%0a")
    assert RedactTokens().filter(record) is True
    assert record.args == ()
    message = record.getMessage()
    assert TOKEN not in message
    assert '"GET /reset-password/[redacted]?x=%0a HTTP/1.1"' in message
    assert logging.Formatter("%(message)s").format(record) == message


def test_filter_leaves_other_records_alone() -> None:
    record = werkzeug_record("/activities/list/")
    original_msg, original_args = record.msg, record.args
    assert RedactTokens().filter(record) is True
    assert (record.msg, record.args) == (original_msg, original_args)


def test_filter_never_drops_a_record() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "plain", None, None)
    assert RedactTokens().filter(record) is True
    assert record.getMessage() == "plain"


def test_request_loggers_carry_the_filter_once(app) -> None:
    """The app installs the filter on the request loggers, once however many apps are
    made in the process."""
    redact_tokens_in_logs()
    redact_tokens_in_logs()
    for name in REQUEST_LOGGERS:
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, RedactTokens)]
        assert len(filters) == 1, name


def test_token_never_reaches_a_handler(caplog: pytest.LogCaptureFixture, app) -> None:
    """A line logged on the werkzeug logger reaches handlers already redacted."""
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s %s',
            "127.0.0.1",
            "10/Feb/2026 09:00:00",
            f"GET /confirm-email/{TOKEN} HTTP/1.1",
            "200",
            "-",
        )
    assert TOKEN not in caplog.text
    assert "/confirm-email/[redacted]" in caplog.text
