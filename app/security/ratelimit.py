"""Rate limits shared by every app server: a storage for the ``limits`` library (which
Flask-Limiter, and so Flask-AppBuilder's sign-in limit, uses) kept in the PARS database.

``memory://`` counts per process: behind gunicorn each worker would allow the full rate.
``RATELIMIT_STORAGE_URI = "pars-db://"`` (the default) keeps fixed-window counters in the
``rate_limit_counter`` table, updated with one atomic upsert per hit, so the limit holds
across workers and servers. A Redis URI works as well where Redis is available.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from flask import current_app
from limits import parse
from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__
#: Expired windows are swept on about one hit in this many.
SWEEP_ONE_IN = 200
KEY_LENGTH = 255


def _engine() -> Engine:
    from app.extensions import db

    return db.engine


def _stored(key: str) -> str:
    """The key as stored: keys longer than the column keep a prefix and their digest."""
    if len(key) <= KEY_LENGTH:
        return key
    return key[: KEY_LENGTH - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _upsert(connection: Connection, key: str, expiry: float, amount: int) -> int:
    now = time.time()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    expired = COUNTERS.c.expires_at <= now
    statement = (
        insert(COUNTERS)
        .values(key=key, count=amount, expires_at=now + expiry)
        .on_conflict_do_update(
            index_elements=[COUNTERS.c.key],
            set_={
                "count": case((expired, amount), else_=COUNTERS.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=COUNTERS.c.expires_at),
            },
        )
        .returning(COUNTERS.c.count)
    )
    return int(connection.execute(statement).scalar_one())


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counter`` table (scheme ``pars-db://``)."""

    STORAGE_SCHEME = ["pars-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with _engine().begin() as connection:
            count = _upsert(connection, _stored(key), expiry, amount)
            if secrets.randbelow(SWEEP_ONE_IN) == 0:
                connection.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < time.time()))
        return count

    def get(self, key: str) -> int:
        query = select(COUNTERS.c.count).where(
            COUNTERS.c.key == _stored(key), COUNTERS.c.expires_at > time.time()
        )
        with _engine().connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def get_expiry(self, key: str) -> float:
        query = select(COUNTERS.c.expires_at).where(COUNTERS.c.key == _stored(key))
        with _engine().connect() as connection:
            return float(connection.execute(query).scalar() or time.time())

    def check(self) -> bool:
        try:
            with _engine().connect() as connection:
                connection.execute(select(func.count()).select_from(COUNTERS).limit(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(delete(COUNTERS).where(COUNTERS.c.key == _stored(key)))


def allow(limit: str, *identifiers: str) -> bool:
    """Count one hit against ``limit`` (e.g. "5 per hour") for ``identifiers``; False when
    the limit is already reached. Always True when rate limiting is switched off."""
    limiter = getattr(current_app.appbuilder.sm, "limiter", None)  # type: ignore[attr-defined]
    if not current_app.config.get("RATELIMIT_ENABLED") or limiter is None:
        return True
    return bool(limiter.limiter.hit(parse(limit), *identifiers))
