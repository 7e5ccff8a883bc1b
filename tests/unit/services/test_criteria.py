"""The accreditation criteria catalogue (domain.md §6.4, §6.5): seeded once, kept as staff
edit it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Criterion
from app.schema import vocabularies as v
from app.schema.criteria import COMMENDATION, CORE, CRITERIA, STANDARD
from app.services.criteria import seed_criteria


def test_catalogue_has_the_core_criteria_the_standards_and_16_commendation_criteria() -> None:
    kinds = [spec.kind for spec in CRITERIA]
    assert kinds.count(CORE) == 8 and kinds.count(STANDARD) == 6
    commendation = [s for s in CRITERIA if s.kind == COMMENDATION]
    assert [s.code for s in commendation] == [f"C{n}" for n in range(23, 39)]
    assert [s.name for s in commendation] == list(v.COMMENDATION_TAGS.values)
    assert {s.group for s in commendation if s.code in ("C36", "C37", "C38")} == {
        "Achieves Outcomes"
    }
    assert len({s.code for s in CRITERIA}) == len(CRITERIA)


def test_seed_adds_what_is_missing_and_keeps_staff_edits(app_ctx: Any) -> None:
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == len(CRITERIA)
    mission = db.session.scalars(select(Criterion).filter_by(code="C1")).one()
    mission.description = "Edited by staff"
    mission.active = False
    db.session.execute(delete(Criterion).where(Criterion.code == "C38"))
    db.session.commit()
    assert seed_criteria(db.session) == 1
    assert seed_criteria(db.session) == 0
    kept = db.session.scalars(select(Criterion).filter_by(code="C1")).one()
    assert (kept.description, kept.active) == ("Edited by staff", False)
    kept.description, kept.active = None, True
    db.session.commit()
