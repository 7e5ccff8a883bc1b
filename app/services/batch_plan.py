"""Working through a batch file chunk by chunk: each chunk's rows are read, checked and
compared with the provider's stored activities in a handful of queries (domain.md §3).

The same pass serves the preview (nothing is written: the outcome is counted, the
problems and the planned changes are collected) and the commit (each chunk's new and
changed activities are handed to the writer in the caller's one transaction). Memory
holds one chunk, the keys seen so far and the report, whatever the size of the file.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, or_, select
from sqlalchemy.engine import Connection

from app.importers.base import ERROR, BatchFile, Problem, SourceRow
from app.models import ActivityCredit, CommercialSupport, LearnerCount, MocRegistration
from app.models.activity import Activity
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.lifecycle import SupportEntry
from app.schema.repeated import part_name
from app.services.batch_rows import (
    ACCME_ID_FIELD,
    KEY_FIELD,
    NEW,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Existing,
    RowContext,
    RowResult,
    accme_id_of,
    check_row,
    read_cells,
)

CHUNK_ROWS = 1000
ACTIVITY = cast(Table, Activity.__table__)
SUPPORT = cast(Table, CommercialSupport.__table__)
MOC = cast(Table, MocRegistration.__table__)
CREDIT = cast(Table, ActivityCredit.__table__)
LEARNERS = cast(Table, LearnerCount.__table__)
_VALUE_COLUMNS = [ACTIVITY.c[f.name] for f in ACTIVITY_FIELDS if f.name in ACTIVITY.c]
_MOC_ATTRS = [c.name for c in MOC.c if c.name not in {"id", "activity_id", "board"}]

#: A chunk of checked rows, handed to the writer (commit) or to the preview store.
ChunkSink = Callable[[list[RowResult]], None]


@dataclass
class Outcome:
    """What a pass over a file found: the counts, the report and the plan's fingerprint."""

    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_with_errors: int = 0
    errors: int = 0
    warnings: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_dropped: int = 0
    digest: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.errors > 0

    def add_problem(self, problem: Problem, limit: int) -> None:
        if problem.severity == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.problems) < limit:
            self.problems.append(problem)
        else:
            self.problems_dropped += 1


@dataclass
class _Pass:
    """The state of one pass: the outcome, keys seen, the running digest."""

    outcome: Outcome
    limit: int
    seen: dict[str, int] = field(default_factory=dict)
    hasher: Any = field(default_factory=hashlib.sha256)


def run_pass(
    connection: Connection,
    batch: BatchFile,
    ctx: RowContext,
    provider_id: int,
    *,
    sink: ChunkSink | None = None,
    max_problems: int = 50_000,
) -> Outcome:
    """Check every row of ``batch`` against the provider's stored activities, chunk by
    chunk, handing each checked chunk to ``sink``. Raises FileRejected (from the reader)
    when the file as a whole cannot be read."""
    state = _Pass(Outcome(), max_problems)
    timings = {"read": 0.0, "check": 0.0, "compare": 0.0, "write": 0.0}
    for problem in batch.file_problems:
        state.outcome.add_problem(problem, max_problems)
    rows = iter(batch.rows())
    while True:
        started = time.perf_counter()
        chunk = list(islice(rows, CHUNK_ROWS))
        timings["read"] += time.perf_counter() - started
        if not chunk:
            break
        results = _check_chunk(connection, chunk, ctx, provider_id, state, timings)
        if sink is not None:
            started = time.perf_counter()
            sink(results)
            timings["write"] += time.perf_counter() - started
    state.outcome.digest = state.hasher.hexdigest()
    state.outcome.timings = timings
    return state.outcome


def _check_chunk(
    connection: Connection,
    chunk: list[SourceRow],
    ctx: RowContext,
    provider_id: int,
    state: _Pass,
    timings: dict[str, float],
) -> list[RowResult]:
    started = time.perf_counter()
    parsed = [read_cells(row, ctx) for row in chunk]
    timings["check"] += time.perf_counter() - started
    started = time.perf_counter()
    by_key, by_id = load_existing(connection, provider_id, parsed)
    timings["compare"] += time.perf_counter() - started
    started = time.perf_counter()
    for result in parsed:
        existing = by_key.get(result.key) if result.key else None
        _match_accme_id(result, existing, by_id)
        if existing is None and not result.key and result.values.get(ACCME_ID_FIELD):
            existing = by_id.get(accme_id_of(result.values[ACCME_ID_FIELD]) or 0)
        check_row(result, existing, ctx)
        _check_duplicate(result, state)
        _count(result, state)
    timings["check"] += time.perf_counter() - started
    return parsed


