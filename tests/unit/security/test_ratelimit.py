"""Rate limits shared by every app server (app.security.ratelimit): fixed-window counters
kept in the PARS database, so that a limit holds across workers and servers."""

from __future__ import annotations

import os
import threading
import types
from collections.abc import Iterator

import pytest
from flask import Flask
from limits.storage import storage_from_string
from sqlalchemy import select

from app.extensions import db
from app.security import ratelimit
from app.security.ratelimit import DatabaseStorage, allow

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


class Clock:
    """A stand-in for the ``time`` module as the storage sees it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def storage(app_ctx: Flask) -> DatabaseStorage:
    """The storage, inside an application context with an empty counter table."""
    return DatabaseStorage("pars-db://")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=fake.time))
    return fake


def counters() -> dict[str, tuple[int, float]]:
    with db.engine.connect() as connection:
        rows = connection.execute(select(ratelimit.COUNTERS)).all()
    return {row.key: (row.count, row.expires_at) for row in rows}


def test_scheme_names_the_database_storage(app_ctx: Flask) -> None:
    """``RATELIMIT_STORAGE_URI = "pars-db://"`` gives this storage to the limits library."""
    assert isinstance(storage_from_string("pars-db://"), DatabaseStorage)


def test_incr_counts_and_get_reads(storage: DatabaseStorage, clock: Clock) -> None:
    assert storage.get("login/10.0.0.1") == 0
    assert [storage.incr("login/10.0.0.1", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("login/10.0.0.1", 60, amount=5) == 8
    assert storage.get("login/10.0.0.1") == 8
    assert storage.get("login/10.0.0.2") == 0
    assert counters() == {"login/10.0.0.1": (8, clock.now + 60)}


def test_expiry_is_fixed_at_the_first_hit(storage: DatabaseStorage, clock: Clock) -> None:
    """The window ends ``expiry`` seconds after its first hit; later hits do not extend it."""
    storage.incr("k", 60)
    first_end = clock.now + 60
    clock.now += 30
    storage.incr("k", 60)
    assert storage.get_expiry("k") == first_end


def test_get_expiry_of_an_unknown_key_is_now(storage: DatabaseStorage, clock: Clock) -> None:
    assert storage.get_expiry("never-hit") == clock.now


def test_window_expiry_starts_a_new_count(storage: DatabaseStorage, clock: Clock) -> None:
    """At the end of the window the count reads 0, and the next hit starts a new window
    at 1 (not 1 more than before)."""
    start = clock.now
    storage.incr("k", 10)
    storage.incr("k", 10)
    clock.now = start + 9.999
    assert storage.get("k") == 2
    clock.now = start + 10
    assert storage.get("k") == 0
    assert storage.incr("k", 10) == 1
    assert storage.get_expiry("k") == start + 20
    assert storage.get("k") == 1


def test_clear_removes_one_key(storage: DatabaseStorage, clock: Clock) -> None:
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    storage.clear("never-hit")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert set(counters()) == {"b"}


def test_reset_removes_every_counter(storage: DatabaseStorage, clock: Clock) -> None:
    for key in ("a", "b", "c"):
        storage.incr(key, 60)
    assert storage.reset() == 3
    assert counters() == {}
    assert storage.reset() == 0


def test_check_reports_a_reachable_database(storage: DatabaseStorage) -> None:
    assert storage.check() is True


def test_expired_windows_are_swept(
    storage: DatabaseStorage, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Now and then a hit deletes the counters whose window has ended (here: every hit)."""
    storage.incr("old", 10)
    storage.incr("live", 100)
    clock.now += 50
    monkeypatch.setattr(ratelimit, "SWEEP_ONE_IN", 1)
    storage.incr("new", 10)
    assert set(counters()) == {"live", "new"}


def test_concurrent_increments_are_all_counted(storage: DatabaseStorage, app: Flask) -> None:
    """Hits from many workers at once are each counted exactly once: 8 threads of 25
    hits give 200, and every count from 1 to 200 is handed out once."""
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8, timeout=60)

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait()
                mine = [storage.incr("shared", 600) for _ in range(25)]
            with lock:
                results.extend(mine)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert storage.get("shared") == 200
    assert sorted(results) == list(range(1, 201))


def test_a_long_key_is_counted(storage: DatabaseStorage, clock: Clock) -> None:
    """The limiter builds keys from what it counts (e.g. "LIMITER/password-reset/<email>
    /5/1/hour" for an address of up to 254 characters): every such key must count."""
    key = "LIMITER/password-reset/" + "a" * 240 + "@example.test/5/1/hour"
    try:
        assert storage.incr(key, 60) == 1
        assert storage.incr(key, 60) == 2
    finally:
        db.session.rollback()


def test_allow_is_always_true_when_rate_limiting_is_off(app_ctx: Flask) -> None:
    assert app_ctx.config["RATELIMIT_ENABLED"] is False
    assert all(allow("1 per hour", "unit-test", "off") for _ in range(5))
    assert counters() == {}


@pytest.fixture
def limited(app_ctx: Flask, limited_app: Flask) -> Iterator[Flask]:
    """An application context of the app with rate limiting on (counters in the same,
    emptied, database)."""
    with limited_app.app_context():
        yield limited_app
        db.session.remove()
        db.engine.dispose()


def test_allow_counts_against_the_limit(limited: Flask) -> None:
    """With rate limiting on, the third hit of "2 per hour" is refused, per identifiers,
    and the counters live in the database."""
    assert [allow("2 per hour", "unit-test", "a@example.test") for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert allow("2 per hour", "unit-test", "b@example.test") is True
    keys = counters()
    assert len(keys) == 2
    # The refused hit is counted too (the limits library's fixed window increments first).
    assert sorted(count for count, _ in keys.values()) == [1, 3]
    assert any("a@example.test" in key for key in keys)


def test_allow_limit_lifts_after_the_window(limited: Flask, clock: Clock) -> None:
    """After the window (an hour here, with the storage's clock moved on) the same
    identifiers are allowed again."""
    assert [allow("1 per hour", "unit-test", "c") for _ in range(2)] == [True, False]
    clock.now += 3601
    assert allow("1 per hour", "unit-test", "c") is True
