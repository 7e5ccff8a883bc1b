"""Batch upload of activities through the service (app.services.uploads): real CSV, Excel,
XML and legacy files built in the test, checked against the fixture world's activities,
previewed and written in one transaction (domain.md §1.3, §1.5, §1.6, §3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, current_app
from openpyxl import Workbook
from sqlalchemy import func, select

from app.exporters.activity_rows import ActivityExport
from app.exporters.xml_mems import activity_xml
from app.extensions import db
from app.importers.base import ERROR, WARNING
from app.importers.legacy import LAYOUTS, TEMPLATE_D
from app.models import (
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    ReportingYear,
    Upload,
    UploadChange,
    UploadProblem,
)
from app.models.account import AuditEvent
from app.schema import vocabularies as v
from app.services import uploads
from app.services.clock import utcnow
from app.services.errors import InputError, NotInScopeError, RuleError
from tests import factories as f
from tests.conftest import World

TODAY = dt.date(2026, 1, 10)


# ---- files and helpers (shared by the other upload test modules) -----------------------------


def headings(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every column of the rows, in first-seen order."""
    return list(dict.fromkeys(column for r in rows for column in r))


def csv_bytes(
    rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8-sig", delimiter: str = ","
) -> bytes:
    """A CSV file with a header row and one line per dict (missing cells blank)."""
    columns = headings(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, Any]], sheet: str = "Activities") -> bytes:
    """An Excel workbook with the rows on an "Activities" sheet, cells typed as given."""
    book = Workbook()
    page = book.active
    page.title = sheet
    columns = headings(rows)
    page.append(columns)
    for row in rows:
        page.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def legacy_line(values: dict[str, str], supporters: Sequence[Sequence[str]] = ()) -> str:
    """A Template D record (tab-delimited, no header) from its old headings' values."""
    cells = [values.get(column.heading, "") for column in LAYOUTS[TEMPLATE_D]]
    cells[0] = TEMPLATE_D
    for supporter in supporters:
        cells += list(supporter) + [""] * (8 - len(supporter))
    return "\t".join(cells)


def receive(
    user: Any,
    provider: Any,
    data: bytes,
    name: str = "activities.csv",
    *,
    settings: uploads.UploadSettings | None = None,
    today: dt.date = TODAY,
) -> Upload:
    settings = settings or uploads.settings_from(current_app.config)
    provider_id = provider if isinstance(provider, int) or provider is None else provider.id
    upload = uploads.receive(db.session, user, provider_id, name, data, settings, today=today)
    assert upload.counts_add_up, counts(upload)
    return upload


def confirm(user: Any, upload: Upload, *, today: dt.date = TODAY) -> Upload:
    settings = uploads.settings_from(current_app.config)
    done = uploads.confirm(db.session, user, upload.id, settings, today=today)
    assert done.counts_add_up, counts(done)
    return done


def counts(upload: Upload) -> tuple[str, int, int, int, int, int]:
    """(status, received, created, updated, unchanged, rejected) as stored."""
    db.session.refresh(upload)
    return (
        upload.status,
        upload.received,
        upload.created,
        upload.updated,
        upload.unchanged,
        upload.rejected,
    )


def problems(upload: Upload) -> list[UploadProblem]:
    query = select(UploadProblem).where(UploadProblem.upload_id == upload.id)
    return list(db.session.scalars(query.order_by(UploadProblem.id)))


def errors(upload: Upload) -> list[UploadProblem]:
    return [p for p in problems(upload) if p.severity == ERROR]


def report(upload: Upload) -> str:
    return "\n".join(f"{p.row} {p.column}: {p.message}" for p in problems(upload))


def changes(upload: Upload) -> dict[str, UploadChange]:
    query = select(UploadChange).where(UploadChange.upload_id == upload.id)
    return {c.provider_activity_id: c for c in db.session.scalars(query)}


def activity(provider: Any, key: str) -> Activity | None:
    db.session.expire_all()
    query = select(Activity).where(
        Activity.provider_id == provider.id, Activity.provider_activity_id == key
    )
    return db.session.scalars(query).first()


def activity_count(provider: Any | None = None) -> int:
    query = select(func.count()).select_from(Activity)
    if provider is not None:
        query = query.where(Activity.provider_id == provider.id)
    return int(db.session.scalar(query) or 0)


def upload_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Upload)) or 0)


def snapshot() -> list[tuple[Any, ...]]:
    """Every activity with its version and repeated parts, to show nothing changed."""
    db.session.expire_all()
    rows = []
    for act in db.session.scalars(select(Activity).order_by(Activity.id)):
        rows.append(
            (
                act.id,
                act.provider_activity_id,
                act.version_id,
                act.title,
                act.status,
                tuple(str(m) for m in act.moc_registrations),
                tuple(str(s) for s in act.commercial_supports),
                tuple((c.credit_type, c.amount) for c in act.ja_credits),
                tuple((c.profession, c.year, c.count) for c in act.learner_counts),
            )
        )
    for model in (MocRegistration, CommercialSupport, ActivityCredit, LearnerCount):
        rows.append((model.__name__, db.session.scalar(select(func.count()).select_from(model))))
    return rows


def export_csv(provider: Any) -> bytes:
    """The provider's activities as the CSV export writes them."""
    query = db.session.query(Activity).filter(Activity.provider_id == provider.id)
    chunks = ActivityExport().chunks(db.session, query, 1000)
    text = "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)
    return text.encode("utf-8")


def draft(key: str, **cells: str) -> dict[str, str]:
    """A new Draft activity as a file row."""
    return {
        "Provider Activity ID": key,
        "Activity Title": f"Activity {key}",
        "Activity Format": "Live Course",
        "Start Date": "03/01/2026",
        "End Date": "03/02/2026",
        **cells,
    }


def current(provider: Any, key: str, **values: Any) -> Activity:
    """A stored Active activity of 2026 that has not ended on TODAY."""
    defaults: dict[str, Any] = {
        "provider": provider,
        "provider_activity_id": key,
        "title": f"Stored {key}",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 3, 2),
        "reporting_year": 2026,
    }
    defaults.update(values)
    made = f.ActivityFactory(**defaults)
    db.session.commit()
    return made


