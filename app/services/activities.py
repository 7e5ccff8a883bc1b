"""An activity through the PARS lifecycle: Draft → Active → Ready to Close → Closed
(domain.md §1.3), with the rules of :mod:`app.schema.lifecycle`.

* A status change names every missing or wrong field at once and changes nothing until
  they are all fixed.
* A Closed activity, and any activity of a submitted reporting year, is read-only for the
  provider's contacts; ACCME staff reopen it (to Ready to Close).
* Every change carries the version the user saw: a stale one is refused (409) and
  overwrites nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from app.models import Activity, ActivityCredit, LearnerCount, MocRegistration
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, MOC_FIELDS, Kind
from app.schema.lifecycle import MocEntry, SupportEntry, allowed_transitions, status_problems
from app.schema.repeated import REPEATED_PARTS, part_name
from app.security import scoping
from app.services import audit
from app.services.annual import year_is_locked
from app.services.errors import ConflictError, NotInScopeError, RuleError

STATUS_CHANGED = "activity status changed"
MOC_ATTRIBUTES = tuple(m.name for m in MOC_FIELDS)
LIST_ATTRS = {m.name for m in MOC_FIELDS if m.kind is Kind.MULTI_CHOICE}


def activity_for_change(session: Session, actor: Any, activity_id: int) -> Activity:
    """The activity, if ``actor`` may change it; NotInScopeError otherwise (404)."""
    activity = session.get(Activity, activity_id)
    if activity is None or not scoping.can_act_for_provider(session, actor, activity.provider_id):
        raise NotInScopeError()
    return activity


def check_version(activity: Activity, expected_version: Any) -> None:
    """Refuse a change made from an outdated copy of the activity."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if expected != activity.version_id:
        raise ConflictError()


def check_editable(session: Session, actor: Any, activity: Activity) -> None:
    """Contacts may not change a Closed activity, nor one of a submitted year."""
    if scoping.sees_everything(actor):
        return
    if activity.status == v.CLOSED:
        raise RuleError(
            "This activity is Closed: it can no longer be changed. Ask ACCME staff to reopen it."
        )
    if year_is_locked(session, activity.provider_id, activity.reporting_year):
        raise RuleError(
            f"The {activity.reporting_year} annual report is submitted: its activities can no "
            "longer be changed. Ask ACCME staff to reopen the year."
        )


def check_year_open(session: Session, actor: Any, provider_id: int, year: int) -> None:
    """Contacts may not add an activity to a submitted reporting year, nor move one
    into it (by its start date)."""
    if not scoping.sees_everything(actor) and year_is_locked(session, provider_id, year):
        raise RuleError(
            f"The {year} annual report is submitted: no activity can be added to it or "
            "moved into it. Ask ACCME staff to reopen the year."
        )


def values_of(activity: Activity) -> dict[str, Any]:
    """The activity's field values, by schema field name."""
    values = {f.name: getattr(activity, f.name, None) for f in ACTIVITY_FIELDS}
    values["commercial_supports"] = [s.source for s in activity.commercial_supports]
    return values


def moc_entries(activity: Activity) -> list[MocEntry]:
    return [
        MocEntry(
            board=m.board,
            points=m.points,
            credit_types=tuple(m.credit_types or ()),
            practice_areas=tuple(m.practice_areas or ()),
            credit_claim_date=m.credit_claim_date,
            content_area=m.content_area,
            internal_id=m.internal_id,
        )
        for m in activity.moc_registrations
    ]


def support_entries(activity: Activity) -> list[SupportEntry]:
    return [
        SupportEntry(source=s.source, amount=s.amount, in_kind=s.amount is None)
        for s in activity.commercial_supports
    ]


def problems_for(activity: Activity, status: str, today: dt.date) -> list[str]:
    """Every reason the activity cannot be in ``status`` today, each naming its field."""
    problems = status_problems(
        values_of(activity),
        status,
        provider_kind=activity.provider.kind,
        today=today,
        mocs=moc_entries(activity),
        supports=support_entries(activity),
    )
    return [problem.message for problem in problems]


