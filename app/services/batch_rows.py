"""One row of an activity batch file checked against the PARS rules and compared with the
activity it updates (domain.md §1.3, §3).

* Each cell is read by its column's schema field (the same declarations as the web form
  and the CSV export), so a batch file and the form accept exactly the same values.
* A column the file does not have leaves the stored value alone; a blank cell in a
  column the file has clears the value (PARS: blank cells are NULL).
* The activity, with the file's values laid over the stored ones, must meet every
  requirement of its status (:func:`app.schema.lifecycle.status_problems`); a status
  change must be one the user may make; contacts may not change a Closed activity nor
  one of a submitted reporting year.
* The Provider Activity ID is the key: a known one updates that activity, a new one adds
  an activity. The ACCME Activity ID, when given, must be that activity's.

Pure functions over plain values: no database and no request, so the same checks run in
the browser upload, the command line and the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.importers.base import ERROR, Problem, SourceRow
from app.models.activity import ACCME_ACTIVITY_ID_OFFSET
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, MOC_FIELDS, PROVIDER_COLUMN, Field, Kind
from app.schema.lifecycle import MocEntry, SupportEntry, allowed_transitions, status_problems
from app.schema.repeated import REPEATED_PARTS, Part
from app.schema.rules import reporting_year
from app.schema.values import Support, ValueProblem, blank_value, format_value, parse_value

NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
KEY_FIELD = "provider_activity_id"
ACCME_ID_FIELD = "accme_activity_id"
STATUS_FIELD = "status"
#: Fields the file may not set directly: the ACCME Activity ID identifies, the status moves.
_SPECIAL = frozenset({ACCME_ID_FIELD, STATUS_FIELD})


@dataclass(frozen=True)
class Column:
    """How a file column is read: its schema field, and the repeated part it fills."""

    spec: Field
    part: Part | None = None

    @property
    def name(self) -> str:
        return self.spec.name


def _columns() -> dict[str, Column]:
    columns = {spec.label: Column(spec) for spec in ACTIVITY_FIELDS}
    columns.update({part.spec.label: Column(part.spec, part) for part in REPEATED_PARTS})
    return columns


#: Every column a batch file may have (besides the provider column), by heading.
COLUMNS: dict[str, Column] = _columns()
#: Every field a batch file fills, by field name.
_SPECS = {column.spec.name: column.spec for column in COLUMNS.values()}
_MOC_BY_BOARD = {
    board: [p for p in REPEATED_PARTS if p.group == "moc" and p.key == board]
    for board in v.MOC_BOARDS.values
}


@dataclass
class Existing:
    """A stored activity in the terms of a batch file: its field values by field name,
    and its repeated parts by repeated-field name (``moc__ABIM__points``, learners as
    the total over the activity's years)."""

    id: int
    version_id: int
    status: str
    reporting_year: int
    values: dict[str, Any]
    parts: dict[str, Any] = field(default_factory=dict)
    #: Learners per profession, per year counted.
    learner_years: dict[str, dict[int, int]] = field(default_factory=dict)

    def learners_outside(self, profession: str, year: int) -> int:
        """Learners of ``profession`` counted in years other than ``year`` (the reporting
        year the activity will have: a new start date may move it)."""
        counts = self.learner_years.get(profession, {})
        return sum(count for counted, count in counts.items() if counted != year)


@dataclass(frozen=True)
class RowContext:
    """What checking a row needs to know about the upload."""

    provider_accme_id: str
    provider_kind: str
    staff: bool
    today: dt.date
    year_locked: Callable[[int], bool]


@dataclass
class RowResult:
    """The outcome for one row: its action, problems, and what to write."""

    number: int
    key: str
    action: str
    problems: list[Problem]
    title: str = ""
    #: (column, old, new) for an update, as the file would show them.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    #: Parsed field values and repeated parts of the row (only the columns in the file).
    values: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)
    status: str = v.DRAFT
    existing: Existing | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


def accme_id_of(raw: str) -> int | None:
    """The activity row id an ACCME Activity ID (9 digits) stands for, or None."""
    text = raw.strip()
    if len(text) != 9 or not text.isdigit():
        return None
    number = int(text) - ACCME_ACTIVITY_ID_OFFSET
    return number if number > 0 else None


def read_cells(row: SourceRow, ctx: RowContext) -> RowResult:
    """The row's cells parsed by their schema fields, with every value problem. A blank
    cell is the field's empty value (most cells of a full-template row are blank)."""
    result = RowResult(row.number, "", REJECTED, list(row.problems))
    values, parts = result.values, result.parts
    for heading, raw in row.cells.items():
        column = COLUMNS.get(heading)
        if column is None:
            if heading == PROVIDER_COLUMN:
                _check_provider(result, raw, ctx)
            continue
        blank = not raw or raw.isspace()
        if ctx.provider_kind not in column.spec.applies_to:
            if not blank:
                result.problems.append(_error(row.number, heading, raw, _NOT_JOINT))
            continue
        if blank:
            value = blank_value(column.spec)
        else:
            try:
                value = parse_value(column.spec, raw)
            except ValueProblem as problem:
                result.problems.append(_error(row.number, heading, raw, problem.message))
                continue
        (parts if column.part is not None else values)[column.spec.name] = value
    result.key = values.get(KEY_FIELD) or ""
    return result


