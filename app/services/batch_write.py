"""Writing a checked chunk of batch rows with bulk statements (domain.md §3).

New activities go in with one multi-row INSERT ... RETURNING per chunk, their repeated
parts with one INSERT per table; changed activities with one executemany UPDATE per set
of changed columns, guarded by the version each row was compared with (a change saved in
between makes the whole upload fail, so nothing is overwritten unseen). Never one ORM
object, nor one commit, per row: the caller owns the single transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, update
from sqlalchemy.engine import Connection

from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.repeated import REPEATED_PARTS
from app.schema.rules import reporting_year
from app.schema.values import Support
from app.services.batch_plan import ACTIVITY, CREDIT, LEARNERS, MOC, SUPPORT
from app.services.batch_rows import (
    KEY_FIELD,
    MOC_ATTRIBUTES,
    NEW,
    UPDATED,
    RowResult,
    moc_entries,
)
from app.services.errors import ConflictError

_STORED = [f.name for f in ACTIVITY_FIELDS if f.name in ACTIVITY.c and f.name != "status"]
_LISTS = {c.name for c in ACTIVITY.c if c.type.__class__.__name__ == "TextList"}
_CREDIT_PARTS = [p for p in REPEATED_PARTS if p.group == "credit"]
_LEARNER_PARTS = [p for p in REPEATED_PARTS if p.group == "learners"]
_MOC_PARTS = [p for p in REPEATED_PARTS if p.group == "moc"]
_SUPPORTS_LABEL = "Commercial Support Sources"


def write_chunk(connection: Connection, provider_id: int, results: list[RowResult]) -> None:
    """Write the new and changed activities of a checked chunk (rows without errors)."""
    now = _now()
    created = [r for r in results if r.action == NEW]
    changed = [r for r in results if r.action == UPDATED]
    if created:
        _insert_new(connection, provider_id, created, now)
    if changed:
        _update_changed(connection, changed, now)


def _now() -> dt.datetime:
    from app.services.clock import utcnow

    return utcnow()


def _activity_row(result: RowResult, provider_id: int, now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {name: [] if name in _LISTS else None for name in _STORED}
    row.update({k: v for k, v in result.values.items() if k in row})
    row.update(
        provider_id=provider_id,
        status=result.status,
        reporting_year=reporting_year(row["start_date"]),
        version_id=1,
        created_on=now,
        changed_on=now,
    )
    return row


def _insert_new(
    connection: Connection, provider_id: int, results: list[RowResult], now: dt.datetime
) -> None:
    rows = [_activity_row(r, provider_id, now) for r in results]
    statement = insert(ACTIVITY).returning(
        ACTIVITY.c.id, ACTIVITY.c.provider_activity_id, sort_by_parameter_order=True
    )
    ids = {key: row_id for row_id, key in connection.execute(statement, rows)}
    children = _Children()
    for result, row in zip(results, rows, strict=True):
        activity_id = ids[result.values[KEY_FIELD]]
        children.add(activity_id, result, row["reporting_year"])
    children.write(connection)


def _update_changed(connection: Connection, results: list[RowResult], now: dt.datetime) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    params: dict[str, Any]
    children = _Children()
    for result in results:
        existing = result.existing
        assert existing is not None
        fields = {k: v for k, v in result.values.items() if k in _STORED and k != KEY_FIELD}
        fields["status"] = result.status
        start = fields.get("start_date", existing.values.get("start_date"))
        fields["reporting_year"] = reporting_year(start) if start else existing.reporting_year
        params = {f"new_{k}": v for k, v in fields.items()}
        params.update(b_id=existing.id, b_version=existing.version_id)
        groups[tuple(sorted(fields))].append(params)
        children.replace(existing.id, result, fields["reporting_year"])
    for names, group in groups.items():
        statement = (
            update(ACTIVITY)
            .where(
                and_(
                    ACTIVITY.c.id == bindparam("b_id"),
                    ACTIVITY.c.version_id == bindparam("b_version"),
                )
            )
            .values(
                {
                    **{name: bindparam(f"new_{name}") for name in names},
                    "version_id": ACTIVITY.c.version_id + 1,
                    "changed_on": now,
                }
            )
        )
        outcome = connection.execute(statement, group)
        if connection.dialect.supports_sane_multi_rowcount and outcome.rowcount != len(group):
            raise ConflictError(
                "Some of these activities were changed by someone else while the file was "
                "being saved. Nothing was written: upload the file again to see the changes."
            )
    children.write(connection)


class _Children:
    """Repeated parts to delete and insert for a chunk, written with one statement each."""

    def __init__(self) -> None:
        self.cleared: dict[Any, list[int]] = defaultdict(list)
        self.cleared_learners: list[dict[str, Any]] = []
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)

    def add(self, activity_id: int, result: RowResult, year: int) -> None:
        """Every repeated part of a new activity."""
        self._supports(activity_id, result.values.get("commercial_supports"))
        self._moc(activity_id, result.parts)
        self._credits(activity_id, result.parts)
        for part in _LEARNER_PARTS:
            self._learners(activity_id, part.key, result.parts.get(part.spec.name), year, 0)

    def replace(self, activity_id: int, result: RowResult, year: int) -> None:
        """Write again the parts of a changed activity that the file changes: its support
        sources, its MOC boards (all of them, from the stored values with the file's laid
        over), its JA credits (likewise) and each changed profession's learners."""
        existing = result.existing
        assert existing is not None
        changed = {column for column, _old, _new in result.changes}
        merged = {**existing.parts, **result.parts}
        if _SUPPORTS_LABEL in changed:
            self.cleared[SUPPORT].append(activity_id)
            self._supports(activity_id, result.values.get("commercial_supports"))
        if any(p.spec.label in changed for p in _MOC_PARTS):
            self.cleared[MOC].append(activity_id)
            self._moc(activity_id, merged)
        if any(p.spec.label in changed for p in _CREDIT_PARTS):
            self.cleared[CREDIT].append(activity_id)
            self._credits(activity_id, merged)
        for part in _LEARNER_PARTS:
            if part.spec.label not in changed:
                continue
            count = result.parts.get(part.spec.name)
            self.cleared_learners.append(
                {"b_activity": activity_id, "b_profession": part.key, "b_year": year,
                 "b_all": count is None}
            )  # fmt: skip
            other = existing.learners_outside(part.key, year)
            self._learners(activity_id, part.key, count, year, other)

    def _supports(self, activity_id: int, supports: Any) -> None:
        for item in supports or []:
            self.rows[SUPPORT].append(_support_row(activity_id, item))

    def _moc(self, activity_id: int, parts: dict[str, Any]) -> None:
        for entry in moc_entries(parts):
            row: dict[str, Any] = {"activity_id": activity_id, "board": entry.board}
            for name in MOC_ATTRIBUTES:
                value = getattr(entry, name)
                row[name] = list(value) if isinstance(value, tuple) else value
            self.rows[MOC].append(row)

    def _credits(self, activity_id: int, parts: dict[str, Any]) -> None:
        for part in _CREDIT_PARTS:
            amount = parts.get(part.spec.name)
            if amount is not None:
                self.rows[CREDIT].append(
                    {"activity_id": activity_id, "credit_type": part.key, "amount": amount}
                )

    def _learners(
        self, activity_id: int, profession: str, total: Any, year: int, other_years: int
    ) -> None:
        """The reporting year's count: the file's total less the other years' counts."""
        if total is None:
            return
        self.rows[LEARNERS].append(
            {"activity_id": activity_id, "profession": profession, "year": year,
             "count": total - other_years}
        )  # fmt: skip

    def write(self, connection: Connection) -> None:
        for table, ids in self.cleared.items():
            connection.execute(delete(table).where(table.c.activity_id.in_(ids)))
        if self.cleared_learners:
            connection.execute(
                delete(LEARNERS).where(
                    LEARNERS.c.activity_id == bindparam("b_activity"),
                    LEARNERS.c.profession == bindparam("b_profession"),
                    (LEARNERS.c.year == bindparam("b_year")) | bindparam("b_all"),
                ),
                self.cleared_learners,
            )
        for table, rows in self.rows.items():
            if rows:
                connection.execute(insert(table), rows)


def _support_row(activity_id: int, item: Support) -> dict[str, Any]:
    in_kind = item.amount is None
    return {
        "activity_id": activity_id,
        "source": item.source,
        "kind": v.SUPPORT_KINDS.values[1] if in_kind else v.SUPPORT_KINDS.values[0],
        "amount": None if item.amount is None else Decimal(item.amount),
    }

