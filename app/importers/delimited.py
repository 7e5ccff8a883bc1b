"""Reading comma-, semicolon- or tab-separated batch files (.csv, .txt).

The text is UTF-8 (with or without the byte-order mark Excel writes for "CSV UTF-8"); a
file that is not UTF-8 is read as Windows-1252, the encoding of Excel's plain "CSV" on
Western Windows, and the report says so. Anything else (UTF-16 "Unicode text", binary
data) is refused with the advice to save the file as CSV UTF-8.

A .txt file is tab-separated; for a .csv file the separator is the one of comma, tab and
semicolon that splits the first line into the most cells (Excel in many European
locales writes semicolons). Rows are numbered as a spreadsheet shows them: the header is
row 1, a cell holding a line break does not start a new row.

The file is never held in memory as a whole: opening it reads its bytes once, in chunks,
to choose the encoding (:func:`check_encoding`), then its first records for the header;
each pass over the rows decodes it again as a stream, one record at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

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
from app.importers.columns import Layout, clean_cells
from app.importers.legacy import layout_for

#: The biggest text file read. Not a memory bound (a file is streamed, never held): only
#: a guard against runaway files; the upload size and row limits are much lower.
MAX_TEXT_BYTES = 2 * 1024 * 1024 * 1024
#: How many bytes are read at a time while the encoding is checked.
SCAN_BYTES = 256 * 1024
SAVE_AS_CSV = (
    "Save it as CSV UTF-8 (in Excel: File > Save As, 'CSV UTF-8 (Comma delimited) (*.csv)') "
    "and upload it again, or upload the Excel workbook itself."
)
NOT_TEXT = "The file is not a text file that PARS can read. " + SAVE_AS_CSV
TOO_LARGE = "The file is too large to upload. Split it into several files."
CANDIDATE_DELIMITERS = (",", "\t", ";")
#: How much of the start of the file is looked at to choose the separator.
SNIFF_CHARS = 64 * 1024
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Ctrl-Z ends some old DOS files: a run of it at the very end of the file is dropped.
CTRL_Z = "\x1a"
_CTRL_Z_BYTE = CTRL_Z.encode()
#: Control characters that never appear in a text file (tab, line feed and carriage
#: return are allowed). In UTF-8 and in Windows-1252 alike each of them is one byte, the
#: same byte, and no other character uses that byte, so they are looked for in the bytes.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The bytes that are no character in Windows-1252 (Python's cp1252 codec refuses them).
_UNDEFINED_CP1252 = bytes(
    byte for byte in range(256) if bytes([byte]).decode("cp1252", "replace") == "\ufffd"
)
_NOT_CP1252 = re.compile(b"[" + re.escape(_UNDEFINED_CP1252) + b"]")
#: An ASCII character that is not white space (it decodes to itself in both encodings).
_VISIBLE_ASCII = re.compile(rb"[^\t\n\x0b\x0c\r \x80-\xff]")
WINDOWS_1252_WARNING = (
    "The file is not in UTF-8, so it was read as Windows-1252 (Western European). "
    "If accented letters look wrong in the report, save the file as CSV UTF-8 and "
    "upload it again."
)


@dataclass(frozen=True)
class TextEncoding:
    """How a text file's bytes are read, as found by :func:`check_encoding`."""

    #: "utf-8-sig" (a leading byte-order mark is dropped) or "cp1252".
    encoding: str
    #: The size of the file in bytes, and how many of them are text: a run of Ctrl-Z at
    #: the end of the file is not.
    size: int
    length: int
    #: Whether an ASCII character other than white space was seen (the text is not blank).
    visible: bool
    #: The warning that the file was read as Windows-1252, if it was.
    problems: list[Problem] = field(default_factory=list)

    @property
    def ends_with_ctrl_z(self) -> bool:
        return self.length < self.size


def _size(stream: BinaryIO) -> int:
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return size


