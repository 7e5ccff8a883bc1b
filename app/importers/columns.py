"""Header rows and cells of batch files in the current column layout.

A batch file's first row names its columns with the headings of the PARS template
(:func:`app.schema.fields.file_columns`). Headings are matched ignoring case and extra
spaces, so "provider  activity id" is "Provider Activity ID"; a heading PARS does not know,
or the same heading twice, refuses the whole file, because every value under it would
otherwise be lost or ambiguous.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from openpyxl.utils import get_column_letter

from app.importers.base import FileRejected, Problem, SourceRow
from app.schema.fields import file_columns

#: The columns that identify an activity; a file must have at least one of them.
PROVIDER_ACTIVITY_ID = "Provider Activity ID"
ACCME_ACTIVITY_ID = "ACCME Activity ID"
KEY_COLUMNS = (PROVIDER_ACTIVITY_ID, ACCME_ACTIVITY_ID)

#: What the CSV export puts before a cell that a spreadsheet would read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
TEMPLATE_HINT = (
    "Use the column headings of the PARS template (download it from the batch upload page), "
    "for example 'Provider Activity ID', 'Activity Title', 'Activity Format', 'Start Date'."
)


def normalise_heading(heading: str) -> str:
    """A heading as compared: case and runs of spaces do not matter."""
    return " ".join(heading.split()).casefold()


@functools.cache
def _known_headings() -> dict[str, str]:
    return {normalise_heading(column): column for column in file_columns()}


def column_label(index: int) -> str:
    """How a user finds column ``index`` (0-based) in a spreadsheet: 'column 3 (C)'."""
    return f"column {index + 1} ({get_column_letter(index + 1)})"


def clean_cell(text: str) -> str:
    """The text of a cell as PARS reads it: surrounding spaces removed, and the apostrophe
    that the CSV export puts before text starting with = + - @ (so that a spreadsheet does
    not run it as a formula) taken off again, so an export re-imports unchanged."""
    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] == "'" and stripped[1:].startswith(FORMULA_TRIGGERS):
        return stripped[1:].strip()
    return stripped


def clean_cells(cells: Sequence[str]) -> list[str]:
    """:func:`clean_cell` of every cell of a record, fast: most cells of a batch file are
    blank and are passed through untouched, and only a cell holding an apostrophe needs the
    full rule (an empty cell stays '', every other cell is at least stripped)."""
    return [cell and (clean_cell(cell) if "'" in cell else cell.strip()) for cell in cells]


def is_blank(values: Sequence[str]) -> bool:
    """A row with nothing in it (spreadsheets leave such rows between activities)."""
    return not any(value.strip() for value in values)


def _last_used(headings: Sequence[str]) -> int:
    """How many headings count: blank headings after the last named one are ignored."""
    count = len(headings)
    while count and not headings[count - 1].strip():
        count -= 1
    return count


def _match(heading: str, index: int, row: int) -> str:
    known = _known_headings().get(normalise_heading(heading))
    if known is None:
        raise FileRejected(
            f"The heading '{heading.strip()}' in {column_label(index)} is not a PARS column. "
            + TEMPLATE_HINT,
            row=row,
            column=heading.strip(),
        )
    return known


def map_header(headings: list[str], row: int) -> list[str | None]:
    """The current column heading of each column of a header row (None: no heading).

    Blank headings after the last named column are ignored (spreadsheets often keep
    them); a blank heading between named columns maps to None and any value under it is
    reported on its row. An unknown heading, a repeated heading or a header without
    'Provider Activity ID' or 'ACCME Activity ID' refuses the file.
    """
    used = _last_used(headings)
    mapping: list[str | None] = []
    first_seen: dict[str, int] = {}
    for index, heading in enumerate(headings[:used]):
        if not heading.strip():
            mapping.append(None)
            continue
        column = _match(heading, index, row)
        if column in first_seen:
            raise FileRejected(
                f"The column '{column}' appears twice ({column_label(first_seen[column])} "
                f"and {column_label(index)}). Keep one of them.",
                row=row,
                column=column,
            )
        first_seen[column] = index
        mapping.append(column)
    if not any(key in first_seen for key in KEY_COLUMNS):
        raise FileRejected(
            "The file has no 'Provider Activity ID' or 'ACCME Activity ID' column, so its "
            "rows cannot be matched to activities. " + TEMPLATE_HINT,
            row=row,
        )
    return mapping


def _stray_value(
    number: int, mapping: Sequence[str | None], values: Sequence[str]
) -> Problem | None:
    """The error for a row with a value in a column that has no heading, if it has one."""
    for index, value in enumerate(values):
        if not value.strip():
            continue
        if index >= len(mapping):
            message = (
                f"This row has a value in {column_label(index)}, after the last column "
                "heading: check for a stray separator or an unquoted comma, or delete the value."
            )
        elif mapping[index] is None:
            message = (
                f"This row has a value in {column_label(index)}, which has no heading: "
                "give the column a heading from the template or delete the value."
            )
        else:
            continue
        return Problem(number, "", value.strip()[:100], message)
    return None


class Layout(Protocol):
    """How a file's records become rows: the current layout (by heading) or the legacy
    one (by position)."""

    file_problems: list[Problem]

    @property
    def columns(self) -> list[str]:
        """The current headings the file provides, in file order."""
        ...

    def column_name(self, index: int) -> str:
        """The name of column ``index`` (0-based) for a problem report."""
        ...

    def to_row(self, number: int, values: Sequence[str]) -> SourceRow:
        """Record ``number`` (its cleaned cell texts) as a row of current columns."""
        ...

    def restart(self) -> None:
        """Forget what earlier rows reported: a new pass over the file begins."""
        ...


@dataclass
class HeaderLayout:
    """A file in the current layout: each value goes under its column's heading.

    What a row needs of the mapping (the named columns and their positions, the columns
    without a heading) is worked out once, when the layout is made, not for every row."""

    mapping: list[str | None]
    file_problems: list[Problem] = field(default_factory=list)
    _named: list[tuple[int, str]] = field(init=False, repr=False, compare=False)
    _names: list[str] = field(init=False, repr=False, compare=False)
    _unnamed: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._named = [
            (index, column) for index, column in enumerate(self.mapping) if column is not None
        ]
        self._names = [column for _, column in self._named]
        self._unnamed = [index for index, column in enumerate(self.mapping) if column is None]

    @property
    def columns(self) -> list[str]:
        """The current headings the file provides, in file order."""
        return list(self._names)

    def column_name(self, index: int) -> str:
        """The heading of column ``index`` for a problem report."""
        if index < len(self.mapping) and self.mapping[index] is not None:
            return str(self.mapping[index])
        return column_label(index)

    def restart(self) -> None:
        """Nothing to forget: each row stands alone."""

    def to_row(self, number: int, values: Sequence[str]) -> SourceRow:
        """The row's cells under their headings; a value under no heading is an error."""
        width = len(self.mapping)
        if len(values) < width:  # a short row: the missing cells are blank
            values = [*values, *[""] * (width - len(values))]
        if not self._unnamed:
            cells = dict(zip(self._names, values, strict=False))
        else:
            cells = {name: values[index] for index, name in self._named}
        row = SourceRow(number, cells)
        # Most rows have nothing outside the named columns: only then is each value looked
        # at (a cell holding only spaces is blank, so a non-empty one may still be fine).
        if any(values[width:]) or any(values[index] for index in self._unnamed):
            stray = _stray_value(number, self.mapping, values)
            if stray is not None:
                row.problems.append(stray)
        return row