def _match_accme_id(
    result: RowResult, existing: Existing | None, by_id: dict[int, Existing]
) -> None:
    """An ACCME Activity ID in the file must name an activity of this provider, and the
    same one as the row's Provider Activity ID."""
    raw = result.values.get(ACCME_ID_FIELD)
    if not raw:
        return
    label = "ACCME Activity ID"
    row_id = accme_id_of(raw)
    found = by_id.get(row_id) if row_id is not None else None
    if found is None:
        message = (
            f"{label}: {raw} is not an activity of this provider. Leave it blank for a new "
            "activity: PARS issues the ID."
        )
    elif existing is not None and found.id != existing.id:
        message = (
            f"{label}: {raw} is the ID of activity {found.values[KEY_FIELD]}, not of {result.key}."
        )
    elif existing is None and result.key:
        message = (
            f"{label}: {raw} is the ID of activity {found.values[KEY_FIELD]}; its Provider "
            f"Activity ID cannot be changed to {result.key} by upload."
        )
    else:
        return
    result.problems.append(Problem(result.number, label, str(raw), message, ERROR))


def _check_duplicate(result: RowResult, state: _Pass) -> None:
    if not result.key:
        return
    first = state.seen.setdefault(result.key, result.number)
    if first != result.number:
        result.problems.append(
            Problem(
                result.number,
                "Provider Activity ID",
                result.key,
                f"Provider Activity ID: {result.key} is also on row {first}; each activity "
                "may appear only once in a file.",
                ERROR,
            )
        )
        result.action = REJECTED


def _count(result: RowResult, state: _Pass) -> None:
    outcome = state.outcome
    outcome.received += 1
    for problem in result.problems:
        outcome.add_problem(problem, state.limit)
    if result.action == REJECTED:
        outcome.rows_with_errors += 1
        return
    if result.action == NEW:
        outcome.created += 1
    elif result.action == UPDATED:
        outcome.updated += 1
    else:
        outcome.unchanged += 1
    if result.action != UNCHANGED:
        state.hasher.update(repr((result.number, result.key, result.action,
                                  result.changes)).encode())  # fmt: skip


def load_existing(
    connection: Connection, provider_id: int, results: list[RowResult]
) -> tuple[dict[str, Existing], dict[int, Existing]]:
    """The provider's stored activities that the rows name, by Provider Activity ID and
    by row id, with their repeated parts (five queries per chunk)."""
    keys = [r.key for r in results if r.key]
    ids = [i for r in results if (i := accme_id_of(r.values.get(ACCME_ID_FIELD) or ""))]
    if not keys and not ids:
        return {}, {}
    wanted = []
    if keys:
        wanted.append(ACTIVITY.c.provider_activity_id.in_(keys))
    if ids:
        wanted.append(ACTIVITY.c.id.in_(ids))
    query = select(
        ACTIVITY.c.id, ACTIVITY.c.version_id, ACTIVITY.c.reporting_year, *_VALUE_COLUMNS
    ).where(ACTIVITY.c.provider_id == provider_id, or_(*wanted))
    found = {row.id: _existing(row._mapping) for row in connection.execute(query)}
    if found:
        _add_parts(connection, found)
    return {e.values[KEY_FIELD]: e for e in found.values()}, found


def _existing(row: Any) -> Existing:
    values = {c.name: row[c.name] for c in _VALUE_COLUMNS}
    values["commercial_supports"] = []
    return Existing(
        id=row["id"],
        version_id=row["version_id"],
        status=row["status"],
        reporting_year=row["reporting_year"],
        values=values,
    )


def _add_parts(connection: Connection, found: dict[int, Existing]) -> None:
    ids = list(found)
    supports = select(SUPPORT).where(SUPPORT.c.activity_id.in_(ids)).order_by(SUPPORT.c.id)
    for row in connection.execute(supports):
        entry = SupportEntry(row.source, row.amount, row.amount is None)
        found[row.activity_id].values["commercial_supports"].append(entry)
    for row in connection.execute(select(MOC).where(MOC.c.activity_id.in_(ids))):
        parts = found[row.activity_id].parts
        for attribute in _MOC_ATTRS:
            parts[part_name("moc", row.board, attribute)] = row._mapping[attribute]
    for row in connection.execute(select(CREDIT).where(CREDIT.c.activity_id.in_(ids))):
        found[row.activity_id].parts[part_name("credit", row.credit_type)] = row.amount
    learners = select(LEARNERS).where(LEARNERS.c.activity_id.in_(ids))
    for counted in connection.execute(learners).mappings():
        existing = found[counted["activity_id"]]
        profession, count = counted["profession"], counted["count"]
        name = part_name("learners", profession)
        existing.parts[name] = existing.parts.get(name, 0) + count
        existing.learner_years.setdefault(profession, {})[counted["year"]] = count