@pytest.fixture
def settings(app: Flask) -> uploads.UploadSettings:
    return uploads.settings_from(app.config)


# ---- new, updated, unchanged ---------------------------------------------------------------


def test_new_updated_and_unchanged_rows_are_previewed_then_written(world: World) -> None:
    current(world.p1, "P1-002", title="Stroke Care")
    current(world.p1, "P1-003", title="Asthma Care")
    data = csv_bytes(
        [
            draft("NEW-1", **{"Activity Title": "Brand new", "AMA PRA Category 1 Credits": ""}),
            draft(
                "P1-002",
                **{"Activity Title": "Stroke Care 2026", "AMA PRA Category 1 Credits": "7"},
            ),
            draft(
                "P1-003", **{"Activity Title": "Asthma Care", "AMA PRA Category 1 Credits": "6.50"}
            ),
        ]
    )
    before = snapshot()
    last_event = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.READY, 3, 1, 1, 1, 0), report(upload)
    assert upload.errors == 0 and upload.rows_with_errors == 0
    assert snapshot() == before, "checking a file writes no activity"
    planned = changes(upload)
    assert set(planned) == {"NEW-1", "P1-002"}
    assert (planned["NEW-1"].action, planned["NEW-1"].row, planned["NEW-1"].title) == (
        "new",
        2,
        "Brand new",
    )
    assert json.loads(planned["NEW-1"].changes) == []
    assert planned["P1-002"].action == "updated" and planned["P1-002"].row == 3
    assert json.loads(planned["P1-002"].changes) == [
        ["Activity Title", "Stroke Care", "Stroke Care 2026"],
        ["AMA PRA Category 1 Credits", "6.5", "7"],
    ]

    done = confirm(world.contact_a, upload)
    assert counts(done) == (uploads.COMMITTED, 3, 1, 1, 1, 0)
    assert done.finished_by_email == "contact.a@example.test" and done.message is None
    created = activity(world.p1, "NEW-1")
    assert created is not None
    assert (created.title, created.status, created.format) == ("Brand new", v.DRAFT, v.LIVE_COURSE)
    assert (created.start_date, created.reporting_year, created.version_id) == (
        dt.date(2026, 3, 1),
        2026,
        1,
    )
    updated = activity(world.p1, "P1-002")
    assert updated is not None
    assert (updated.title, updated.credits, updated.version_id) == (
        "Stroke Care 2026",
        Decimal("7"),
        2,
    )
    unchanged = activity(world.p1, "P1-003")
    assert unchanged is not None and unchanged.version_id == 1
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > last_event).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        (uploads.CHECKED, "Upload", str(upload.id)),
        (uploads.COMMITTED_ACTION, "Upload", str(upload.id)),
    ]
    assert events[-1].detail == (
        "Committed: received 3, created 1, updated 1, unchanged 1, rejected 0"
    )


def test_progress_is_reported_while_checking(world: World, settings: Any) -> None:
    seen: list[int] = []
    data = csv_bytes([draft(f"N-{i}") for i in range(5)])
    uploads.receive(
        db.session,
        world.contact_a,
        world.p1.id,
        "a.csv",
        data,
        settings,
        today=TODAY,
        progress=seen.append,
    )
    assert seen and seen[-1] == 5


def test_a_rejected_file_writes_nothing_and_lists_every_problem(world: World) -> None:
    before = snapshot()
    data = csv_bytes(
        [
            draft("OK-1"),
            draft("BAD-1", **{"Start Date": "13/45/2026"}),
            draft("BAD-2", **{"Activity Format": "Webinar", "AMA PRA Category 1 Credits": "1.3"}),
        ]
    )
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.REJECTED, 3, 0, 0, 0, 3)
    assert upload.rows_with_errors == 2 and upload.errors == 3
    assert "2 of 3 rows have errors" in (upload.message or "")
    assert [(p.row, p.column, p.value) for p in errors(upload)] == [
        (3, "Start Date", "13/45/2026"),
        (4, "Activity Format", "Webinar"),
        (4, "AMA PRA Category 1 Credits", "1.3"),
    ]
    assert all(p.message.startswith(f"{p.column}: ") for p in errors(upload))
    assert changes(upload) == {}
    assert snapshot() == before
    with pytest.raises(RuleError, match="Rejected"):
        confirm(world.contact_a, upload)
    assert snapshot() == before


def test_a_file_that_cannot_be_read_is_rejected(world: World) -> None:
    upload = receive(world.contact_a, world.p1, b"\x00\x01\x02", "a.csv")
    assert counts(upload) == (uploads.REJECTED, 0, 0, 0, 0, 0)
    [problem] = problems(upload)
    assert problem.severity == ERROR and "not a text file" in problem.message
    assert upload.message == "The file could not be read; nothing was written."
    other = receive(world.contact_a, world.p1, b"x", "activities.pdf")
    assert other.status == uploads.REJECTED and other.file_format == "other"
    assert "cannot be uploaded" in report(other)


def test_a_file_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    small = uploads.UploadSettings(directory=settings.directory, max_bytes=1024 * 1024)
    stored = upload_count()
    with pytest.raises(InputError, match="larger than 1 MB"):
        uploads.receive(
            db.session, world.contact_a, world.p1.id, "a.csv", b"x" * (1024 * 1024 + 1), small
        )
    assert upload_count() == stored


