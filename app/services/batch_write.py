"""The writes a checked batch file makes, planned at the preview and replayed in bulk at
the confirmation (domain.md §3).

* :func:`plan_of` turns a checked new or changed row into a plan: the activity's columns
  (all of them for a new activity; the changed ones, its status and reporting year for
  an update, with the version it was compared with) and the repeated parts to write
  again. Plans are stored with the preview, so confirming does not read or check the
  file again: it writes exactly what the preview showed.
* :func:`write_chunk` writes a chunk of plans with bulk statements: ids for new
  activities are taken in one statement, rows go in with ``COPY`` on PostgreSQL and one
  executemany elsewhere, updates with one executemany per set of changed columns guarded
  by the version. Never one ORM object, nor one commit, per row: the caller owns the
  single transaction. :class:`PlanOutdated` says that the activities changed since the
  preview (a key now taken, a version moved): the caller writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    Numeric,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection

from app.models.base import TextList
from app.models.upload import STAGED_ACTIVITIES
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.repeated import REPEATED_PARTS
from app.schema.rules import reporting_year
from app.services.batch_plan import ACTIVITY, CREDIT, LEARNERS, MOC, SUPPORT
from app.services.batch_rows import KEY_FIELD, MOC_ATTRIBUTES, NEW, RowResult, moc_entries
from app.services.bulk_sql import bulk_insert
from app.services.clock import utcnow

Plan = dict[str, Any]
_STORED = [f.name for f in ACTIVITY_FIELDS if f.name in ACTIVITY.c and f.name != "status"]
_LISTS = {c.name for c in ACTIVITY.c if isinstance(c.type, TextList)}
_CREDIT_PARTS = [p for p in REPEATED_PARTS if p.group == "credit"]
_LEARNER_PARTS = [p for p in REPEATED_PARTS if p.group == "learners"]
_MOC_PARTS = [p for p in REPEATED_PARTS if p.group == "moc"]
_SUPPORTS_LABEL = "Commercial Support Sources"
_MONETARY, _IN_KIND = v.SUPPORT_KINDS.values
#: The columns a new activity's row is written with.
_NEW_COLUMNS = (*_STORED, "status", "reporting_year")
_MOC_BLANK = dict.fromkeys(("board", *MOC_ATTRIBUTES))


class PlanOutdated(Exception):  # noqa: N818 (an outcome the caller handles)
    """The stored activities changed since the preview: the plan no longer applies."""


# ---- planning (at the preview) -----------------------------------------------------


def plan_of(result: RowResult) -> Plan:
    """What writing a checked new or changed row takes, as JSON-ready values."""
    if result.action == NEW:
        return _new_plan(result)
    return _update_plan(result)


def _new_plan(result: RowResult) -> Plan:
    row: dict[str, Any] = {name: [] if name in _LISTS else None for name in _STORED}
    row.update({k: val for k, val in result.values.items() if k in row})
    row["status"] = result.status
    row["reporting_year"] = year = reporting_year(row["start_date"])
    parts = result.parts
    learners = [[p.key, year, parts[p.spec.name]] for p in _LEARNER_PARTS
                if parts.get(p.spec.name) is not None]  # fmt: skip
    return {
        "id": None,
        "k": row[KEY_FIELD],
        "a": _jsonable({k: val for k, val in row.items() if val not in (None, [])}),
        "s": _supports(result.values.get("commercial_supports")),
        "m": _mocs(parts),
        "c": _credits(parts),
        "l": {"clear": [], "add": learners},
        "y": [year],
    }


def _update_plan(result: RowResult) -> Plan:
    """The changed columns (with status and reporting year) and the repeated parts the
    file changes: support sources; every MOC board, and every JA credit type, from the
    stored values with the file's laid over; each changed profession's learners."""
    existing = result.existing
    assert existing is not None
    fields = {k: val for k, val in result.values.items() if k in _STORED and k != KEY_FIELD}
    fields["status"] = result.status
    start = fields.get("start_date", existing.values.get("start_date"))
    year = reporting_year(start) if start else existing.reporting_year
    fields["reporting_year"] = year
    changed = {column for column, _old, _new in result.changes}
    merged = {**existing.parts, **result.parts}
    plan: Plan = {
        "id": existing.id,
        "k": result.key,
        "v": existing.version_id,
        "a": _jsonable(fields),
        "s": None,
        "m": None,
        "c": None,
        "l": {"clear": [], "add": []},
        "y": sorted({year, existing.reporting_year}),
    }
    if _SUPPORTS_LABEL in changed:
        plan["s"] = _supports(result.values.get("commercial_supports"))
    if any(p.spec.label in changed for p in _MOC_PARTS):
        plan["m"] = _mocs(merged)
    if any(p.spec.label in changed for p in _CREDIT_PARTS):
        plan["c"] = _credits(merged)
    for part in _LEARNER_PARTS:
        if part.spec.label not in changed:
            continue
        count = result.parts.get(part.spec.name)
        plan["l"]["clear"].append([part.key, None if count is None else year])
        if count is not None:
            other = existing.learners_outside(part.key, year)
            plan["l"]["add"].append([part.key, year, count - other])
    return plan


def staged_row(plan: Plan, upload_id: int, row: int) -> dict[str, Any]:
    """A new activity's staged row: its columns as they will be written."""
    staged = dict.fromkeys(_NEW_COLUMNS)
    staged.update(plan["a"])
    staged.update(upload_id=upload_id, row=row)
    return staged


