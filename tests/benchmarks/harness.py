"""Measurements behind ``make bench`` (see ``__main__``)."""

from __future__ import annotations

import csv
import io
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from app import create_app
from app.exporters.activity_rows import ActivityExport
from app.extensions import db
from app.models import ACCME_ACTIVITY_ID_OFFSET, Activity, ProviderContact, User
from app.schema.fields import ACTIVITY_FIELDS
from app.security import roles
from app.security.permissions import sync_roles
from app.services.synthetic import generate
from app.views import MENU
from tests.conftest import login

PASSWORD = "bench-password-2026"
LIST_REQUESTS = 40
FILTERED_QUERY = "_flt_0_format=Live%20Course&_flt_0_reporting_year=2025"


def bench_app(url: str, **overrides: Any) -> Any:
    """The app on the bench database, with rate limits off and quiet logs."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "AUTH_RATE_LIMITED": False,
        "PARS_LOG_LEVEL": "WARNING",
        **overrides,
    }
    return create_app("config.Config", settings)


def run_database(name: str, url: str, providers: int, activities: int) -> None:
    """Build, fill and measure one database; print the figures."""
    print(f"\n=== {name}: {providers:,} providers, {activities:,} activities", flush=True)
    app = bench_app(url)
    with app.app_context():
        prepare_schema(url)
        upgrade(directory=str(app.extensions["migrate"].directory))
        sync_roles(app.appbuilder, MENU)
        started = time.perf_counter()
        generate(
            db.session,
            providers=providers,
            activities=activities,
            seed=2026,
            progress=lambda line: None,
        )
        print(f"generate: {time.perf_counter() - started:,.1f} s", flush=True)
        refresh_statistics(url)
        contact_email = make_users()
    measure_lists(app, contact_email)
    measure_exports(app, activities)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def prepare_schema(url: str) -> None:
    if url.startswith("postgresql"):
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))


def refresh_statistics(url: str) -> None:
    """Planner statistics after the bulk load, as a production database keeps them
    (PostgreSQL's autovacuum would get there on its own a little later)."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))


def make_users() -> str:
    """A staff user and a contact of two median-sized providers; returns the contact's email."""
    _user("bench.staff@example.org", roles.STAFF)
    contact = _user("bench.contact@example.org", roles.CONTACT)
    sizes = db.session.execute(
        select(Activity.provider_id, func.count())
        .group_by(Activity.provider_id)
        .order_by(func.count())
    ).all()
    median = sizes[len(sizes) // 2 : len(sizes) // 2 + 2]
    for provider_id, _ in median:
        db.session.add(
            ProviderContact(provider_id=provider_id, user_id=contact.id, contact_type="Staff")
        )
    db.session.commit()
    rows = sum(n for _, n in median)
    print(f"contact sees 2 providers with {rows:,} activities; staff sees all", flush=True)
    return contact.email


def _user(email: str, role_name: str) -> User:
    from flask import current_app

    role = current_app.appbuilder.sm.find_role(role_name)
    user = User(
        first_name="Bench",
        last_name=role_name,
        username=email,
        email=email,
        password=generate_password_hash(PASSWORD),
        active=True,
        roles=[role],
    )
    db.session.add(user)
    db.session.flush()
    return user


def measure_lists(app: Flask, contact_email: str) -> None:
    staff = signed_in(app, "bench.staff@example.org")
    contact = signed_in(app, contact_email)
    cases = [
        ("staff unfiltered", staff, ""),
        ("staff filtered (Live Course, 2025)", staff, FILTERED_QUERY),
        ("provider contact", contact, ""),
    ]
    print("activity list page (ms):        p50      p95", flush=True)
    for label, client, query in cases:
        timed_get(client, f"/activitymodelview/list/?{query}")  # warm-up
        times = [
            timed_get(client, f"/activitymodelview/list/?{query}&page_ActivityModelView={i % 4}")
            for i in range(LIST_REQUESTS)
        ]
        p50, p95 = statistics.median(times), percentile(times, 95)
        print(f"  {label:<30} {p50:7.1f}  {p95:7.1f}", flush=True)


def signed_in(app: Flask, email: str) -> Any:
    client = app.test_client()
    response = login(client, email, PASSWORD)
    assert response.status_code == 302, f"bench sign-in failed for {email}"
    return client


def timed_get(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure_exports(app: Flask, total: int) -> None:
    """Export the first 100,000 activities, then all of them, as staff."""
    staff = signed_in(app, "bench.staff@example.org")
    with app.app_context():
        cut = db.session.scalar(select(Activity.id).order_by(Activity.id).offset(99_999).limit(1))
    limits: list[int | None] = [cut] if cut and total > 100_000 else []
    limits.append(None)
    print(
        "CSV export:      rows    rows/s  peak MB | same rows raw  ratio"
        " | plain columns raw  ratio",
        flush=True,
    )
    for last_id in limits:
        rate, peak, rows = export_rate(staff, last_id)
        with app.app_context():
            same, plain = same_rows_raw_rate(last_id), raw_rate(last_id)
        print(
            f"  {rows:>14,} {rate:9,.0f} {peak:8.1f} | {same:13,.0f} {rate / same:6.2f}"
            f" | {plain:17,.0f} {rate / plain:6.2f}",
            flush=True,
        )


def export_rate(client: Any, last_id: int | None) -> tuple[float, float, int]:
    """Rows per second and peak extra memory (MB) of the staff CSV export."""
    with peak_rss() as peak:
        started = time.perf_counter()
        rows = stream_rows(client, bench_export_url(last_id))
        elapsed = time.perf_counter() - started
    return rows / elapsed, peak(), rows


def bench_export_url(last_id: int | None) -> str:
    """The staff export, whole or up to an ACCME Activity ID (the list's own filter)."""
    if last_id is None:
        return "/activitymodelview/export/"
    return (
        f"/activitymodelview/export/?_flt_1_accme_activity_id={ACCME_ACTIVITY_ID_OFFSET + last_id}"
    )


def stream_rows(client: Any, url: str) -> int:
    response = client.get(url, buffered=False)
    assert response.status_code == 200, (url, response.status_code)
    lines = 0
    for chunk in response.response:
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    return lines - 1


def raw_rate(last_id: int | None) -> float:
    """Rows per second of the same activities read through a raw DBAPI cursor (every stored
    activity column and the provider's id, no formatting, no repeated parts) into csv.writer."""
    stored = [
        f.name
        for f in ACTIVITY_FIELDS
        if f.name not in ("accme_activity_id", "commercial_supports")
    ]
    columns = ", ".join(["a.id", "p.accme_id"] + [f"a.{name}" for name in stored])
    where = "" if last_id is None else f"WHERE a.id <= {int(last_id)}"
    sql = (
        f"SELECT {columns} FROM activity a JOIN provider p ON p.id = a.provider_id "
        f"{where} ORDER BY a.id"
    )
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        cursor.execute(sql)
        rows = write_csv(lambda: cursor.fetchmany(2000))
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return rows / elapsed


def same_rows_raw_rate(last_id: int | None) -> float:
    """Rows per second of the export's own SELECT (the very rows it writes) read through a
    raw DBAPI cursor (server-side on PostgreSQL) into csv.writer."""
    query = db.session.query(Activity)
    if last_id is not None:
        query = query.filter(Activity.id <= last_id)
    dialect = db.engine.dialect
    compiled = (
        ActivityExport()
        .statement(query, dialect.name)
        .compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    )
    params: Any = compiled.params
    if compiled.positiontup is not None:
        params = [compiled.params[name] for name in compiled.positiontup]
    connection = db.engine.raw_connection()
    try:
        is_pg = dialect.name == "postgresql"
        cursor = (
            connection.driver_connection.cursor(name="reference") if is_pg else connection.cursor()
        )
        started = time.perf_counter()
        cursor.execute(str(compiled), params)
        rows = write_csv(lambda: cursor.fetchmany(2000))
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return rows / elapsed


def write_csv(fetch: Callable[[], list[Any]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    total = 0
    while batch := fetch():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        total += len(batch)
    return total


@contextmanager
def peak_rss() -> Iterator[Callable[[], float]]:
    """Peak resident memory above the starting level, in MB, sampled every 10 ms."""
    start = _rss_mb()
    peak = [start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb())
            stop.wait(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak[0] - start
    finally:
        stop.set()
        thread.join()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1_048_576
