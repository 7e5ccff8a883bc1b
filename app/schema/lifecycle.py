"""The PARS activity lifecycle: what each status requires, and who may move an activity
from one status to another (domain.md §1.3, §1.7, §1.9, §5).

An activity is Draft -> Active -> Ready to Close -> Closed. :func:`status_problems` lists
*every* reason why an activity with the given values cannot be in a status, each message
starting with the field's column name and saying what to do, so a form or a batch row
reports everything at once. :func:`allowed_transitions` says which moves a provider or
ACCME staff may make. Pure functions: no database, no request, the date of today passed in.

How a rule is written: a *need rule* names the fields a status requires and for whom
("an in-person activity"); one check then reports each empty needed field once. A
*problem rule* reports values that are wrong whatever is filled in (an end date that has
passed, MOC points above the credits, a support source without an amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.schema import vocabularies as v
from app.schema.fields import (
    ACTIVITY_FIELDS,
    FIELDS_BY_NAME,
    MOC_FIELDS,
    QUARTER,
    Field,
    Kind,
    MocField,
    fields_for,
    moc_column,
)
from app.schema.rules import cross_field_problems
from app.schema.values import IN_KIND, ValueProblem, format_value, plain_decimal

#: The statuses in lifecycle order; a status requires everything its predecessors require.
STATUS_ORDER: tuple[str, ...] = v.ACTIVITY_STATUSES.values

#: Boards that accept whole MOC points only (domain.md §1.7: ABP rounds to whole numbers).
WHOLE_POINT_BOARDS = frozenset({"ABP"})

#: The statuses a provider, and ACCME staff, may move an activity to from each status.
#: Providers move freely among the open statuses (skipping forward is fine when the target's
#: requirements hold); Closed is read-only for them, and only ACCME staff reopen a closed
#: activity, to Ready to Close.
PROVIDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    v.DRAFT: (v.ACTIVE, v.READY_TO_CLOSE, v.CLOSED),
    v.ACTIVE: (v.DRAFT, v.READY_TO_CLOSE, v.CLOSED),
    v.READY_TO_CLOSE: (v.DRAFT, v.ACTIVE, v.CLOSED),
    v.CLOSED: (),
}
STAFF_TRANSITIONS: dict[str, tuple[str, ...]] = {
    **PROVIDER_TRANSITIONS,
    v.CLOSED: (v.READY_TO_CLOSE,),
}

#: How a requirement message ends: "required for an activity to be <phrase>".
_STATUS_PHRASES = {**{status: status for status in STATUS_ORDER}, v.DRAFT: "saved as a Draft"}
_ACTIONS = {
    Kind.TEXT: "enter it",
    Kind.LONG_TEXT: "enter it",
    Kind.INTEGER: "enter the number (0 if there were none)",
    Kind.DECIMAL: "enter the amount",
    Kind.DATE: "enter the date (MM/DD/YYYY)",
    Kind.BOOLEAN: "answer Yes or No",
    Kind.CHOICE: "choose one",
    Kind.MULTI_CHOICE: "choose at least one",
    Kind.NAME_LIST: "add at least one name",
    Kind.SUPPORT_LIST: "add at least one source",
}
_ANYONE = "an activity"

# Messages of the problem rules; each follows "<column name>: ".
ENDED = "{end} has passed, so the activity cannot be Active; move it to Ready to Close."
NOT_ENDED = (
    "{end} has not passed yet, so the activity cannot be {status}; keep it Active until it "
    "has ended."
)
SOURCES_WITHOUT_SUPPORT = (
    "sources are listed but Commercial Support Received is No; remove the sources or answer Yes."
)
SOURCE_NAME = "give the name of every source."
SOURCE_AMOUNT = "give the amount received from '{source}' (more than 0), or mark it In-kind."
NOT_ATTESTED = (
    "must be Yes for an activity registered for MOC to be Closed; attest that the activity "
    "meets each board's requirements, or remove the boards."
)
NO_BOARD = "is Yes but no board is registered; add at least one board or answer No."
POINTS_ABOVE_CREDITS = (
    "must not be more than the activity's AMA PRA Category 1 Credits ({credits}); "
    "lower the points or correct the credits."
)


@dataclass(frozen=True)
class MocEntry:
    """One board an activity is registered with for "CME that Counts for MOC" (§1.7)."""

    board: str
    points: Decimal | None = None
    credit_types: tuple[str, ...] = ()
    practice_areas: tuple[str, ...] = ()
    credit_claim_date: dt.date | None = None
    content_area: str | None = None
    internal_id: str | None = None


@dataclass(frozen=True)
class SupportEntry:
    """One commercial support source: monetary with an amount above 0, or in-kind."""

    source: str
    amount: Decimal | None = None
    in_kind: bool = False


#: Each status's place in :data:`STATUS_ORDER`.
_RANKS: dict[str, int] = {status: index for index, status in enumerate(STATUS_ORDER)}


def _rank(status: str) -> int:
    rank = _RANKS.get(status)
    if rank is None:
        raise ValueError(f"Unknown activity status {status!r}; use one of {STATUS_ORDER}.")
    return rank


def requires(field: Field | str, status: str) -> bool:
    """Whether PARS requires ``field`` (a Field or its name) for every activity in
    ``status``: its ``required_from`` is that status or an earlier one. Conditional needs
    (location, CME Finder details, closing details) are not included; see
    :func:`status_problems`. Raises ValueError for an unknown status."""
    spec = FIELDS_BY_NAME[field] if isinstance(field, str) else field
    if spec.required_from is None:
        return False
    return _rank(spec.required_from) <= _rank(status)


def allowed_transitions(current: str, *, staff: bool) -> tuple[str, ...]:
    """The statuses an activity in ``current`` may be moved to (not ``current`` itself).

    ============== ==================================== ============================
    From           Provider may move to                 ACCME staff also
    ============== ==================================== ============================
    Draft          Active, Ready to Close, Closed       -
    Active         Draft, Ready to Close, Closed        -
    Ready to Close Draft, Active, Closed                -
    Closed         nothing (read-only for providers)    Ready to Close (reopen)
    ============== ==================================== ============================

    A move is made only when :func:`status_problems` finds nothing for the target status
    (so Ready to Close -> Active needs an end date that has not passed). Raises ValueError
    for an unknown status."""
    _rank(current)
    table = STAFF_TRANSITIONS if staff else PROVIDER_TRANSITIONS
    return table[current]


class _Activity:
    """The values being checked, the target status and the facts around them."""

    __slots__ = ("kind", "mocs", "rank", "status", "supports", "today", "values")

    def __init__(
        self,
        values: Mapping[str, Any],
        status: str,
        kind: str,
        today: dt.date,
        mocs: tuple[MocEntry, ...],
        supports: tuple[SupportEntry, ...],
    ) -> None:
        self.values = values
        self.status = status
        self.kind = kind
        self.today = today
        self.mocs = mocs
        self.supports = supports
        self.rank = _rank(status)

    def at_least(self, status: str) -> bool:
        return self.rank >= _RANKS[status]

    def get(self, name: str) -> Any:
        if name == "commercial_supports":
            return list(self.supports)
        return self.values.get(name)


Need = tuple[str, str]  # (field name, who needs it, e.g. "an in-person activity")


_COLLECTIONS = (list, tuple, set, frozenset)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, _COLLECTIONS):
        return len(value) == 0
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _problem(name: str, message: str, value: Any = "") -> ValueProblem:
    label = FIELDS_BY_NAME[name].label
    return ValueProblem(name, label, _text(value), f"{label}: {message}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return str(format_value(Kind.DATE, value))
    if isinstance(value, Decimal):
        return str(plain_decimal(value))
    return str(value)


# -- need rules: which fields a status requires, and for whom --------------------------------


def _schema_needs(kind: str, status: str) -> dict[str, str]:
    """Every field PARS requires of any activity in the status (its ``required_from`` is at
    or before it) that applies to the provider's kind, in schema order: JA-PARS fields are
    never asked of ACCME- or state-accredited providers. The same for every activity, so
    built once per (kind, status) into :data:`_SCHEMA_NEEDS`."""
    return {
        spec.name: _ANYONE
        for spec in fields_for(kind)
        if spec.name != "status" and requires(spec, status)
    }


#: :func:`_schema_needs` of every (provider kind, status).
_SCHEMA_NEEDS: dict[tuple[str, str], dict[str, str]] = {
    (kind, status): _schema_needs(kind, status)
    for kind in v.PROVIDER_KINDS.values
    for status in STATUS_ORDER
}


def _location_needs(act: _Activity) -> Iterable[Need]:
    """From Active on, an activity delivered in person (a Live Course or RSS, or any other
    format) gives its City and Country, and its State when the country is the USA."""
    if not act.at_least(v.ACTIVE) or v.IN_PERSON not in (act.get("delivery_methods") or ()):
        return
    yield "city", "an in-person activity"
    yield "country", "an in-person activity"
    if act.get("country") == "USA":
        yield "state", "an in-person activity in the USA"


def _finder_needs(act: _Activity) -> Iterable[Need]:
    """From Active on, an activity listed in CME Finder gives its Fee, Registration and
    Activity URL (§1.9)."""
    if act.at_least(v.ACTIVE) and act.get("cme_finder") is True:
        who = "an activity listed in CME Finder"
        yield from (("fee", who), ("registration", who), ("activity_url", who))


def _closing_needs(act: _Activity) -> Iterable[Need]:
    """To close: a jointly provided activity names its joint providers; one that received
    commercial support lists its sources; one registered for MOC gives the Fee,
    Registration and Activity URL learners see; a jointly accredited provider's
    interprofessional activity names its target professions (§5)."""
    if not act.at_least(v.CLOSED):
        return
    if act.get("providership") == "Joint":
        yield "joint_providers", "a jointly provided activity"
    if act.get("commercial_support") is True:
        yield "commercial_supports", "an activity that received commercial support"
    if act.mocs:
        who = "an activity registered for MOC"
        yield from (("fee", who), ("registration", who), ("activity_url", who))
    if act.kind == v.JOINT_KIND and act.get("is_interprofessional") is True:
        yield "target_professions", "an interprofessional activity"


#: The need rules that depend on the values; they follow the schema needs.
_NEED_RULES: tuple[Callable[[_Activity], Iterable[Need]], ...] = (
    _location_needs,
    _finder_needs,
    _closing_needs,
)


def _missing_problems(act: _Activity) -> list[ValueProblem]:
    """One problem per needed field left empty (None, blank text or an empty list; 0 and
    No are answers), naming the first reason it is needed."""
    needs = dict(_SCHEMA_NEEDS[act.kind, act.status])
    for rule in _NEED_RULES:
        for name, who in rule(act):
            needs.setdefault(name, who)
    get, supports = act.values.get, act.supports  # act.get, without a call per field
    empty = [
        (name, who)
        for name, who in needs.items()
        if _is_empty(supports if name == "commercial_supports" else get(name))
    ]
    phrase = _STATUS_PHRASES[act.status]
    return [
        _problem(
            name,
            f"required for {who} to be {phrase}; {_ACTIONS[FIELDS_BY_NAME[name].kind]}.",
        )
        for name, who in empty
    ]


# -- problem rules: values that are wrong for the status, or wrong in any status ------------


def _end_date_problems(act: _Activity) -> list[ValueProblem]:
    """An Active activity has not ended yet (end date today or later); a Ready to Close or
    Closed activity has (end date before today)."""
    end = act.get("end_date")
    if not isinstance(end, dt.date) or not act.at_least(v.ACTIVE):
        return []
    if act.status == v.ACTIVE and end < act.today:
        return [_problem("end_date", ENDED.format(end=_text(end)), end)]
    if act.status != v.ACTIVE and end >= act.today:
        message = NOT_ENDED.format(end=_text(end), status=act.status)
        return [_problem("end_date", message, end)]
    return []


def _support_problems(act: _Activity) -> list[ValueProblem]:
    """Each commercial support source has a name and is either monetary with an amount
    above 0 or in-kind; sources are listed only when Commercial Support Received is Yes."""
    problems = []
    if act.supports and act.get("commercial_support") is False:
        problems.append(_problem("commercial_supports", SOURCES_WITHOUT_SUPPORT))
    for entry in act.supports:
        source = entry.source.strip()
        if not source:
            problems.append(_problem("commercial_supports", SOURCE_NAME))
        elif not entry.in_kind and (entry.amount is None or entry.amount <= 0):
            message = SOURCE_AMOUNT.format(source=source)
            problems.append(_problem("commercial_supports", message, entry.amount))
    return problems


def _moc_attestation_problems(act: _Activity) -> list[ValueProblem]:
    """To close an activity registered for MOC, the provider has attested (MOC Attestation
    Yes) and registered at least one board."""
    if not act.at_least(v.CLOSED):
        return []
    attested = act.get("moc_attestation")
    if act.mocs and attested is not True:
        return [_problem("moc_attestation", NOT_ATTESTED, attested)]
    if not act.mocs and attested is True:
        return [_problem("moc_attestation", NO_BOARD, attested)]
    return []


_MOC = {m.name: m for m in MOC_FIELDS}
_MOC_REQUIRED_TO_CLOSE = ("points", "credit_types", "practice_areas", "credit_claim_date")
_MOC_ACTIONS = {
    "points": "enter the MOC points",
    "credit_types": "choose at least one",
    "practice_areas": "choose at least one",
    "credit_claim_date": "enter the last date learners may claim credit (MM/DD/YYYY)",
}


def _moc_problem(entry: MocEntry, moc_field: MocField, message: str) -> ValueProblem:
    label = moc_column(entry.board, moc_field)
    value = _text(getattr(entry, moc_field.name))
    return ValueProblem(f"moc.{entry.board}.{moc_field.name}", label, value, f"{label}: {message}")


def _moc_board_problems(act: _Activity) -> list[ValueProblem]:
    """To close, each registered board has its MOC points, at least one credit type, at
    least one practice area and the credit claim date. Content area and internal ID
    depend on the board and are never demanded."""
    if not act.at_least(v.CLOSED):
        return []
    return [
        _moc_problem(
            entry,
            _MOC[name],
            f"required for an activity registered for {entry.board} MOC to be Closed; "
            f"{_MOC_ACTIONS[name]}.",
        )
        for entry in act.mocs
        for name in _MOC_REQUIRED_TO_CLOSE
        if _is_empty(getattr(entry, name))
    ]


def _moc_points_problems(act: _Activity) -> list[ValueProblem]:
    """In any status, MOC points are above 0 in steps of 0.25 (whole points for the ABP)
    and not more than the activity's AMA PRA Category 1 Credits when those are given."""
    credits = act.get("credits")
    problems = []
    for entry in act.mocs:
        if entry.points is None:
            continue
        points, spec = Decimal(entry.points), _MOC["points"]
        if points <= 0:
            problems.append(_moc_problem(entry, spec, "must be more than 0."))
        elif entry.board in WHOLE_POINT_BOARDS and points != points.to_integral_value():
            problems.append(
                _moc_problem(entry, spec, f"the {entry.board} accepts whole points only (e.g. 2).")
            )
        elif points % QUARTER != 0:
            problems.append(_moc_problem(entry, spec, "must be in steps of 0.25 (e.g. 1.25)."))
        if _is_number(credits) and points > credits:
            message = POINTS_ABOVE_CREDITS.format(credits=_text(credits))
            problems.append(_moc_problem(entry, spec, message))
    return problems


