"""CSV rows of any scoped list: the columns a view names, read from its model objects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.exporters.csv_stream import csv_chunks, neutralise
from app.queries.batches import keyset_batches
from app.schema.values import display_value


def _cell(value: Any) -> Any:
    """A list cell: shown as on screen; numbers stay numbers, text is neutralised."""
    shown = display_value(value)
    return shown if isinstance(shown, (int, float, Decimal)) else neutralise(str(shown))


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
