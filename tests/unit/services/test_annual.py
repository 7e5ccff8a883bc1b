"""Annual reporting (domain.md §2): deadlines, the five steps, the Program Summary, the
attestation that locks a year, reopening, accreditors' deadlines and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccreditorDeadline,
    AuditEvent,
    CommercialSupport,
    ProgramSummary,
    ReportingYear,
)
from app.queries.annual import year_overview
from app.schema import vocabularies as v
from app.security import scoping
from app.services import annual, annual_deadlines, program_summary
from app.services.errors import ConflictError, InputError, NotInScopeError, RuleError
from tests import factories as f
from tests.conftest import World

YEAR = 2025
TODAY = dt.date(2026, 1, 15)
AMOUNTS = {
    "advertising_exhibit_income": "1000",
    "registration_fees": "2500.50",
    "government_grants": "0",
    "private_donations": "0",
    "other_income": "12.3",
    "total_expenses": "4000",
}


def progress(world: World, provider, actor=None, today: dt.date = TODAY):
    return annual.year_progress(
        db.session, actor=actor or world.staff, provider_id=provider.id, year=YEAR, today=today
    )


def audit_actions(since: int) -> list[str]:
    """Actions of the audit rows written after row ``since`` (the trail is append-only)."""
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > since)))


def last_audit_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def steps(world: World, provider, actor=None) -> dict[str, bool]:
    return {step.key: step.done for step in progress(world, provider, actor).steps}


def save(world: World, provider, actor, version_id=None, **changes):
    return program_summary.save_program_summary(
        db.session,
        actor=actor,
        provider_id=provider.id,
        year=YEAR,
        version_id=version_id,
        amounts={**AMOUNTS, **changes},
    )


def complete(world: World, provider, actor) -> None:
    """Every step of ``provider``'s year done (its activities closed)."""
    for activity in provider.activities:
        activity.status = v.CLOSED
    db.session.commit()
    for step in annual.MARKS:
        annual.mark_step(db.session, actor=actor, provider_id=provider.id, year=YEAR, step=step)
    save(world, provider, actor)


# ---- deadlines ----------------------------------------------------------------------


def test_deadline_precedence(world: World) -> None:
    assert annual_deadlines.deadline_for(
        db.session, world.p1.id, YEAR
    ) == annual_deadlines.YearDeadline(dt.date(2026, 3, 31), "default")
    annual_deadlines.set_accreditor_deadline(
        db.session,
        actor=world.accreditor_tx,
        accreditor_id=world.p1.accreditor_id,
        year=YEAR,
        due=dt.date(2026, 2, 15),
    )
    assert annual_deadlines.deadline_for(db.session, world.p1.id, YEAR).due == dt.date(2026, 2, 15)
    assert annual_deadlines.deadline_for(db.session, world.p1.id, YEAR).source == "accreditor"
    assert annual_deadlines.deadline_for(db.session, world.p2.id, YEAR).source == "default"
    assert annual_deadlines.deadline_for(db.session, world.p1.id, 2024).source == "default"
    annual.extend_deadline(
        db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR, due=dt.date(2026, 5, 1)
    )
    deadline = annual_deadlines.deadline_for(db.session, world.p1.id, YEAR)
    assert (deadline.due, deadline.source) == (dt.date(2026, 5, 1), "extension")
    assert progress(world, world.p1).deadline == deadline
    annual.extend_deadline(
        db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR, due=None
    )
    assert annual_deadlines.deadline_for(db.session, world.p1.id, YEAR).source == "accreditor"


