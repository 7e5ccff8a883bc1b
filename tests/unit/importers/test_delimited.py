"""Text batch files: UTF-8 with or without BOM, Windows-1252 with a warning, anything else
refused; the separator is chosen from the header; rows are numbered as a spreadsheet
shows them; the row limit is enforced while reading."""

from __future__ import annotations

import codecs

import pytest

from app.importers.base import ERROR, WARNING, FileRejected, Limits, SourceRow
from app.importers.delimited import choose_delimiter, decode, open_delimited
from app.importers.legacy import TEMPLATE_D
from tests.unit.importers.test_legacy import legacy_row

HEADER = "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date"
ROW_1 = "CSV-001,Heart Failure Update,Live Course,01/15/2026,01/15/2026"
ROW_2 = "CSV-002,Diabetes Care,Enduring Material,02/01/2026,12/31/2026"


def read(data: bytes, kind: str = "csv", limits: Limits | None = None) -> list[SourceRow]:
    return list(open_delimited(data, kind, limits or Limits()).rows())


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


@pytest.mark.parametrize("bom", [True, False])
def test_current_layout_csv(bom: bool) -> None:
    opened = open_delimited(csv_bytes(HEADER, ROW_1, ROW_2, bom=bom), "csv", Limits())
    assert opened.file_format == "csv"
    assert opened.columns == [
        "Provider Activity ID",
        "Activity Title",
        "Activity Format",
        "Start Date",
        "End Date",
    ]
    assert opened.file_problems == []
    rows = list(opened.rows())
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].cells["Provider Activity ID"] == "CSV-001"
    assert rows[1].cells["End Date"] == "12/31/2026"
    assert all(row.problems == [] for row in rows)


def test_rows_can_be_read_twice() -> None:
    opened = open_delimited(csv_bytes(HEADER, ROW_1), "csv", Limits())
    assert list(opened.rows()) == list(opened.rows())


def test_windows_1252_is_read_with_a_warning() -> None:
    data = (HEADER + "\r\nCSV-001,Café médical,Live Course,01/15/2026,01/15/2026\r\n").encode(
        "cp1252"
    )
    opened = open_delimited(data, "csv", Limits())
    assert [(p.row, p.severity) for p in opened.file_problems] == [(None, WARNING)]
    assert "Windows-1252" in opened.file_problems[0].message
    assert next(opened.rows()).cells["Activity Title"] == "Café médical"


def test_semicolon_csv() -> None:
    data = csv_bytes(HEADER.replace(",", ";"), "CSV-001;Heart, Lungs;Live Course;;")
    [row] = read(data)
    assert row.cells["Activity Title"] == "Heart, Lungs"
    assert row.cells["Start Date"] == ""


def test_tab_txt_with_header() -> None:
    data = csv_bytes(HEADER.replace(",", "\t"), ROW_1.replace(",", "\t"))
    [row] = read(data, "txt")
    assert row.number == 2
    assert row.cells["Activity Format"] == "Live Course"


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"a;b",c,d', ","),
        ('"a,b";c;d', ";"),
        ("single", ","),
    ],
)
def test_delimiter_choice(first_line: str, expected: str) -> None:
    assert choose_delimiter(first_line + "\n1,2,3\n", "csv") == expected


def test_txt_is_always_tab() -> None:
    assert choose_delimiter("a,b,c\n", "txt") == "\t"


def test_blank_rows_are_skipped_and_rows_keep_their_numbers() -> None:
    data = csv_bytes(HEADER, "", ROW_1, ",,,,", '"CSV-003","Two\nlines",Live Course,,', ROW_2)
    rows = read(data)
    assert [row.number for row in rows] == [3, 5, 6]
    assert rows[1].cells["Activity Title"] == "Two\nlines"


def test_cells_are_cleaned() -> None:
    [row] = read(csv_bytes(HEADER, "  CSV-001  ,'=Risky title,'-5,,"))
    assert row.cells["Provider Activity ID"] == "CSV-001"
    assert row.cells["Activity Title"] == "=Risky title"
    assert row.cells["Activity Format"] == "-5"


def test_ragged_rows() -> None:
    rows = read(csv_bytes(HEADER, "CSV-001,Short", ROW_2 + ",,", ROW_1 + ",extra"))
    assert rows[0].problems == [] and rows[0].cells["End Date"] == ""
    assert rows[1].problems == []
    assert [(p.row, p.severity, p.value) for p in rows[2].problems] == [(4, ERROR, "extra")]