#: The fields with a minimum, maximum or step: the only ones :func:`_number_problems` can
#: find a problem in (credits and learner counts), in schema order.
_LIMITED_FIELDS: tuple[Field, ...] = tuple(
    spec
    for spec in ACTIVITY_FIELDS
    if spec.minimum is not None or spec.maximum is not None or spec.step is not None
)


def _number_problems(act: _Activity) -> list[ValueProblem]:
    """In any status, numbers keep to their field's limits: credits at least 0.25 in steps
    of 0.25, learner counts 0 or more."""
    problems = []
    for spec in _LIMITED_FIELDS:
        value = act.get(spec.name)
        if not _is_number(value):
            continue
        if spec.minimum is not None and value < spec.minimum:
            problems.append(_problem(spec.name, f"must be at least {spec.minimum}.", value))
        elif spec.maximum is not None and value > spec.maximum:
            problems.append(_problem(spec.name, f"must be at most {spec.maximum}.", value))
        elif spec.step is not None and Decimal(value) % spec.step != 0:
            problems.append(
                _problem(spec.name, f"must be in steps of {spec.step} (e.g. 1.25, 1.5).", value)
            )
    return problems


def _cross_field_problems(act: _Activity) -> list[ValueProblem]:
    """The rules across fields of :mod:`app.schema.rules`: date order, RSS at most 12
    months, enduring material at most 3 years, a state only for the USA."""
    return cross_field_problems(act.values)


