"""CSV rows of activities in the columns of the schema (the batch-upload template's).

Rows are read as plain tuples in id batches; each batch's repeated parts (commercial
support, MOC registrations, JA credits, learner counts by profession) are read with one
query per part, so the cost per row stays flat and memory holds one batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exporters.csv_stream import neutralise
from app.models import (
    ACCME_ACTIVITY_ID_OFFSET,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    Provider,
)
from app.queries.batches import keyset_batches
from app.schema import vocabularies as v
from app.schema.fields import (
    ACTIVITY_FIELDS,
    MOC_FIELDS,
    Kind,
    file_columns,
    ja_credit_column,
    moc_column,
    profession_column,
)
from app.schema.values import format_support, format_value

#: Schema fields that are not a plain column of the activity row.
DERIVED = {"accme_activity_id", "commercial_supports"}
SCALAR_FIELDS = [f for f in ACTIVITY_FIELDS if f.name not in DERIVED]


def _formatter(kind: Kind) -> Callable[[Any], Any]:
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE):
        return lambda value: "" if value is None else neutralise(value)
    if kind in (Kind.MULTI_CHOICE, Kind.NAME_LIST):
        return lambda value: neutralise(format_value(kind, value)) if value else ""
    return lambda value: format_value(kind, value)


class ActivityExport:
    """Activities as rows of :func:`app.schema.fields.file_columns`."""

    def __init__(self) -> None:
        self.columns = file_columns()
        self.index = {name: i for i, name in enumerate(self.columns)}
        self.scalar_slots = [(self.index[f.label], _formatter(f.kind)) for f in SCALAR_FIELDS]
        self.moc_formatters = [(m, _formatter(m.kind)) for m in MOC_FIELDS]

    def headings(self) -> list[str]:
        return self.columns

    def select_columns(self) -> list[Any]:
        return [Activity.id, Provider.accme_id] + [getattr(Activity, f.name) for f in SCALAR_FIELDS]

    def rows(self, session: Session, query: Any, batch_size: int) -> Iterator[list[list[Any]]]:
        """Batches of CSV rows for the activities ``query`` selects (already scoped)."""
        plain = query.join(Provider, Provider.id == Activity.provider_id).with_entities(
            *self.select_columns()
        )
        for batch in keyset_batches(plain, Activity.id, batch_size):
            yield self.format_batch(session, batch)

    def format_batch(self, session: Session, batch: list[Any]) -> list[list[Any]]:
        ids = [row[0] for row in batch]
        rows = {row[0]: self.base_row(row) for row in batch}
        self.add_supports(session, ids, rows)
        self.add_moc(session, ids, rows)
        self.add_credits(session, ids, rows)
        self.add_learners(session, ids, rows)
        return list(rows.values())

    def base_row(self, row: Any) -> list[Any]:
        out: list[Any] = [""] * len(self.columns)
        out[0] = row[1]
        out[self.index["ACCME Activity ID"]] = str(ACCME_ACTIVITY_ID_OFFSET + row[0])
        for (slot, fmt), value in zip(self.scalar_slots, row[2:], strict=True):
            out[slot] = fmt(value)
        return out

    def add_supports(self, session: Session, ids: list[int], rows: dict[int, list[Any]]) -> None:
        found: dict[int, list[str]] = defaultdict(list)
        query = (
            select(CommercialSupport)
            .where(CommercialSupport.activity_id.in_(ids))
            .order_by(CommercialSupport.id)
        )
        for support in session.scalars(query):
            found[support.activity_id].append(format_support(support))
        slot = self.index["Commercial Support Sources"]
        for activity_id, items in found.items():
            rows[activity_id][slot] = neutralise("; ".join(items))

    def add_moc(self, session: Session, ids: list[int], rows: dict[int, list[Any]]) -> None:
        query = select(MocRegistration).where(MocRegistration.activity_id.in_(ids))
        for reg in session.scalars(query):
            row = rows[reg.activity_id]
            for moc_field, fmt in self.moc_formatters:
                row[self.index[moc_column(reg.board, moc_field)]] = fmt(
                    getattr(reg, moc_field.name)
                )

    def add_credits(self, session: Session, ids: list[int], rows: dict[int, list[Any]]) -> None:
        query = select(
            ActivityCredit.activity_id, ActivityCredit.credit_type, ActivityCredit.amount
        ).where(ActivityCredit.activity_id.in_(ids))
        for activity_id, credit_type, amount in session.execute(query):
            if credit_type in v.JA_CREDIT_TYPES:
                rows[activity_id][self.index[ja_credit_column(credit_type)]] = format_value(
                    Kind.DECIMAL, amount
                )

    def add_learners(self, session: Session, ids: list[int], rows: dict[int, list[Any]]) -> None:
        query = (
            select(LearnerCount.activity_id, LearnerCount.profession, func.sum(LearnerCount.count))
            .where(LearnerCount.activity_id.in_(ids))
            .group_by(LearnerCount.activity_id, LearnerCount.profession)
        )
        for activity_id, profession, total in session.execute(query):
            if profession in v.JA_PROFESSIONS:
                rows[activity_id][self.index[profession_column(profession)]] = int(total)