def test_too_many_rows_is_raised_while_reading() -> None:
    data = csv_bytes(HEADER, *[f"CSV-00{i},T,Live Course,," for i in range(5)])
    opened = open_delimited(data, "csv", Limits(max_rows=3))
    rows = opened.rows()
    assert [next(rows).number for _ in range(3)] == [2, 3, 4]
    with pytest.raises(FileRejected) as caught:
        next(rows)
    assert "more than 3 activities" in caught.value.message


def test_exactly_the_limit_is_fine() -> None:
    data = csv_bytes(HEADER, *[f"CSV-00{i},T,Live Course,," for i in range(3)])
    assert len(read(data, limits=Limits(max_rows=3))) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty"),
        (csv_bytes(HEADER, ",,,,", ""), "The file has no activities"),
        (HEADER.encode("utf-16"), "save it as"),
        (HEADER.encode("utf-16-le"), "not a text file"),
        (codecs.BOM_UTF32_LE + HEADER.encode("utf-32-le"), "not a text file"),
        (bytes(range(256)) * 4, "not a text file"),
        (b"Provider Activity ID\r\n\x81\x8d\r\n", "not a text file"),
        (b"Provider Activity ID\r\nA\x07B\r\n", "not a text file"),
    ],
)
def test_refused_files(data: bytes, message: str) -> None:
    with pytest.raises(FileRejected) as caught:
        read(data)
    assert message.casefold() in caught.value.message.casefold()


def test_unknown_column_is_refused_at_open() -> None:
    with pytest.raises(FileRejected) as caught:
        open_delimited(csv_bytes(HEADER + ",Hours", ROW_1 + ",2"), "csv", Limits())
    assert "'Hours'" in caught.value.message
    assert "column 6 (F)" in caught.value.message


def test_unclosed_quote_is_refused_with_its_row() -> None:
    text = HEADER + "\r\n" + 'CSV-001,"' + "x" * 140_000 + "\r\n"
    with pytest.raises(FileRejected) as caught:
        read(text.encode())
    assert caught.value.row == 2


def test_decode_keeps_utf8() -> None:
    assert decode("Café".encode()) == ("Café", [])
    assert decode(codecs.BOM_UTF8 + b"x") == ("x", [])


def test_legacy_template_d_tab_file_without_header() -> None:
    first = legacy_row(supporters=[["Pfizer", "5000", "No", "No", "No", "No", "No", "No"]])
    second = legacy_row(**{"Provider Activity ID": "1002", "Activity Type": "IEM"})
    unknown = legacy_row(**{"Provider Activity ID": "1003", "Activity Type": "XYZ"})
    lines = ["\t".join(first), "", "\t".join(second), "\t".join(unknown)]
    opened = open_delimited(("\r\n".join(lines) + "\r\n").encode(), "txt", Limits())
    assert "Template D" in opened.file_problems[0].message
    assert "Provider Activity ID" in opened.columns and "ACCME Activity ID" in opened.columns
    rows = list(opened.rows())
    assert [row.number for row in rows] == [1, 3, 4]
    assert rows[0].cells["Activity Format"] == "Live Course"
    assert rows[0].cells["Commercial Support Sources"] == "Pfizer: 5000"
    assert rows[1].cells["Activity Format"] == "Enduring Material"
    assert rows[1].cells["Delivery Methods"] == "Online"
    assert [p.column for p in rows[2].problems if p.severity == ERROR] == ["Activity Format"]


def test_legacy_warnings_come_again_on_a_second_pass() -> None:
    data = ("\t".join(legacy_row(**{"Hours of Instruction": "6"})) + "\r\n").encode()
    opened = open_delimited(data, "txt", Limits())
    first, second = next(opened.rows()), next(opened.rows())
    assert first.problems == second.problems
    assert [p.column for p in first.problems] == ["Hours of Instruction"]


def test_legacy_short_row_in_a_tab_file() -> None:
    lines = ["\t".join(legacy_row()), "\t".join(legacy_row()[:30])]
    rows = read(("\n".join(lines)).encode(), "txt")
    assert rows[0].problems == []
    assert [(p.row, p.severity) for p in rows[1].problems] == [(2, ERROR)]


def test_legacy_csv_with_the_old_header_row() -> None:
    header = ["Template (DO NOT ALTER OR DELETE THIS COLUMN)", "ACCME Activity ID"]
    header += [f"Heading {i}" for i in range(45)]
    lines = [",".join(header), ",".join(legacy_row())]
    opened = open_delimited(("\r\n".join(lines)).encode(), "csv", Limits())
    [row] = list(opened.rows())
    assert row.number == 2
    assert row.cells["Activity Title"] == "Heart Failure Update"
    assert [p for p in row.problems if p.severity == ERROR] == []
    assert TEMPLATE_D in opened.file_problems[0].message
