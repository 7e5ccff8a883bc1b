"""Reading Excel workbooks (.xlsx) uploaded as batch files.

Before the workbook is parsed, its zip container is checked: an .xlsx is a zip holding
"[Content_Types].xml", and one that declares too many entries or too many uncompressed
bytes (a "zip bomb") is refused without being unpacked. The sheet named "Activities" (the
template's) is read, or else the first sheet, streaming one row at a time.

Typed cells become the text a user would type: dates MM/DD/YYYY, Yes/No for logical
cells, numbers without a trailing ".0". A formula is not evaluated: its cell is reported,
because PARS stores values, not calculations.

Rows are read as plain values (openpyxl's ``values_only``, no cell objects). With
``data_only=False`` a formula's value is its text, "=..." (an array or data-table formula
is an object of its own). Text typed into a cell can also start with "=" (Excel stores
'=abc as the text "=abc"), so the first row holding such a value gets a second look: the
cell objects of that row, from a second iterator over the sheet started at that row, say
whether the cell is a formula. From then on the rows are read from that second iterator
only, as cell objects (a sheet with one formula often has more). A sheet without any
"="-text pays nothing for this; one with such text costs about what reading every row as
cell objects costs.

Each pass over the rows opens the workbook once; the first pass goes on with the rows
that were started when the file was opened (to read its header), so reading a file once
opens it once. The sheet's stored size is never asked for (openpyxl would scan a sheet
without a ``<dimension>`` element to work it out).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import math
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from app.importers.base import (
    FileRejected,
    Limits,
    Problem,
    Source,
    SourceRow,
    binary,
    too_many_rows,
)
from app.importers.columns import Layout, clean_cell, is_blank
from app.importers.legacy import LegacyLayout, layout_for

ACTIVITIES_SHEET = "Activities"
CONTENT_TYPES = "[Content_Types].xml"
ZIP_SIGNATURE = b"PK\x03\x04"
NOT_WORKBOOK = (
    "The file is not an Excel workbook. Open it in Excel and save it as an Excel Workbook "
    "(.xlsx), or download the PARS template and copy your activities into it."
)
DAMAGED = "The Excel file is damaged or incomplete; save it again and upload it."
TOO_MANY_PARTS = (
    "The Excel file holds more than {entries:,} parts, far more than an activity workbook "
    "needs. Copy the activities into the PARS template and upload that."
)
TOO_BIG = (
    "The Excel file unpacks to more than {size:,} MB, far more than an activity workbook "
    "needs. Copy the activities into the PARS template and upload that."
)
FORMULA = (
    "This cell contains a formula; paste the value instead (in Excel: Copy, then Paste "
    "Special > Values)."
)
#: The largest workbook read (the upload limit is lower; this only bounds memory).
MAX_XLSX_BYTES = 64 * 1024 * 1024
#: Rows parsed at a time with openpyxl's warnings silenced (see :func:`_quietly`).
QUIET_BATCH = 64
#: The values that are always a formula (a plain formula's value is its text, "=...").
FORMULA_OBJECTS = (ArrayFormula, DataTableFormula)
T = TypeVar("T")


@dataclass
class Record:
    """One sheet row: its number, its cells as text and the columns holding a formula."""

    number: int
    values: list[str]
    formulas: list[tuple[int, str]] = field(default_factory=list)

    def is_blank(self) -> bool:
        return not self.formulas and is_blank(self.values)


def _read_all(source: Source) -> bytes:
    with binary(source) as stream:
        size = stream.seek(0, io.SEEK_END)
        if size > MAX_XLSX_BYTES:
            raise FileRejected("The file is too large to upload. Split it into several files.")
        stream.seek(0)
        return stream.read()


def _unsafe_name(name: str) -> bool:
    """A part name that could point outside the package (path traversal)."""
    return ".." in name or name.startswith(("/", "\\")) or ":" in name.split("/")[0]


def check_container(data: bytes, limits: Limits) -> None:
    """Refuse what is not an Excel package, or is a zip bomb, before anything is unpacked:
    the declared sizes are what zipfile allows each entry to unpack to."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        # A zip's first bytes without its closing directory: a cut-off upload or copy.
        raise FileRejected(DAMAGED if data.startswith(ZIP_SIGNATURE) else NOT_WORKBOOK)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRejected(NOT_WORKBOOK) from None
    if len(entries) > limits.max_xlsx_entries:
        raise FileRejected(TOO_MANY_PARTS.format(entries=limits.max_xlsx_entries))
    if sum(entry.file_size for entry in entries) > limits.max_xlsx_uncompressed:
        size = max(1, limits.max_xlsx_uncompressed // (1024 * 1024))
        raise FileRejected(TOO_BIG.format(size=size))
    names = {entry.filename for entry in entries}
    if CONTENT_TYPES not in names or any(_unsafe_name(name) for name in names):
        raise FileRejected(NOT_WORKBOOK)


def _number_text(value: float) -> str:
    """A number as typed: 5000.0 -> '5000', 1.5 -> '1.5' (no exponent)."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(Decimal(str(value)).normalize(), "f")


def cell_text(value: Any) -> str:
    """The text of a typed cell value, as a user would type it in a text file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return clean_cell(str(value))


def _quietly(items: Iterator[T], batch: int = QUIET_BATCH) -> Generator[T, None, None]:
    """The items, produced with warnings silenced (openpyxl warns about features it does
    not read and about odd cells). The warning filters are process-wide, so they are only
    changed while a batch of items is taken, never while the caller holds a row."""
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            taken = list(itertools.islice(items, batch))
        if not taken:
            return
        yield from taken


class FormulaCheck:
    """Whether a cell whose value is text starting with "=" holds a formula or text.

    Only the plain values of a row are read, in which both look alike; for such a cell the
    cell objects of its row are read from a second iterator over the sheet, started at
    that row (:meth:`cells_from_here` then goes on with it)."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        self._rows: Generator[Sequence[Any], None, None] | None = None
        self._number = 0  # the row whose cells are in _cells
        self._cells: Sequence[Any] = ()

    def is_formula(self, number: int, index: int) -> bool:
        """Whether cell ``index`` (0-based) of row ``number`` holds a formula."""
        if self._rows is None or self._number != number:
            self.close()
            self._rows = _quietly(self._sheet.iter_rows(min_row=number))
            self._cells = next(self._rows, ())
            self._number = number
        cell = self._cells[index] if index < len(self._cells) else None
        return getattr(cell, "data_type", None) == "f"

    def cells_from_here(self, number: int) -> Iterator[Sequence[Any]] | None:
        """The cell objects of the rows after row ``number``, if the second iterator was
        started at that row, else None."""
        if self._rows is None or self._number != number:
            return None
        return self._rows

    def close(self) -> None:
        if self._rows is not None:
            self._rows.close()
            self._rows = None


def _record(number: int, values: Sequence[Any], is_formula: Callable[[int], bool]) -> Record:
    """A sheet row from its plain values; formula cells are noted and read as blank.
    ``is_formula(index)`` tells a formula from text for a value starting with "="."""
    # Most values are None (no cell) or text without an apostrophe: those are done inline.
    texts = [
        ""
        if value is None
        else value.strip()
        if type(value) is str and "'" not in value
        else cell_text(value)
        for value in values
    ]
    record = Record(number, texts)
    for index, value in enumerate(values):
        if isinstance(value, str):
            if not value.startswith("=") or not is_formula(index):
                continue
        elif not isinstance(value, FORMULA_OBJECTS):
            continue
        record.formulas.append((index, str(getattr(value, "text", value) or "")))
        texts[index] = ""
    return record


def _cells_record(number: int, cells: Sequence[Any]) -> Record:
    """A sheet row from its cell objects (a formula cell has the data type "f")."""
    return _record(
        number,
        [getattr(cell, "value", None) for cell in cells],
        lambda index: getattr(cells[index], "data_type", None) == "f",
    )


def _worksheet(book: Any) -> Any:
    """The 'Activities' sheet (any case), else the first worksheet."""
    for name in book.sheetnames:
        if name.strip().casefold() == ACTIVITIES_SHEET.casefold():
            return book[name]
    if not book.worksheets:
        raise FileRejected("The Excel file has no worksheet with activities.")
    return book.worksheets[0]


def _load(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise FileRejected(DAMAGED) from None


def _records(data: bytes) -> Generator[Record, None, None]:
    """Every row of the activity sheet, in order, numbered as Excel numbers it; the
    workbook is closed when the iteration ends or is abandoned."""
    book = _load(data)
    check: FormulaCheck | None = None
    rows: Generator[Sequence[Any], None, None] | None = None
    try:
        sheet = _worksheet(book)
        # Never trust the stored size (it could hide rows), and never ask for it: without
        # a <dimension> element openpyxl would read the whole sheet to work it out.
        sheet.reset_dimensions()
        check = FormulaCheck(sheet)
        rows = _quietly(sheet.iter_rows(values_only=True))
        cells: Iterator[Sequence[Any]] | None = None
        number = 0
        for number, values in enumerate(rows, start=1):
            yield _record(number, values, functools.partial(check.is_formula, number))
            cells = check.cells_from_here(number)
            if cells is not None:
                break
        if cells is not None:  # the rest is read once, as cell objects
            rows.close()
            for later, row in enumerate(cells, start=number + 1):
                yield _cells_record(later, row)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(DAMAGED) from None
    finally:
        if rows is not None:
            rows.close()
        if check is not None:
            check.close()
        book.close()


def _non_blank(records: Iterator[Record]) -> Iterator[Record]:
    return (record for record in records if not record.is_blank())


def _to_row(layout: Layout, record: Record) -> SourceRow:
    row = layout.to_row(record.number, record.values)
    for index, formula in record.formulas:
        row.problems.append(
            Problem(record.number, layout.column_name(index), formula[:100], FORMULA)
        )
    return row


@dataclass
class XlsxFile:
    """An opened workbook; each pass over the rows reads it once, read-only (the first
    pass goes on with the rows begun when the file was opened)."""

    columns: list[str]
    file_problems: list[Problem]
    data: bytes
    layout: Layout
    first_data: int
    limits: Limits
    file_format: str = "xlsx"
    #: The rows left open by :func:`open_xlsx`: the first data record and the rest.
    _resume: tuple[Record, Generator[Record, None, None]] | None = field(
        default=None, repr=False, compare=False
    )

    def rows(self) -> Iterator[SourceRow]:
        """Every non-blank row from the first data row on; FileRejected past the limit."""
        resume, self._resume = self._resume, None
        if resume is None:
            ahead: list[Record] = []
            raw = _records(self.data)
        else:
            ahead, raw = [resume[0]], resume[1]
        self.layout.restart()
        try:
            count = 0
            for record in itertools.chain(ahead, _non_blank(raw)):
                if record.number < self.first_data:
                    continue
                count += 1
                if count > self.limits.max_rows:
                    raise too_many_rows(self.limits)
                yield _to_row(self.layout, record)
        except FileRejected:
            raise
        except Exception:  # a reader never lets another error out
            raise FileRejected(DAMAGED) from None
        finally:
            raw.close()


def _open(source: Source, limits: Limits) -> XlsxFile:
    data = _read_all(source)
    if not data:
        raise FileRejected("The file is empty.")
    check_container(data, limits)
    raw = _records(data)
    records = _non_blank(raw)
    try:
        first = next(records, None)
        if first is None:
            raise FileRejected("The file is empty: its worksheet has no rows.")
        layout, is_header = layout_for(first.values, first.number)
        ahead = next(records, None) if is_header else first
        if ahead is None:
            raise FileRejected("The file has no activities: it has a header row but no data rows.")
    except BaseException:
        raw.close()
        raise
    if isinstance(layout, LegacyLayout):
        layout.pad_short_rows = True  # a spreadsheet row has no length of its own
    return XlsxFile(
        columns=layout.columns,
        file_problems=list(layout.file_problems),
        data=data,
        layout=layout,
        first_data=first.number + 1 if is_header else first.number,
        limits=limits,
        _resume=(ahead, raw),
    )


def open_xlsx(source: Source, limits: Limits) -> XlsxFile:
    """The opened workbook; FileRejected when it is not a readable, reasonable .xlsx."""
    try:
        return _open(source, limits)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(DAMAGED) from None