def test_accreditor_deadline_must_be_earlier_and_its_own(world: World) -> None:
    texas, ohio = world.p1.accreditor_id, world.p3.accreditor_id
    start = last_audit_id()

    def set_due(actor, accreditor_id, due):
        return annual_deadlines.set_accreditor_deadline(
            db.session, actor=actor, accreditor_id=accreditor_id, year=YEAR, due=due
        )

    for late in (dt.date(2026, 3, 31), dt.date(2026, 4, 15)):
        with pytest.raises(InputError, match="earlier than March 31, 2026") as error:
            set_due(world.accreditor_tx, texas, late)
        assert error.value.field == "due"
    with pytest.raises(InputError, match="after the end of 2025"):
        set_due(world.accreditor_tx, texas, dt.date(2025, 12, 1))
    for outsider in (world.contact_a, world.surveyor, world.accreditor_tx):
        with pytest.raises(NotInScopeError):
            set_due(outsider, ohio, dt.date(2026, 2, 1))
    with pytest.raises(NotInScopeError):
        set_due(world.contact_a, texas, dt.date(2026, 2, 1))
    assert db.session.scalars(select(AccreditorDeadline)).all() == []

    set_due(world.accreditor_tx, texas, dt.date(2026, 2, 1))
    set_due(world.accreditor_tx, texas, dt.date(2026, 3, 1))  # changed, still one row
    set_due(world.staff, ohio, dt.date(2026, 4, 30))  # staff may set any date
    rows = {r.accreditor_id: r.due for r in db.session.scalars(select(AccreditorDeadline))}
    assert rows == {texas: dt.date(2026, 3, 1), ohio: dt.date(2026, 4, 30)}
    assert set_due(world.accreditor_tx, texas, None) is None
    assert annual_deadlines.deadline_for(db.session, world.p1.id, YEAR).source == "default"
    assert audit_actions(start).count(annual_deadlines.ACCREDITOR_DEADLINE_SET) == 4


def test_only_staff_extend_a_provider_deadline(world: World) -> None:
    start = last_audit_id()
    for actor in (world.contact_a, world.accreditor_tx):
        with pytest.raises(NotInScopeError):
            annual.extend_deadline(
                db.session, actor=actor, provider_id=world.p1.id, year=YEAR, due=dt.date(2026, 6, 1)
            )
    record = annual.extend_deadline(
        db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR, due=dt.date(2026, 6, 1)
    )
    assert record.deadline_extended_to == dt.date(2026, 6, 1)
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == annual.DEADLINE_EXTENDED, AuditEvent.id > start
        )
    ).one()
    assert event.provider_id == world.p1.id and "2026-06-01" in event.detail


# ---- progress -----------------------------------------------------------------------


def test_steps_and_counts(world: World) -> None:
    f.ActivityFactory(provider=world.p1, status=v.CLOSED)
    f.ActivityFactory(provider=world.p1, end_date=dt.date(2026, 2, 1))  # not ended on TODAY
    f.ActivityFactory(provider=world.p1, reporting_year=2024, start_date=dt.date(2024, 5, 1))
    db.session.commit()
    p1 = progress(world, world.p1)
    assert (p1.counts.total, p1.counts.ended_open, p1.counts.enduring) == (3, 1, 0)
    assert {s.key: s.done for s in p1.steps} == {
        "agreement": False,
        "activities": False,
        "enduring": True,  # no enduring material in the year: done by itself
        "summary": False,
        "contacts": False,
    }
    assert "1 ended but not Closed" in p1.steps[1].detail
    assert p1.steps_done == 1 and not p1.overdue and p1.days_left == 75
    assert progress(world, world.p1, today=dt.date(2026, 4, 1)).overdue

    world.a1.status = v.CLOSED
    db.session.commit()
    assert steps(world, world.p1)["activities"] is True

    p2 = progress(world, world.p2)  # a2 is an enduring material
    assert p2.counts.enduring == 1 and steps(world, world.p2)["enduring"] is False
    annual.mark_enduring_updated(
        db.session, actor=world.contact_a, provider_id=world.p2.id, year=YEAR
    )
    annual.accept_agreement(db.session, actor=world.contact_a, provider_id=world.p2.id, year=YEAR)
    annual.mark_contacts_reviewed(
        db.session, actor=world.contact_a, provider_id=world.p2.id, year=YEAR
    )
    done = steps(world, world.p2)
    assert done["enduring"] and done["agreement"] and done["contacts"]
    record = db.session.scalars(select(ReportingYear).filter_by(provider_id=world.p2.id)).one()
    assert record.agreement_accepted_by_id == world.contact_a.id


def test_enduring_material_of_an_earlier_year_counts_while_available(world: World) -> None:
    f.ActivityFactory(
        provider=world.p3,
        format=v.ENDURING,
        start_date=dt.date(2024, 6, 1),
        end_date=dt.date(2027, 5, 31),
        reporting_year=2024,
    )
    db.session.commit()
    p3 = progress(world, world.p3)
    assert (p3.counts.total, p3.counts.enduring) == (1, 1)