def test_too_many_rows_is_rejected_with_a_clear_message(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PARS_UPLOAD_MAX_ROWS", 3)
    monkeypatch.setattr("app.services.batch_plan.CHUNK_ROWS", 2)
    upload = receive(world.contact_a, world.p1, csv_bytes([draft(f"N-{i}") for i in range(4)]))
    assert upload.status == uploads.REJECTED
    [problem] = problems(upload)
    assert "more than 3 activities" in problem.message and "Split it" in problem.message
    assert changes(upload) == {}, "the preview of the first chunks is dropped"
    ok = receive(world.contact_a, world.p1, csv_bytes([draft(f"N-{i}") for i in range(3)]))
    assert counts(ok) == (uploads.READY, 3, 3, 0, 0, 0)


def test_the_report_is_capped(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PARS_UPLOAD_MAX_PROBLEMS", 3)
    bad = [draft(f"BAD-{n}", **{"Start Date": "x"}) for n in range(5)]
    upload = receive(world.contact_a, world.p1, csv_bytes(bad))
    assert counts(upload) == (uploads.REJECTED, 5, 0, 0, 0, 5)
    assert upload.errors == 5 and upload.rows_with_errors == 5
    listed = problems(upload)
    assert [p.row for p in listed] == [2, 3, 4, None]
    assert listed[-1].severity == ERROR
    assert listed[-1].message == "... and 2 more problems not listed: correct these first."


def test_a_capped_report_of_warnings_has_no_error(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PARS_UPLOAD_MAX_PROBLEMS", 1)
    line = legacy_line(
        {
            "Provider Activity ID": "3001",
            "Reporting Year": "2026",
            "Activity Title": "Old",
            "Activity Date": "03/15/2026",
            "Activity Type": "EM",
            "Hours of Instruction": "2",
        }
    )
    upload = receive(world.contact_a, world.p1, line.encode(), "old.txt")
    assert counts(upload) == (uploads.READY, 1, 1, 0, 0, 0), report(upload)
    assert upload.errors == 0 and upload.warnings >= 3
    listed = problems(upload)
    assert len(listed) == 2 and listed[-1].row is None
    assert all(p.severity == WARNING for p in listed), report(upload)
    assert "more" in listed[-1].message and "correct these first" not in listed[-1].message


# ---- the provider's own export --------------------------------------------------------------


def _rich_activities(world: World) -> None:
    """Activities using every kind of column, for p2 (ACCME) and p4 (joint)."""
    rich = current(
        world.p2,
        "P2-RICH",
        title='Heart "Failure", Update; =2026',
        description="Line one\nLine two, with a comma",
        format=v.ENDURING,
        delivery_methods=["Online", "Print/Other"],
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2027, 5, 31),
        reporting_year=2025,
        city=None,
        state=None,
        country=None,
        credits=Decimal("12.25"),
        providership="Joint",
        joint_providers=["Lakeside Hospital", "Acme Society, Inc."],
        commercial_support=True,
        outcomes=["Learner Knowledge", "Patient Health"],
        physician_learners=120,
        other_learners=0,
        moc_attestation=True,
        rems_type="Opioid Analgesic",
        rems_id="EG-123456-001",
        cme_finder=True,
        fee="No, it's free",
        registration="Open to all",
        activity_url="https://example.org/hf",
        mips=False,
        commendation_tags=["Engages Teams"],
    )
    db.session.add_all(
        [
            CommercialSupport(
                activity_id=rich.id, source="Pfizer", kind="Monetary", amount=Decimal("5000.00")
            ),
            CommercialSupport(activity_id=rich.id, source="Medline", kind="In-kind", amount=None),
            MocRegistration(
                activity_id=rich.id,
                board="ABIM",
                points=Decimal("6.50"),
                credit_types=["Medical Knowledge", "Patient Safety"],
                practice_areas=["Cardiovascular Disease"],
                credit_claim_date=dt.date(2027, 6, 30),
                internal_id="HF-1",
            ),
            MocRegistration(activity_id=rich.id, board="ABP", points=Decimal("6")),
        ]
    )
    joint = current(
        world.p4,
        "P4-RICH",
        is_interprofessional=True,
        target_professions=["Physician", "Nurse"],
        pharmacy_activity_type="Knowledge",
        pharmacy_topic="05-Patient Safety",
        pharmacy_uan="JA0000104-0000-26-001-L05-P",
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2027, 5, 31),
        format=v.ENDURING,
        reporting_year=2025,
    )
    db.session.add_all(
        [
            ActivityCredit(activity_id=joint.id, credit_type="Nursing", amount=Decimal("1.50")),
            LearnerCount(activity_id=joint.id, profession="Nurse", year=2025, count=40),
            LearnerCount(activity_id=joint.id, profession="Nurse", year=2026, count=2),
            LearnerCount(activity_id=joint.id, profession="Pharmacist", year=2025, count=7),
        ]
    )
    db.session.commit()


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xml"])
def test_a_provider_s_own_export_re_imports_as_all_unchanged(world: World, kind: str) -> None:
    _rich_activities(world)
    for provider, user in ((world.p2, world.contact_a), (world.p4, world.ja_contact)):
        exported = export_csv(provider)
        rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
        assert len(rows) == activity_count(provider) >= 2
        if kind == "csv":
            data, name = exported, "export.csv"
        elif kind == "xlsx":
            data, name = xlsx_bytes(rows), "export.xlsx"
        else:
            data, name = activity_xml(rows), "export.xml"
        before = snapshot()
        upload = receive(user, provider, data, name)
        assert counts(upload) == (uploads.READY, len(rows), 0, 0, len(rows), 0), (
            report(upload),
            [json.loads(c.changes) for c in changes(upload).values()],
        )
        assert changes(upload) == {}
        assert not errors(upload), report(upload)
        done = confirm(user, upload)
        assert counts(done) == (uploads.COMMITTED, len(rows), 0, 0, len(rows), 0)
        assert snapshot() == before


# ---- columns --------------------------------------------------------------------------------


def test_absent_columns_are_left_alone_and_a_blank_cell_clears(world: World) -> None:
    stored = current(
        world.p1,
        "P1-DRAFT",
        status=v.DRAFT,
        description="Kept until cleared",
        rems_type="Mycophenolate",
        commendation_tags=["Engages Teams", "Engages Students"],
        city="Dallas",
        mips=True,
    )
    f.MocFactory(activity_id=stored.id, board="ABIM")
    db.session.commit()
    data = csv_bytes(
        [
            {
                "Provider Activity ID": "P1-DRAFT",
                "Activity Description": "",
                "Commendation Tags": "",
                "REMS Type": "",
                "MIPS": "",
                "ABIM MOC Points": "",
                "ABIM MOC Credit Types": "",
                "ABIM Practice Areas": "",
            }
        ]
    )
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.READY, 1, 0, 1, 0, 0), report(upload)
    assert sorted(json.loads(changes(upload)["P1-DRAFT"].changes)) == [
        ["ABIM MOC Credit Types", "Medical Knowledge", ""],
        ["ABIM MOC Points", "6.5", ""],
        ["ABIM Practice Areas", "Cardiovascular Disease", ""],
        ["Activity Description", "Kept until cleared", ""],
        ["Commendation Tags", "Engages Teams; Engages Students", ""],
        ["MIPS", "Yes", ""],
        ["REMS Type", "Mycophenolate", ""],
    ]
    confirm(world.contact_a, upload)
    after = activity(world.p1, "P1-DRAFT")
    assert after is not None
    assert after.description is None and after.rems_type is None and after.mips is None
    assert after.commendation_tags == []
    assert after.moc_registrations == [], "a board with every column blank is unregistered"
    assert (after.title, after.city, after.credits, after.status) == (
        "Stored P1-DRAFT",
        "Dallas",
        Decimal("6.5"),
        v.DRAFT,
    )