def has_parts(plan: Plan) -> bool:
    """Whether a new activity's plan has repeated parts to write after the activity."""
    return bool(plan["s"] or plan["m"] or plan["c"] or plan["l"]["add"])


def _supports(items: Any) -> list[list[Any]]:
    return [[item.source, None if item.amount is None else str(item.amount)]
            for item in items or []]  # fmt: skip


def _mocs(parts: dict[str, Any]) -> list[dict[str, Any]]:
    boards = []
    for entry in moc_entries(parts):
        row: dict[str, Any] = {"board": entry.board}
        for name in MOC_ATTRIBUTES:
            value = getattr(entry, name)
            row[name] = list(value) if isinstance(value, tuple) else value
        boards.append(_jsonable(row))
    return boards


def _credits(parts: dict[str, Any]) -> list[list[Any]]:
    return [[p.key, str(parts[p.spec.name])] for p in _CREDIT_PARTS
            if parts.get(p.spec.name) is not None]  # fmt: skip


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO text and decimals as text: JSON keeps them exactly."""
    return {
        k: val.isoformat() if isinstance(val, dt.date) else str(val) if isinstance(val, Decimal)
        else val
        for k, val in row.items()
    }  # fmt: skip


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A stored plan's values back as the column types want them."""
    return {k: _convert(table, k, val) for k, val in row.items()}


def _convert(table: Table, name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = table.c[name].type
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, Numeric):
        return Decimal(value)
    return value


# ---- writing (at the confirmation) -------------------------------------------------


def insert_staged(
    connection: Connection, provider_id: int, upload_id: int, now: dt.datetime
) -> None:
    """Copy an upload's staged new activities into ``activity`` with one INSERT ...
    SELECT, then drop them from staging; PlanOutdated when one of their Provider
    Activity IDs was taken since the preview."""
    staged = STAGED_ACTIVITIES.c
    taken = (
        select(ACTIVITY.c.id)
        .join(STAGED_ACTIVITIES, staged.provider_activity_id == ACTIVITY.c.provider_activity_id)
        .where(ACTIVITY.c.provider_id == provider_id, staged.upload_id == upload_id)
        .limit(1)
    )
    if connection.execute(taken).first() is not None:
        raise PlanOutdated()
    source = (
        select(
            literal(provider_id, Integer),
            literal(1, Integer),
            literal(now, DateTime),
            literal(now, DateTime),
            *(staged[name] for name in _NEW_COLUMNS),
        )
        .where(staged.upload_id == upload_id)
        .order_by(staged.row)
    )
    fixed = ["provider_id", "version_id", "created_on", "changed_on"]
    connection.execute(insert(ACTIVITY).from_select([*fixed, *_NEW_COLUMNS], source))
    connection.execute(delete(STAGED_ACTIVITIES).where(staged.upload_id == upload_id))