_NOT_JOINT = "only jointly accredited providers report this; leave it blank."


def _check_provider(result: RowResult, raw: str, ctx: RowContext) -> None:
    text = raw.strip()
    if text and text.zfill(7) != ctx.provider_accme_id.zfill(7):
        result.problems.append(
            _error(
                result.number,
                PROVIDER_COLUMN,
                raw,
                f"{PROVIDER_COLUMN}: this row is for provider {text}, but the file is being "
                f"uploaded for provider {ctx.provider_accme_id}. Upload it under that provider "
                "or correct the ID.",
            )
        )


def _error(number: int, column: str, raw: str, message: str) -> Problem:
    if not message.startswith(f"{column}:") and column:
        message = f"{column}: {message}"
    return Problem(number, column, str(raw)[:500], message, ERROR)


def check_row(result: RowResult, existing: Existing | None, ctx: RowContext) -> RowResult:
    """Decide the row's action against the activity it updates (None: a new one) and
    add every rule problem; the result's action is REJECTED when it has an error."""
    result.existing = existing
    key_label = _SPECS[KEY_FIELD].label
    unnamed = existing is None and not result.key and not result.values.get(ACCME_ID_FIELD)
    if unnamed and key_label not in _refused_columns(result):
        result.problems.append(_error(result.number, key_label, "", "required for every activity."))
    values = _merged_values(result, existing)
    parts = {**(existing.parts if existing else {}), **result.parts}
    result.title = str(values.get("title") or "")
    status = _target_status(result, existing, ctx)
    start = values.get("start_date")
    if isinstance(start, dt.date):
        values["reporting_year"] = reporting_year(start)
    result.changes = _changes(result, existing) if existing else []
    if existing is not None:
        year = values.get("reporting_year", existing.reporting_year)
        result.problems += _learner_problems(result, existing, year)
        if status != existing.status:
            result.changes.insert(0, (_SPECS[STATUS_FIELD].label, existing.status, status))
    if existing is not None and not result.changes:
        result.action = UNCHANGED
    else:
        result.action = UPDATED if existing is not None else NEW
        if _check_change_allowed(result, existing, values, ctx):
            # A cell already refused is reported once, not again as "required ... enter it".
            refused = _refused_columns(result)
            rules = _rule_problems(result.number, values, parts, status, ctx)
            result.problems += [p for p in rules if p.column not in refused]
    if result.has_errors:
        result.action = REJECTED
    return result


def _refused_columns(result: RowResult) -> set[str]:
    """The columns of the row that already have an error."""
    return {p.column for p in result.problems if p.severity == ERROR and p.column}


def _learner_problems(result: RowResult, existing: Existing, year: int) -> list[Problem]:
    """A profession's learners cover the activity's years: the file's total may not be
    below what the years other than the reporting year ``year`` already count (only the
    reporting year's count changes)."""
    problems = []
    for part in REPEATED_PARTS:
        if part.group != "learners" or part.spec.name not in result.parts:
            continue
        new, other = result.parts[part.spec.name], existing.learners_outside(part.key, year)
        if new is not None and other and new < other:
            problems.append(
                _error(
                    result.number,
                    part.spec.label,
                    str(new),
                    f"the other years of this activity already count {other}; give the total "
                    "over all its years.",
                )
            )
    return problems


def _merged_values(result: RowResult, existing: Existing | None) -> dict[str, Any]:
    merged = dict(existing.values) if existing else {}
    merged.update({k: v for k, v in result.values.items() if k not in _SPECIAL})
    if existing is not None and not result.values.get(KEY_FIELD):
        result.key = existing.values[KEY_FIELD]
        result.values[KEY_FIELD] = result.key
    merged[KEY_FIELD] = result.key
    return merged


def _target_status(result: RowResult, existing: Existing | None, ctx: RowContext) -> str:
    """The status in the file; when blank, the stored one (a new activity: Draft)."""
    current = existing.status if existing else None
    wanted = result.values.get(STATUS_FIELD) or current or v.DRAFT
    result.status = wanted
    moving = current is not None and wanted != current
    if moving and wanted not in allowed_transitions(current or v.DRAFT, staff=ctx.staff):
        label = _SPECS[STATUS_FIELD].label
        message = (
            f"the activity is {current}; it cannot be moved to {wanted} by upload."
            if current != v.CLOSED
            else f"the activity is Closed; it is reopened only to {v.READY_TO_CLOSE}, by "
            "ACCME staff."
        )
        result.problems.append(_error(result.number, label, wanted, message))
    return wanted


