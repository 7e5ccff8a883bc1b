"""Accreditation decisions (domain.md §6.2): staff only, the term from the outcome, the
provider's status, one audit row, and never changed once recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models import AccreditationDecision, AuditEvent
from app.services import decisions
from app.services.errors import InputError, RuleError
from tests.conftest import World


@pytest.mark.parametrize(
    ("outcome", "decided", "end"),
    [
        ("Provisional Accreditation", dt.date(2026, 3, 14), dt.date(2028, 3, 13)),
        ("Accreditation", dt.date(2026, 7, 1), dt.date(2030, 6, 30)),
        ("Accreditation with Commendation", dt.date(2024, 2, 29), dt.date(2030, 2, 28)),
    ],
)
def test_term_follows_the_outcome(outcome: str, decided: dt.date, end: dt.date) -> None:
    assert decisions.term_for(outcome, decided) == (decided, end)


@pytest.mark.parametrize("outcome", ["Probation", "Nonaccreditation"])
def test_probation_and_nonaccreditation_give_no_term(outcome: str) -> None:
    assert decisions.term_for(outcome, dt.date(2026, 1, 5)) == (None, None)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(AccreditationDecision))


def test_staff_record_a_decision_the_provider_follows(world: World) -> None:
    before = _count()
    last_event = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    decision = decisions.record_decision(
        db.session, world.staff, world.p2.id, "Accreditation with Commendation",
        dt.date(2026, 7, 20), "Met all commendation criteria.",
    )  # fmt: skip
    assert _count() == before + 1
    db.session.expire_all()
    provider = db.session.get(type(world.p2), world.p2.id)
    assert provider.accreditation_status == "Accreditation with Commendation"
    assert (provider.term_start, provider.term_end) == (dt.date(2026, 7, 20), dt.date(2032, 7, 19))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_event)).all()
    assert [(e.action, e.object_id) for e in events] == [(decisions.RECORDED, str(decision.id))]
    probation = decisions.record_decision(
        db.session, world.staff, world.p2.id, "Probation", dt.date(2026, 8, 1)
    )
    assert probation.term_end is None
    db.session.expire_all()
    kept = db.session.get(type(world.p2), world.p2.id)
    assert kept.accreditation_status == "Probation" and kept.term_end == dt.date(2032, 7, 19)


@pytest.mark.parametrize("who", ["contact_a", "surveyor", "accreditor_tx"])
def test_only_staff_decide(world: World, who: str) -> None:
    before = _count()
    with pytest.raises(decisions.NotStaffError):
        decisions.record_decision(
            db.session, getattr(world, who), world.p2.id, "Accreditation", dt.date(2026, 7, 1)
        )
    assert _count() == before


def test_bad_inputs_are_refused_in_plain_words(world: World) -> None:
    with pytest.raises(RuleError, match="Recognized Accreditor"):
        decisions.record_decision(
            db.session, world.staff, world.p1.id, "Accreditation", dt.date(2026, 7, 1)
        )
    with pytest.raises(InputError, match="future"):
        decisions.record_decision(
            db.session, world.staff, world.p2.id, "Accreditation", dt.date(2999, 1, 1)
        )
    with pytest.raises(InputError, match="outcome"):
        decisions.record_decision(
            db.session, world.staff, world.p2.id, "Excellent", dt.date(2026, 7, 1)
        )


def test_a_recorded_decision_cannot_be_changed_in_the_database(world: World) -> None:
    decision = decisions.record_decision(
        db.session, world.staff, world.p2.id, "Accreditation", dt.date(2026, 7, 1)
    )
    with pytest.raises(DatabaseError):
        db.session.execute(
            text("UPDATE accreditation_decision SET outcome = 'Probation' WHERE id = :id"),
            {"id": decision.id},
        )
    db.session.rollback()
    assert db.session.get(AccreditationDecision, decision.id).outcome == "Accreditation"


def test_history_reads_are_scoped(world: World, client_for: Any) -> None:
    decisions.record_decision(
        db.session, world.staff, world.p2.id, "Accreditation", dt.date(2026, 7, 1)
    )
    page = client_for(world.contact_b).get("/decisions/list/").get_data(as_text=True)
    assert "Columbus Community Hospital" in page
    assert "National Society of Cardiology" not in page
    mine = client_for(world.contact_a).get("/decisions/list/").get_data(as_text=True)
    assert "National Society of Cardiology" in mine