def check_encoding(stream: BinaryIO) -> TextEncoding:
    """The encoding of the text in ``stream``, read once in chunks of :data:`SCAN_BYTES`
    (the text itself is not kept): UTF-8 if all of it is UTF-8, else Windows-1252 with a
    warning. UTF-16/UTF-32 text, NUL bytes and other control characters, and bytes that
    are characters in neither encoding raise FileRejected (the file is not text)."""
    size = _size(stream)
    if size > MAX_TEXT_BYTES:
        raise FileRejected(TOO_LARGE)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    read = length = 0
    ctrl_z_before = False  # the bytes read so far end with Ctrl-Z
    visible = False
    chunk = stream.read(SCAN_BYTES)
    while len(chunk) < len(codecs.BOM_UTF32_LE) and (more := stream.read(SCAN_BYTES)):
        chunk += more  # enough of the start of the file to see a byte-order mark
    if chunk.startswith(_WIDE_BOMS):
        raise FileRejected(NOT_TEXT)
    while chunk:
        text = chunk.rstrip(_CTRL_Z_BYTE)
        if text:
            if ctrl_z_before or _CONTROL.search(text):  # Ctrl-Z is only allowed at the end
                raise FileRejected(NOT_TEXT)
            length = read + len(text)
            visible = visible or _VISIBLE_ASCII.search(text) is not None
        ctrl_z_before = len(text) < len(chunk)
        read += len(chunk)
        if is_cp1252 and _NOT_CP1252.search(chunk):
            is_cp1252 = False
        if is_utf8 and not (chunk.isascii() and not utf8.getstate()[0]):
            try:
                utf8.decode(chunk)  # only to know that it decodes: the text is not kept
            except UnicodeDecodeError:
                is_utf8 = False
        if not (is_utf8 or is_cp1252):
            raise FileRejected(NOT_TEXT)
        chunk = stream.read(SCAN_BYTES)
    if read > MAX_TEXT_BYTES:
        raise FileRejected(TOO_LARGE)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)  # a character cut off at the end of the file
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        return TextEncoding("utf-8-sig", read, length, visible)
    if not is_cp1252:
        raise FileRejected(NOT_TEXT)
    warning = Problem(None, "", "", WINDOWS_1252_WARNING, WARNING)
    return TextEncoding("cp1252", read, length, visible, [warning])


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """The text of the file, and a warning when it had to be read as Windows-1252.

    UTF-16/UTF-32 text, NUL bytes and bytes that are not characters in Windows-1252 mean
    the file is not a text file PARS can read.
    """
    encoding = check_encoding(io.BytesIO(data))
    return data[: encoding.length].decode(encoding.encoding), list(encoding.problems)


def _text(source: Source, encoding: TextEncoding) -> TextIO:
    """The text of the file as a stream, decoded as it is read."""
    return io.TextIOWrapper(binary(source), encoding=encoding.encoding, newline="")


def _before_ctrl_z(lines: Iterable[str]) -> Iterator[str]:
    """The lines up to the Ctrl-Z run that ends the file (the only Ctrl-Z it holds)."""
    for line in lines:
        if CTRL_Z in line:
            line = line.partition(CTRL_Z)[0]
            if line:
                yield line
            return
        yield line


def _lines(text: TextIO, encoding: TextEncoding) -> Iterable[str]:
    return _before_ctrl_z(text) if encoding.ends_with_ctrl_z else text


def _is_blank_text(text: TextIO, head: str) -> bool:
    """Whether the text, ``head`` then the rest of ``text``, is only white space (only
    needed when the bytes showed no visible ASCII character)."""
    piece = head
    while piece:
        if piece.partition(CTRL_Z)[0].strip():
            return False
        piece = text.read(SNIFF_CHARS)
    return True


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


def _records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, cleaned cells) for every record, blank ones included; a quoted
    cell spanning several lines is one record."""
    number = 0
    try:
        for cells in csv.reader(lines, delimiter=delimiter):
            number += 1
            yield number, clean_cells(cells)
    except csv.Error as exc:
        raise FileRejected(
            f'Row {number + 1} cannot be read ({exc}); check for a quote mark (") that '
            "is opened but never closed.",
            row=number + 1,
        ) from None


def _non_blank(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    # A cleaned cell is '' or starts and ends with a visible character.
    return ((number, cells) for number, cells in records if any(cells))


@dataclass
class DelimitedFile:
    """An opened .csv/.txt batch file; each pass over the rows reads it again from its
    source (file contents or the path of the stored file), one record at a time."""

    file_format: str
    columns: list[str]
    source: Source
    encoding: TextEncoding
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
        count, limit, first_data = 0, self.limits.max_rows, self.first_data
        to_row = self.layout.to_row
        with _text(self.source, self.encoding) as text:
            records = _records(_lines(text, self.encoding), self.delimiter)
            for number, cells in _non_blank(records):
                if number < first_data:
                    continue
                count += 1
                if count > limit:
                    raise too_many_rows(self.limits)
                yield to_row(number, cells)


def _open(source: Source, kind: str, limits: Limits) -> DelimitedFile:
    with binary(source) as stream:
        encoding = check_encoding(stream)
    with _text(source, encoding) as text:
        head = text.read(SNIFF_CHARS).partition(CTRL_Z)[0]
        if not encoding.visible and _is_blank_text(text, head):
            raise FileRejected("The file is empty.")
    delimiter = choose_delimiter(head, kind)
    with _text(source, encoding) as text:
        records = _non_blank(_records(_lines(text, encoding), delimiter))
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
        source=source,
        encoding=encoding,
        delimiter=delimiter,
        layout=layout,
        first_data=first_data,
        limits=limits,
        file_problems=encoding.problems + layout.file_problems,
    )


def open_delimited(source: Source, kind: str, limits: Limits) -> DelimitedFile:
    """The opened text file; FileRejected when it cannot be read as activity rows."""
    try:
        return _open(source, kind, limits)
    except FileRejected:
        raise
    except Exception as exc:  # e.g. the file cannot be read from disk
        raise FileRejected("The file could not be read. " + SAVE_AS_CSV) from exc
