"""Reading Excel workbooks (.xlsx) uploaded as batch files.

Before the workbook is parsed, its zip container is checked: an .xlsx is a zip holding
"[Content_Types].xml", and one that declares too many entries or too many uncompressed
bytes (a "zip bomb") is refused without being unpacked. The sheet named "Activities" (the
template's) is read, or else the first sheet, streaming one row at a time.

Typed cells become the text a user would type: dates MM/DD/YYYY, Yes/No for logical
cells, numbers without a trailing ".0". A formula is not evaluated: its cell is reported,
because PARS stores values, not calculations.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

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
        data = stream.read(MAX_XLSX_BYTES + 1)
    if len(data) > MAX_XLSX_BYTES:
        raise FileRejected("The file is too large to upload. Split it into several files.")
    return data


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


def _record(number: int, cells: Any) -> Record:
    record = Record(number, [])
    for index, cell in enumerate(cells):
        if getattr(cell, "data_type", None) == "f":
            formula = getattr(cell.value, "text", cell.value)
            record.formulas.append((index, str(formula or "")))
            record.values.append("")
        else:
            record.values.append(cell_text(cell.value))
    return record


def _worksheet(book: Any) -> Any:
    """The 'Activities' sheet (any case), else the first worksheet."""
    for name in book.sheetnames:
        if name.strip().casefold() == ACTIVITIES_SHEET.casefold():
            return book[name]
    if not book.worksheets:
        raise FileRejected("The Excel file has no worksheet with activities.")
    return book.worksheets[0]


def _records(data: bytes) -> Generator[Record, None, None]:
    """Every row of the activity sheet, in order, numbered as Excel numbers it; the
    workbook is closed when the iteration ends or is abandoned."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(DAMAGED) from None
    try:
        sheet = _worksheet(book)
        sheet.reset_dimensions()  # never trust the stored size: it could hide rows
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                yield _record(number, cells)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(DAMAGED) from None
    finally:
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
    """An opened workbook; each pass over the rows opens it again, read-only."""

    columns: list[str]
    file_problems: list[Problem]
    data: bytes
    layout: Layout
    first_data: int
    limits: Limits
    file_format: str = "xlsx"

    def rows(self) -> Iterator[SourceRow]:
        """Every non-blank row from the first data row on; FileRejected past the limit."""
        raw = _records(self.data)
        self.layout.restart()
        try:
            count = 0
            for record in _non_blank(raw):
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
        if is_header and next(records, None) is None:
            raise FileRejected("The file has no activities: it has a header row but no data rows.")
    finally:
        raw.close()
    if isinstance(layout, LegacyLayout):
        layout.pad_short_rows = True  # a spreadsheet row has no length of its own
    return XlsxFile(
        columns=layout.columns,
        file_problems=list(layout.file_problems),
        data=data,
        layout=layout,
        first_data=first.number + 1 if is_header else first.number,
        limits=limits,
    )


def open_xlsx(source: Source, limits: Limits) -> XlsxFile:
    """The opened workbook; FileRejected when it is not a readable, reasonable .xlsx."""
    try:
        return _open(source, limits)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(DAMAGED) from None
