"""What every batch-file reader produces, and the ways a file can be refused.

A reader yields :class:`SourceRow` objects: the row number as the user sees it (the
spreadsheet row, the line of a text file, the n-th record of an XML file), and the raw
text of each cell under the *current* column heading (:func:`app.schema.fields.file_columns`).
Values are not interpreted here: the activity schema does that, for every format at once.

A file that cannot be read at all (wrong type, bomb, wrong encoding, unknown columns,
too many rows) raises :class:`FileRejected` with a message in plain words; a reader
never lets another exception out (the hypothesis tests hold it to that).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One entry of the validation report.

    ``row`` is the row as the user sees it in the file (None: the whole file); ``column``
    the column heading ('' when the problem is not about one column); ``value`` the text
    found; ``severity`` :data:`ERROR` (nothing is written) or :data:`WARNING` (informative).
    """

    row: int | None
    column: str
    value: str
    message: str
    severity: str = ERROR


@dataclass
class SourceRow:
    """One activity as read from a file, before any interpretation.

    ``cells`` holds only the columns the file has (a column missing from the file leaves
    the stored value alone); a blank cell is ''. ``problems`` are what the reader itself
    found in this row (a formula cell, an old field that no longer exists...).
    """

    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


class FileRejected(Exception):  # noqa: N818 (a reported outcome, not a crash)
    """The file as a whole cannot be used; ``message`` says why and what to do."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column

    def as_problem(self) -> Problem:
        return Problem(self.row, self.column, "", self.message)


@dataclass(frozen=True)
class Limits:
    """How big a batch file may be (zip bombs and runaway files are refused)."""

    max_rows: int = 50_000
    max_xlsx_uncompressed: int = 100 * 1024 * 1024
    max_xlsx_entries: int = 1_000


class BatchFile(Protocol):
    """An opened batch file: its layout and its rows, read lazily (memory holds one row
    at a time whatever the size of the file)."""

    #: "xlsx", "csv", "txt" or "xml".
    file_format: str
    #: The current column headings the file provides, in file order.
    columns: list[str]
    #: Problems about the file as a whole (an encoding guessed, a legacy layout...).
    file_problems: list[Problem]

    def rows(self) -> Iterator[SourceRow]:
        """Every non-blank row, in file order; raises FileRejected past the row limit."""
        ...


Source = bytes | Path


def binary(source: Source) -> BinaryIO:
    """A binary stream of ``source`` (file contents or a path)."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source.open("rb")


def too_many_rows(limits: Limits) -> FileRejected:
    return FileRejected(
        f"The file has more than {limits.max_rows:,} activities, the most one upload may "
        "hold. Split it into several files."
    )