def _check_change_allowed(
    result: RowResult, existing: Existing | None, values: Mapping[str, Any], ctx: RowContext
) -> bool:
    """Contacts may not change a Closed activity, nor add to or change a submitted year
    (reported under the row's Provider Activity ID: the whole activity is refused, so its
    field requirements are not listed as well). False when the change is refused."""
    if ctx.staff:
        return True
    if existing is not None and existing.status == v.CLOSED:
        result.problems.append(
            _key_error(
                result,
                f"Activity {result.key} is Closed: it can no longer be changed. Leave the row "
                "as it is, or ask ACCME staff to reopen the activity.",
            )
        )
        return False
    years = {values.get("reporting_year")}
    if existing is not None:
        years.add(existing.reporting_year)
    locked = [y for y in sorted(y for y in years if isinstance(y, int)) if ctx.year_locked(y)]
    for year in locked:
        result.problems.append(
            _key_error(
                result,
                f"The {year} annual report is submitted: activity {result.key} cannot be "
                "added to it or changed. Ask ACCME staff to reopen the year.",
            )
        )
    return not locked


def _key_error(result: RowResult, message: str) -> Problem:
    return _error(result.number, _SPECS[KEY_FIELD].label, result.key, message)


def _rule_problems(
    number: int,
    values: dict[str, Any],
    parts: Mapping[str, Any],
    status: str,
    ctx: RowContext,
) -> list[Problem]:
    supports = _support_entries(values.get("commercial_supports"))
    problems = status_problems(
        values,
        status,
        provider_kind=ctx.provider_kind,
        today=ctx.today,
        mocs=moc_entries(parts),
        supports=supports,
    )
    return [_error(number, _problem_column(p), p.value, p.message) for p in problems]


def _problem_column(problem: ValueProblem) -> str:
    return problem.label


def _support_entries(items: Any) -> list[SupportEntry]:
    entries = []
    for item in items or []:
        if isinstance(item, Support):
            entries.append(SupportEntry(item.source, item.amount, item.amount is None))
        elif isinstance(item, SupportEntry):
            entries.append(item)
    return entries


def moc_entries(parts: Mapping[str, Any]) -> list[MocEntry]:
    """The boards with any MOC value, each as a :class:`MocEntry`."""
    entries = []
    for board, board_parts in _MOC_BY_BOARD.items():
        found = {p.attribute: parts.get(p.spec.name) for p in board_parts}
        if all(_blank(value) for value in found.values()):
            continue
        entries.append(
            MocEntry(
                board=board,
                points=found.get("points"),
                credit_types=tuple(found.get("credit_types") or ()),
                practice_areas=tuple(found.get("practice_areas") or ()),
                credit_claim_date=found.get("credit_claim_date"),
                content_area=found.get("content_area"),
                internal_id=found.get("internal_id"),
            )
        )
    return entries


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _changes(result: RowResult, existing: Existing) -> list[tuple[str, str, str]]:
    """(column, old, new) for each column of the file whose value differs."""
    found = []
    for name, new in result.values.items():
        if name in _SPECIAL or name == KEY_FIELD:
            continue
        old = existing.values.get(name)
        if not same_value(old, new):
            found.append((_SPECS[name].label, _text(name, old), _text(name, new)))
    for name, new in result.parts.items():
        old = existing.parts.get(name)
        if not same_value(old, new):
            found.append((_SPECS[name].label, _text(name, old), _text(name, new)))
    return found


def same_value(old: Any, new: Any) -> bool:
    """Whether a stored value and a file value mean the same (blank equals empty; lists
    of choices in any order; 1.50 equals 1.5; supports by source and amount)."""
    if _blank(old) and _blank(new):
        return True
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return _list_key(old) == _list_key(new)
    return bool(old == new)


def _list_key(items: Iterable[Any]) -> list[Any]:
    keys = []
    for item in items:
        if isinstance(item, Support | SupportEntry):
            amount = None if item.amount is None else Decimal(item.amount)
            keys.append((item.source, amount))
        else:
            keys.append(item)
    return keys if keys and isinstance(keys[0], tuple) else sorted(keys)


def _text(name: str, value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], SupportEntry):
        value = [Support(e.source, "In-kind" if e.in_kind else "Monetary", e.amount)
                 for e in value]  # fmt: skip
    return str(format_value(_SPECS[name].kind if name in _SPECS else Kind.TEXT, value))


def moc_part_names() -> dict[str, tuple[str, str]]:
    """Repeated-field name -> (board, MOC attribute), for every per-board column."""
    return {p.spec.name: (p.key, p.attribute or "") for p in REPEATED_PARTS if p.group == "moc"}


MOC_ATTRIBUTES = tuple(m.name for m in MOC_FIELDS)