def write_chunk(connection: Connection, provider_id: int, plans: list[Plan]) -> None:
    """Write a chunk of plans in bulk: the repeated parts of new activities (already
    inserted by :func:`insert_staged`) and the changes of updated ones; PlanOutdated
    when an activity changed since the preview (the caller rolls back: nothing of the
    file is written)."""
    now = utcnow()
    created = [p for p in plans if p["id"] is None]
    changed = [p for p in plans if p["id"] is not None]
    children = _Children()
    if created:
        ids = _ids_by_key(connection, provider_id, [p["k"] for p in created])
        for plan in created:
            children.add(ids[plan["k"]], plan)
    if changed:
        _update_changed(connection, changed, now, children)
    children.write(connection)


def _ids_by_key(connection: Connection, provider_id: int, keys: list[str]) -> dict[str, int]:
    query = select(ACTIVITY.c.provider_activity_id, ACTIVITY.c.id).where(
        ACTIVITY.c.provider_id == provider_id, ACTIVITY.c.provider_activity_id.in_(keys)
    )
    return {key: activity_id for key, activity_id in connection.execute(query)}


def _update_changed(
    connection: Connection, plans: list[Plan], now: dt.datetime, children: _Children
) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for plan in plans:
        fields = _typed(ACTIVITY, plan["a"])
        params = {f"new_{k}": val for k, val in fields.items()}
        params.update(b_id=plan["id"], b_version=plan["v"])
        groups[tuple(sorted(fields))].append(params)
        children.replace(plan["id"], plan)
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
            raise PlanOutdated()


class _Children:
    """Repeated parts to delete and insert for a chunk, written with one statement each."""

    def __init__(self) -> None:
        self.cleared: dict[Table, list[int]] = defaultdict(list)
        self.cleared_learners: list[dict[str, Any]] = []
        self.rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)

    def add(self, activity_id: int, plan: Plan) -> None:
        """The parts of a new activity, or the changed parts of an updated one."""
        if plan["s"] is not None:
            for source, amount in plan["s"]:
                self.rows[SUPPORT].append({
                    "activity_id": activity_id,
                    "source": source,
                    "kind": _IN_KIND if amount is None else _MONETARY,
                    "amount": amount,
                })  # fmt: skip
        if plan["m"] is not None:
            for board in plan["m"]:
                self.rows[MOC].append({**_MOC_BLANK, **board, "activity_id": activity_id})
        if plan["c"] is not None:
            for credit_type, amount in plan["c"]:
                self.rows[CREDIT].append(
                    {"activity_id": activity_id, "credit_type": credit_type, "amount": amount}
                )  # fmt: skip
        for profession, year, count in plan["l"]["add"]:
            self.rows[LEARNERS].append(
                {"activity_id": activity_id, "profession": profession, "year": year,
                 "count": count}
            )  # fmt: skip

    def replace(self, activity_id: int, plan: Plan) -> None:
        """Clear what an updated activity's plan writes again, then add it."""
        for key, table in (("s", SUPPORT), ("m", MOC), ("c", CREDIT)):
            if plan[key] is not None:
                self.cleared[table].append(activity_id)
        for profession, year in plan["l"]["clear"]:
            self.cleared_learners.append(
                {"b_activity": activity_id, "b_profession": profession, "b_year": year or 0,
                 "b_all": year is None}
            )  # fmt: skip
        self.add(activity_id, plan)

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
                bulk_insert(connection, table, rows)