def test_ja_columns_are_refused_for_other_providers_and_kept_for_joint_ones(world: World) -> None:
    cells = {
        "IPCE Credits": "2",
        "Nursing Credits": "1.5",
        "Nurse Learners": "30",
        "Pharmacist Learners": "0",
        "Interprofessional": "Yes",
        "Target Professions": "Physician; Nurse",
        "Pharmacy Activity Type": "Knowledge",
    }
    refused = receive(world.contact_a, world.p1, csv_bytes([draft("JA-1", **cells)]))
    assert refused.status == uploads.REJECTED
    assert sorted(p.column for p in errors(refused)) == sorted(cells)
    assert all("only jointly accredited providers" in p.message for p in errors(refused))

    accepted = receive(world.ja_contact, world.p4, csv_bytes([draft("JA-1", **cells)]))
    assert counts(accepted) == (uploads.READY, 1, 1, 0, 0, 0), report(accepted)
    confirm(world.ja_contact, accepted)
    made = activity(world.p4, "JA-1")
    assert made is not None
    assert sorted((c.credit_type, c.amount) for c in made.ja_credits) == [
        ("IPCE", Decimal("2")),
        ("Nursing", Decimal("1.5")),
    ]
    assert sorted((c.profession, c.year, c.count) for c in made.learner_counts) == [
        ("Nurse", 2026, 30),
        ("Pharmacist", 2026, 0),
    ]
    assert made.is_interprofessional is True and made.target_professions == ["Physician", "Nurse"]
    assert made.pharmacy_activity_type == "Knowledge"


def test_moc_columns_create_and_replace_registrations(world: World) -> None:
    moc = {
        "ABIM MOC Points": "2",
        "ABIM MOC Credit Types": "Medical Knowledge; Patient Safety",
        "ABIM Practice Areas": "Cardiovascular Disease",
        "ABIM Credit Claim Date": "12/31/2026",
        "ABP MOC Points": "1",
        "ABP Internal ID": "ABP-7",
    }
    data = csv_bytes([draft("MOC-1", **{"AMA PRA Category 1 Credits": "2", **moc})])
    first = receive(world.contact_a, world.p2, data)
    assert counts(first) == (uploads.READY, 1, 1, 0, 0, 0), report(first)
    confirm(world.contact_a, first)
    made = activity(world.p2, "MOC-1")
    assert made is not None
    registrations = {m.board: m for m in made.moc_registrations}
    assert set(registrations) == {"ABIM", "ABP"}
    abim = registrations["ABIM"]
    assert (abim.points, abim.credit_types, abim.practice_areas, abim.credit_claim_date) == (
        Decimal("2"),
        ["Medical Knowledge", "Patient Safety"],
        ["Cardiovascular Disease"],
        dt.date(2026, 12, 31),
    )
    assert registrations["ABP"].internal_id == "ABP-7"

    update = csv_bytes(
        [
            {
                "Provider Activity ID": "MOC-1",
                "ABIM MOC Points": "1.5",
                "ABA MOC Points": "1",
                "ABP MOC Points": "",
                "ABP Internal ID": "",
            }
        ]
    )
    second = receive(world.contact_a, world.p2, update)
    assert counts(second) == (uploads.READY, 1, 0, 1, 0, 0), report(second)
    confirm(world.contact_a, second)
    made = activity(world.p2, "MOC-1")
    assert made is not None
    registrations = {m.board: m for m in made.moc_registrations}
    assert set(registrations) == {"ABA", "ABIM"}
    abim = registrations["ABIM"]
    assert abim.points == Decimal("1.5")
    assert abim.credit_types == ["Medical Knowledge", "Patient Safety"], "other columns stay"
    assert abim.credit_claim_date == dt.date(2026, 12, 31)
    assert registrations["ABA"].points == Decimal("1")
    assert db.session.scalar(select(func.count()).select_from(MocRegistration)) == 3


def test_learner_counts_per_profession(world: World) -> None:
    made = current(
        world.p4,
        "P4-END",
        format=v.ENDURING,
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2027, 5, 31),
        reporting_year=2025,
    )
    db.session.add_all(
        [
            LearnerCount(activity_id=made.id, profession="Nurse", year=2025, count=40),
            LearnerCount(activity_id=made.id, profession="Nurse", year=2026, count=2),
            LearnerCount(activity_id=made.id, profession="Dentist", year=2025, count=3),
        ]
    )
    db.session.commit()
    low = receive(
        world.ja_contact,
        world.p4,
        csv_bytes([{"Provider Activity ID": "P4-END", "Nurse Learners": "1"}]),
    )
    assert low.status == uploads.REJECTED
    assert "other years of this activity already count 2" in report(low)

    data = csv_bytes(
        [
            {
                "Provider Activity ID": "P4-END",
                "Nurse Learners": "50",
                "Pharmacist Learners": "7",
                "Dentist Learners": "",
            }
        ]
    )
    upload = receive(world.ja_contact, world.p4, data)
    assert counts(upload) == (uploads.READY, 1, 0, 1, 0, 0), report(upload)
    assert sorted(json.loads(changes(upload)["P4-END"].changes)) == [
        ["Dentist Learners", "3", ""],
        ["Nurse Learners", "42", "50"],
        ["Pharmacist Learners", "", "7"],
    ]
    confirm(world.ja_contact, upload)
    after = activity(world.p4, "P4-END")
    assert after is not None
    assert sorted((c.profession, c.year, c.count) for c in after.learner_counts) == [
        ("Nurse", 2025, 48),
        ("Nurse", 2026, 2),
        ("Pharmacist", 2025, 7),
    ]
    again = receive(world.ja_contact, world.p4, data)
    assert counts(again) == (uploads.READY, 1, 0, 0, 1, 0)


