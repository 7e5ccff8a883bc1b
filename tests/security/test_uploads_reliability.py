"""Batch upload reliability and file handling (security.md checks 20, 21, 28-31).

28. All-or-nothing: a failure at the first, a middle or the last row, or a killed worker,
    leaves zero rows of the file, and the upload record says why.
29. Accounting: received = created + updated + unchanged + rejected on every outcome,
    each rejected row reported with its row, column, value and message.
30. Idempotent re-upload, and (provider, provider activity id) unique in the database.
31. Serialised uploads: overlapping confirms for one provider produce no duplicate.
20/21 at the service level: bombs and DTDs refused; the user's file name never a path.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Activity, ReportingYear, Upload, User
from app.services import batch_plan, uploads
from app.services.batch_rows import RowResult
from app.services.batch_write import Plan
from app.services.clock import utcnow
from app.services.errors import RuleError
from tests import factories as f
from tests.conftest import World
from tests.unit.services.test_uploads import (
    CLOSED,
    TODAY,
    activity,
    activity_count,
    confirm,
    counts,
    csv_bytes,
    current,
    draft,
    errors,
    receive,
    report,
    snapshot,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GENERATED = re.compile(r"^[0-9a-f]{32}\.upload$")
ROWS = 7
POSITIONS = {"first": 2, "middle": 5, "last": ROWS + 1}


@pytest.fixture
def settings(app: Flask) -> uploads.UploadSettings:
    return uploads.settings_from(app.config)


def _mixed_file(world: World) -> bytes:
    """Seven rows alternating new activities and updates of stored ones (rows 2-8). Each
    new activity has a commercial support source, so every row has writes of its own
    when the upload is confirmed (after the new activities' single INSERT ... SELECT)."""
    for n in range(3):
        current(world.p1, f"OLD-{n}", title=f"Old {n}")
    rows = []
    for n in range(ROWS):
        if n % 2:
            rows.append(draft(f"OLD-{n // 2}", **{"Activity Title": f"Renamed {n}"}))
        else:
            rows.append(
                draft(
                    f"NEW-{n}",
                    **{
                        "Activity Title": f"New {n}",
                        "Commercial Support Received": "Yes",
                        "Commercial Support Sources": f"Sponsor NEW-{n}: 100",
                    },
                )
            )
    return csv_bytes(rows)


def _ready(world: World) -> tuple[Upload, list[tuple[Any, ...]]]:
    upload = receive(world.contact_a, world.p1, _mixed_file(world))
    assert counts(upload) == (uploads.READY, ROWS, 4, 3, 0, 0), report(upload)
    return upload, snapshot()


def _assert_failed_and_nothing_written(upload: Upload, before: list[tuple[Any, ...]]) -> None:
    assert snapshot() == before, "no row of the file may stay"
    assert counts(upload)[0] == uploads.FAILED
    assert upload.counts_add_up
    assert upload.message and "Nothing was written" in upload.message
    assert upload.finished_on is not None
    assert all(activity(upload.provider, f"NEW-{n}") is None for n in range(0, ROWS, 2))


# ---- 28. all or nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("position", list(POSITIONS))
@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("INSERT", {}, Exception("server closed the connection")),
        OSError("disk full"),
        RuntimeError("a bug in the writer"),
    ],
    ids=["database", "os", "bug"],
)
def test_a_failure_at_a_row_leaves_zero_rows(
    world: World, monkeypatch: pytest.MonkeyPatch, position: str, failure: Exception
) -> None:
    """One row per chunk: the rows before the failing one were written in the
    transaction, and are rolled back with it."""
    upload, before = _ready(world)
    monkeypatch.setattr(batch_plan, "CHUNK_ROWS", 1)
    real = uploads.write_chunk
    written: list[int] = []

    def failing(connection: Any, provider_id: int, plans: list[Plan]) -> None:
        if plans[0]["row"] == POSITIONS[position]:
            raise failure
        real(connection, provider_id, plans)
        written.append(plans[0]["row"])

    monkeypatch.setattr(uploads, "write_chunk", failing)
    with pytest.raises(RuleError, match="Nothing was written"):
        confirm(world.contact_a, upload)
    assert written == list(range(2, POSITIONS[position]))
    _assert_failed_and_nothing_written(upload, before)
    assert upload.message == uploads.GENERIC_FAILURE