# ---- Program Summary ----------------------------------------------------------------


def test_commercial_support_is_summed_from_the_year_activities(world: World) -> None:
    older = f.ActivityFactory(
        provider=world.p1, reporting_year=2024, start_date=dt.date(2024, 1, 1)
    )
    db.session.add_all(
        [
            CommercialSupport(activity_id=world.a1.id, source="Acme", kind="Monetary", amount=5000),
            CommercialSupport(activity_id=world.a1.id, source="Acme", kind="In-kind", amount=None),
            CommercialSupport(
                activity_id=world.a1.id, source="Beta", kind="Monetary", amount=Decimal("250.50")
            ),
            CommercialSupport(activity_id=older.id, source="Old", kind="Monetary", amount=999),
            CommercialSupport(activity_id=world.a3.id, source="P3", kind="Monetary", amount=777),
        ]
    )
    db.session.commit()
    assert program_summary.commercial_support_total(db.session, world.p1.id, YEAR) == Decimal(
        "5250.50"
    )
    summary, support = program_summary.program_summary(
        db.session, actor=world.contact_a, provider_id=world.p1.id, year=YEAR
    )
    assert summary is None and support == Decimal("5250.50")
    assert program_summary.commercial_support_total(db.session, world.p2.id, YEAR) == Decimal(
        "0.00"
    )


def test_summary_save_and_stale_version(world: World) -> None:
    summary = save(world, world.p1, world.contact_a)
    assert summary.registration_fees == Decimal("2500.50") and summary.version_id == 1
    assert summary.saved_by_id == world.contact_a.id
    assert steps(world, world.p1)["summary"] is True
    with pytest.raises(ConflictError):  # a second "new" form, opened before the first save
        save(world, world.p1, world.staff, version_id=None, other_income="1")
    updated = save(world, world.p1, world.staff, version_id=1, other_income="99")
    assert updated.version_id == 2
    with pytest.raises(ConflictError):  # the form opened at version 1
        save(world, world.p1, world.contact_a, version_id=1, other_income="5")
    db.session.expire_all()
    _summary, _ = program_summary.program_summary(
        db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR
    )
    assert (_summary.other_income, _summary.version_id) == (Decimal("99.00"), 2)


@pytest.mark.parametrize("bad", ["-1", "", "abc", "1000000000000"])
def test_summary_amounts_are_checked(world: World, bad: str) -> None:
    with pytest.raises(InputError) as error:
        save(world, world.p1, world.contact_a, total_expenses=bad)
    assert error.value.field == "total_expenses"


# ---- submission, lock, reopening ------------------------------------------------------


def test_submit_refuses_with_every_unmet_step(world: World) -> None:
    with pytest.raises(RuleError) as error:
        annual.submit_year(
            db.session, actor=world.contact_a, provider_id=world.p1.id, year=YEAR, today=TODAY
        )
    problems = error.value.problems
    assert [p.split(":")[0] for p in problems] == ["Step 1", "Step 2", "Step 4", "Step 5"]
    assert "1 ended but not Closed" in problems[1]
    assert not annual.year_is_locked(db.session, world.p1.id, YEAR)


def test_submitted_year_is_locked_until_staff_reopen_it(world: World) -> None:
    start = last_audit_id()
    complete(world, world.p1, world.contact_a)
    record = annual.submit_year(
        db.session, actor=world.contact_a, provider_id=world.p1.id, year=YEAR, today=TODAY
    )
    assert record.submitted_by_id == world.contact_a.id
    assert annual.year_is_locked(db.session, world.p1.id, YEAR)
    assert not annual.year_is_locked(db.session, world.p1.id, 2024)
    assert not annual.year_is_locked(db.session, world.p2.id, YEAR)
    assert progress(world, world.p1, today=dt.date(2026, 6, 1)).overdue is False
    with pytest.raises(RuleError, match="locked"):
        save(world, world.p1, world.contact_a, version_id=1)
    with pytest.raises(RuleError, match="locked"):
        annual.submit_year(db.session, actor=world.contact_a, provider_id=world.p1.id, year=YEAR)
    for outsider in (world.contact_a, world.accreditor_tx, world.contact_b):
        with pytest.raises(NotInScopeError):
            annual.reopen_year(db.session, actor=outsider, provider_id=world.p1.id, year=YEAR)
    assert annual.year_is_locked(db.session, world.p1.id, YEAR)

    annual.reopen_year(db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR)
    assert not annual.year_is_locked(db.session, world.p1.id, YEAR)
    with pytest.raises(RuleError, match="not submitted"):
        annual.reopen_year(db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR)
    save(world, world.p1, world.contact_a, version_id=1, other_income="1")
    annual.submit_year(db.session, actor=world.contact_a, provider_id=world.p1.id, year=YEAR)
    assert annual.year_is_locked(db.session, world.p1.id, YEAR)
    events = audit_actions(start)
    assert events.count(annual.SUBMITTED) == 2 and events.count(annual.REOPENED) == 1