def test_learner_totals_stay_right_when_the_reporting_year_moves(world: World) -> None:
    """The file's count is the total over the activity's years, counted against the years
    other than the *new* reporting year."""
    made = current(
        world.p4,
        "P4-MOVE",
        format=v.ENDURING,
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2027, 5, 31),
        reporting_year=2025,
    )
    db.session.add_all(
        [
            LearnerCount(activity_id=made.id, profession="Nurse", year=2025, count=40),
            LearnerCount(activity_id=made.id, profession="Nurse", year=2026, count=2),
        ]
    )
    db.session.commit()
    data = csv_bytes(
        [{"Provider Activity ID": "P4-MOVE", "Start Date": "01/15/2026", "Nurse Learners": "50"}]
    )
    upload = receive(world.ja_contact, world.p4, data)
    assert counts(upload) == (uploads.READY, 1, 0, 1, 0, 0), report(upload)
    confirm(world.ja_contact, upload)
    after = activity(world.p4, "P4-MOVE")
    assert after is not None and after.reporting_year == 2026
    assert sorted((c.year, c.count) for c in after.learner_counts) == [(2025, 40), (2026, 10)]
    assert after.learners_by_profession == "Nurse: 50"
    low = receive(
        world.ja_contact,
        world.p4,
        csv_bytes([{"Provider Activity ID": "P4-MOVE", "Nurse Learners": "39"}]),
    )
    assert low.status == uploads.REJECTED
    assert "other years of this activity already count 40" in report(low)
    again = receive(world.ja_contact, world.p4, data)
    assert counts(again) == (uploads.READY, 1, 0, 0, 1, 0)


def test_commercial_support_sources(world: World) -> None:
    cells = {
        "Commercial Support Received": "Yes",
        "Commercial Support Sources": "Pfizer: 5,000; Medline: In-kind",
    }
    upload = receive(world.contact_a, world.p1, csv_bytes([draft("CS-1", **cells)]))
    assert counts(upload) == (uploads.READY, 1, 1, 0, 0, 0), report(upload)
    confirm(world.contact_a, upload)
    made = activity(world.p1, "CS-1")
    assert made is not None
    assert [(s.source, s.kind, s.amount) for s in made.commercial_supports] == [
        ("Pfizer", "Monetary", Decimal("5000")),
        ("Medline", "In-kind", None),
    ]
    replace = csv_bytes(
        [{"Provider Activity ID": "CS-1", "Commercial Support Sources": "Acme: 250.50"}]
    )
    second = receive(world.contact_a, world.p1, replace)
    assert json.loads(changes(second)["CS-1"].changes) == [
        ["Commercial Support Sources", "Pfizer: 5000; Medline: In-kind", "Acme: 250.5"]
    ]
    confirm(world.contact_a, second)
    made = activity(world.p1, "CS-1")
    assert made is not None
    assert [(s.source, s.kind, s.amount) for s in made.commercial_supports] == [
        ("Acme", "Monetary", Decimal("250.50"))
    ]
    contradiction = csv_bytes(
        [{"Provider Activity ID": "CS-1", "Commercial Support Received": "No"}]
    )
    refused = receive(world.contact_a, world.p1, contradiction)
    assert refused.status == uploads.REJECTED
    assert "Commercial Support Received is No" in report(refused)


# ---- statuses and locks ---------------------------------------------------------------------


def test_a_contact_moves_a_draft_to_active(world: World) -> None:
    current(world.p1, "P1-D", status=v.DRAFT)
    upload = receive(
        world.contact_a, world.p1, csv_bytes([{"Provider Activity ID": "P1-D", "Status": "Active"}])
    )
    assert counts(upload) == (uploads.READY, 1, 0, 1, 0, 0), report(upload)
    assert json.loads(changes(upload)["P1-D"].changes) == [["Status", "Draft", "Active"]]
    confirm(world.contact_a, upload)
    after = activity(world.p1, "P1-D")
    assert after is not None and after.status == v.ACTIVE


def test_a_draft_missing_active_requirements_stays_a_draft(world: World) -> None:
    current(world.p1, "P1-D", status=v.DRAFT, description=None, credits=None)
    upload = receive(
        world.contact_a, world.p1, csv_bytes([{"Provider Activity ID": "P1-D", "Status": "Active"}])
    )
    assert upload.status == uploads.REJECTED
    assert {p.column for p in errors(upload)} == {
        "AMA PRA Category 1 Credits",
        "Activity Description",
    }


CLOSED = {
    "status": v.CLOSED,
    "start_date": dt.date(2025, 5, 1),
    "end_date": dt.date(2025, 5, 2),
    "reporting_year": 2025,
    "commercial_support": False,
    "outcomes": ["Learner Knowledge"],
    "physician_learners": 10,
    "other_learners": 0,
}


def test_a_closed_activity_changed_by_a_contact_is_an_error(world: World) -> None:
    current(world.p1, "P1-C", **CLOSED)
    data = csv_bytes([{"Provider Activity ID": "P1-C", "Activity Title": "Renamed"}])
    upload = receive(world.contact_a, world.p1, data)
    assert upload.status == uploads.REJECTED
    [problem] = errors(upload)
    assert problem.row == 2 and problem.value == "P1-C"
    assert "P1-C is Closed: it can no longer be changed" in problem.message
    reopen = receive(
        world.contact_a,
        world.p1,
        csv_bytes([{"Provider Activity ID": "P1-C", "Status": "Ready to Close"}]),
    )
    assert reopen.status == uploads.REJECTED
    assert "reopened only to Ready to Close, by ACCME staff" in report(reopen)
    same = receive(
        world.contact_a,
        world.p1,
        csv_bytes([{"Provider Activity ID": "P1-C", "Activity Title": "Stored P1-C"}]),
    )
    assert counts(same) == (uploads.READY, 1, 0, 0, 1, 0)


