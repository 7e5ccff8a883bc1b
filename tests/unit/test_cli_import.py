"""``flask pars import FILE --provider ID [--dry-run]``: the same checks and the same one
transaction as the browser upload, with counts, the report and a telling exit status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Upload
from tests.conftest import World

HEADER = "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date\n"
GOOD = HEADER + "CLI-001,Ethics in Practice,Live Course,02/10/2027,02/10/2027\n"
BAD = HEADER + "CLI-002,Bad date,Live Course,02/30/2027,02/10/2027\n"


def _count(provider: Any) -> int:
    query = select(func.count()).select_from(Activity).where(Activity.provider_id == provider.id)
    return db.session.scalar(query)


def _file(tmp_path: Path, text: str, name: str = "batch.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["pars", "import", *args])


def test_import_saves_and_records_the_upload(app: Any, world: World, tmp_path: Path) -> None:
    result = _run(app, _file(tmp_path, GOOD), "--provider", world.p1.accme_id)
    assert result.exit_code == 0, result.output
    assert "Saved: received 1, created 1, updated 0, unchanged 0, rejected 0." in result.output
    db.session.expire_all()
    assert _count(world.p1) == 2
    upload = db.session.scalars(select(Upload).order_by(Upload.id.desc())).first()
    assert upload.status == "Committed" and upload.uploaded_by_email == "flask pars import"
    again = _run(app, _file(tmp_path, GOOD), "--provider", world.p1.accme_id)
    assert "created 0, updated 0, unchanged 1" in again.output


def test_dry_run_saves_nothing(app: Any, world: World, tmp_path: Path) -> None:
    uploads_before = db.session.scalar(select(func.count()).select_from(Upload))
    result = _run(app, _file(tmp_path, GOOD), "--provider", world.p1.accme_id, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would save (dry run, nothing saved): received 1, created 1" in result.output
    db.session.expire_all()
    assert _count(world.p1) == 1
    assert db.session.scalar(select(func.count()).select_from(Upload)) == uploads_before


def test_rejected_file_exits_non_zero_with_the_report(
    app: Any, world: World, tmp_path: Path
) -> None:
    for extra in ((), ("--dry-run",)):
        result = _run(app, _file(tmp_path, BAD), "--provider", world.p1.accme_id, *extra)
        assert result.exit_code == 1, result.output
        assert "ERROR row 2, Start Date:" in result.output
        assert "rejected 1" in result.output
    db.session.expire_all()
    assert _count(world.p1) == 1


def test_unreadable_file_and_unknown_provider(app: Any, world: World, tmp_path: Path) -> None:
    result = _run(app, _file(tmp_path, "hello", "notes.pdf"), "--provider", world.p1.accme_id)
    assert result.exit_code == 1
    assert "ERROR file: This kind of file cannot be uploaded" in result.output
    unknown = _run(app, _file(tmp_path, GOOD), "--provider", "9999999")
    assert (
        unknown.exit_code != 0 and "No provider has the ACCME Provider ID 9999999" in unknown.output
    )