_PROBLEM_RULES: tuple[Callable[[_Activity], list[ValueProblem]], ...] = (
    _missing_problems,
    _end_date_problems,
    _support_problems,
    _moc_attestation_problems,
    _moc_board_problems,
    _moc_points_problems,
    _number_problems,
    _cross_field_problems,
)


# -- the whole check --------------------------------------------------------------------------

_FIELD_ORDER = {spec.name: index for index, spec in enumerate(ACTIVITY_FIELDS)}
_MOC_ORDER = {m.name: index for index, m in enumerate(MOC_FIELDS)}


def _order_key(problem: ValueProblem) -> tuple[int, int, int]:
    if problem.field in _FIELD_ORDER:
        return (0, _FIELD_ORDER[problem.field], 0)
    _, board, name = problem.field.split(".", 2)
    boards = v.MOC_BOARDS.values
    board_index = boards.index(board) if board in boards else len(boards)
    return (1, board_index, _MOC_ORDER[name])


def _support_entries(
    values: Mapping[str, Any], supports: Sequence[SupportEntry]
) -> tuple[SupportEntry, ...]:
    """``supports`` when given, else the sources parsed into ``values`` (values.Support)."""
    if supports:
        return tuple(supports)
    return tuple(_support_entry(item) for item in values.get("commercial_supports") or ())


