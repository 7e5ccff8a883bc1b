"""Review materials and performance-in-practice picks (domain.md §6.3): who may attach
which file at which stage, how files are checked and stored, one self-study report per
review, picks of the provider's term, and what is still missing before submission."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import (
    Activity,
    AuditEvent,
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewEvent,
    ReviewMaterial,
)
from app.schema import vocabularies as v
from app.services import review_materials as rm
from app.services.errors import ForbiddenError, InputError, NotInScopeError, RuleError
from tests import factories as f
from tests.conftest import World

DATA = Path(__file__).resolve().parents[2] / "data" / "materials"
KB = 1024
STORED = re.compile(r"^[0-9a-f]{32}\.material$")
SELF_STUDY = v.MATERIAL_SELF_STUDY
ATTACHMENT = v.MATERIAL_ATTACHMENT
EVIDENCE = v.MATERIAL_EVIDENCE
PROGRESS = v.MATERIAL_PROGRESS_REPORT
#: The accepted sample files, with the extension stored.
ACCEPTED = [
    ("self_study.pdf", "pdf"),
    ("narrative.docx", "docx"),
    ("learners.xlsx", "xlsx"),
    ("slides.pptx", "pptx"),
    ("notes.txt", "txt"),
    ("attendance.csv", "csv"),
    ("chart.png", "png"),
    ("photo.jpg", "jpg"),
]
#: The malformed files, with the start of the message that refuses each.
REFUSED = [
    ("empty.pdf", "The file is empty."),
    ("html_page.pdf", "html_page.pdf is not a PDF file: its content does not match"),
    ("program.pdf", "program.pdf is not a PDF file: its content does not match"),
    (
        "program.exe",
        "program.exe: only PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), text, "
        "CSV, PNG and JPEG files can be attached.",
    ),
    ("not_a_zip.docx", "not_a_zip.docx is not a Word (.docx) file"),
    ("workbook.docx", "workbook.docx is not a Word (.docx) file"),
    ("no_content_types.docx", "no_content_types.docx is not a Word (.docx) file"),
    ("utf16.txt", "utf16.txt is not a text file"),
    ("latin1.csv", "latin1.csv is not a CSV file"),
    ("photo.png", "photo.png is not a PNG file"),
]


def sample(name: str) -> bytes:
    return (DATA / "samples" / name).read_bytes()


def malformed(name: str) -> bytes:
    return (DATA / "malformed" / name).read_bytes()


@pytest.fixture(autouse=True)
def _review_parts(app_ctx: Flask) -> Iterator[None]:
    """Each test starts and ends without review events, picks and materials (SQLite does
    not cascade the deletion of reviews and activities to them)."""

    def clear() -> None:
        db.session.rollback()
        for model in (ReviewMaterial, ReviewActivity, ReviewEvent):
            db.session.execute(delete(model))
        db.session.commit()

    clear()
    yield
    clear()


@pytest.fixture
def settings(tmp_path: Path) -> rm.MaterialSettings:
    return rm.MaterialSettings(directory=tmp_path / "materials", max_bytes=64 * KB)


@pytest.fixture
def review(world: World) -> Review:
    """P3's reaccreditation review, waiting for its materials."""
    world.review_p3.stage = v.REVIEW_MATERIALS_DUE
    db.session.commit()
    return world.review_p3


def at_stage(review: Review, stage: str) -> None:
    review.stage = stage
    db.session.commit()


def add(
    actor: Any,
    review: Review,
    settings: rm.MaterialSettings,
    filename: str = "self_study.pdf",
    content: bytes | None = None,
    kind: str = SELF_STUDY,
    **kwargs: Any,
) -> ReviewMaterial:
    data = sample(filename) if content is None else content
    return rm.add_material(db.session, actor, review.id, kind, filename, data, settings, **kwargs)


def stored_files(settings: rm.MaterialSettings) -> list[Path]:
    if not settings.directory.exists():
        return []
    return sorted(settings.directory.iterdir())


