"""The time PARS runs on: naive UTC datetimes, as stored in every DateTime column."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, in UTC, without a time zone (the database columns hold UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