@pytest.mark.parametrize("position", list(POSITIONS))
def test_a_database_error_at_a_row_leaves_zero_rows(
    world: World, monkeypatch: pytest.MonkeyPatch, position: str
) -> None:
    """The database itself refuses one row (NOT NULL) in a chunk of three."""
    upload, before = _ready(world)
    monkeypatch.setattr(batch_plan, "CHUNK_ROWS", 3)
    target = POSITIONS[position]
    real = uploads.write_chunk

    def bad_rows(connection: Any, provider_id: int, plans: list[Plan]) -> None:
        for plan in plans:
            if plan["row"] == target:
                if plan["id"] is None:
                    plan["s"][0][0] = None  # a support source without a name
                else:
                    plan["a"]["format"] = None
        real(connection, provider_id, plans)

    monkeypatch.setattr(uploads, "write_chunk", bad_rows)
    with pytest.raises(RuleError, match="Nothing was written"):
        confirm(world.contact_a, upload)
    _assert_failed_and_nothing_written(upload, before)


@pytest.mark.parametrize("position", list(POSITIONS))
def test_a_statement_failing_on_the_connection_leaves_zero_rows(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, position: str
) -> None:
    """The connection's execute fails on the statement that writes the chosen row: the
    single INSERT ... SELECT of the new activities (rows 2 and 8 are new), or the UPDATE
    of the chunk holding the changed activity (row 5)."""
    upload, before = _ready(world)
    monkeypatch.setattr(batch_plan, "CHUNK_ROWS", 2)
    n = POSITIONS[position] - 2
    key = f"Renamed {n}"

    def fail(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        text = " ".join(statement.split()).upper()
        if n % 2 == 0:
            hit = text.startswith("INSERT INTO ACTIVITY ") and "FROM ACTIVITY_UPLOAD_NEW" in text
        else:
            hit = text.startswith("UPDATE ACTIVITY ") and key in repr(parameters)
        if hit:
            raise OperationalError(statement, parameters, Exception("connection lost"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        with pytest.raises(RuleError, match="Nothing was written"):
            confirm(world.contact_a, upload)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)
    _assert_failed_and_nothing_written(upload, before)


def test_a_change_saved_meanwhile_writes_nothing_and_refreshes_the_preview(
    world: World,
) -> None:
    """The version guard of the bulk UPDATE: an activity saved by someone else between
    the preview and the confirmation makes the whole upload write nothing; the preview is
    checked again, and what it shows is what the next confirmation writes."""
    upload, _ = _ready(world)
    changed = activity(world.p1, "OLD-2")
    changed.description = "Saved by a colleague meanwhile"
    db.session.commit()
    before = snapshot()
    with pytest.raises(RuleError, match="changed since the file was checked"):
        confirm(world.contact_a, upload)
    assert snapshot() == before, "no row of the file may stay"
    assert counts(upload)[0] == uploads.READY
    assert activity(world.p1, "OLD-2").description == "Saved by a colleague meanwhile"
    done = confirm(world.contact_a, upload)
    assert counts(done)[0] == uploads.COMMITTED


def test_a_key_taken_meanwhile_writes_nothing_and_refreshes_the_preview(
    world: World,
) -> None:
    """A new activity's Provider Activity ID used by someone else after the preview: the
    upload writes nothing and its refreshed preview shows an update instead."""
    upload, _ = _ready(world)
    current(world.p1, "NEW-0")
    before = snapshot()
    with pytest.raises(RuleError, match="changed since the file was checked"):
        confirm(world.contact_a, upload)
    assert snapshot() == before
    assert counts(upload)[:3] == (uploads.READY, ROWS, 3)


@pytest.mark.parametrize("signal", [KeyboardInterrupt, SystemExit])
def test_a_killed_worker_leaves_zero_rows(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, signal: type[BaseException]
) -> None:
    upload, before = _ready(world)
    monkeypatch.setattr(batch_plan, "CHUNK_ROWS", 2)
    real = uploads.write_chunk
    calls = [0]

    def killed(connection: Any, provider_id: int, plans: list[Plan]) -> None:
        calls[0] += 1
        real(connection, provider_id, plans)
        if calls[0] == 3:
            raise signal()

    monkeypatch.setattr(uploads, "write_chunk", killed)
    with pytest.raises(signal):
        confirm(world.contact_a, upload)
    # What another connection sees (the killed process's transaction never committed).
    with db.engine.connect() as other:
        keys = other.scalars(
            select(Activity.provider_activity_id).where(Activity.provider_id == world.p1.id)
        ).all()
    assert sorted(keys) == ["OLD-0", "OLD-1", "OLD-2", "P1-001"]
    db.session.rollback()  # the connection of a killed process is dropped
    assert snapshot() == before
    assert counts(upload)[0] == uploads.READY
    assert upload.message and "interrupted and nothing was written" in upload.message
    monkeypatch.setattr(uploads, "write_chunk", real)
    done = confirm(world.contact_a, upload)
    assert counts(done) == (uploads.COMMITTED, ROWS, 4, 3, 0, 0)
    assert activity_count(world.p1) == 1 + 3 + 4


# ---- 29. accounting -------------------------------------------------------------------------


def test_counts_add_up_on_every_outcome(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    current(world.p1, "OLD-1")
    ok = csv_bytes([draft("NEW-1"), draft("OLD-1", **{"Activity Title": "x"}), draft("P1-X")])
    seen: list[tuple[str, int, int, int, int, int]] = []
    ready = receive(world.contact_a, world.p1, ok)
    seen.append(counts(ready))
    seen.append(counts(confirm(world.contact_a, ready)))
    again = receive(world.contact_a, world.p1, ok)
    seen.append(counts(again))
    seen.append(counts(uploads.cancel(db.session, world.contact_a, again.id)))
    seen.append(
        counts(receive(world.contact_a, world.p1, csv_bytes([draft("N", **{"Start Date": "x"})])))
    )
    seen.append(counts(receive(world.contact_a, world.p1, b"", "empty.csv")))
    failing = receive(world.contact_a, world.p1, csv_bytes([draft("F-1")]))

    def boom(*args: Any) -> None:
        raise OperationalError("x", {}, Exception("down"))

    monkeypatch.setattr(uploads, "insert_staged", boom)
    with pytest.raises(RuleError):
        confirm(world.contact_a, failing)
    seen.append(counts(failing))
    assert [s[0] for s in seen] == [
        uploads.READY,
        uploads.COMMITTED,
        uploads.READY,
        uploads.CANCELLED,
        uploads.REJECTED,
        uploads.REJECTED,
        uploads.FAILED,
    ]
    for status, received, created, updated, unchanged, rejected in seen:
        assert received == created + updated + unchanged + rejected, status
    assert seen[1] == (uploads.COMMITTED, 3, 2, 1, 0, 0)
    assert seen[2] == (uploads.READY, 3, 0, 0, 3, 0)
    assert seen[4] == (uploads.REJECTED, 1, 0, 0, 0, 1)
    for upload in db.session.scalars(select(Upload)):
        assert upload.counts_add_up, upload.id


def test_each_rejected_row_is_reported_with_row_column_value_and_message(world: World) -> None:
    current(world.p1, "OLD-1")
    current(
        world.p1,
        "CLOSED-1",
        **{**CLOSED, "start_date": dt.date(2025, 1, 10), "end_date": dt.date(2025, 1, 10)},
    )
    db.session.add(ReportingYear(provider_id=world.p1.id, year=2027, submitted_at=utcnow()))
    db.session.commit()
    rows = [
        draft("OK-1"),
        draft("BAD-DATE", **{"End Date": "2026-02-30"}),
        draft("BAD-NUMBER", **{"Physician Learners": "-4", "AMA PRA Category 1 Credits": "1.3"}),
        draft("BAD-CHOICE", **{"State": "XX", "Delivery Methods": "Zoom"}),
        draft("OK-2"),
        draft("BAD-PROVIDER", **{"ACCME Provider ID": "0000103"}),
        draft("OK-1"),
        draft(
            "CLOSED-1",
            **{
                "Start Date": "01/10/2025",
                "End Date": "01/10/2025",
                "Physician Learners": "10",
                "State": "TX",
                "Delivery Methods": "In-Person",
                "AMA PRA Category 1 Credits": "6.5",
            },
        ),
        draft("LOCKED", **{"Start Date": "01/10/2027", "End Date": "01/10/2027"}),
    ]
    upload = receive(world.contact_a, world.p1, csv_bytes(rows))
    assert counts(upload) == (uploads.REJECTED, 9, 0, 0, 0, 9)
    assert upload.rows_with_errors == 7
    found = errors(upload)
    assert {p.row for p in found} == {3, 4, 5, 7, 8, 9, 10}
    assert upload.errors == len(found) == 9, report(upload)
    for problem in found:
        assert problem.row is not None and problem.message.strip()
        assert problem.column and problem.message.startswith(f"{problem.column}: ")
    cells = {(p.row, p.column): p.value for p in found}
    assert cells == {
        (3, "End Date"): "2026-02-30",
        (4, "Physician Learners"): "-4",
        (4, "AMA PRA Category 1 Credits"): "1.3",
        (5, "State"): "XX",
        (5, "Delivery Methods"): "Zoom",
        (7, "ACCME Provider ID"): "0000103",
        (8, "Provider Activity ID"): "OK-1",
        (9, "Provider Activity ID"): "CLOSED-1",
        (10, "Provider Activity ID"): "LOCKED",
    }


# ---- 30. idempotent re-upload, uniqueness in the database -----------------------------------


def test_the_same_file_twice_changes_nothing_the_second_time(world: World) -> None:
    rows = [
        draft(
            "NEW-1",
            **{
                "ABIM MOC Points": "2",
                "ABIM MOC Credit Types": "Medical Knowledge",
                "Commercial Support Received": "Yes",
                "Commercial Support Sources": "Pfizer: 5000; Medline: In-kind",
                "Joint Providers": "B Society; A Hospital",
                "AMA PRA Category 1 Credits": "2.50",
            },
        ),
        draft(
            "P1-002",
            **{
                "Activity Title": "Renamed",
                "AMA PRA Category 1 Credits": "2.50",
                "ABIM MOC Points": "",
                "ABIM MOC Credit Types": "",
                "Commercial Support Received": "",
                "Commercial Support Sources": "",
                "Joint Providers": "",
            },
        ),
    ]
    current(world.p1, "P1-002")
    data = csv_bytes(rows)
    first = confirm(world.contact_a, receive(world.contact_a, world.p1, data))
    assert counts(first) == (uploads.COMMITTED, 2, 1, 1, 0, 0)
    before = snapshot()
    changed_on = {a.id: a.changed_on for a in db.session.scalars(select(Activity))}
    second = receive(world.contact_a, world.p1, data, "same-again.csv")
    assert counts(second) == (uploads.READY, 2, 0, 0, 2, 0)
    earlier = uploads.earlier_same_file(db.session, second)
    assert earlier is not None and earlier.id == first.id
    confirm(world.contact_a, second)
    assert counts(second) == (uploads.COMMITTED, 2, 0, 0, 2, 0)
    assert snapshot() == before
    assert {a.id: a.changed_on for a in db.session.scalars(select(Activity))} == changed_on


def test_provider_activity_id_is_unique_in_the_database(world: World) -> None:
    row = {
        "provider_id": world.p1.id,
        "provider_activity_id": "P1-001",
        "status": "Draft",
        "title": "Duplicate",
        "format": "Live Course",
        "start_date": TODAY,
        "end_date": TODAY,
        "reporting_year": 2026,
        "version_id": 1,
    }
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Activity), [row])
    db.session.rollback()
    with pytest.raises(IntegrityError):
        f.ActivityFactory(provider=world.p1, provider_activity_id="P1-001")
    db.session.rollback()
    f.ActivityFactory(provider=world.p2, provider_activity_id="P1-001")
    db.session.commit()
    assert activity_count() == 5


# ---- 31. serialised uploads -----------------------------------------------------------------


def _in_threads(app: Flask, jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread with its own application context and session;
    returns each job's result or the exception it raised."""
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        with app.app_context():
            try:
                results[index] = jobs[index]()
            except Exception as error:  # reported to the test
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a confirm never finished (deadlock?)"
    return results


@pytest.fixture
def overlapping(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Barrier]:
    """Both confirms pass their checks before either one writes, and each write is slow,
    so that the second really runs while the first holds the provider."""
    barrier = threading.Barrier(2, timeout=30)
    real_note, real_write = uploads._note_started, uploads.write_chunk

    def note(session: Any, actor: Any, upload: Upload) -> None:
        barrier.wait()
        real_note(session, actor, upload)

    def slow_write(connection: Any, provider_id: int, results: list[RowResult]) -> None:
        threading.Event().wait(0.3)
        real_write(connection, provider_id, results)

    monkeypatch.setattr(uploads, "_note_started", note)
    monkeypatch.setattr(uploads, "write_chunk", slow_write)
    yield barrier


def _confirm_job(app: Flask, user_id: int, upload_id: int) -> Callable[[], Any]:
    def job() -> Any:
        user = db.session.get(User, user_id)
        settings = uploads.settings_from(app.config)
        done = uploads.confirm(db.session, user, upload_id, settings, today=TODAY)
        return done.status

    return job


def test_overlapping_uploads_for_one_provider_create_no_duplicate(
    app: Flask, world: World, overlapping: threading.Barrier
) -> None:
    data = csv_bytes([draft(f"SAME-{n}") for n in range(5)])
    first = receive(world.contact_a, world.p1, data, "one.csv")
    second = receive(world.staff, world.p1, data, "two.csv")
    assert counts(first)[2] == counts(second)[2] == 5
    ids = (first.id, second.id)
    users = (world.contact_a.id, world.staff.id)
    provider_id = world.p1.id
    db.session.commit()
    db.session.close()
    results = _in_threads(app, [_confirm_job(app, u, i) for u, i in zip(users, ids, strict=True)])
    assert sorted(map(str, results)).count(uploads.COMMITTED) == 1, results
    [refused] = [r for r in results if r != uploads.COMMITTED]
    assert isinstance(refused, RuleError), refused
    keys = db.session.scalars(
        select(Activity.provider_activity_id).where(Activity.provider_id == provider_id)
    ).all()
    assert sorted(keys) == ["P1-001", *[f"SAME-{n}" for n in range(5)]]
    outcomes = sorted(counts(db.session.get(Upload, i)) for i in ids)
    assert (uploads.COMMITTED, 5, 5, 0, 0, 0) in outcomes
    # The later one waited for the first, was checked again, wrote nothing, and its
    # preview now shows the five activities unchanged.
    assert (uploads.READY, 5, 0, 0, 5, 0) in outcomes
    assert "changed since the file was checked" in str(refused)


def test_the_same_upload_confirmed_twice_at_once_writes_once(
    app: Flask, world: World, overlapping: threading.Barrier
) -> None:
    upload = receive(world.contact_a, world.p1, csv_bytes([draft(f"ONCE-{n}") for n in range(4)]))
    job = _confirm_job(app, world.contact_a.id, upload.id)
    upload_id = upload.id
    db.session.commit()
    db.session.close()
    results = _in_threads(app, [job, job])
    assert results.count(uploads.COMMITTED) == 1, results
    [refused] = [r for r in results if r != uploads.COMMITTED]
    assert isinstance(refused, RuleError), refused
    assert "Nothing was written" in str(refused) or "cannot be confirmed" in str(refused)
    stored = db.session.get(Upload, upload_id)
    assert stored is not None and activity_count(stored.provider) == 1 + 4
    assert counts(stored) == (uploads.COMMITTED, 4, 4, 0, 0, 0), "the second may not undo it"
    assert stored.message is None


@pytest.mark.parametrize("late", ["confirm", "cancel"])
def test_a_request_that_read_the_upload_before_it_was_committed_changes_nothing(
    world: World, settings: uploads.UploadSettings, late: str
) -> None:
    """Another request read the upload while it was Ready to confirm, then acts on it after
    this one committed it: the record stays Committed, and nothing is written twice."""
    upload = receive(world.contact_a, world.p1, csv_bytes([draft(f"LATE-{n}") for n in range(3)]))
    other = Session(db.engine)
    try:
        stale = other.get(Upload, upload.id)
        assert stale is not None and stale.status == uploads.READY
        confirm(world.contact_a, upload)
        actor = other.get(User, world.contact_a.id)
        with pytest.raises(RuleError, match="Committed"):
            if late == "confirm":
                uploads.confirm(other, actor, upload.id, settings, today=TODAY)
            else:
                uploads.cancel(other, actor, upload.id)
    finally:
        other.close()
    assert counts(upload) == (uploads.COMMITTED, 3, 3, 0, 0, 0)
    assert upload.message is None and upload.finished_by_email == "contact.a@example.test"
    assert activity_count(world.p1) == 1 + 3


def test_a_stored_file_gone_missing_still_confirms_from_the_preview(
    world: World, settings: uploads.UploadSettings
) -> None:
    """Confirming writes the preview's plans: the stored file is not read again. Only a
    preview that must be checked again (an earlier day) needs it, and then its absence
    fails the upload plainly, with nothing written."""
    upload = receive(world.contact_a, world.p1, csv_bytes([draft("GONE-1")]))
    uploads.stored_path(upload, settings).unlink()
    assert counts(confirm(world.contact_a, upload))[0] == uploads.COMMITTED
    later = receive(world.contact_a, world.p1, csv_bytes([draft("GONE-2")]))
    uploads.stored_path(later, settings).unlink()
    before = snapshot()
    with pytest.raises(RuleError, match="Nothing was written"):
        next_day = TODAY + dt.timedelta(days=1)
        uploads.confirm(db.session, world.contact_a, later.id, settings, today=next_day)
    assert snapshot() == before
    assert counts(later)[0] == uploads.FAILED
    assert later.message == uploads.GENERIC_FAILURE


def test_a_second_confirm_after_the_first_is_refused(world: World) -> None:
    upload = confirm(world.contact_a, receive(world.contact_a, world.p1, csv_bytes([draft("N")])))
    with pytest.raises(RuleError, match="Committed"):
        confirm(world.contact_a, upload)
    assert counts(upload)[0] == uploads.COMMITTED and activity_count(world.p1) == 2


# ---- 20. bombs and DTDs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zip_bomb.xlsx", "unpacks to more than"),
        ("many_entries.xlsx", "more than 1,000 parts"),
        ("not_a_zip.xlsx", "not an Excel workbook"),
        ("no_content_types.xlsx", "not an Excel workbook"),
    ],
)
def test_dangerous_workbooks_are_rejected(world: World, name: str, expected: str) -> None:
    data = (DATA / "malformed" / name).read_bytes()
    before = snapshot()
    upload = receive(world.contact_a, world.p1, data, name)
    assert upload.status == uploads.REJECTED
    assert expected in report(upload)
    assert snapshot() == before


