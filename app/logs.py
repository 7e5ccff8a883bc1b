"""Logging without secrets: the token of a password or email link never reaches a log.

Request lines logged by the development server (``werkzeug``) and by gunicorn's access
log would carry ``/reset-password/<token>``; a filter on those loggers replaces the token
with ``[redacted]`` before the line is written.
"""

from __future__ import annotations

import logging
import re

TOKEN_PATHS = re.compile(r"(/(?:reset-password|confirm-email)/)[^\s/?\"']+")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return TOKEN_PATHS.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with link tokens removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def redact_tokens_in_logs() -> None:
    """Install the filter on the request loggers (once per process)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def configure_logging(level: str) -> None:
    """PARS's own messages (``app.*``) at ``level`` on standard error, unless the host
    (gunicorn, pytest) has already set up the root logger. Without it, Python would drop
    everything below WARNING, such as the emails logged on a machine without a mail
    server."""
    logging.getLogger("app").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
