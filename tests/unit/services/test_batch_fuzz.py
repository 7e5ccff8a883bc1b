"""Property tests of batch upload: whatever a file holds, checking it gives an outcome with
problems (or a Rejected upload), never another exception, and writes no activity.

* Generated rows: random columns of the PARS layout with random cell text (and
  plausible values, so the checks past parsing run too), as CSV, Excel and XML.
* Mutated valid files: the samples of tests/data cut short, with bytes flipped, NULs
  inserted, byte-order marks or a DOCTYPE put in front, or under another extension.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.exporters.xml_mems import activity_xml
from app.extensions import db
from app.schema import vocabularies as v
from app.schema.fields import Kind, file_columns
from app.services import batch_rows, uploads
from app.services.batch_plan import Outcome
from tests.conftest import World
from tests.unit.services.test_uploads import (
    TODAY,
    counts,
    csv_bytes,
    problems,
    snapshot,
    xlsx_bytes,
)

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
COLUMNS = file_columns()
FUZZ = settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

plausible = st.sampled_from(
    [
        "",
        " ",
        "P1-001",
        "0000101",
        "0000104",
        "100000001",
        "Yes",
        "No",
        "0",
        "-1",
        "0.25",
        "1.3",
        "6.5",
        "1e309",
        "NaN",
        "Infinity",
        "10000000000",
        "03/01/2026",
        "2026-02-30",
        "01/01/1900",
        "12/31/9999",
        "Active",
        "Closed",
        "Ready to Close",
        "Draft",
        "In-Person",
        "Online; Print/Other",
        "USA",
        "TX",
        "Source: 100",
        "A: In-kind; B: 5,000",
        ":",
        ";;;",
        "=SUM(A1)",
        "'=1+1",
        "Medical Knowledge",
        "Nurse",
        *v.ACTIVITY_FORMATS.values,
    ]
)
cell = st.one_of(plausible, st.text(max_size=40))
row = st.dictionaries(st.sampled_from(COLUMNS), cell, min_size=1, max_size=12)
rows = st.lists(row, min_size=1, max_size=4)


def _check(world: World, data: bytes, name: str, provider: Any | None = None) -> Outcome:
    outcome = uploads.check_only(
        db.session,
        world.staff,
        provider or world.p4,
        data,
        name,
        uploads.settings_from(_config()),
        today=TODAY,
    )
    assert isinstance(outcome, Outcome)
    total = outcome.created + outcome.updated + outcome.unchanged + outcome.rows_with_errors
    assert outcome.received == total
    assert outcome.rejected == (outcome.errors > 0)
    for problem in outcome.problems:
        assert problem.message.strip()
    return outcome


def _config() -> Any:
    from flask import current_app

    return current_app.config


def _no_control(rows_: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: _XLSX_ILLEGAL.sub("", value) for k, value in r.items()} for r in rows_]


@FUZZ
@given(
    rows=rows,
    key=st.sampled_from(["", "P4-001", "FUZZ-1"]),
    kind=st.sampled_from(["csv", "xlsx", "xml", "txt"]),
)
def test_generated_rows_give_problems_never_an_exception(
    world: World, rows: list[dict[str, str]], key: str, kind: str
) -> None:
    if key:
        rows = [{"Provider Activity ID": key, **r} for r in rows]
    if kind == "csv":
        data = csv_bytes(rows)
    elif kind == "txt":
        data = csv_bytes(rows, delimiter="\t")
    elif kind == "xlsx":
        data = xlsx_bytes(_no_control(rows))
    else:
        data = activity_xml(rows)
    _check(world, data, f"fuzz.{kind}")


@FUZZ
@given(rows=rows)
def test_generated_rows_for_a_state_provider(world: World, rows: list[dict[str, str]]) -> None:
    _check(
        world, csv_bytes([{"Provider Activity ID": "P1-001", **r} for r in rows]), "f.csv", world.p1
    )


BOMS = [
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF8 + codecs.BOM_UTF8,
]
DOCTYPES = [
    b'<!DOCTYPE x [<!ENTITY e "e">]>\n',
    b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">\n',
    b"<!DOCTYPE html>\n",
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A sample file with one or more mutations, under its own or another extension."""
    path = draw(st.sampled_from(sorted(SAMPLES.iterdir())))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["truncate", "flip", "nul", "bom", "doctype", "insert"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "truncate":
            data = data[:at]
        elif how == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif how == "nul":
            data[at:at] = b"\x00"
        elif how == "bom":
            data[0:0] = draw(st.sampled_from(BOMS))
        elif how == "doctype":
            declaration = data.find(b"?>")
            cut = declaration + 2 if declaration >= 0 else 0
            data[cut:cut] = draw(st.sampled_from(DOCTYPES))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    name = path.name
    if draw(st.booleans()):
        name = "mutated" + draw(st.sampled_from([".csv", ".txt", ".xlsx", ".xml", ".tsv", ".xls"]))
    return bytes(data), name


@FUZZ
@given(sample=mutated())
def test_mutated_files_are_checked_or_rejected(world: World, sample: tuple[bytes, str]) -> None:
    data, name = sample
    _check(world, data, name)


@settings(
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sample=mutated())
def test_mutated_files_received_are_ready_or_rejected_and_write_nothing(
    world: World, sample: tuple[bytes, str]
) -> None:
    data, name = sample
    before = snapshot()
    upload = uploads.receive(
        db.session,
        world.staff,
        world.p4.id,
        name,
        data,
        uploads.settings_from(_config()),
        today=TODAY,
    )
    status, received, created, updated, unchanged, rejected = counts(upload)
    assert status in (uploads.READY, uploads.REJECTED)
    assert received == created + updated + unchanged + rejected
    if status == uploads.REJECTED:
        assert any(p.severity == "error" and p.message.strip() for p in problems(upload))
    assert snapshot() == before


#: Columns the property below sets itself (the key, the status, the dates).
_FIXED = {
    "Provider Activity ID",
    "ACCME Activity ID",
    "ACCME Provider ID",
    "Status",
    "Start Date",
    "End Date",
}
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 .,&()'-/", max_size=30)


def valid_cell(heading: str) -> st.SearchStrategy[str]:
    """Text a user might well type in the column, mostly acceptable to its field."""
    spec = ROW_COLUMNS[heading].spec
    if spec.vocabulary is not None:
        values = st.sampled_from(spec.vocabulary.values)
        cased = st.one_of(values, values.map(str.upper), values.map(lambda x: f" {x.lower()} "))
        if spec.kind is Kind.MULTI_CHOICE:
            return st.lists(cased, max_size=3).map("; ".join)
        return cased
    if spec.kind is Kind.DATE:
        days = st.dates(dt.date(2026, 1, 11), dt.date(2027, 12, 31))
        return st.one_of(days.map(lambda d: d.strftime("%m/%d/%Y")), days.map(str))
    if spec.kind is Kind.DECIMAL:
        quarters = st.integers(1, 40).map(lambda n: Decimal(n) / 4)
        return st.one_of(quarters.map(str), quarters.map(lambda d: f"{d:.2f}"))
    if spec.kind is Kind.INTEGER:
        return st.integers(0, 100_000).map(str)
    if spec.kind is Kind.BOOLEAN:
        return st.sampled_from(["Yes", "No", "yes", "TRUE", "0", "n"])
    if spec.kind is Kind.NAME_LIST:
        return st.lists(_WORDS.filter(lambda w: w.strip() and ";" not in w), max_size=3).map(
            "; ".join
        )
    if spec.kind is Kind.SUPPORT_LIST:
        amount = st.one_of(st.just("In-kind"), st.integers(1, 10**6).map(str))
        item = st.tuples(_WORDS.filter(lambda w: w.strip() and ":" not in w), amount)
        return st.lists(item.map(": ".join), max_size=3).map("; ".join)
    if spec.pattern:
        return st.from_regex(spec.pattern, fullmatch=True).filter(
            lambda x: len(x) <= (spec.max_length or 100) and x == x.strip()
        )
    return _WORDS


@st.composite
def valid_cells(draw: st.DrawFn) -> dict[str, str]:
    headings = draw(st.lists(st.sampled_from(_EXTRA_COLUMNS), max_size=8, unique=True))
    return {heading: draw(valid_cell(heading)) for heading in headings}


ROW_COLUMNS = batch_rows.COLUMNS
_EXTRA_COLUMNS = [c for c in ROW_COLUMNS if c not in _FIXED]

BASE_ROW = {
    "Activity Title": "Fuzzed",
    "Activity Format": "Live Course",
    "Start Date": "03/01/2026",
    "End Date": "03/02/2026",
    "Status": "Draft",
}
_keys = iter(range(1, 10**9))


@settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extra=st.one_of(
        valid_cells(), st.dictionaries(st.sampled_from(COLUMNS), plausible, max_size=6)
    ),
    kind=st.sampled_from(["csv", "xml", "xlsx"]),
)
def test_whatever_is_accepted_is_written_and_re_imports_unchanged(
    world: World, extra: dict[str, str], kind: str
) -> None:
    key = f"FZ-{next(_keys)}"
    data_row = {**BASE_ROW, **extra, "Provider Activity ID": key}
    if kind == "csv":
        data = csv_bytes([data_row])
    elif kind == "xlsx":
        data = xlsx_bytes(_no_control([data_row]))
    else:
        data = activity_xml([data_row])
    config = uploads.settings_from(_config())
    name = f"fuzz.{kind}"
    upload = uploads.receive(db.session, world.staff, world.p4.id, name, data, config, today=TODAY)
    if upload.status != uploads.READY:
        assert upload.status == uploads.REJECTED
        return
    done = uploads.confirm(db.session, world.staff, upload.id, config, today=TODAY)
    assert counts(done)[0] == uploads.COMMITTED
    again = uploads.receive(db.session, world.staff, world.p4.id, name, data, config, today=TODAY)
    assert counts(again) == (uploads.READY, 1, 0, 0, 1, 0), [
        (p.column, p.message) for p in problems(again)
    ]