def _support_entry(item: Any) -> SupportEntry:
    """A SupportEntry as it is; a values.Support (or a record with source, amount and
    kind or in_kind); a bare name is a source whose amount is not known."""
    if isinstance(item, SupportEntry):
        return item
    if isinstance(item, str):
        return SupportEntry(item)
    in_kind = getattr(item, "in_kind", None)
    if in_kind is None:
        in_kind = getattr(item, "kind", None) == IN_KIND
    return SupportEntry(item.source, getattr(item, "amount", None), bool(in_kind))


def status_problems(
    values: Mapping[str, Any],
    status: str,
    *,
    provider_kind: str,
    today: dt.date,
    mocs: Sequence[MocEntry] = (),
    supports: Sequence[SupportEntry] = (),
) -> list[ValueProblem]:
    """Every problem that keeps an activity with these parsed ``values`` out of ``status``;
    an empty list means the activity may be in it (domain.md §1.3).

    ``values`` maps field names to parsed values; ``provider_kind`` is the provider's
    accreditation kind; ``mocs`` are the boards the activity is registered with and
    ``supports`` its commercial support sources (when empty, the ``values.Support`` items
    under ``commercial_supports`` are used). Each message starts with the column name of
    its field (``'<board> <label>'`` for per-board MOC data, whose problem field is
    ``'moc.<board>.<name>'``). Problems come in schema order, then MOC board by board,
    without duplicates. Raises ValueError for an unknown status or provider kind."""
    _rank(status)
    if provider_kind not in v.PROVIDER_KINDS:
        raise ValueError(f"Unknown provider kind {provider_kind!r}.")
    act = _Activity(
        values, status, provider_kind, today, tuple(mocs), _support_entries(values, supports)
    )
    unique: dict[tuple[str, str], ValueProblem] = {}
    for rule in _PROBLEM_RULES:
        for problem in rule(act):
            unique.setdefault((problem.field, problem.message), problem)
    return sorted(unique.values(), key=_order_key)