def test_a_workbook_named_csv_and_a_csv_named_xml_are_rejected(world: World) -> None:
    workbook = (DATA / "samples" / "activities.xlsx").read_bytes()
    assert receive(world.contact_a, world.p1, workbook, "a.csv").status == uploads.REJECTED
    text = (DATA / "samples" / "activities.csv").read_bytes()
    assert receive(world.contact_a, world.p1, text, "a.xml").status == uploads.REJECTED
    assert receive(world.contact_a, world.p1, text, "a.xlsx").status == uploads.REJECTED


def test_a_self_made_zip_bomb_is_refused_before_it_is_unpacked(
    world: World, tmp_path: Path
) -> None:
    workbook = (DATA / "samples" / "activities.xlsx").read_bytes()
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(workbook)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * (101 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    upload = receive(world.contact_a, world.p1, bomb.read_bytes(), "bomb.xlsx")
    assert upload.status == uploads.REJECTED
    assert "unpacks to more than 100 MB" in report(upload)


@pytest.mark.parametrize("name", ["dtd.xml", "entity_bomb.xml", "external_entity.xml"])
def test_xml_data_files_with_a_dtd_are_rejected(world: World, name: str) -> None:
    before = snapshot()
    upload = receive(world.contact_a, world.p1, (DATA / "malformed" / name).read_bytes(), name)
    assert upload.status == uploads.REJECTED
    assert "DOCTYPE" in report(upload)
    assert snapshot() == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&lol9;</title></general></Lom>
</MedicalEducationMetrics></ACCMEActivities>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE ACCMEActivities [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&secret;</title></general></Lom>
</MedicalEducationMetrics></ACCMEActivities>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE ACCMEActivities SYSTEM "http://127.0.0.1:9/evil.dtd">
<ACCMEActivities><MedicalEducationMetrics/></ACCMEActivities>
"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "entity", "dtd"]
)
def test_xml_with_a_dtd_or_entities_is_rejected(
    world: World, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an XML upload made a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    upload = receive(world.contact_a, world.p1, data, "activities.xml")
    assert upload.status == uploads.REJECTED
    assert "DOCTYPE" in report(upload)
    assert "root:" not in report(upload) and "lollol" not in report(upload)


# ---- 21. the user's file name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../x.csv", "x.csv"),
        ("..\\..\\windows\\x.csv", "x.csv"),
        ("/etc/passwd/../x.csv", "x.csv"),
        ("bad\x00name.csv", "badname.csv"),
        ("invoice\u202ecod.csv", "invoicecod.csv"),
        ("line\r\nbreak.csv", "linebreak.csv"),
        ("", "upload"),
        ("../", "upload"),
    ],
)
def test_the_file_name_is_only_displayed(
    world: World, settings: uploads.UploadSettings, name: str, shown: str
) -> None:
    data = csv_bytes([draft("NAME-1")])
    upload = receive(world.contact_a, world.p1, data, name)
    assert upload.original_name == shown == uploads.display_name(name)
    assert GENERATED.match(upload.stored_name)
    stored = uploads.stored_path(upload, settings)
    assert stored.parent == settings.directory and stored.read_bytes() == data
    for path in settings.directory.iterdir():  # review materials have their own folder
        assert path.name == "materials" or GENERATED.match(path.name), path.name
    outside = settings.directory.parent
    assert not (outside / "x.csv").exists() and not (outside.parent / "x.csv").exists()
    if shown.endswith(".csv"):
        assert counts(upload)[0] == uploads.READY, report(upload)


def test_display_name_keeps_a_readable_name() -> None:
    assert uploads.display_name("Activities 2026 (final).xlsx") == "Activities 2026 (final).xlsx"
    assert uploads.display_name("Café résumé.csv") == "Café résumé.csv"
    assert uploads.display_name("a" * 300 + ".csv") == "a" * 251 + ".csv"
    assert uploads.display_name("b" * 300) == "b" * 255


def test_a_long_file_name_keeps_its_extension(world: World) -> None:
    upload = receive(world.contact_a, world.p1, csv_bytes([draft("LONG-1")]), "x" * 400 + ".csv")
    assert len(upload.original_name) == 255 and upload.original_name.endswith(".csv")
    assert counts(upload) == (uploads.READY, 1, 1, 0, 0, 0), report(upload)
    assert uploads.display_name("\u2066x\u2069.csv") == "x.csv"
