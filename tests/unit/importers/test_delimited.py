"""Text batch files: UTF-8 with or without BOM, Windows-1252 with a warning, anything else
refused; the separator is chosen from the header; rows are numbered as a spreadsheet
shows them; the row limit is enforced while reading. Files are streamed: the encoding is
decided from all of the bytes without holding them, and memory does not grow with the
file."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.importers import delimited
from app.importers.base import ERROR, WARNING, FileRejected, Limits, SourceRow, too_many_rows
from app.importers.columns import clean_cell, is_blank
from app.importers.delimited import (
    NOT_TEXT,
    SAVE_AS_CSV,
    choose_delimiter,
    decode,
    open_delimited,
)
from app.importers.legacy import TEMPLATE_D, layout_for
from app.schema.fields import file_columns
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


# --- streaming: the same outcome as reading the whole text, in bounded memory -------------

MB = 1024 * 1024
#: Past the first megabyte, and not on a chunk boundary.
FAR = MB + 17


def far_file(last_row: bytes) -> bytes:
    """A UTF-8/ASCII file whose last row, ``last_row``, starts more than 1 MB in."""
    filler = (ROW_1 + "\r\n").encode()
    return csv_bytes(HEADER) + filler * (FAR // len(filler) + 1) + last_row


def test_utf8_far_into_the_file_is_utf8() -> None:
    opened = open_delimited(
        far_file("CSV-009,Café médical,Live Course,,\r\n".encode()), "csv", Limits()
    )
    assert opened.file_problems == []
    *_, last = opened.rows()
    assert last.cells["Activity Title"] == "Café médical"


def test_windows_1252_far_into_the_file_is_found() -> None:
    data = far_file("CSV-009,Café médical,Live Course,,\r\n".encode("cp1252"))
    opened = open_delimited(data, "csv", Limits())
    assert [(p.row, p.severity) for p in opened.file_problems] == [(None, WARNING)]
    assert "Windows-1252" in opened.file_problems[0].message
    *_, last = opened.rows()
    assert last.cells["Activity Title"] == "Café médical"


@pytest.mark.parametrize(
    "last_row",
    [
        b"CSV-009,\x81\xe9,Live Course,,\r\n",  # neither UTF-8 nor Windows-1252
        b"CSV-009,A\x00B,Live Course,,\r\n",
        b"CSV-009,A\x1aB,Live Course,,\r\n",  # Ctrl-Z that does not end the file
    ],
)
def test_not_text_far_into_the_file_is_refused(last_row: bytes) -> None:
    with pytest.raises(FileRejected) as caught:
        open_delimited(far_file(last_row), "csv", Limits())
    assert caught.value.message == NOT_TEXT


def test_utf8_cut_off_at_the_end_is_windows_1252() -> None:
    opened = open_delimited(far_file(b"CSV-009,Caf\xc3"), "csv", Limits())
    assert "Windows-1252" in opened.file_problems[0].message
    *_, last = opened.rows()
    assert last.cells["Activity Title"] == "Caf\u00c3"


def test_utf8_character_across_a_chunk_boundary() -> None:
    boundary = 4 * delimited.SCAN_BYTES
    filler = (ROW_1 + "\r\n").encode()
    head = csv_bytes(HEADER) + filler * ((boundary - 200) // len(filler)) + b"CSV-009,"
    pad = b"x" * (boundary - 1 - len(head))  # the first byte of 'é' ends a chunk
    data = head + pad + "é,Live Course,,\r\n".encode()
    assert data[boundary - 1 : boundary + 1] == "é".encode()
    opened = open_delimited(data, "csv", Limits())
    assert opened.file_problems == []
    *_, last = opened.rows()
    assert last.cells["Activity Title"] == "x" * len(pad) + "é"


def test_ctrl_z_ending_the_file_is_dropped() -> None:
    plain = read(csv_bytes(HEADER, ROW_1, ROW_2))
    assert read(csv_bytes(HEADER, ROW_1, ROW_2) + b"\x1a\x1a") == plain
    assert read(csv_bytes(HEADER, ROW_1, ROW_2)[:-2] + b"\x1a") == plain


def test_a_path_is_read_again_on_each_pass(tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(csv_bytes(HEADER, ROW_1, ROW_2, bom=True))
    opened = open_delimited(path, "csv", Limits())
    first = list(opened.rows())
    assert [row.cells["Provider Activity ID"] for row in first] == ["CSV-001", "CSV-002"]
    assert list(opened.rows()) == first


def test_a_runaway_file_is_refused_before_it_is_read() -> None:
    data = csv_bytes(HEADER, ROW_1, ROW_2)
    with (
        mock.patch.object(delimited, "MAX_TEXT_BYTES", len(data) - 1),
        pytest.raises(FileRejected) as caught,
    ):
        read(data)
    assert "too large" in caught.value.message
    with mock.patch.object(delimited, "MAX_TEXT_BYTES", len(data)):
        assert len(read(data)) == 2


def test_blank_text_of_non_ascii_spaces_is_empty() -> None:
    with pytest.raises(FileRejected) as caught:
        read("\u00a0\u2003\r\n\u00a0".encode())
    assert caught.value.message == "The file is empty."


def _write_large_csv(path: Path, rows: int) -> int:
    """A realistic wide file (every PARS column, most cells blank, a long description with
    accents); returns its size. Written line by line, never held in memory."""
    columns = file_columns()
    description = columns.index("Activity Description")
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for number in range(rows):
            cells = [""] * len(columns)
            cells[columns.index("Provider Activity ID")] = f"BIG-{number:06d}"
            cells[columns.index("Activity Title")] = f"Cardiology update {number}"
            cells[columns.index("Start Date")] = "01/15/2026"
            cells[description] = "Évaluation et prise en charge, " * 70
            writer.writerow(cells)
    return path.stat().st_size


def test_a_large_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    size = _write_large_csv(path, 10_000)
    assert size > 20 * MB
    bound = 3 * MB  # the scan's chunk and its decoded text, the parser's buffers, a row
    tracemalloc.start()
    try:
        opened = open_delimited(path, "csv", Limits())
        count = 0
        last: SourceRow | None = None
        for row in opened.rows():
            count += 1
            last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 10_000
    assert last is not None and last.cells["Provider Activity ID"] == "BIG-009999"
    assert peak < bound, f"peak {peak / MB:.1f} MB reading a {size / MB:.0f} MB file"


# The reader as it was before streaming (the whole text decoded, then read from a
# StringIO): the reference the streaming reader must agree with, byte for byte.
_OLD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WIDE = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def old_decode(data: bytes) -> tuple[str, bool]:
    if data.startswith(_WIDE) or b"\x00" in data:
        raise FileRejected(NOT_TEXT)
    warned = False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRejected(NOT_TEXT) from None
        warned = True
    text = text.rstrip("\x1a")
    if _OLD_CONTROL.search(text):
        raise FileRejected(NOT_TEXT)
    return text, warned


def _old_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected(
                f'Row {number + 1} cannot be read ({exc}); check for a quote mark (") that '
                "is opened but never closed.",
                row=number + 1,
            ) from None
        number += 1
        cells = [clean_cell(cell) for cell in cells]
        if not is_blank(cells):
            yield number, cells


def old_outcome(data: bytes, kind: str, limits: Limits) -> tuple[Any, ...]:
    try:
        text, warned = old_decode(data)
        if not text.strip():
            raise FileRejected("The file is empty.")
        delimiter = choose_delimiter(text, kind)
        records = _old_records(text, delimiter)
        number, first = next(records, (0, []))
        if not first:
            raise FileRejected("The file is empty.")
        layout, is_header = layout_for(first, number)
        if is_header and next(records, None) is None:
            raise FileRejected("The file has no activities: it has a header row but no data rows.")
        first_data = number + 1 if is_header else number
        layout.restart()
        rows, count = [], 0
        try:
            for number, cells in _old_records(text, delimiter):
                if number < first_data:
                    continue
                count += 1
                if count > limits.max_rows:
                    raise too_many_rows(limits)
                rows.append(layout.to_row(number, cells))
        except FileRejected as exc:
            return ("ok", warned, layout.columns, layout.file_problems, rows, exc.message)
        return ("ok", warned, layout.columns, layout.file_problems, rows, None)
    except FileRejected as exc:
        return ("rejected", exc.message, exc.row)


def new_outcome(data: bytes, kind: str, limits: Limits) -> tuple[Any, ...]:
    try:
        opened = open_delimited(data, kind, limits)
    except FileRejected as exc:
        return ("rejected", exc.message, exc.row)
    warned = any("Windows-1252" in p.message for p in opened.file_problems)
    layout_problems = [p for p in opened.file_problems if "Windows-1252" not in p.message]
    rows: list[SourceRow] = []
    try:
        for row in opened.rows():
            rows.append(row)
    except FileRejected as exc:
        return ("ok", warned, opened.columns, layout_problems, rows, exc.message)
    return ("ok", warned, opened.columns, layout_problems, rows, None)


_PIECES = [
    b"a",
    b"Z",
    b"1",
    b" ",
    b",",
    b";",
    b"\t",
    b'"',
    b"'",
    b"=",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1a",
    b"\x00",
    b"\x07",
    b"\x7f",
    b"\x81",
    b"\x8d",
    b"\xa0",
    b"\xe9",
    b"\xc3\xa9",
    b"\xc3",
    b"\xa9",
    "\u2003".encode(),
    "\u20ac".encode(),
    codecs.BOM_UTF8,
    b"\xff\xfe",
    b"CSV-001",
    b"Live Course",
]
_STARTS = [
    b"",
    codecs.BOM_UTF8,
    (HEADER + "\r\n").encode(),
    codecs.BOM_UTF8 + (HEADER.replace(",", ";") + "\n").encode(),
    (HEADER.replace(",", "\t") + "\r").encode(),
    ("\t".join(legacy_row()) + "\r\n").encode(),
]
text_files = st.tuples(
    st.sampled_from(_STARTS),
    st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join),
    st.sampled_from([b"", b"\x1a", b"\x1a\x1a\x1a"]),
).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=text_files, kind=st.sampled_from(["csv", "txt"]), chunk=st.integers(1, 9))
def test_streaming_reader_agrees_with_reading_the_whole_text(
    data: bytes, kind: str, chunk: int
) -> None:
    limits = Limits(max_rows=2)
    with mock.patch.object(delimited, "SCAN_BYTES", chunk):
        assert new_outcome(data, kind, limits) == old_outcome(data, kind, limits)
        try:
            expected: tuple[Any, ...] = old_decode(data)
        except FileRejected as exc:
            expected = (exc.message,)
        try:
            text, problems = decode(data)
            found: tuple[Any, ...] = (text, bool(problems))
        except FileRejected as exc:
            found = (exc.message,)
        assert found == expected


def test_the_refusal_message_of_unreadable_text_is_unchanged() -> None:
    assert NOT_TEXT == "The file is not a text file that PARS can read. " + SAVE_AS_CSV
