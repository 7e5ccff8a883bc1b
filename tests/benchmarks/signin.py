"""Sign-in figures for ``make bench``: the cost of the server-side session check on every
signed-in request (with 100,000 sessions on record), sign-in and "forgot password"
latency (known against unknown address), and the shared rate-limit storage's hit rate."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert

from app.extensions import db
from app.models import SignInSession
from app.security.permissions import sync_roles
from app.security.ratelimit import DatabaseStorage
from app.services import signin_sessions
from app.services.clock import utcnow
from app.services.policy import session_limits
from app.views import MENU
from tests.benchmarks.harness import (
    PASSWORD,
    _user,
    bench_app,
    percentile,
    prepare_schema,
    signed_in,
)
from tests.conftest import csrf_token

SESSIONS_ON_RECORD = 100_000
TRIES = 30


def run_signin(name: str, url: str) -> None:
    print(f"\n=== {name}: sign-in", flush=True)
    app = bench_app(url)
    with app.app_context():
        prepare_schema(url)
        upgrade(directory=str(app.extensions["migrate"].directory))
        sync_roles(app.appbuilder, MENU)
        user = _user("bench.signin@example.org", "Provider Contact")
        db.session.commit()
        _record_sessions(user.id)
        _measure_check(app)
        _measure_storage(app)
    _measure_requests(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _record_sessions(user_id: int) -> None:
    now = utcnow()
    rows = [
        {"key_hash": f"{n:064x}", "user_id": user_id, "started_at": now, "last_seen_at": now}
        for n in range(SESSIONS_ON_RECORD)
    ]
    db.session.execute(insert(SignInSession), rows)
    db.session.commit()


def _measure_check(app: Flask) -> None:
    key = signin_sessions.start(db.session, user_id=1, ip="127.0.0.1")
    db.session.commit()
    limits = session_limits(app.config)
    times = []
    for _ in range(2000):
        started = time.perf_counter()
        assert signin_sessions.check(db.engine, key, limits).user_id is not None
        times.append((time.perf_counter() - started) * 1e6)
    print(
        f"session check per request ({SESSIONS_ON_RECORD:,} sessions on record): "
        f"p50 {statistics.median(times):,.0f} us, p95 {percentile(times, 95):,.0f} us",
        flush=True,
    )


def _measure_storage(app: Flask) -> None:
    """Hits per second on the shared counters, from one thread and from four at once
    (as several gunicorn workers would), and whether every hit was counted."""
    storage = DatabaseStorage("pars-db://")
    started = time.perf_counter()
    for n in range(2000):
        storage.incr(f"bench/{n % 50}", 60)
    sequential = 2000 / (time.perf_counter() - started)

    def worker() -> None:
        with app.app_context():
            for n in range(500):
                storage.incr(f"bench/shared/{n % 5}", 60)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = 2000 / (time.perf_counter() - started)
    total = sum(storage.get(f"bench/shared/{n}") for n in range(5))
    print(
        f"rate-limit storage: {sequential:,.0f} hits/s sequential, {parallel:,.0f} hits/s "
        f"from 4 threads ({total} of 2000 counted)",
        flush=True,
    )


def _timed_post(client: Any, url: str, data: dict[str, str]) -> float:
    token = csrf_token(client)
    started = time.perf_counter()
    response = client.post(url, data={**data, "csrf_token": token})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, (url, response.status_code)
    return elapsed


def _finish_background_work() -> None:
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(timeout=5)


def _measure_requests(app: Flask) -> None:
    credentials = {"email": "bench.signin@example.org", "password": PASSWORD}
    sign_in = [_timed_post(app.test_client(), "/login/", credentials) for _ in range(TRIES)]
    page = signed_in(app, "bench.signin@example.org")
    account = []
    for _ in range(TRIES):
        started = time.perf_counter()
        assert page.get("/account/").status_code == 200
        account.append((time.perf_counter() - started) * 1000)
    addresses = {"known": "bench.signin@example.org", "unknown": "nobody.here@example.org"}
    forgot: dict[str, list[float]] = {label: [] for label in addresses}
    for _ in range(TRIES):  # interleaved, each after the previous request's work is done
        for label, email in addresses.items():
            forgot[label].append(
                _timed_post(app.test_client(), "/forgot-password", {"email": email})
            )
            _finish_background_work()
    print(
        f"sign-in POST p50 {statistics.median(sign_in):,.1f} ms (scrypt); "
        f"signed-in page p50 {statistics.median(account):,.1f} ms; forgot password p50 "
        f"known {statistics.median(forgot['known']):,.1f} ms / unknown "
        f"{statistics.median(forgot['unknown']):,.1f} ms",
        flush=True,
    )
