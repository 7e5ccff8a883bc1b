"""CSV streaming with spreadsheet formula neutralisation (security check 22).

A text cell whose first character a spreadsheet would treat as the start of a formula
(``= + - @``, tab, carriage return, NUL) is written with a leading apostrophe, so opening
an export in Excel never runs anything. Numbers are written from typed values and stay
numbers. Quoting follows RFC 4180 (``csv`` module, minimal quoting, CRLF line ends).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
UTF8_BOM = "\ufeff"
#: Records end with CR LF (RFC 4180); the writer then also quotes any cell holding a CR or
#: an LF, so a line break inside a cell can never start a new record.
LINE_END = "\r\n"


def neutralise(cell: Any) -> Any:
    """The cell as it may safely go to a spreadsheet: text starting with a formula
    trigger gets a leading apostrophe; numbers and other text are unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def neutralise_row(row: Sequence[Any]) -> list[Any]:
    return [neutralise(cell) for cell in row]


def header_chunk(headings: Sequence[str], line_end: str = LINE_END) -> str:
    """The first chunk of a PARS CSV file: a byte-order mark (for Excel) and the headings."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(neutralise_row(headings))
    return UTF8_BOM + buffer.getvalue()


def csv_chunks(
    headings: Sequence[str], batches: Iterable[Iterable[Sequence[Any]]]
) -> Iterator[str]:
    """CSV text, one chunk per batch of rows: memory holds one batch at a time."""
    yield header_chunk(headings)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue()


def csv_response(chunks: Iterable[str | bytes], filename: str) -> Response:
    """A streamed ``text/csv`` download that is never cached."""
    response = Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
    response.charset = "utf-8"
    return response