def material_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ReviewMaterial))


def pick(world: World, review: Review, *activities: Activity) -> list[ReviewActivity]:
    return rm.pick_activities(db.session, world.staff, review.id, [a.id for a in activities])


# ---- settings -------------------------------------------------------------------------------


def test_settings_come_from_the_app_config(app: Flask) -> None:
    settings = rm.settings_from(app.config)
    assert settings.directory == Path(app.config["PARS_UPLOAD_DIR"]) / "materials"
    assert settings.max_bytes == 20 * 1024 * 1024


# ---- the file -------------------------------------------------------------------------------


def test_every_test_file_is_listed_and_used() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for folder, used in (("samples", ACCEPTED), ("malformed", REFUSED)):
        names = sorted(path.name for path in (DATA / folder).iterdir())
        assert names == sorted(name for name, _ in used)
        assert all(f"`{name}`" in readme for name in names)


@pytest.mark.parametrize(("filename", "extension"), ACCEPTED)
def test_each_allowed_type_is_stored_under_a_generated_name(
    world: World, review: Review, settings: rm.MaterialSettings, filename: str, extension: str
) -> None:
    content = sample(filename)
    material = add(world.contact_b, review, settings, filename, kind=ATTACHMENT)

    assert material.id is not None
    assert material.extension == extension
    assert material.display_name == filename
    assert material.size == len(content)
    assert material.sha256 == hashlib.sha256(content).hexdigest()
    assert STORED.match(material.stored_name)
    assert stored_files(settings) == [settings.directory / material.stored_name]
    assert (settings.directory / material.stored_name).read_bytes() == content
    assert material.uploaded_by == world.contact_b.email


def test_extension_case_and_jpeg_spelling_are_accepted(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    jpeg = add(world.contact_b, review, settings, "Photo.JPEG", sample("photo.jpg"), ATTACHMENT)
    pdf = add(world.contact_b, review, settings, "REPORT.PDF", sample("self_study.pdf"))
    assert (jpeg.extension, pdf.extension) == ("jpeg", "pdf")


@pytest.mark.parametrize(("filename", "message"), REFUSED)
def test_malformed_files_are_refused_and_nothing_is_written(
    world: World, review: Review, settings: rm.MaterialSettings, filename: str, message: str
) -> None:
    with pytest.raises(InputError) as refused:
        add(world.contact_b, review, settings, filename, malformed(filename), ATTACHMENT)

    assert refused.value.field == "file"
    assert refused.value.message.startswith(message)
    assert material_count() == 0
    assert stored_files(settings) == []


def test_a_file_over_the_limit_is_refused(
    world: World, review: Review, settings: rm.MaterialSettings, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"^The file is larger than 64 KB\.$"):
        add(world.contact_b, review, settings, "big.txt", b"x" * (64 * KB + 1), ATTACHMENT)
    at_limit = add(world.contact_b, review, settings, "full.txt", b"x" * (64 * KB), ATTACHMENT)
    assert at_limit.size == 64 * KB

    big = rm.MaterialSettings(directory=tmp_path / "big", max_bytes=20 * 1024 * 1024)
    with pytest.raises(InputError, match=r"^The file is larger than 20 MB\.$"):
        add(world.contact_b, review, big, "big.txt", b"x" * (20 * 1024 * 1024 + 1), ATTACHMENT)
    assert stored_files(big) == []


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/self_study.pdf", "self_study.pdf"),
        ("..\\..\\windows\\report.pdf", "report.pdf"),
        ("/tmp/report.pdf", "report.pdf"),
        ("rep\x00ort.pdf", "report.pdf"),
        ("evil\u202efdp.pdf", "evilfdp.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
    ],
)
def test_hostile_names_are_only_displayed_cleaned(
    world: World,
    review: Review,
    settings: rm.MaterialSettings,
    tmp_path: Path,
    filename: str,
    shown: str,
) -> None:
    material = add(world.contact_b, review, settings, filename, sample("self_study.pdf"))

    assert material.display_name == shown
    assert STORED.match(material.stored_name)
    assert [p.name for p in tmp_path.iterdir()] == ["materials"]
    assert stored_files(settings) == [settings.directory / material.stored_name]