def test_staff_reopen_a_closed_activity_to_ready_to_close(world: World) -> None:
    current(world.p1, "P1-C", **CLOSED)
    data = csv_bytes([{"Provider Activity ID": "P1-C", "Status": "Ready to Close"}])
    upload = receive(world.staff, world.p1, data)
    assert counts(upload) == (uploads.READY, 1, 0, 1, 0, 0), report(upload)
    confirm(world.staff, upload)
    after = activity(world.p1, "P1-C")
    assert after is not None and after.status == v.READY_TO_CLOSE
    active = receive(
        world.staff, world.p1, csv_bytes([{"Provider Activity ID": "P1-C", "Status": "Active"}])
    )
    assert active.status == uploads.REJECTED, "Active needs an end date that has not passed"


def test_a_submitted_year_refuses_changes_from_contacts(world: World) -> None:
    current(world.p1, "P1-002")
    db.session.add(ReportingYear(provider_id=world.p1.id, year=2026, submitted_at=utcnow()))
    db.session.commit()
    data = csv_bytes(
        [
            draft("P1-002", **{"Activity Title": "Renamed"}),
            draft("NEW-2026"),
            draft("NEW-2027", **{"Start Date": "01/05/2027", "End Date": "01/06/2027"}),
        ]
    )
    upload = receive(world.contact_a, world.p1, data)
    assert upload.status == uploads.REJECTED
    assert [(p.row, p.value) for p in errors(upload)] == [(2, "P1-002"), (3, "NEW-2026")]
    assert all("2026 annual report is submitted" in p.message for p in errors(upload))
    staff = receive(world.staff, world.p1, data)
    assert counts(staff) == (uploads.READY, 3, 2, 1, 0, 0), report(staff)


# ---- identifiers ----------------------------------------------------------------------------


def test_the_accme_activity_id_must_match(world: World) -> None:
    mine = current(world.p1, "P1-002")
    other = current(world.p1, "P1-003")
    good = csv_bytes(
        [
            {
                "ACCME Activity ID": mine.accme_activity_id,
                "Provider Activity ID": "P1-002",
                "Activity Title": "Renamed",
            },
            {"ACCME Activity ID": other.accme_activity_id, "Activity Title": "Renamed too"},
        ]
    )
    upload = receive(world.contact_a, world.p1, good)
    assert counts(upload) == (uploads.READY, 2, 0, 2, 0, 0), report(upload)
    assert set(changes(upload)) == {"P1-002", "P1-003"}

    bad = csv_bytes(
        [
            {"ACCME Activity ID": other.accme_activity_id, "Provider Activity ID": "P1-002"},
            {"ACCME Activity ID": world.a3.accme_activity_id, "Provider Activity ID": "P1-002x"},
            {"ACCME Activity ID": "123", "Provider Activity ID": "P1-003"},
            {"ACCME Activity ID": mine.accme_activity_id, "Provider Activity ID": "NEW-KEY"},
        ]
    )
    refused = receive(world.contact_a, world.p1, bad)
    assert refused.status == uploads.REJECTED
    by_row = {p.row: p for p in errors(refused) if p.column == "ACCME Activity ID"}
    assert set(by_row) == {2, 3, 4, 5}
    assert "is the ID of activity P1-003, not of P1-002" in by_row[2].message
    assert "is not an activity of this provider" in by_row[3].message
    assert "P3" not in by_row[3].message, "another provider's activity is not named"
    assert "is not an activity of this provider" in by_row[4].message
    assert "cannot be changed to NEW-KEY" in by_row[5].message


def test_a_row_for_another_provider_is_an_error(world: World) -> None:
    data = csv_bytes(
        [
            {"ACCME Provider ID": "0000101", **draft("N-1")},
            {"ACCME Provider ID": "0000103", **draft("N-2")},
        ]
    )
    upload = receive(world.contact_a, world.p1, data)
    assert upload.status == uploads.REJECTED
    [problem] = errors(upload)
    assert (problem.row, problem.column, problem.value) == (3, "ACCME Provider ID", "0000103")
    assert "uploaded for provider 0000101" in problem.message


def test_a_provider_activity_id_twice_in_one_file(world: World) -> None:
    data = csv_bytes([draft("DUP-1"), draft("OTHER"), draft("DUP-1")])
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.REJECTED, 3, 0, 0, 0, 3)
    [problem] = errors(upload)
    assert (problem.row, problem.column, problem.value) == (4, "Provider Activity ID", "DUP-1")
    assert "also on row 2" in problem.message


# ---- preview, cancel ------------------------------------------------------------------------


def test_an_outdated_preview_writes_nothing_and_is_refreshed(world: World) -> None:
    current(world.p1, "P1-002", title="Before")
    data = csv_bytes([draft("P1-002", **{"Activity Title": "From the file"}), draft("NEW-1")])
    upload = receive(world.contact_a, world.p1, data)
    digest = upload.plan_digest
    assert json.loads(changes(upload)["P1-002"].changes) == [
        ["Activity Title", "Before", "From the file"]
    ]
    changed = activity(world.p1, "P1-002")
    assert changed is not None
    changed.title = "Changed on the page meanwhile"
    db.session.commit()
    before = snapshot()
    with pytest.raises(RuleError, match="changed since the file was checked"):
        confirm(world.contact_a, upload)
    assert snapshot() == before
    assert activity(world.p1, "NEW-1") is None
    assert upload.status == uploads.READY and upload.plan_digest != digest
    assert json.loads(changes(upload)["P1-002"].changes) == [
        ["Activity Title", "Changed on the page meanwhile", "From the file"]
    ]
    done = confirm(world.contact_a, upload)
    assert counts(done) == (uploads.COMMITTED, 2, 1, 1, 0, 0)
    after = activity(world.p1, "P1-002")
    assert after is not None and after.title == "From the file"


