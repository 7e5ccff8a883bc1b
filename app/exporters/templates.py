"""Batch-upload templates generated from the activity schema, so that the template, the
validator and the CSV export always agree on the columns (domain.md §3).

* CSV: the header row of every activity column (UTF-8 with a byte-order mark).
* XLSX: an "Activities" sheet with the header row (frozen, with a drop-down on every
  single-choice and Yes/No column) and an "Allowed values" sheet listing each
  vocabulary column's values.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from app.exporters.csv_stream import header_chunk
from app.schema import vocabularies as v
from app.schema.fields import (
    ACTIVITY_FIELDS,
    MOC_FIELDS,
    PROVIDER_COLUMN,
    Kind,
    file_columns,
    moc_column,
)

ACTIVITIES_SHEET = "Activities"
ALLOWED_SHEET = "Allowed values"
YES_NO = ("Yes", "No")
#: Rows of the Activities sheet that get the drop-downs.
VALIDATED_ROWS = 50_000


@dataclass(frozen=True)
class ColumnValues:
    """A column whose cells take values from a list; ``several``: ';'-separated."""

    column: str
    values: tuple[str, ...]
    several: bool


def column_values() -> list[ColumnValues]:
    """The columns with allowed values, in file order."""
    found = {}
    for spec in ACTIVITY_FIELDS:
        if spec.kind is Kind.BOOLEAN:
            found[spec.label] = ColumnValues(spec.label, YES_NO, False)
        elif spec.vocabulary is not None and spec.editable:
            several = spec.kind is Kind.MULTI_CHOICE
            found[spec.label] = ColumnValues(spec.label, spec.vocabulary.values, several)
    for board in v.MOC_BOARDS.values:
        for moc in MOC_FIELDS:
            if moc.vocabulary is not None:
                label = moc_column(board, moc)
                found[label] = ColumnValues(label, moc.vocabulary.values, True)
    return [found[c] for c in file_columns() if c in found]


def csv_template() -> bytes:
    """The CSV template: the header row only."""
    return header_chunk(file_columns()).encode("utf-8")


def xlsx_template() -> bytes:
    """The Excel template with its allowed values and drop-downs."""
    book = Workbook()
    activities = book.active
    activities.title = ACTIVITIES_SHEET
    columns = file_columns()
    activities.append(columns)
    for cell in activities[1]:
        cell.font = Font(bold=True)
    activities.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        activities.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 2)
    allowed = book.create_sheet(ALLOWED_SHEET)
    for index, entry in enumerate(column_values(), start=1):
        _list_allowed(allowed, index, entry)
        if not entry.several:
            _drop_down(activities, columns.index(entry.column) + 1, index, len(entry.values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _list_allowed(sheet: Any, index: int, entry: ColumnValues) -> None:
    heading = entry.column + (" (several: separate with ;)" if entry.several else "")
    sheet.cell(row=1, column=index, value=heading).font = Font(bold=True)
    for row, value in enumerate(entry.values, start=2):
        sheet.cell(row=row, column=index, value=value)


def _drop_down(sheet: Any, target: int, source: int, count: int) -> None:
    letter = get_column_letter(source)
    rule = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(ALLOWED_SHEET)}!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not an allowed value",
        error="Choose one of the values listed on the 'Allowed values' sheet.",
    )
    column = get_column_letter(target)
    rule.add(f"{column}2:{column}{VALIDATED_ROWS + 1}")
    sheet.add_data_validation(rule)


__all__ = ["PROVIDER_COLUMN", "column_values", "csv_template", "xlsx_template"]