# ---- scope ----------------------------------------------------------------------------


def test_only_contacts_and_staff_change_a_year(world: World) -> None:
    def accept(actor, provider):
        return annual.accept_agreement(db.session, actor=actor, provider_id=provider.id, year=YEAR)

    for actor, provider in (
        (world.contact_a, world.p3),
        (world.contact_b, world.p1),
        (world.accreditor_tx, world.p1),
        (world.surveyor, world.p3),
        (world.nobody, world.p1),
    ):
        with pytest.raises(NotInScopeError):
            accept(actor, provider)
        with pytest.raises(NotInScopeError):
            save(world, provider, actor)
    assert db.session.scalars(select(ReportingYear)).all() == []
    accept(world.contact_b, world.p3)
    accept(world.staff, world.p1)
    with pytest.raises(NotInScopeError):
        annual.accept_agreement(db.session, actor=world.staff, provider_id=999999, year=YEAR)


def test_reading_follows_the_scope(world: World) -> None:
    assert progress(world, world.p1, world.accreditor_tx).provider.id == world.p1.id
    assert progress(world, world.p3, world.surveyor).provider.id == world.p3.id
    for actor, provider in ((world.contact_a, world.p3), (world.accreditor_tx, world.p3)):
        with pytest.raises(NotInScopeError):
            progress(world, provider, actor)
        with pytest.raises(NotInScopeError):
            program_summary.program_summary(
                db.session, actor=actor, provider_id=provider.id, year=YEAR
            )
    tx = year_overview(db.session, world.accreditor_tx, YEAR, TODAY)
    assert [row.provider.id for row in tx] == [world.p1.id]
    assert len(year_overview(db.session, world.staff, YEAR, TODAY)) == 4
    complete(world, world.p2, world.contact_a)
    annual.submit_year(db.session, actor=world.contact_a, provider_id=world.p2.id, year=YEAR)
    late = year_overview(db.session, world.staff, YEAR, dt.date(2026, 4, 1), overdue_only=True)
    assert {row.provider.id for row in late} == {world.p1.id, world.p3.id, world.p4.id}


def test_scoping_rules_of_the_reporting_models(world: World) -> None:
    for provider, actor in ((world.p1, world.contact_a), (world.p3, world.contact_b)):
        annual.accept_agreement(db.session, actor=actor, provider_id=provider.id, year=YEAR)
        save(world, provider, actor)
    for accreditor_id in (world.p1.accreditor_id, world.p3.accreditor_id):
        annual_deadlines.set_accreditor_deadline(
            db.session,
            actor=world.staff,
            accreditor_id=accreditor_id,
            year=YEAR,
            due=dt.date(2026, 2, 1),
        )

    def seen(model, user) -> set[int]:
        rows = db.session.scalars(select(model).where(scoping.predicate(db.session, model, user)))
        return {getattr(row, "provider_id", None) or row.accreditor_id for row in rows}

    assert seen(ReportingYear, world.contact_a) == {world.p1.id}
    assert seen(ProgramSummary, world.accreditor_tx) == {world.p1.id}
    assert seen(ProgramSummary, world.surveyor) == {world.p3.id}
    assert seen(ReportingYear, world.staff) == {world.p1.id, world.p3.id}
    assert seen(AccreditorDeadline, world.contact_a) == {world.p1.accreditor_id}
    assert seen(AccreditorDeadline, world.accreditor_tx) == {world.p1.accreditor_id}
    assert seen(AccreditorDeadline, world.nobody) == set()