def test_an_activity_created_meanwhile_outdates_the_preview(world: World) -> None:
    upload = receive(world.contact_a, world.p1, csv_bytes([draft("NEW-1")]))
    current(world.p1, "NEW-1", title="Made on the page")
    with pytest.raises(RuleError):
        confirm(world.contact_a, upload)
    assert counts(upload)[:5] == (uploads.READY, 1, 0, 1, 0)
    assert activity_count(world.p1) == 2


def test_a_preview_that_now_has_errors_becomes_rejected(world: World) -> None:
    current(world.p1, "P1-002")
    upload = receive(
        world.contact_a,
        world.p1,
        csv_bytes([{"Provider Activity ID": "P1-002", "Activity Title": "New"}]),
    )
    db.session.add(ReportingYear(provider_id=world.p1.id, year=2026, submitted_at=utcnow()))
    db.session.commit()
    before = snapshot()
    with pytest.raises(RuleError):
        confirm(world.contact_a, upload)
    assert upload.status == uploads.REJECTED
    assert "annual report is submitted" in report(upload)
    assert snapshot() == before


def test_cancel(world: World) -> None:
    before = snapshot()
    upload = receive(world.contact_a, world.p1, csv_bytes([draft("NEW-1")]))
    cancelled = uploads.cancel(db.session, world.contact_a, upload.id)
    assert cancelled.status == uploads.CANCELLED
    assert cancelled.message == "Cancelled before anything was written."
    assert cancelled.finished_by_email == "contact.a@example.test"
    with pytest.raises(RuleError, match="Cancelled"):
        confirm(world.contact_a, upload)
    with pytest.raises(RuleError, match="Cancelled"):
        uploads.cancel(db.session, world.contact_a, upload.id)
    assert snapshot() == before
    done = confirm(world.contact_a, receive(world.contact_a, world.p1, csv_bytes([draft("N")])))
    with pytest.raises(RuleError, match="Committed"):
        uploads.cancel(db.session, world.contact_a, done.id)


# ---- who may upload -------------------------------------------------------------------------


def test_only_the_provider_s_contacts_and_staff_upload(world: World, settings: Any) -> None:
    data = csv_bytes([draft("NEW-1")])
    upload = receive(world.contact_a, world.p1, data)
    for outsider in (world.contact_b, world.ja_contact, world.nobody):
        with pytest.raises(NotInScopeError):
            receive(outsider, world.p1, data)
        with pytest.raises(NotInScopeError):
            uploads.upload_for(db.session, outsider, upload.id)
        with pytest.raises(NotInScopeError):
            uploads.confirm(db.session, outsider, upload.id, settings, today=TODAY)
        with pytest.raises(NotInScopeError):
            uploads.cancel(db.session, outsider, upload.id)
    # The Recognized Accreditor of P1 and a surveyor of P3 see but do not act.
    for viewer, provider in ((world.accreditor_tx, world.p1), (world.surveyor, world.p3)):
        with pytest.raises(NotInScopeError):
            receive(viewer, provider, data)
    with pytest.raises(NotInScopeError):
        uploads.confirm(db.session, world.accreditor_tx, upload.id, settings, today=TODAY)
    with pytest.raises(NotInScopeError):
        uploads.cancel(db.session, world.accreditor_tx, upload.id)
    for missing in (None, 0, 999_999):
        with pytest.raises(NotInScopeError):
            receive(world.staff, missing, data)
    with pytest.raises(NotInScopeError):
        uploads.upload_for(db.session, world.staff, 999_999)
    assert upload.status == uploads.READY and activity_count(world.p1) == 1
    assert uploads.upload_for(db.session, world.staff, upload.id).id == upload.id
    assert confirm(world.staff, upload).status == uploads.COMMITTED


def test_a_contact_of_two_providers_uploads_for_each(world: World) -> None:
    data = csv_bytes([draft("SHARED-1")])
    for provider in (world.p1, world.p2):
        confirm(world.contact_a, receive(world.contact_a, provider, data))
    assert activity(world.p1, "SHARED-1") is not None
    assert activity(world.p2, "SHARED-1") is not None


# ---- formats --------------------------------------------------------------------------------


def test_a_legacy_template_d_file_imports_with_warnings(world: World) -> None:
    base = {
        "Reporting Year": "2026",
        "Activity Title": "Cardiology Review",
        "Activity Date": "03/15/2026",
        "City": "Chicago",
        "State": "IL",
        "Country": "USA",
        "Providership": "Direct",
        "Activity Type": "C",
        "Hours of Instruction": "6",
        "# of Physicians": "120",
        "# of Other Learners": "35",
        "Commercial Support Received?": "Yes",
        "Changes in Competence evaluated?": "Yes",
        "Number of AMA PRA Category 1 Credits™ Designated": "6.5",
        "Description of Content": "Guideline-directed therapy.",
    }
    lines = [
        legacy_line({**base, "Provider Activity ID": "2001"}, [["Pfizer", "5000"]]),
        legacy_line(
            {
                **base,
                "Provider Activity ID": "2002",
                "Activity Type": "IEM",
                "City": "",
                "State": "",
                "Country": "",
            }
        ),
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    upload = receive(world.contact_a, world.p1, data, "template_d.txt")
    assert counts(upload) == (uploads.READY, 2, 2, 0, 0, 0), report(upload)
    assert upload.file_format == "txt"
    warnings = [p for p in problems(upload) if p.severity == WARNING]
    assert warnings and upload.warnings == len(warnings)
    assert any("Template D" in p.message for p in warnings)
    assert any(p.column == "Hours of Instruction" for p in warnings)
    confirm(world.contact_a, upload)
    course = activity(world.p1, "2001")
    assert course is not None
    assert (course.format, course.delivery_methods, course.start_date, course.end_date) == (
        v.LIVE_COURSE,
        [v.IN_PERSON],
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 15),
    )
    assert (course.physician_learners, course.other_learners, course.credits) == (
        120,
        35,
        Decimal("6.5"),
    )
    assert [(s.source, s.amount) for s in course.commercial_supports] == [
        ("Pfizer", Decimal("5000"))
    ]
    assert "Learner Competence" in course.outcomes
    online = activity(world.p1, "2002")
    assert online is not None
    assert (online.format, online.delivery_methods) == (v.ENDURING, ["Online"])


