"""Excel batch files: the zip container is checked before parsing (type, bombs, odd part
names), the Activities sheet is read row by row, typed cells become the text a user would
type and formulas are reported."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from app.importers.base import ERROR, FileRejected, Limits, SourceRow
from app.importers.xlsx import cell_text, check_container, open_xlsx
from tests.unit.importers.test_legacy import legacy_row

HEADER = ["Provider Activity ID", "Activity Title", "Activity Format", "Start Date", "End Date"]


def xlsx_bytes(*rows: list[Any], title: str = "Activities", first: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if first is not None:
        sheet.title = first
        sheet.append(["Read me first"])
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes, limits: Limits | None = None) -> list[SourceRow]:
    return list(open_xlsx(data, limits or Limits()).rows())


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rejected(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        read(data, limits)
    return caught.value.message


def test_current_layout_with_typed_cells() -> None:
    data = xlsx_bytes(
        [*HEADER, "AMA PRA Category 1 Credits", "Physician Learners", "CME Finder", "MIPS"],
        [
            "XLS-001",
            "  Heart  ",
            "Live Course",
            dt.datetime(2026, 1, 15),
            dt.date(2026, 1, 16),
            1.5,
            120,
            True,
            False,
        ],
        [1002, "Lungs", "Live Course", dt.datetime(2026, 3, 1, 14, 30), None, 2.0, 35.0],
        [None, None, None],
        ["XLS-003", "'=Not a formula", "Enduring Material", None, None, 0.1 + 0.2, 1e16],
    )
    opened = open_xlsx(data, Limits())
    assert opened.file_format == "xlsx"
    assert opened.columns[:5] == HEADER
    assert opened.file_problems == []
    rows = list(opened.rows())
    assert [row.number for row in rows] == [2, 3, 5]
    first, second, third = (row.cells for row in rows)
    assert first["Activity Title"] == "Heart"
    assert first["Start Date"] == "01/15/2026" and first["End Date"] == "01/16/2026"
    assert first["AMA PRA Category 1 Credits"] == "1.5"
    assert first["Physician Learners"] == "120"
    assert (first["CME Finder"], first["MIPS"]) == ("Yes", "No")
    assert second["Provider Activity ID"] == "1002"
    assert second["Start Date"] == "03/01/2026" and second["End Date"] == ""
    assert second["AMA PRA Category 1 Credits"] == "2" and second["Physician Learners"] == "35"
    assert second["CME Finder"] == ""
    assert third["Activity Title"] == "=Not a formula"
    assert third["AMA PRA Category 1 Credits"] == "0.3"
    assert third["Physician Learners"] == "10000000000000000"
    assert all(row.problems == [] for row in rows)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "Yes"),
        (False, "No"),
        (dt.date(2026, 2, 3), "02/03/2026"),
        (dt.datetime(2026, 12, 31, 23, 59), "12/31/2026"),
        (7, "7"),
        (7.0, "7"),
        (1.25, "1.25"),
        (1234567.5, "1234567.5"),
        (1e-7, "0.0000001"),
        (" text ", "text"),
        ("'+1 555 0100", "+1 555 0100"),
    ],
)
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_formula_cell_is_an_error_on_its_row_and_column() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", '=CONCAT("A","B")', "Live Course", None, None])
    [row] = read(data)
    assert [(p.row, p.column, p.severity) for p in row.problems] == [(2, "Activity Title", ERROR)]
    assert "contains a formula; paste the value instead" in row.problems[0].message
    assert row.cells["Activity Title"] == ""


def test_activities_sheet_is_preferred() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "T", "Live Course", None, None], first="Instructions")
    [row] = read(data)
    assert row.cells["Provider Activity ID"] == "XLS-001"


def test_first_sheet_when_no_activities_sheet() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "T", "Live Course", None, None], title="Sheet1")
    assert [row.number for row in read(data)] == [2]


def test_stray_value_beyond_the_header() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "T", "Live Course", None, None, None, "x"])
    [row] = read(data)
    assert [(p.row, p.value) for p in row.problems] == [(2, "x")]
    assert "column 7 (G)" in row.problems[0].message


def test_too_many_rows() -> None:
    data = xlsx_bytes(HEADER, *[[f"XLS-00{i}", "T", "Live Course"] for i in range(4)])
    rows = open_xlsx(data, Limits(max_rows=3)).rows()
    assert [next(rows).number for _ in range(3)] == [2, 3, 4]
    with pytest.raises(FileRejected) as caught:
        next(rows)
    assert "more than 3 activities" in caught.value.message


def test_header_problems_refuse_the_file() -> None:
    assert "'Hours'" in rejected(xlsx_bytes([*HEADER, "Hours"], ["XLS-001"]))
    assert "appears twice" in rejected(xlsx_bytes([*HEADER, "Start Date"], ["XLS-001"]))
    assert "no 'Provider Activity ID'" in rejected(xlsx_bytes(HEADER[1:], ["T"]))


def test_empty_and_header_only_workbooks() -> None:
    assert "empty" in rejected(xlsx_bytes())
    assert "no activities" in rejected(xlsx_bytes(HEADER, [None, None]))


def test_legacy_workbook_with_the_old_header() -> None:
    header = ["Template (DO NOT ALTER OR DELETE THIS COLUMN)"] + [f"H{i}" for i in range(46)]
    short = legacy_row()[:39]  # Excel drops the empty cells at the end of a row
    opened = open_xlsx(xlsx_bytes(header, short), Limits())
    assert "Template D" in opened.file_problems[0].message
    [row] = list(opened.rows())
    assert row.number == 2
    assert row.cells["Activity Format"] == "Live Course"
    assert [p for p in row.problems if p.severity == ERROR] == []


def test_not_a_zip() -> None:
    assert "not an Excel workbook" in rejected(b"Provider Activity ID,Activity Title\r\n")
    assert "empty" in rejected(b"")


def test_truncated_workbook() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "T", "Live Course"])
    assert "damaged or incomplete" in rejected(data[: len(data) // 2])


def test_corrupted_entry_is_damaged() -> None:
    data = bytearray(xlsx_bytes(HEADER, *[["XLS-001", "T" * 50, "Live Course"]] * 50))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 10, start + 40):
        data[offset] ^= 0x5A
    assert "damaged or incomplete" in rejected(bytes(data))


def test_zip_without_content_types() -> None:
    data = zip_bytes({"xl/workbook.xml": b"<workbook/>"})
    assert "not an Excel workbook" in rejected(data)


def test_zip_with_content_types_but_no_workbook_is_damaged() -> None:
    data = zip_bytes({"[Content_Types].xml": b"<Types/>"})
    assert "damaged or incomplete" in rejected(data)


def test_too_many_entries() -> None:
    entries = {"[Content_Types].xml": b"<Types/>"} | {f"x/{i}.xml": b"" for i in range(10)}
    message = rejected(zip_bytes(entries), Limits(max_xlsx_entries=10))
    assert "more than 10 parts" in message


def test_too_large_declared_size() -> None:
    entries = {"[Content_Types].xml": b"<Types/>", "xl/big.xml": b"\0" * 5_000}
    with pytest.raises(FileRejected) as caught:
        check_container(zip_bytes(entries), Limits(max_xlsx_uncompressed=4_000))
    assert "unpacks to more than" in caught.value.message


def test_real_workbook_within_limits_passes_the_container_check() -> None:
    check_container(xlsx_bytes(HEADER), Limits())


@pytest.mark.parametrize("name", ["../evil.xml", "/abs.xml", "xl/../../evil.xml"])
def test_suspicious_part_names(name: str) -> None:
    entries = {"[Content_Types].xml": b"<Types/>", name: b"x"}
    assert "not an Excel workbook" in rejected(zip_bytes(entries))


def test_binary_garbage() -> None:
    assert "not an Excel workbook" in rejected(bytes(range(256)) * 8)
