"""Every file of tests/data through the upload service: each malformed file is Rejected
with a report in plain words and writes nothing; each sample is Ready to confirm, commits,
and is all unchanged the second time (tests/data/README.md lists the files)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.importers.base import ERROR, WARNING
from app.models import Provider
from app.services import uploads
from tests.conftest import World
from tests.unit.services.test_uploads import (
    activity_count,
    confirm,
    counts,
    errors,
    problems,
    receive,
    report,
    snapshot,
)

DATA = Path(__file__).resolve().parents[2] / "data"
MALFORMED = sorted((DATA / "malformed").iterdir()) if (DATA / "malformed").is_dir() else []
SAMPLES = sorted((DATA / "samples").iterdir()) if (DATA / "samples").is_dir() else []
SAMPLE_PROVIDER_ID = "0001234"
#: A valid sample whose old-only fields give warnings, never errors (README).
WARNINGS_ONLY = {"legacy_template_c.txt"}
#: What a message in plain words never shows: exception names, code, paths, bytes.
JARGON = re.compile(
    r"Traceback|Exception|Error\b|Errno|errno|0x[0-9a-f]|\\x[0-9a-f]{2}|File \"|line \d+, in|"
    r"openpyxl|zipfile|defusedxml|expat|sqlalchemy|codec|utf-8' codec|None\b|\{|\}|<[a-z]",
)


@pytest.fixture
def provider(world: World) -> Provider:
    """The jointly accredited provider the data files are written for (ACCME Provider ID
    0001234 in the XML files): every column of the files applies to it."""
    world.p4.accme_id = SAMPLE_PROVIDER_ID
    db.session.commit()
    return world.p4


def test_the_data_files_are_there() -> None:
    assert len(MALFORMED) >= 10 and len(SAMPLES) >= 3


def _plain(message: str) -> bool:
    return (
        len(message) >= 15
        and " " in message
        and (message[0].isupper() or message[0] in "'\"")
        and message.rstrip().endswith((".", ")"))
        and not JARGON.search(message)
    )


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_a_malformed_file_is_rejected_and_writes_nothing(
    world: World, provider: Provider, path: Path
) -> None:
    before = snapshot()
    upload = receive(world.ja_contact, provider, path.read_bytes(), path.name)
    status, received, created, updated, unchanged, rejected = counts(upload)
    assert status == uploads.REJECTED, report(upload)
    assert (created, updated, unchanged, rejected) == (0, 0, 0, received)
    found = errors(upload)
    assert found and upload.errors >= len(found)
    for problem in found:
        assert _plain(problem.message), problem.message
        assert problem.row is None or problem.row >= 1
    if received:
        assert upload.rows_with_errors >= 1
        assert all(p.row is not None for p in found if p.column), report(upload)
    assert upload.message and re.search(r"(nothing|none of the rows) was written", upload.message)
    assert uploads.earlier_same_file(db.session, upload) is None
    with pytest.raises(uploads.RuleError):
        confirm(world.ja_contact, upload)
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", [p for p in SAMPLES if p.name in WARNINGS_ONLY], ids=lambda p: p.name
)
def test_a_file_with_old_fields_only_gives_warnings(
    world: World, provider: Provider, path: Path
) -> None:
    upload = receive(world.ja_contact, provider, path.read_bytes(), path.name)
    assert upload.status == uploads.READY, report(upload)
    assert not errors(upload)
    warnings = [p for p in problems(upload) if p.severity == WARNING]
    assert warnings and all(_plain(p.message) for p in warnings)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_a_sample_is_ready_commits_and_re_imports_unchanged(
    world: World, provider: Provider, path: Path
) -> None:
    data = path.read_bytes()
    before = activity_count(provider)
    upload = receive(world.ja_contact, provider, data, path.name)
    status, received, created, *_ = counts(upload)
    assert status == uploads.READY, report(upload)
    assert received == created > 0
    assert all(p.severity != ERROR for p in problems(upload))
    assert all(_plain(p.message) for p in problems(upload))
    done = confirm(world.ja_contact, upload)
    assert counts(done) == (uploads.COMMITTED, received, received, 0, 0, 0)
    assert activity_count(provider) == before + received
    again = receive(world.ja_contact, provider, data, path.name)
    assert counts(again) == (uploads.READY, received, 0, 0, received, 0), report(again)