def test_an_xml_file_imports(world: World) -> None:
    rows = [
        draft(
            "XML-1",
            **{
                "Activity Description": "From XML",
                "Delivery Methods": "Online",
                "AMA PRA Category 1 Credits": "2",
                "Commercial Support Received": "Yes",
                "Commercial Support Sources": "Pfizer: 100; Medline: In-kind",
                "ABIM MOC Points": "2",
                "ABIM MOC Credit Types": "Medical Knowledge",
                "Physician Learners": "12",
                "CME Finder": "No",
            },
        ),
        {"Provider Activity ID": "P1-002", "Activity Title": "Renamed by XML"},
    ]
    current(world.p1, "P1-002")
    upload = receive(world.staff, world.p1, activity_xml(rows), "activities.xml")
    assert counts(upload) == (uploads.READY, 2, 1, 1, 0, 0), report(upload)
    assert upload.file_format == "xml"
    confirm(world.staff, upload)
    made = activity(world.p1, "XML-1")
    assert made is not None
    assert (made.description, made.delivery_methods, made.credits, made.physician_learners) == (
        "From XML",
        ["Online"],
        Decimal("2"),
        12,
    )
    assert [(s.source, s.amount) for s in made.commercial_supports] == [
        ("Pfizer", Decimal("100")),
        ("Medline", None),
    ]
    assert [(m.board, m.points) for m in made.moc_registrations] == [("ABIM", Decimal("2"))]
    renamed = activity(world.p1, "P1-002")
    assert renamed is not None and renamed.title == "Renamed by XML"


def test_an_xml_file_with_a_dtd_is_rejected(world: World) -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<ACCMEActivities><MedicalEducationMetrics>&x;</MedicalEducationMetrics>"
        b"</ACCMEActivities>"
    )
    upload = receive(world.contact_a, world.p1, data, "a.xml")
    assert upload.status == uploads.REJECTED
    assert "DOCTYPE" in report(upload)
    assert "root:" not in report(upload)


def test_a_windows_1252_csv_imports_with_a_warning(world: World) -> None:
    rows = [draft("W-1", **{"Activity Title": "Caf\u00e9 \u2013 \u00dcrologie \u201c2026\u201d"})]
    data = csv_bytes(rows, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.READY, 1, 1, 0, 0, 0), report(upload)
    [warning] = problems(upload)
    assert warning.severity == WARNING and "Windows-1252" in warning.message
    confirm(world.contact_a, upload)
    made = activity(world.p1, "W-1")
    assert made is not None and made.title == "Caf\u00e9 \u2013 \u00dcrologie \u201c2026\u201d"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_with_semicolons_or_tabs_imports(world: World, delimiter: str) -> None:
    data = csv_bytes([draft("S-1", **{"Joint Providers": "A; B"})], delimiter=delimiter)
    upload = receive(world.contact_a, world.p1, data)
    assert counts(upload) == (uploads.READY, 1, 1, 0, 0, 0), report(upload)


def test_an_excel_workbook_with_typed_cells_imports(world: World) -> None:
    rows = [
        {
            "Provider Activity ID": "XL-1",
            "Activity Title": "Typed cells",
            "Activity Format": "Live Course",
            "Start Date": dt.datetime(2026, 3, 1),
            "End Date": dt.date(2026, 3, 2),
            "AMA PRA Category 1 Credits": 6.5,
            "Physician Learners": 120,
            "CME Finder": False,
        },
        {
            "Provider Activity ID": 1234,
            "Activity Title": "Numeric key",
            "Activity Format": "Live Course",
            "Start Date": "03/01/2026",
            "End Date": "03/02/2026",
        },
    ]
    upload = receive(world.contact_a, world.p1, xlsx_bytes(rows), "activities.xlsx")
    assert counts(upload) == (uploads.READY, 2, 2, 0, 0, 0), report(upload)
    confirm(world.contact_a, upload)
    made = activity(world.p1, "XL-1")
    assert made is not None
    assert (made.start_date, made.end_date, made.credits, made.physician_learners) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 2),
        Decimal("6.5"),
        120,
    )
    assert made.cme_finder is False
    assert activity(world.p1, "1234") is not None


# ---- the same file again --------------------------------------------------------------------


def test_the_same_file_again_is_recognised_and_changes_nothing(world: World) -> None:
    data = csv_bytes(
        [
            draft("NEW-1"),
            draft(
                "P1-001",
                **{
                    "Activity Title": "P1 Sepsis Update",
                    "Status": "Ready to Close",
                    "Start Date": "03/01/2025",
                    "End Date": "03/02/2025",
                },
            ),
        ]
    )
    first = receive(world.contact_a, world.p1, data)
    assert uploads.earlier_same_file(db.session, first) is None
    confirm(world.contact_a, first)
    before = snapshot()
    second = receive(world.contact_a, world.p1, data, "renamed.csv")
    assert counts(second) == (uploads.READY, 2, 0, 0, 2, 0)
    earlier = uploads.earlier_same_file(db.session, second)
    assert earlier is not None and earlier.id == first.id
    confirm(world.contact_a, second)
    assert snapshot() == before
    elsewhere = receive(world.contact_a, world.p2, data)
    assert uploads.earlier_same_file(db.session, elsewhere) is None, "per provider"


def test_check_only_stores_nothing(world: World, settings: Any) -> None:
    stored = upload_count()
    data = csv_bytes([draft("NEW-1"), draft("BAD", **{"Start Date": "x"})])
    outcome = uploads.check_only(
        db.session, world.contact_a, world.p1, data, "a.csv", settings, today=TODAY
    )
    assert (outcome.received, outcome.created, outcome.rows_with_errors) == (2, 1, 1)
    assert [p.row for p in outcome.problems] == [3]
    assert upload_count() == stored
    assert activity_count(world.p1) == 1
    unreadable = uploads.check_only(db.session, world.contact_a, world.p1, b"", "a.csv", settings)
    assert unreadable.rejected and unreadable.problems[0].message == "The file is empty."
