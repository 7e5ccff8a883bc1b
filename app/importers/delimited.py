"""Reading comma-, semicolon- or tab-separated batch files (.csv, .txt).

The text is UTF-8 (with or without the byte-order mark Excel writes for "CSV UTF-8"); a
file that is not UTF-8 is read as Windows-1252, the encoding of Excel's plain "CSV" on
Western Windows, and the report says so. Anything else (UTF-16 "Unicode text", binary
data) is refused with the advice to save the file as CSV UTF-8.

A .txt file is tab-separated; for a .csv file the separator is the one of comma, tab and
semicolon that splits the first line into the most cells (Excel in many European
locales writes semicolons). Rows are numbered as a spreadsheet shows them: the header is
row 1, a cell holding a line break does not start a new row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.importers.base import (
    WARNING,
    FileRejected,
    Limits,
    Problem,
    Source,
    SourceRow,
    binary,
    too_many_rows,
)
from app.importers.columns import Layout, clean_cell, is_blank
from app.importers.legacy import layout_for

#: The biggest text file read (the upload limit is lower; this only bounds memory).
MAX_TEXT_BYTES = 64 * 1024 * 1024
SAVE_AS_CSV = (
    "Save it as CSV UTF-8 (in Excel: File > Save As, 'CSV UTF-8 (Comma delimited) (*.csv)') "
    "and upload it again, or upload the Excel workbook itself."
)
NOT_TEXT = "The file is not a text file that PARS can read. " + SAVE_AS_CSV
CANDIDATE_DELIMITERS = (",", "\t", ";")
#: How much of the start of the file is looked at to choose the separator.
SNIFF_CHARS = 64 * 1024
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Control characters that never appear in a text file (tab, line feed and carriage
#: return are allowed; Ctrl-Z ends some old DOS files and is dropped at the end).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_all(source: Source) -> bytes:
    """The file's bytes (a text batch file is small enough to hold in memory)."""
    with binary(source) as stream:
        data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise FileRejected("The file is too large to upload. Split it into several files.")
    return data


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """The text of the file, and a warning when it had to be read as Windows-1252.

    UTF-16/UTF-32 text, NUL bytes and bytes that are not characters in Windows-1252 mean
    the file is not a text file PARS can read.
    """
    if data.startswith(_WIDE_BOMS) or b"\x00" in data:
        raise FileRejected(NOT_TEXT)
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRejected(NOT_TEXT) from None
        problems.append(
            Problem(
                None,
                "",
                "",
                "The file is not in UTF-8, so it was read as Windows-1252 (Western European). "
                "If accented letters look wrong in the report, save the file as CSV UTF-8 and "
                "upload it again.",
                WARNING,
            )
        )
    text = text.rstrip("\x1a")
    if _CONTROL.search(text):
        raise FileRejected(NOT_TEXT)
    return text, problems


def choose_delimiter(text: str, kind: str) -> str:
    """Tab for a .txt file; for a .csv file whichever of comma, tab and semicolon splits
    the first line (quoted cells respected) into the most cells, comma on a tie."""
    if kind != "csv":
        return "\t"
    head = text[:SNIFF_CHARS]
    best, most = ",", 0
    for delimiter in CANDIDATE_DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(first) > most:
            best, most = delimiter, len(first)
    return best


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, cleaned cells) for every record, blank ones included; a quoted
    cell spanning several lines is one record."""
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
        yield number, [clean_cell(cell) for cell in cells]


def _non_blank(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    return ((number, cells) for number, cells in records if not is_blank(cells))


@dataclass
class DelimitedFile:
    """An opened .csv/.txt batch file; rows are read again from its text on each pass."""

    file_format: str
    columns: list[str]
    text: str
    delimiter: str
    layout: Layout
    first_data: int
    limits: Limits
    file_problems: list[Problem]

    def rows(self) -> Iterator[SourceRow]:
        """Every non-blank row from the first data row on; FileRejected past the limit."""
        try:
            yield from self._rows()
        except FileRejected:
            raise
        except Exception as exc:  # a reader never lets another error out
            raise FileRejected("The file could not be read to the end. " + SAVE_AS_CSV) from exc

    def _rows(self) -> Iterator[SourceRow]:
        self.layout.restart()
        count = 0
        for number, cells in _non_blank(_records(self.text, self.delimiter)):
            if number < self.first_data:
                continue
            count += 1
            if count > self.limits.max_rows:
                raise too_many_rows(self.limits)
            yield self.layout.to_row(number, cells)


def _open(source: Source, kind: str, limits: Limits) -> DelimitedFile:
    text, problems = decode(_read_all(source))
    if not text.strip():
        raise FileRejected("The file is empty.")
    delimiter = choose_delimiter(text, kind)
    records = _non_blank(_records(text, delimiter))
    number, first = next(records, (0, []))
    if not first:
        raise FileRejected("The file is empty.")
    layout, is_header = layout_for(first, number)
    first_data = number + 1 if is_header else number
    if is_header and next(records, None) is None:
        raise FileRejected("The file has no activities: it has a header row but no data rows.")
    return DelimitedFile(
        file_format=kind,
        columns=layout.columns,
        text=text,
        delimiter=delimiter,
        layout=layout,
        first_data=first_data,
        limits=limits,
        file_problems=problems + layout.file_problems,
    )


def open_delimited(source: Source, kind: str, limits: Limits) -> DelimitedFile:
    """The opened text file; FileRejected when it cannot be read as activity rows."""
    try:
        return _open(source, kind, limits)
    except FileRejected:
        raise
    except Exception as exc:  # e.g. the file cannot be read from disk
        raise FileRejected("The file could not be read. " + SAVE_AS_CSV) from exc
