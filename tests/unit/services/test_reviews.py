"""The accreditation review workflow through the services (domain.md §6.3): a whole
cycle from the Confirmation of Intent to the decision and the accreditation history,
and each step's refusals in plain words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Criterion, Provider, Review, ReviewEvent, ReviewFinding
from app.queries import review_workspace
from app.schema import criteria as c
from app.schema import vocabularies as v
from app.security import roles
from app.services import findings, review_mail, review_materials, review_team, reviews
from app.services.clock import utcnow
from app.services.errors import ForbiddenError, InputError, NotInScopeError, RuleError
from app.services.mail import Email
from tests.conftest import World, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> list[Email]:
    sent: list[Email] = []
    monkeypatch.setattr(review_mail, "send_email", sent.append)
    return sent


@pytest.fixture
def files(tmp_path: Path) -> review_materials.MaterialSettings:
    return review_materials.MaterialSettings(directory=tmp_path, max_bytes=1024 * 1024)


def today() -> dt.date:
    return utcnow().date()


def required_codes() -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion).where(
                Criterion.active.is_(True), Criterion.kind.in_((c.CORE, c.STANDARD))
            )
        )
    )


def second_surveyor() -> Any:
    user = make_user("surveyor.two@example.test", roles.SURVEYOR)
    db.session.commit()
    return user


def open_p2(world: World) -> Review:
    return reviews.open_review(
        db.session, world.staff, world.p2.id, "Reaccreditation",
        today() + dt.timedelta(days=60), today() + dt.timedelta(days=20),
    )  # fmt: skip


def test_a_whole_cycle_from_intent_to_history(
    world: World, outbox: list[Email], files: review_materials.MaterialSettings
) -> None:
    staff, contact, surveyor = world.staff, world.contact_a, world.surveyor
    review = open_p2(world)
    assert review.stage == v.REVIEW_INTENT
    assert (review.term_start, review.term_end) == (world.p2.term_start, world.p2.term_end)

    reviews.confirm_intent(db.session, contact, review.id, attests=True)
    assert review.stage == v.REVIEW_MATERIALS_DUE
    (pick,) = review_materials.pick_activities(db.session, staff, review.id, [world.a2.id])
    with pytest.raises(RuleError) as incomplete:
        reviews.submit(db.session, contact, review.id)
    assert "self-study report" in " ".join(incomplete.value.problems)
    review_materials.add_material(
        db.session, contact, review.id, v.MATERIAL_SELF_STUDY, "self-study.pdf", PDF, files
    )
    review_materials.add_material(
        db.session, contact, review.id, v.MATERIAL_EVIDENCE, "evidence.pdf", PDF, files,
        review_activity_id=pick.id,
    )  # fmt: skip
    reviews.submit(db.session, contact, review.id)
    assert review.stage == v.REVIEW_SUBMITTED and review.submitted_at is not None
    assert [e.to for e in outbox] == [contact.email]  # the receipt

    two = second_surveyor()
    for user in (surveyor, two):
        review_team.assign_surveyor(db.session, staff, review.id, user.id)
    assert {e.to for e in outbox[1:]} == {surveyor.email, two.email}
    reviews.start_review(db.session, staff, review.id)
    reviews.schedule_interview(db.session, staff, review.id, today() + dt.timedelta(days=10))
    assert review.stage == v.REVIEW_UNDER_REVIEW

    review_team.declare(db.session, surveyor, review.id, has_conflict=False)
    for criterion in required_codes():
        finding = "Noncompliance" if criterion.code == "C2" else "Compliance"
        findings.record_finding(
            db.session, surveyor, review.id, criterion.id, finding, f"Seen in files: {finding}"
        )
    findings.add_comment(db.session, surveyor, review.id, "Strong program analysis.")
    with pytest.raises(ForbiddenError):
        reviews.decide(db.session, surveyor, review.id, "Accreditation", today())
    reviews.send_to_committee(db.session, staff, review.id)
    decision = reviews.decide(db.session, staff, review.id, "Accreditation", today(), "Ratified")

    assert review.stage == v.REVIEW_DECIDED and decision.review_id == review.id
    provider = db.session.get(Provider, world.p2.id)
    assert provider.accreditation_status == "Accreditation"
    assert provider.term_end == dt.date(
        today().year + 4, today().month, today().day
    ) - dt.timedelta(days=1)
    progress = db.session.scalars(select(Review).where(Review.follows_review_id == review.id)).one()
    assert progress.cycle == "Progress Report" and progress.stage == v.REVIEW_MATERIALS_DUE
    assert progress.materials_due == dt.date(today().year + 1, today().month, today().day)
    assert outbox[-1].to == contact.email and "Accreditation" in outbox[-1].body

    # The history: every step, and the findings behind the decision for the provider.
    actions = [e.action for e in db.session.scalars(
        select(ReviewEvent).where(ReviewEvent.review_id == review.id).order_by(ReviewEvent.id)
    )]  # fmt: skip
    for step in ("review opened", "intent confirmed", "materials submitted", "surveyor assigned",
                 "review started", "interview scheduled", "finding recorded",
                 "sent to the committee", "decision recorded", "progress report opened"):  # fmt: skip
        assert step in actions
    shown = review_workspace.decision_findings(db.session, contact, decision)
    assert {(f.criterion.code, f.finding) for f in shown} >= {("C2", "Noncompliance")}
    space = review_workspace.workspace(db.session, contact, review)
    assert space.comments == []  # the surveyors' comments stay with them
    assert not any(e.internal for e in space.events)
    audits = set(db.session.scalars(select(AuditEvent.action)))
    assert {"accreditation decision recorded", "surveyor assigned"} <= audits


def test_state_accredited_providers_have_no_review(world: World) -> None:
    with pytest.raises(RuleError, match="do not use online accreditation"):
        reviews.open_review(
            db.session, world.staff, world.p1.id, "Initial", today() + dt.timedelta(days=30)
        )
    assert (
        db.session.scalars(select(Review).where(Review.provider_id == world.p1.id)).first() is None
    )


def test_opening_needs_staff_due_dates_and_no_open_review(world: World) -> None:
    due = today() + dt.timedelta(days=30)
    with pytest.raises(ForbiddenError):
        reviews.open_review(db.session, world.contact_a, world.p2.id, "Initial", due)
    with pytest.raises(InputError) as missing:
        reviews.open_review(db.session, world.staff, world.p2.id, "Reaccreditation", due)
    assert missing.value.field == "intent_due"
    with pytest.raises(InputError) as past:
        reviews.open_review(
            db.session, world.staff, world.p2.id, "Initial", today() - dt.timedelta(days=1)
        )
    assert "passed" in past.value.message
    with pytest.raises(InputError):
        reviews.open_review(db.session, world.staff, world.p2.id, "Yearly", due)
    with pytest.raises(RuleError, match="already has an open review"):
        reviews.open_review(db.session, world.staff, world.p3.id, "Initial", due)


def test_steps_at_the_wrong_stage_or_by_the_wrong_side(world: World) -> None:
    review = open_p2(world)
    with pytest.raises(InputError):
        reviews.confirm_intent(db.session, world.contact_a, review.id, attests=False)
    with pytest.raises(ForbiddenError):
        reviews.start_review(db.session, world.contact_a, review.id)
    with pytest.raises(NotInScopeError):  # contact B is not P2's contact
        reviews.confirm_intent(db.session, world.contact_b, review.id, attests=True)
    with pytest.raises(RuleError, match="Confirmation of Intent"):
        reviews.submit(db.session, world.contact_a, review.id)
    with pytest.raises(RuleError, match="start the review"):
        reviews.start_review(db.session, world.staff, review.id)
    with pytest.raises(RuleError):
        reviews.send_to_committee(db.session, world.staff, review.id)
    with pytest.raises(RuleError):
        reviews.decide(db.session, world.staff, review.id, "Accreditation", today())
    assert review.stage == v.REVIEW_INTENT


def test_the_review_starts_with_two_or_three_surveyors(world: World) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_SUBMITTED
    db.session.commit()
    with pytest.raises(RuleError, match=r"\(1 assigned\)"):
        reviews.start_review(db.session, world.staff, review.id)
    review_team.assign_surveyor(db.session, world.staff, review.id, second_surveyor().id)
    reviews.start_review(db.session, world.staff, review.id)
    assert review.stage == v.REVIEW_UNDER_REVIEW


def test_the_committee_needs_every_required_finding(world: World) -> None:
    review = world.review_p3
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    first, *rest = required_codes()
    findings.record_finding(db.session, world.surveyor, review.id, first.id, "Compliance", "ok")
    with pytest.raises(RuleError) as missing:
        reviews.send_to_committee(db.session, world.staff, review.id)
    assert len(missing.value.problems) == len(rest)
    assert rest[0].code in missing.value.problems[0]


def test_no_progress_report_without_noncompliance_or_after_nonaccreditation(world: World) -> None:
    review = world.review_p3
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    for criterion in required_codes():
        findings.record_finding(
            db.session, world.surveyor, review.id, criterion.id, "Noncompliance", "gap"
        )
    review.stage = v.REVIEW_COMMITTEE
    db.session.commit()
    reviews.decide(db.session, world.staff, review.id, "Nonaccreditation", today())
    assert (
        db.session.scalars(select(Review).where(Review.follows_review_id == review.id)).first()
        is None
    )
    assert db.session.get(Provider, world.p3.id).accreditation_status == "Nonaccreditation"


def test_a_progress_report_needs_findings_on_the_earlier_noncompliance_only(world: World) -> None:
    review = world.review_p3
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    c2 = db.session.scalars(select(Criterion).where(Criterion.code == "C2")).one()
    for criterion in required_codes():
        value = "Noncompliance" if criterion.id == c2.id else "Compliance"
        findings.record_finding(db.session, world.surveyor, review.id, criterion.id, value, "r")
    review.stage = v.REVIEW_COMMITTEE
    db.session.commit()
    reviews.decide(db.session, world.staff, review.id, "Probation", today())
    progress = db.session.scalars(select(Review).where(Review.follows_review_id == review.id)).one()
    assert findings.missing_findings(db.session, progress) == [f"C2 {c2.name}"]
    assert [x.code for x in findings.required_criteria(db.session, progress)] == ["C2"]


def test_findings_rules(world: World) -> None:
    review = world.review_p3
    criterion = required_codes()[0]
    with pytest.raises(RuleError, match="Declare your conflicts"):
        findings.record_finding(
            db.session, world.surveyor, review.id, criterion.id, "Compliance", "x"
        )
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    with pytest.raises(InputError):
        findings.record_finding(db.session, world.surveyor, review.id, criterion.id, "Maybe", "x")
    with pytest.raises(InputError):
        findings.record_finding(
            db.session, world.surveyor, review.id, criterion.id, "Compliance", "  "
        )
    with pytest.raises(InputError):
        findings.record_finding(db.session, world.surveyor, review.id, 999999, "Compliance", "x")
    with pytest.raises(NotInScopeError):  # contact A does not see P3's review
        findings.record_finding(
            db.session, world.contact_a, review.id, criterion.id, "Compliance", "x"
        )
    with pytest.raises(ForbiddenError):  # the provider does not judge itself
        findings.record_finding(
            db.session, world.contact_b, review.id, criterion.id, "Compliance", "x"
        )
    row = findings.record_finding(
        db.session, world.surveyor, review.id, criterion.id, "compliance", "ok"
    )
    assert row.finding == "Compliance"
    seen = row.version_id
    findings.record_finding(
        db.session, world.staff, review.id, criterion.id, "Noncompliance", "no", seen
    )
    with pytest.raises(Exception, match="Someone else"):  # the surveyor's stale form
        findings.record_finding(
            db.session, world.surveyor, review.id, criterion.id, "Compliance", "ok", seen
        )
    db.session.rollback()
    assert db.session.scalars(select(ReviewFinding.finding)).one() == "Noncompliance"


def test_a_declared_conflict_removes_the_review_at_once(world: World) -> None:
    review = world.review_p3
    with pytest.raises(InputError):
        review_team.declare(db.session, world.surveyor, review.id, has_conflict=True)
    review_team.declare(
        db.session, world.surveyor, review.id, True, "I consulted for them in 2025."
    )
    with pytest.raises(NotInScopeError):
        findings.add_comment(db.session, world.surveyor, review.id, "still here?")
    with pytest.raises(RuleError, match="declared a conflict"):
        review_team.assign_surveyor(db.session, world.staff, review.id, world.surveyor.id)
    assert "surveyor recused" in set(db.session.scalars(select(AuditEvent.action)))


def audit_count(action: str) -> int:
    return list(db.session.scalars(select(AuditEvent.action))).count(action)


def test_assignment_rules(world: World) -> None:
    review = world.review_p3
    assigned, unassigned = audit_count("surveyor assigned"), audit_count("surveyor unassigned")
    with pytest.raises(ForbiddenError):
        review_team.assign_surveyor(db.session, world.surveyor, review.id, world.surveyor.id)
    with pytest.raises(InputError):  # not a surveyor
        review_team.assign_surveyor(db.session, world.staff, review.id, world.contact_a.id)
    with pytest.raises(RuleError, match="already assigned"):
        review_team.assign_surveyor(db.session, world.staff, review.id, world.surveyor.id)
    affiliated = make_user("affiliated@example.test", roles.SURVEYOR)
    from tests import factories as f

    f.ContactFactory(provider=world.p3, user=affiliated, contact_type="Staff")
    db.session.commit()
    with pytest.raises(RuleError, match="no affiliation"):
        review_team.assign_surveyor(db.session, world.staff, review.id, affiliated.id)
    assert affiliated not in review_team.surveyor_choices(db.session, review)
    for n in (2, 3):
        user = make_user(f"s{n}@example.test", roles.SURVEYOR)
        db.session.commit()
        review_team.assign_surveyor(db.session, world.staff, review.id, user.id)
    fourth = make_user("s4@example.test", roles.SURVEYOR)
    db.session.commit()
    with pytest.raises(RuleError, match="at most three"):
        review_team.assign_surveyor(db.session, world.staff, review.id, fourth.id)
    assignment = review.assignments[0]
    review_team.unassign_surveyor(db.session, world.staff, assignment.id)
    assert audit_count("surveyor assigned") == assigned + 2
    assert audit_count("surveyor unassigned") == unassigned + 1


def test_staff_return_incomplete_materials_with_the_reason(
    world: World, outbox: list[Email], files: review_materials.MaterialSettings
) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_MATERIALS_DUE
    db.session.commit()
    review_materials.add_material(
        db.session, world.contact_b, review.id, v.MATERIAL_SELF_STUDY, "s.pdf", PDF, files
    )
    reviews.submit(db.session, world.contact_b, review.id)
    with pytest.raises(ForbiddenError):
        reviews.return_materials(db.session, world.contact_b, review.id, "why")
    with pytest.raises(ForbiddenError):
        reviews.return_materials(db.session, world.surveyor, review.id, "why")
    with pytest.raises(InputError):
        reviews.return_materials(db.session, world.staff, review.id, "   ")
    reason = "The self-study report lacks the Program Analysis narrative."
    reviews.return_materials(db.session, world.staff, review.id, reason)
    assert review.stage == v.REVIEW_MATERIALS_DUE and review.submitted_at is None
    assert outbox[-1].to == world.contact_b.email and reason in outbox[-1].body
    event = db.session.scalars(
        select(ReviewEvent)
        .where(ReviewEvent.review_id == review.id)
        .order_by(ReviewEvent.id.desc())
    ).first()
    assert (event.action, event.detail, event.internal) == ("materials returned", reason, False)
    reviews.submit(db.session, world.contact_b, review.id)  # and the provider submits again
    assert review.stage == v.REVIEW_SUBMITTED
    with pytest.raises(RuleError, match="return the materials"):
        review.stage = v.REVIEW_UNDER_REVIEW
        db.session.commit()
        reviews.return_materials(db.session, world.staff, review.id, reason)