@pytest.mark.parametrize(
    ("filename", "shown"),
    [("invoice\u202egpj.exe", "invoicegpj.exe"), ("../../x", "x"), ("report.", "report.")],
)
def test_a_hidden_or_missing_extension_is_refused(
    world: World, review: Review, settings: rm.MaterialSettings, filename: str, shown: str
) -> None:
    with pytest.raises(InputError, match=rf"^{re.escape(shown)}: only PDF"):
        add(world.contact_b, review, settings, filename, sample("self_study.pdf"), ATTACHMENT)
    assert stored_files(settings) == []


def test_the_description_is_trimmed_and_limited(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    material = add(world.contact_b, review, settings, description="  Signed copy  ")
    assert material.description == "Signed copy"
    with pytest.raises(InputError) as refused:
        add(world.contact_b, review, settings, "notes.txt", kind=ATTACHMENT, description="x" * 501)
    assert refused.value.field == "description"
    assert material_count() == 1


def test_history_and_audit_name_the_file(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    material = add(world.contact_b, review, settings)

    event = db.session.scalars(select(ReviewEvent).where(ReviewEvent.review_id == review.id)).one()
    assert (event.action, event.detail) == ("material added", f"{SELF_STUDY}: self_study.pdf")
    assert event.actor == world.contact_b.email
    audit = db.session.scalars(  # audit rows outlive each test: the latest is this one
        select(AuditEvent)
        .where(AuditEvent.action == "review material added")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert audit is not None
    assert audit.detail == f"{SELF_STUDY}: self_study.pdf"
    assert (audit.provider_id, audit.object_id) == (world.p3.id, str(material.id))


# ---- who, and when ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage",
    [v.REVIEW_INTENT, v.REVIEW_SUBMITTED, v.REVIEW_UNDER_REVIEW, v.REVIEW_DECIDED],
)
def test_contacts_add_materials_only_when_they_are_due(
    world: World, review: Review, settings: rm.MaterialSettings, stage: str
) -> None:
    at_stage(review, stage)
    with pytest.raises(RuleError, match='only when it is at "Materials Due"'):
        add(world.contact_b, review, settings)
    assert material_count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize("stage", [v.REVIEW_INTENT, v.REVIEW_MATERIALS_DUE, v.REVIEW_SUBMITTED])
def test_staff_add_materials_from_intent_to_submission(
    world: World, review: Review, settings: rm.MaterialSettings, stage: str
) -> None:
    at_stage(review, stage)
    assert add(world.staff, review, settings).uploaded_by == world.staff.email


@pytest.mark.parametrize("stage", [v.REVIEW_UNDER_REVIEW, v.REVIEW_COMMITTEE, v.REVIEW_DECIDED])
def test_staff_do_not_add_materials_after_submission(
    world: World, review: Review, settings: rm.MaterialSettings, stage: str
) -> None:
    at_stage(review, stage)
    with pytest.raises(RuleError):
        add(world.staff, review, settings)


def test_another_providers_contact_does_not_find_the_review(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    with pytest.raises(NotInScopeError):
        add(world.contact_a, review, settings)
    with pytest.raises(NotInScopeError):
        rm.add_material(db.session, world.contact_b, "x", SELF_STUDY, "a.pdf", b"%PDF-", settings)


def test_surveyors_do_not_submit_materials(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    with pytest.raises(ForbiddenError):
        add(world.surveyor, review, settings)
    assert stored_files(settings) == []


# ---- kinds -----------------------------------------------------------------------------------


def test_a_new_self_study_report_replaces_the_previous_one(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    first = add(world.contact_b, review, settings, "self_study.pdf")
    first_file = settings.directory / first.stored_name
    second = add(world.contact_b, review, settings, "narrative.docx")

    rows = db.session.scalars(select(ReviewMaterial)).all()
    assert [row.id for row in rows] == [second.id]
    assert not first_file.exists()
    assert stored_files(settings) == [settings.directory / second.stored_name]
    details = db.session.scalars(select(ReviewEvent.detail).order_by(ReviewEvent.id)).all()
    assert details[-1] == f"{SELF_STUDY}: narrative.docx (replaces self_study.pdf)"


def test_attachments_accumulate(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    add(world.contact_b, review, settings, "notes.txt", kind=ATTACHMENT)
    add(world.contact_b, review, settings, "notes.txt", kind=ATTACHMENT)
    assert material_count() == 2
    assert len(stored_files(settings)) == 2


def test_the_kind_must_be_known(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    with pytest.raises(InputError) as refused:
        add(world.contact_b, review, settings, kind="Brochure")
    assert refused.value.field == "kind"
    assert add(world.contact_b, review, settings, kind="self-study REPORT").kind == SELF_STUDY


def test_progress_reports_belong_to_progress_report_reviews(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    with pytest.raises(InputError, match="Progress Report review") as refused:
        add(world.contact_b, review, settings, kind=PROGRESS)
    assert refused.value.field == "kind"

    progress = f.ReviewFactory(
        provider=world.p3, cycle="Progress Report", stage=v.REVIEW_MATERIALS_DUE
    )
    db.session.commit()
    with pytest.raises(InputError, match="initial or reaccreditation"):
        add(world.contact_b, progress, settings, kind=SELF_STUDY)
    first = add(world.contact_b, progress, settings, kind=PROGRESS)
    second = add(world.contact_b, progress, settings, "narrative.docx", kind=PROGRESS)
    assert db.session.get(ReviewMaterial, first.id) is None
    assert db.session.get(ReviewMaterial, second.id) is not None


def test_evidence_belongs_to_an_activity_picked_for_this_review(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    (picked,) = pick(world, review, world.a3)
    other_review = f.ReviewFactory(provider=world.p3, stage=v.REVIEW_MATERIALS_DUE)
    db.session.commit()
    (elsewhere,) = pick(world, other_review, world.a3)

    for review_activity_id in (None, elsewhere.id, 999_999, "abc"):
        with pytest.raises(InputError) as refused:
            add(
                world.contact_b,
                review,
                settings,
                "notes.txt",
                kind=EVIDENCE,
                review_activity_id=review_activity_id,
            )
        assert refused.value.field == "review_activity_id"
        assert refused.value.message == "Choose one of the activities picked for this review."
    with pytest.raises(InputError) as refused:
        add(
            world.contact_b,
            review,
            settings,
            "notes.txt",
            kind=ATTACHMENT,
            review_activity_id=picked.id,
        )
    assert refused.value.field == "review_activity_id"

    first = add(
        world.contact_b, review, settings, "notes.txt", kind=EVIDENCE, review_activity_id=picked.id
    )
    second = add(
        world.contact_b,
        review,
        settings,
        "chart.png",
        kind=EVIDENCE,
        review_activity_id=str(picked.id),
    )
    assert first.review_activity_id == second.review_activity_id == picked.id
    assert len(stored_files(settings)) == 2


# ---- removing and reading --------------------------------------------------------------------


def test_contacts_remove_materials_while_they_are_due(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    material = add(world.contact_b, review, settings)
    path = settings.directory / material.stored_name

    rm.remove_material(db.session, world.contact_b, material.id, settings=settings)

    assert material_count() == 0
    assert not path.exists()
    event = db.session.scalars(select(ReviewEvent).order_by(ReviewEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.detail) == ("material removed", f"{SELF_STUDY}: self_study.pdf")


def test_removal_follows_the_same_rules_as_adding(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    material = add(world.contact_b, review, settings)
    with pytest.raises(NotInScopeError):
        rm.remove_material(db.session, world.contact_a, material.id, settings=settings)
    with pytest.raises(ForbiddenError):
        rm.remove_material(db.session, world.surveyor, material.id, settings=settings)
    at_stage(review, v.REVIEW_SUBMITTED)
    with pytest.raises(RuleError):
        rm.remove_material(db.session, world.contact_b, material.id, settings=settings)
    assert (settings.directory / material.stored_name).exists()

    rm.remove_material(db.session, world.staff, material.id, settings=settings)
    assert material_count() == 0
    assert stored_files(settings) == []


def test_removal_uses_the_apps_folder_by_default(app: Flask, world: World, review: Review) -> None:
    settings = rm.settings_from(app.config)
    material = add(world.contact_b, review, settings)
    path = settings.directory / material.stored_name
    assert path.exists()
    rm.remove_material(db.session, world.contact_b, material.id)
    assert not path.exists()


def test_material_files_are_read_by_whoever_reads_the_review(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    material = add(world.contact_b, review, settings)
    for reader in (world.contact_b, world.surveyor, world.staff):
        found, path = rm.material_file(db.session, reader, material.id, settings)
        assert found.id == material.id
        assert path.read_bytes() == sample("self_study.pdf")
    for outsider in (world.contact_a, world.accreditor_tx, world.nobody):
        with pytest.raises(NotInScopeError):
            rm.material_file(db.session, outsider, material.id, settings)

    assignment = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.user_id == world.surveyor.id)
    ).one()
    assignment.recused = True
    db.session.commit()
    with pytest.raises(NotInScopeError):
        rm.material_file(db.session, world.surveyor, material.id, settings)
    with pytest.raises(NotInScopeError):
        rm.material_file(db.session, world.staff, "nonsense", settings)


def test_a_file_missing_from_storage_is_reported(
    world: World,
    review: Review,
    settings: rm.MaterialSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    material = add(world.contact_b, review, settings)
    (settings.directory / material.stored_name).unlink()
    missing = "missing from storage; ACCME staff have been told"
    with (
        caplog.at_level(logging.ERROR, logger=rm.__name__),
        pytest.raises(RuleError, match=missing),
    ):
        rm.material_file(db.session, world.contact_b, material.id, settings)
    assert any(record.levelno == logging.ERROR for record in caplog.records)


# ---- a failed commit -------------------------------------------------------------------------


def _failing_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", fail)


def test_a_failed_commit_leaves_no_file(
    world: World, review: Review, settings: rm.MaterialSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_commit(monkeypatch)
    with pytest.raises(RuntimeError):
        add(world.contact_b, review, settings)
    monkeypatch.undo()
    assert material_count() == 0
    assert stored_files(settings) == []


def test_a_storage_failure_writes_no_row(world: World, review: Review, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings = rm.MaterialSettings(directory=blocked, max_bytes=64 * KB)
    with pytest.raises(OSError):
        add(world.contact_b, review, settings)
    assert material_count() == 0
    assert db.session.scalar(select(func.count()).select_from(ReviewEvent)) == 0


def test_a_failed_replacement_keeps_the_previous_report(
    world: World, review: Review, settings: rm.MaterialSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add(world.contact_b, review, settings)
    _failing_commit(monkeypatch)
    with pytest.raises(RuntimeError):
        add(world.contact_b, review, settings, "narrative.docx")
    monkeypatch.undo()
    assert db.session.scalars(select(ReviewMaterial.id)).all() == [first.id]
    assert stored_files(settings) == [settings.directory / first.stored_name]


def test_a_failed_removal_keeps_the_file(
    world: World, review: Review, settings: rm.MaterialSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    material = add(world.contact_b, review, settings)
    _failing_commit(monkeypatch)
    with pytest.raises(RuntimeError):
        rm.remove_material(db.session, world.contact_b, material.id, settings=settings)
    monkeypatch.undo()
    assert material_count() == 1
    assert (settings.directory / material.stored_name).exists()


# ---- picking activities for performance-in-practice review -----------------------------------


def test_staff_pick_activities_of_the_provider(world: World, review: Review) -> None:
    picks = pick(world, review, world.a3)

    assert [(p.review_id, p.activity_id) for p in picks] == [(review.id, world.a3.id)]
    assert picks[0].selected_by == world.staff.email
    event = db.session.scalars(select(ReviewEvent)).one()
    assert (event.action, event.detail) == ("activities picked", "P3-001")
    assert pick(world, review, world.a3) == []  # already picked: left as it is
    assert db.session.scalar(select(func.count()).select_from(ReviewActivity)) == 1


def test_only_staff_pick_activities(world: World, review: Review) -> None:
    for user in (world.contact_b, world.surveyor):
        with pytest.raises(ForbiddenError, match="Only ACCME staff pick activities"):
            rm.pick_activities(db.session, user, review.id, [world.a3.id])
    with pytest.raises(NotInScopeError):
        rm.pick_activities(db.session, world.contact_a, review.id, [world.a3.id])


@pytest.mark.parametrize("stage", [v.REVIEW_SUBMITTED, v.REVIEW_UNDER_REVIEW, v.REVIEW_DECIDED])
def test_activities_are_picked_before_the_materials_are_in(
    world: World, review: Review, stage: str
) -> None:
    at_stage(review, stage)
    with pytest.raises(RuleError):
        pick(world, review, world.a3)
    at_stage(review, v.REVIEW_INTENT)
    assert len(pick(world, review, world.a3)) == 1


def test_activities_of_other_providers_are_refused(world: World, review: Review) -> None:
    with pytest.raises(InputError) as refused:
        rm.pick_activities(db.session, world.staff, review.id, [world.a3.id, world.a1.id, 987654])
    assert refused.value.field == "activity_ids"
    assert "P1-001 is not an activity of Columbus Community Hospital." in refused.value.message
    assert "Activity 987654 is not an activity of" in refused.value.message
    with pytest.raises(InputError, match="Choose activities"):
        rm.pick_activities(db.session, world.staff, review.id, [])
    with pytest.raises(InputError, match="Choose activities"):
        rm.pick_activities(db.session, world.staff, review.id, ["seven"])  # type: ignore[list-item]
    assert db.session.scalar(select(func.count()).select_from(ReviewActivity)) == 0


def test_activities_are_picked_from_the_term(world: World, review: Review) -> None:
    review.term_start, review.term_end = dt.date(2023, 1, 1), dt.date(2026, 12, 31)
    db.session.commit()
    before = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="OLD",
        start_date=dt.date(2022, 3, 1),
        end_date=dt.date(2022, 3, 2),
    )
    after = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="LATE",
        start_date=dt.date(2027, 1, 5),
        end_date=dt.date(2027, 1, 5),
    )
    across = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="ENDURING",
        start_date=dt.date(2022, 6, 1),
        end_date=dt.date(2023, 5, 31),
    )
    db.session.commit()

    for outside in (before, after):
        with pytest.raises(InputError, match=rf"{outside.provider_activity_id} is outside"):
            pick(world, review, outside)
    assert len(pick(world, review, across, world.a3)) == 2


def test_at_most_fifteen_activities_are_picked(world: World, review: Review) -> None:
    many = [f.ActivityFactory(provider=world.p3) for _ in range(16)]
    db.session.commit()
    with pytest.raises(RuleError, match=r"At most 15 activities .* 0 are already picked"):
        pick(world, review, *many)
    assert len(pick(world, review, *many[:15])) == 15
    with pytest.raises(RuleError, match="15 are already picked"):
        pick(world, review, many[15])
    assert pick(world, review, many[0]) == []  # picking again changes nothing


def test_unpicking_removes_the_evidence(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    (picked,) = pick(world, review, world.a3)
    evidence = [
        add(world.contact_b, review, settings, name, kind=EVIDENCE, review_activity_id=picked.id)
        for name in ("notes.txt", "chart.png")
    ]
    report = add(world.contact_b, review, settings)
    picked_id = picked.id

    rm.unpick_activity(db.session, world.staff, picked_id, settings=settings)

    assert db.session.get(ReviewActivity, picked_id) is None
    assert db.session.scalars(select(ReviewMaterial.id)).all() == [report.id]
    assert stored_files(settings) == [settings.directory / report.stored_name]
    assert all(not (settings.directory / m.stored_name).exists() for m in evidence)
    event = db.session.scalars(select(ReviewEvent).order_by(ReviewEvent.id.desc())).first()
    assert event is not None and event.action == "activity unpicked"
    assert event.detail == "P3-001 (P3 Secret Oncology Board); 2 evidence file(s) removed"


def test_only_staff_unpick_before_submission(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    (picked,) = pick(world, review, world.a3)
    with pytest.raises(ForbiddenError):
        rm.unpick_activity(db.session, world.contact_b, picked.id, settings=settings)
    at_stage(review, v.REVIEW_SUBMITTED)
    with pytest.raises(RuleError):
        rm.unpick_activity(db.session, world.staff, picked.id, settings=settings)
    with pytest.raises(NotInScopeError):
        rm.unpick_activity(db.session, world.staff, 999_999, settings=settings)
    assert db.session.get(ReviewActivity, picked.id) is not None


def test_activities_of_the_term_to_pick_from(world: World, review: Review) -> None:
    review.term_start, review.term_end = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
    db.session.commit()
    older = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="GR-2024",
        title="Grand Rounds 100%",
        start_date=dt.date(2024, 2, 1),
        end_date=dt.date(2024, 2, 1),
    )
    newer = f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="TUMOR-26",
        title="Tumor Board",
        start_date=dt.date(2026, 2, 1),
        end_date=dt.date(2026, 2, 1),
    )
    f.ActivityFactory(
        provider=world.p3,
        provider_activity_id="OLD",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 1, 2),
    )
    f.ActivityFactory(provider=world.p2, provider_activity_id="P2-TERM")
    db.session.commit()

    listed = rm.activities_of_term(db.session, review)
    assert [a.provider_activity_id for a in listed] == ["TUMOR-26", "P3-001", "GR-2024"]
    pick(world, review, world.a3)
    assert [a.id for a in rm.activities_of_term(db.session, review)] == [newer.id, older.id]
    assert [a.id for a in rm.activities_of_term(db.session, review, "tumor")] == [newer.id]
    assert [a.id for a in rm.activities_of_term(db.session, review, "gr-20")] == [older.id]
    assert [a.id for a in rm.activities_of_term(db.session, review, "100%")] == [older.id]
    assert rm.activities_of_term(db.session, review, "gr_2024") == []  # "_" is no wildcard
    assert len(rm.activities_of_term(db.session, review, limit=1)) == 1


# ---- what is missing before submission -------------------------------------------------------


def test_missing_materials_name_what_is_still_needed(
    world: World, review: Review, settings: rm.MaterialSettings
) -> None:
    assert rm.missing_materials(db.session, review) == ["the self-study report"]
    (picked,) = pick(world, review, world.a3)
    add(world.contact_b, review, settings, "notes.txt", kind=ATTACHMENT)
    assert rm.missing_materials(db.session, review) == [
        "the self-study report",
        "evidence for activity P3-001 (P3 Secret Oncology Board)",
    ]
    add(world.contact_b, review, settings)
    add(world.contact_b, review, settings, "chart.png", kind=EVIDENCE, review_activity_id=picked.id)
    assert rm.missing_materials(db.session, review) == []


def test_a_progress_report_review_needs_its_progress_report(
    world: World, settings: rm.MaterialSettings
) -> None:
    progress = f.ReviewFactory(
        provider=world.p3, cycle="Progress Report", stage=v.REVIEW_MATERIALS_DUE
    )
    db.session.commit()
    assert rm.missing_materials(db.session, progress) == ["the progress report"]
    add(world.contact_b, progress, settings, kind=PROGRESS)
    assert rm.missing_materials(db.session, progress) == []
