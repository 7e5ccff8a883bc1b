"""The committed sample and malformed batch files behave as tests/data/README.md says:
samples read without errors and their values parse; files wrong as files are refused or
flagged by their reader; files wrong in their values read fine and fail value parsing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.importers.base import ERROR, WARNING, FileRejected, Limits, SourceRow
from app.importers.open import open_batch
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.values import ValueProblem, parse_value

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLES = DATA / "samples"
MALFORMED = DATA / "malformed"
TEXT_AND_EXCEL = {".csv", ".txt", ".xlsx"}
FIELDS_BY_LABEL = {spec.label: spec for spec in ACTIVITY_FIELDS}

REJECTED = [
    "empty.csv",
    "header_only.csv",
    "binary.csv",
    "utf16.csv",
    "unknown_column.csv",
    "duplicate_column.csv",
    "no_key_column.csv",
    "not_a_zip.xlsx",
    "truncated.xlsx",
    "no_content_types.xlsx",
    "zip_bomb.xlsx",
    "many_entries.xlsx",
]
ROW_ERRORS = [
    "ragged_rows.csv",
    "legacy_bad_type_code.txt",
    "legacy_short_row.txt",
    "formula_cells.xlsx",
]
BAD_VALUES = [
    "bad_dates.csv",
    "bad_vocabulary.csv",
    "negative_numbers.csv",
    "xlsx_bad_values.xlsx",
]


def read(path: Path) -> list[SourceRow]:
    return list(open_batch(path, path.name, Limits()).rows())


def errors(rows: list[SourceRow]) -> list[str]:
    return [p.message for row in rows for p in row.problems if p.severity == ERROR]


def value_problems(rows: list[SourceRow]) -> list[str]:
    found = []
    for row in rows:
        for column, raw in row.cells.items():
            if column in FIELDS_BY_LABEL:
                try:
                    parse_value(FIELDS_BY_LABEL[column], raw)
                except ValueProblem as problem:
                    found.append(problem.message)
    return found


@pytest.mark.parametrize("name", REJECTED)
def test_file_is_refused(name: str) -> None:
    with pytest.raises(FileRejected):
        read(MALFORMED / name)


@pytest.mark.parametrize("name", ROW_ERRORS)
def test_reader_reports_a_row_error(name: str) -> None:
    assert errors(read(MALFORMED / name))


def test_template_c_old_fields_give_warnings_only() -> None:
    path = SAMPLES / "legacy_template_c.txt"
    rows = read(path)
    assert errors(rows) == []
    warned = {p.column for row in rows for p in row.problems if p.severity == WARNING}
    assert {"Reporting Year", "Expenses (Activity)", "# of Commercial Supporters"} <= warned


@pytest.mark.parametrize("name", ["activities.csv", "activities.xlsx", "legacy_template_d.txt"])
def test_sample_reads_without_errors_and_its_values_parse(name: str) -> None:
    rows = read(SAMPLES / name)
    assert len(rows) == 3
    assert errors(rows) == []
    assert value_problems(rows) == []


def test_csv_and_xlsx_samples_agree() -> None:
    csv_rows = [row.cells for row in read(SAMPLES / "activities.csv")]
    xlsx_rows = [row.cells for row in read(SAMPLES / "activities.xlsx")]
    assert csv_rows == xlsx_rows


@pytest.mark.parametrize("name", BAD_VALUES)
def test_values_file_reads_but_values_fail(name: str) -> None:
    rows = read(MALFORMED / name)
    assert errors(rows) == []
    assert value_problems(rows)


def test_missing_required_file() -> None:
    rows = read(MALFORMED / "missing_required.csv")
    assert errors(rows) == []
    assert any(not row.cells["Activity Title"] for row in rows)
    assert any(not row.cells["Activity Format"] for row in rows)


def test_duplicate_activity_id_file() -> None:
    rows = read(MALFORMED / "duplicate_activity_id.csv")
    assert errors(rows) == []
    ids = Counter(row.cells["Provider Activity ID"] for row in rows)
    assert ids.most_common(1)[0] == ("CSV-001", 2)


def _text_and_excel_files(folder: Path) -> set[str]:
    """The files of the text and Excel readers (XML files are tested with their reader)."""
    return {path.name for path in folder.iterdir() if path.suffix in TEXT_AND_EXCEL}


def test_readme_lists_every_file() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in _text_and_excel_files(SAMPLES) | _text_and_excel_files(MALFORMED):
        assert f"`{name}`" in readme
    listed = set(REJECTED + ROW_ERRORS + BAD_VALUES)
    listed |= {"missing_required.csv", "duplicate_activity_id.csv"}
    assert listed == _text_and_excel_files(MALFORMED)


def test_zip_bomb_file_stays_small() -> None:
    assert (MALFORMED / "zip_bomb.xlsx").stat().st_size < 200 * 1024
