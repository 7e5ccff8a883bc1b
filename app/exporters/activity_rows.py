"""CSV export of activities in the columns of the schema (the batch-upload template's).

One SELECT produces every cell already formatted (see :mod:`app.exporters.sql_format`):
the activity's own fields, its commercial support sources, and its MOC registrations,
JA credits and learner counts by profession pivoted into their per-board, per-type and
per-profession columns. PostgreSQL streams that SELECT as CSV with ``COPY ... TO STDOUT``;
other databases stream it through a cursor into ``csv.writer``. Memory holds one chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Text, and_, bindparam, case, cast, func, literal, select, true, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from app.exporters.csv_stream import csv_chunks, header_chunk
from app.exporters.sql_format import cell, joined_text, plain_number, safe_text
from app.models import (
    ACCME_ACTIVITY_ID_OFFSET,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    Provider,
)
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, MOC_FIELDS, file_columns
from app.schema.values import IN_KIND

#: Whether a statement is limited to activity ids in (:low, :high].
IdRange = bool
#: The upper bound of the last range (above any activity id).
NO_LIMIT = 2**62


def _in_range(column: Any, id_range: bool) -> Any:
    """With ``id_range``, only rows of activities in (:low, :high]; otherwise all rows."""
    if not id_range:
        return true()
    return and_(column > bindparam("low"), column <= bindparam("high"))


def _supports(dialect: str, id_range: IdRange) -> Any:
    """'Source: 5000; Other: In-kind' per activity, in the order they were entered."""
    amount = func.coalesce(cast(plain_number(CommercialSupport.amount), Text()), literal(IN_KIND))
    ordered = (
        select(
            CommercialSupport.activity_id, (CommercialSupport.source + ": " + amount).label("item")
        )
        .where(_in_range(CommercialSupport.activity_id, id_range))
        .order_by(CommercialSupport.activity_id, CommercialSupport.id)
        .subquery()
    )
    sources = safe_text(joined_text(ordered.c.item), dialect).label("sources")
    return select(ordered.c.activity_id, sources).group_by(ordered.c.activity_id).subquery()


def _pivot(
    model: Any, key: Any, groups: list[tuple[str, list[tuple[str, Any]]]], id_range: IdRange
) -> Any:
    """One row per activity with a column per (group value, expression)."""
    columns = [
        func.max(case((key == value, expression), else_=None)).label(f"c{i}_{j}")
        for i, (value, expressions) in enumerate(groups)
        for j, (_, expression) in enumerate(expressions)
    ]
    return (
        select(model.activity_id, *columns)
        .where(_in_range(model.activity_id, id_range))
        .group_by(model.activity_id)
        .subquery()
    )


def _moc(dialect: str, id_range: IdRange) -> Any:
    per_board = [
        (m.name, cell(m.kind, getattr(MocRegistration, m.name), dialect)) for m in MOC_FIELDS
    ]
    boards = [(board, per_board) for board in v.MOC_BOARDS.values]
    return _pivot(MocRegistration, MocRegistration.board, boards, id_range)


def _credits(id_range: IdRange) -> Any:
    amount = [("amount", plain_number(ActivityCredit.amount))]
    types = [(credit_type, amount) for credit_type in v.JA_CREDIT_TYPES.values]
    return _pivot(ActivityCredit, ActivityCredit.credit_type, types, id_range)


def _learners(id_range: IdRange) -> Any:
    columns = [
        func.sum(case((LearnerCount.profession == name, LearnerCount.count))).label(f"p{i}")
        for i, name in enumerate(v.JA_PROFESSIONS.values)
    ]
    return (
        select(LearnerCount.activity_id, *columns)
        .where(_in_range(LearnerCount.activity_id, id_range))
        .group_by(LearnerCount.activity_id)
        .subquery()
    )


class ActivityExport:
    """Activities as rows of :func:`app.schema.fields.file_columns`."""

    def headings(self) -> list[str]:
        return file_columns()

    def statement(self, query: Any, dialect: str, id_range: IdRange = False) -> Any:
        """The scoped, filtered list query as one SELECT of formatted cells, in id order;
        with ``id_range``, only the activities with ids in (:low, :high]."""
        supports, moc = _supports(dialect, id_range), _moc(dialect, id_range)
        credits, learners = _credits(id_range), _learners(id_range)
        if id_range:
            query = query.filter(_in_range(Activity.id, id_range))
        columns: list[Any] = [safe_text(Provider.accme_id, dialect)]
        for spec in ACTIVITY_FIELDS:
            if spec.name == "accme_activity_id":
                columns.append(type_coerce(Activity.id + ACCME_ACTIVITY_ID_OFFSET, NullType()))
            elif spec.name == "commercial_supports":
                columns.append(supports.c.sources)
            else:
                columns.append(cell(spec.kind, getattr(Activity, spec.name), dialect))
        columns += [c for c in moc.c if c.key != "activity_id"]
        columns += [c for c in credits.c if c.key != "activity_id"]
        columns += [c for c in learners.c if c.key != "activity_id"]
        joined = (
            query.join(Provider, Provider.id == Activity.provider_id)
            .outerjoin(supports, supports.c.activity_id == Activity.id)
            .outerjoin(moc, moc.c.activity_id == Activity.id)
            .outerjoin(credits, credits.c.activity_id == Activity.id)
            .outerjoin(learners, learners.c.activity_id == Activity.id)
        )
        labelled = [type_coerce(c, NullType()).label(f"col{i}") for i, c in enumerate(columns)]
        return joined.with_entities(*labelled).statement.order_by(None).order_by(Activity.id)

    def chunks(self, session: Session, query: Any, batch_size: int) -> Iterator[str | bytes]:
        """The CSV file, header first, for the activities ``query`` selects (scoped)."""
        dialect = session.get_bind().dialect.name
        statement = self.statement(query, dialect)
        if dialect == "postgresql":
            # COPY ends records with LF and quotes every cell holding a CR or an LF.
            yield header_chunk(self.headings(), line_end="\n")
            yield from _copy_csv(session, statement)
        else:
            yield from csv_chunks(
                self.headings(), self.batches(session, query, dialect, batch_size)
            )

    def batches(
        self, session: Session, query: Any, dialect: str, batch_size: int
    ) -> Iterator[list[Any]]:
        """Formatted rows in id ranges of ``batch_size`` activities, each range's repeated parts
        pivoted from that range alone (for a database without COPY, such as SQLite)."""
        ids = query.with_entities(Activity.id).order_by(None).order_by(Activity.id)
        statement = self.statement(query, dialect, id_range=True)
        connection = session.connection()
        low = 0
        while True:
            high = ids.filter(Activity.id > low).offset(batch_size - 1).limit(1).scalar()
            bounds = {"low": low, "high": NO_LIMIT if high is None else high}
            rows = connection.execute(statement, bounds).fetchall()
            if rows:
                yield rows
            if high is None:
                return
            low = high


def _copy_csv(session: Session, statement: Any) -> Iterator[bytes]:
    """PostgreSQL writes the CSV itself (``COPY ... TO STDOUT``), streamed in chunks."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    connection = session.connection().connection.driver_connection
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy,
    ):
        for data in copy:
            yield bytes(data)
