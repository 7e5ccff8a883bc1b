"""Excel batch files: the zip container is checked before parsing (type, bombs, odd part
names), the Activities sheet is read row by row, typed cells become the text a user would
type and formulas are reported (read as plain values, with a second look at text starting
with "="); one pass over the rows opens the workbook once and never sizes the sheet."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.formula import ArrayFormula

from app.importers import xlsx
from app.importers.base import ERROR, WARNING, FileRejected, Limits, SourceRow
from app.importers.xlsx import FORMULA, cell_text, check_container, open_xlsx
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


# --- plain values, the second look at "="-text, one opening per pass ---------------------


def text_cell(sheet: Any, coordinate: str, text: str) -> None:
    """A text cell that starts with '=' (openpyxl would store a formula for such a value;
    Excel stores '=abc typed with an apostrophe this way)."""
    cell = sheet[coordinate]
    cell.value = text
    cell.data_type = "s"


def edit_sheet(data: bytes, edit: Callable[[str], str]) -> bytes:
    """The workbook with its first sheet's XML changed by ``edit``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(buffer, "w") as new:
        for entry in old.infolist():
            content = old.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = edit(content.decode()).encode()
            new.writestr(entry, content)
    return buffer.getvalue()


def formulas(rows: list[SourceRow]) -> list[tuple[int, str, str]]:
    return [(p.row or 0, p.column, p.value) for row in rows for p in row.problems]


def test_text_starting_with_equals_is_text_not_a_formula() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Activities"
    sheet.append(HEADER)
    sheet.append(["XLS-001", None, "Live Course"])
    text_cell(sheet, "B2", "=Not a formula")
    buffer = io.BytesIO()
    book.save(buffer)
    [row] = read(buffer.getvalue())
    assert row.cells["Activity Title"] == "=Not a formula"
    assert row.problems == []


def test_formulas_among_equals_text_in_many_rows() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Activities"
    sheet.append(HEADER)
    sheet.append(["XLS-002", '=A2&" title"', "Live Course"])  # row 2: a formula
    sheet.append(["XLS-003", None, "Live Course"])  # row 3: "=" text
    text_cell(sheet, "B3", "=Equals text")
    sheet.append(["XLS-004", "Plain", "Live Course"])  # row 4: nothing
    sheet.append(["XLS-005", None, "=UPPER(B5)", None, "=TODAY()"])  # row 5: text, formulas
    text_cell(sheet, "B5", "=More text")
    sheet["D6"] = ArrayFormula("D6", "=MAX(D2:D5)")  # row 6: an array formula
    sheet["A6"] = "XLS-006"
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read(buffer.getvalue())
    assert [row.number for row in rows] == [2, 3, 4, 5, 6]
    assert formulas(rows) == [
        (2, "Activity Title", '=A2&" title"'),
        (5, "Activity Format", "=UPPER(B5)"),
        (5, "End Date", "=TODAY()"),
        (6, "Start Date", "=MAX(D2:D5)"),
    ]
    assert all(p.message == FORMULA for row in rows for p in row.problems)
    assert [row.cells["Activity Title"] for row in rows] == [
        "",
        "=Equals text",
        "Plain",
        "=More text",
        "",
    ]
    assert rows[3].cells["Activity Format"] == "" and rows[3].cells["End Date"] == ""


def test_shared_formula_cells_are_formulas() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "=A2", "Live Course"], ["XLS-002", "=A3", "Online"])
    # Excel writes a formula filled down as one shared formula: later cells hold no text.
    data = edit_sheet(
        data,
        lambda xml: xml.replace("<f>A2</f>", '<f t="shared" ref="B2:B3" si="0">A2</f>').replace(
            "<f>A3</f>", '<f t="shared" si="0"/>'
        ),
    )
    rows = read(data)
    assert formulas(rows) == [(2, "Activity Title", "=A2"), (3, "Activity Title", "=A3")]


def _count_cell_passes() -> Any:
    """A spy on the sheet iterators that return cell objects (the second look)."""
    original = ReadOnlyWorksheet.iter_rows
    calls: list[dict[str, Any]] = []

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("values_only"):
            calls.append(kwargs)
        return original(self, *args, **kwargs)

    return calls, mock.patch.object(ReadOnlyWorksheet, "iter_rows", spy)


def test_the_second_look_is_taken_only_where_needed() -> None:
    plain = xlsx_bytes(HEADER, *[[f"XLS-{i}", "Title", "Live Course"] for i in range(20)])
    calls, spy = _count_cell_passes()
    with spy:
        assert len(read(plain)) == 20
    assert calls == []
    many = xlsx_bytes(HEADER, *[[f"XLS-{i}", f"=A{i + 2}", "Live Course"] for i in range(20)])
    with spy:
        rows = read(many)
    assert len(formulas(rows)) == 20
    assert calls == [{"min_row": 2}]  # one iterator, started at the first formula, for all


def test_one_pass_opens_the_workbook_once() -> None:
    data = xlsx_bytes(HEADER, ["XLS-001", "T", "Live Course"], ["XLS-002", "U", "Online"])
    with mock.patch.object(xlsx, "load_workbook", wraps=load_workbook) as loads:
        opened = open_xlsx(data, Limits())
        first = list(opened.rows())
        assert loads.call_count == 1
        assert list(opened.rows()) == first
        assert loads.call_count == 2


def test_two_passes_at_once_read_the_same_rows() -> None:
    data = xlsx_bytes(HEADER, *[[f"XLS-{i}", "T", "Live Course"] for i in range(5)])
    opened = open_xlsx(data, Limits())
    one, two = opened.rows(), opened.rows()
    pairs = list(zip(one, two, strict=True))
    assert len(pairs) == 5
    assert all(a == b for a, b in pairs)


def test_legacy_warnings_come_again_on_a_second_pass() -> None:
    header = ["Template (DO NOT ALTER OR DELETE THIS COLUMN)"] + [f"H{i}" for i in range(46)]
    opened = open_xlsx(xlsx_bytes(header, legacy_row(**{"Hours of Instruction": "6"})), Limits())
    first, second = list(opened.rows()), list(opened.rows())
    assert first == second
    assert [(p.column, p.severity) for p in first[0].problems] == [
        ("Hours of Instruction", WARNING)
    ]


def write_only_bytes(*rows: list[Any]) -> bytes:
    """A workbook as openpyxl's write-only mode saves it: without a <dimension> element."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Activities")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_without_dimension_is_never_sized() -> None:
    data = write_only_bytes(HEADER, *[[f"XLS-{i}", "T", "Live Course"] for i in range(3)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the sheet was sized")

    with (
        mock.patch.object(ReadOnlyWorksheet, "_calculate_dimension", refuse),
        mock.patch.object(ReadOnlyWorksheet, "calculate_dimension", refuse),
    ):
        assert [row.number for row in read(data)] == [2, 3, 4]


def test_a_wrong_stored_size_hides_no_rows() -> None:
    data = xlsx_bytes(HEADER, *[[f"XLS-{i}", "T", "Live Course"] for i in range(4)])
    data = edit_sheet(
        data, lambda xml: xml.replace('<dimension ref="A1:E5"', '<dimension ref="A1:B2"')
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b'<dimension ref="A1:B2"' in archive.read("xl/worksheets/sheet1.xml")
    assert [row.number for row in read(data)] == [2, 3, 4, 5]