def change_status(
    session: Session,
    *,
    actor: Any,
    activity_id: int,
    target: str,
    expected_version: Any,
    today: dt.date | None = None,
) -> Activity:
    """Move the activity to ``target`` if the lifecycle allows it and every field that
    status requires is there and right; otherwise RuleError listing every problem.
    Staff alone reopen a Closed activity. Commits."""
    today = today or dt.date.today()
    activity = activity_for_change(session, actor, activity_id)
    check_version(activity, expected_version)
    staff = scoping.sees_everything(actor)
    if activity.status != v.CLOSED or not staff:
        check_editable(session, actor, activity)
    if target not in allowed_transitions(activity.status, staff=staff):
        raise RuleError(f"An activity that is {activity.status} cannot be made {target}.")
    problems = problems_for(activity, target, today)
    if problems:
        raise RuleError(
            f"The activity cannot be {target} yet. Fix these fields, then try again:", problems
        )
    before = activity.status
    activity.status = target
    audit.record(
        session,
        STATUS_CHANGED,
        actor=actor,
        provider_id=activity.provider_id,
        obj=activity,
        detail=f"{before} -> {target}",
    )
    session.commit()
    return activity


def repeated_values(activity: Activity) -> dict[str, Any]:
    """The form values of the activity's repeated parts (see app.schema.repeated), for
    its reporting year's learner counts."""
    values: dict[str, Any] = {"moc_boards": [m.board for m in activity.moc_registrations]}
    for moc in activity.moc_registrations:
        for name in MOC_ATTRIBUTES:
            values[part_name("moc", moc.board, name)] = getattr(moc, name)
    for credit in activity.ja_credits:
        values[part_name("credit", credit.credit_type)] = credit.amount
    for count in activity.learner_counts:
        if count.year == activity.reporting_year:
            values[part_name("learners", count.profession)] = count.count
    return values


def apply_repeated_values(activity: Activity, values: dict[str, Any]) -> None:
    """Set the activity's MOC registrations (the boards chosen, with their details), JA
    credits and this year's learners per profession from form values. JA parts are kept
    only for a jointly accredited provider. The caller's transaction saves them."""
    boards = set(values.get("moc_boards") or [])
    existing = {m.board: m for m in activity.moc_registrations}
    activity.moc_registrations = [
        _moc_registration(existing.get(board), board, values)
        for board in v.MOC_BOARDS.values
        if board in boards
    ]
    joint = activity.provider is not None and activity.provider.kind == v.JOINT_KIND
    credits = {c.credit_type: c for c in activity.ja_credits}
    activity.ja_credits = [
        _credit(credits.get(part.key), part.key, values[part.spec.name])
        for part in REPEATED_PARTS
        if joint and part.group == "credit" and values.get(part.spec.name) is not None
    ]
    year = activity.reporting_year
    kept = [c for c in activity.learner_counts if c.year != year]
    current = {c.profession: c for c in activity.learner_counts if c.year == year}
    activity.learner_counts = kept + [
        _count(current.get(part.key), part.key, year, values[part.spec.name])
        for part in REPEATED_PARTS
        if joint and part.group == "learners" and values.get(part.spec.name) is not None
    ]


def _moc_registration(row: MocRegistration | None, board: str, values: dict[str, Any]) -> Any:
    row = row or MocRegistration(board=board)
    for name in MOC_ATTRIBUTES:
        value = values.get(part_name("moc", board, name))
        setattr(row, name, value if value is not None else ([] if name in LIST_ATTRS else None))
    return row


def _credit(row: ActivityCredit | None, credit_type: str, amount: Any) -> ActivityCredit:
    row = row or ActivityCredit(credit_type=credit_type)
    row.amount = amount
    return row


def _count(row: LearnerCount | None, profession: str, year: int, count: Any) -> LearnerCount:
    row = row or LearnerCount(profession=profession, year=year)
    row.count = count
    return row
