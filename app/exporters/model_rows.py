"""CSV rows of any scoped list: the columns a view names, read from its model objects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.exporters.csv_stream import csv_chunks, neutralise
from app.queries.batches import keyset_batches
from app.schema.values import Kind, format_value


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return format_value(Kind.BOOLEAN, value)
    if isinstance(value, list):
        return format_value(Kind.NAME_LIST, [str(item) for item in value])
    if value is None or isinstance(value, (int, float)):
        return "" if value is None else value
    if hasattr(value, "isoformat") and hasattr(value, "year") and not hasattr(value, "hour"):
        return format_value(Kind.DATE, value)
    return neutralise(str(value))


class ModelExport:
    """Rows of ``model`` with the given (attribute, heading) columns."""

    def __init__(self, model: type, columns: Sequence[tuple[str, str]]) -> None:
        self.model = model
        self.columns = list(columns)

    def headings(self) -> list[str]:
        return [heading for _, heading in self.columns]

    def rows(self, query: Any, batch_size: int) -> Iterator[list[list[Any]]]:
        id_column = self.model.id  # type: ignore[attr-defined]
        for batch in keyset_batches(query, id_column, batch_size):
            yield [[_cell(getattr(item, name)) for name, _ in self.columns] for item in batch]

    def chunks(self, session: Session, query: Any, batch_size: int) -> Iterator[str]:
        """The CSV file, header first, for the rows ``query`` selects (already scoped)."""
        return csv_chunks(self.headings(), self.rows(query, batch_size))
