"""Walking a large result in id order, one batch at a time (keyset pagination)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def keyset_batches(query: Any, id_column: Any, batch_size: int) -> Iterator[list[Any]]:
    """Rows of ``query`` in ascending ``id_column`` order, ``batch_size`` at a time.

    Each batch is a fresh ``WHERE id > last LIMIT n`` query, so the database never keeps a
    cursor open across batches and memory holds one batch whatever the total.
    """
    last_id = None
    ordered = query.order_by(id_column)
    while True:
        page = ordered if last_id is None else ordered.filter(id_column > last_id)
        rows = page.limit(batch_size).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].id
        if len(rows) < batch_size:
            return
