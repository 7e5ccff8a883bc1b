"""The review pages, step by step through HTTP: each side sees its steps, bad inputs are
answered in plain words with nothing written, and a whole cycle ends in the provider's
accreditation history with its findings."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccreditationDecision,
    Criterion,
    Review,
    ReviewActivity,
    ReviewMaterial,
)
from app.schema import criteria as c
from app.schema import vocabularies as v
from app.security import roles
from app.services.clock import utcnow
from tests.conftest import World, csrf_token, make_user, post_form

PDF = b"%PDF-1.4\n%% self-study\n%%EOF\n"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def follow(client: Any, response: Any) -> str:
    assert response.status_code == 302, text(response)[:500]
    return text(client.get(response.headers["Location"]))


def day(offset: int) -> str:
    return (utcnow().date() + dt.timedelta(days=offset)).isoformat()


def upload(client: Any, review: Review, name: str, content: bytes, **fields: str) -> Any:
    data = {"csrf_token": csrf_token(client), "kind": v.MATERIAL_SELF_STUDY, **fields}
    data["file"] = (io.BytesIO(content), name)
    return client.post(
        f"/reviews/upload/{review.id}", data=data, content_type="multipart/form-data"
    )


def test_opening_a_review_refuses_bad_input(client_for: Any, world: World) -> None:
    staff = client_for(world.staff)
    page = text(staff.get("/reviews/add"))
    assert world.p2.name in page and world.p1.name not in page  # no state-accredited one
    state = post_form(
        staff,
        "/reviews/add",
        {"provider": world.p1.id, "cycle": "Initial", "materials_due": day(30)},
    )
    assert state.status_code == 400 and "Not a valid choice" in text(state)
    no_intent = post_form(
        staff,
        "/reviews/add",
        {"provider": world.p2.id, "cycle": "Reaccreditation", "materials_due": day(30)},
    )
    assert no_intent.status_code == 400 and "Confirmation of Intent is due" in text(no_intent)
    assert db.session.scalar(select(func.count(Review.id))) == 2  # the world's two


def test_a_whole_cycle_through_the_pages(client_for: Any, world: World) -> None:
    staff, contact, surveyor = (
        client_for(u) for u in (world.staff, world.contact_a, world.surveyor)
    )
    opened = post_form(
        staff,
        "/reviews/add",
        {
            "provider": world.p2.id,
            "cycle": "Reaccreditation",
            "intent_due": day(10),
            "materials_due": day(40),
        },
    )
    page = follow(staff, opened)
    review = db.session.scalars(select(Review).order_by(Review.id.desc())).first()
    assert "The review is open." in page and review.stage == v.REVIEW_INTENT

    # The provider confirms its intent (the box must be ticked).
    assert "intent-panel" in text(contact.get(f"/reviews/show/{review.id}"))
    assert "Tick the box" in follow(contact, post_form(contact, f"/reviews/intent/{review.id}", {}))
    follow(contact, post_form(contact, f"/reviews/intent/{review.id}", {"attests": "y"}))
    db.session.refresh(review)
    assert review.stage == v.REVIEW_MATERIALS_DUE

    # Staff pick an activity; the provider uploads (a wrong file first) and submits.
    follow(staff, post_form(staff, f"/reviews/pick/{review.id}", {"activity_ids": world.a2.id}))
    refused = follow(contact, upload(contact, review, "tool.exe", b"MZ\x90\x00"))
    assert "can be attached" in refused
    assert db.session.scalar(select(func.count(ReviewMaterial.id))) == 0
    incomplete = follow(contact, post_form(contact, f"/reviews/submit/{review.id}", {}))
    assert "not complete" in incomplete and "self-study report" in incomplete
    follow(contact, upload(contact, review, "self-study.pdf", PDF))
    pick = db.session.scalars(select(ReviewActivity)).one()
    follow(
        contact,
        upload(
            contact,
            review,
            "evidence.pdf",
            PDF,
            kind=v.MATERIAL_EVIDENCE,
            review_activity_id=str(pick.id),
        ),
    )
    assert "materials are submitted" in follow(
        contact, post_form(contact, f"/reviews/submit/{review.id}", {})
    )

    # Staff assign two surveyors, start the review and schedule the interview.
    second = make_user("second.surveyor@example.test", roles.SURVEYOR)
    db.session.commit()
    for user in (world.surveyor, second):
        follow(staff, post_form(staff, f"/reviews/assign/{review.id}", {"user_id": user.id}))
    follow(staff, post_form(staff, f"/reviews/start/{review.id}", {}))
    follow(staff, post_form(staff, f"/reviews/interview/{review.id}", {"interview_on": day(5)}))

    # The surveyor declares, records the findings and a comment; cannot decide.
    page = text(surveyor.get(f"/reviews/show/{review.id}"))
    assert "declare-panel" in page and "finding-form-" not in page
    follow(surveyor, post_form(surveyor, f"/reviews/declare/{review.id}", {"has_conflict": "no"}))
    required = db.session.scalars(
        select(Criterion).where(
            Criterion.active.is_(True), Criterion.kind.in_((c.CORE, c.STANDARD))
        )
    ).all()
    for criterion in required:
        finding = "Noncompliance" if criterion.code == "C3" else "Compliance"
        answer = post_form(
            surveyor,
            f"/reviews/finding/{review.id}",
            {
                "criterion_id": criterion.id,
                "finding": finding,
                "rationale": f"Files show {finding}",
            },
        )
        assert "The finding is recorded." in follow(surveyor, answer)
    follow(surveyor, post_form(surveyor, f"/reviews/comment/{review.id}", {"body": "Solid files."}))
    refused = surveyor.post(
        f"/reviews/decide/{review.id}",
        data={"csrf_token": csrf_token(surveyor), "outcome": "Accreditation", "decided_on": day(0)},
    )
    assert refused.status_code == 403

    # Staff send it to the committee and record the decision.
    follow(staff, post_form(staff, f"/reviews/committee/{review.id}", {}))
    assert "C3" in text(staff.get(f"/reviews/decide/{review.id}"))
    missing = post_form(staff, f"/reviews/decide/{review.id}", {"outcome": "Accreditation"})
    assert missing.status_code == 400
    decided = post_form(
        staff, f"/reviews/decide/{review.id}", {"outcome": "Accreditation", "decided_on": day(0)}
    )
    assert "The decision is recorded." in follow(staff, decided)

    # The provider's accreditation history: the decision, its term and its findings.
    decision = db.session.scalars(
        select(AccreditationDecision).where(AccreditationDecision.review_id == review.id)
    ).one()
    history = text(contact.get(f"/decisions/show/{decision.id}"))
    assert "Noncompliance" in history and "Files show Noncompliance" in history
    assert decision.term_end.strftime("%m/%d/%Y") in history
    assert "Solid files." not in text(contact.get(f"/reviews/show/{review.id}"))
    assert world.p2.name in text(contact.get("/decisions/list/"))
    progress = db.session.scalars(select(Review).where(Review.follows_review_id == review.id)).one()
    assert progress.cycle == "Progress Report"


def test_an_upload_over_the_request_limit_is_refused_before_reading(
    app: Any, client_for: Any, world: World
) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_MATERIALS_DUE
    db.session.commit()
    client = client_for(world.contact_b)
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, review, "huge.pdf", b"%PDF-" + b"0" * (limit + 10))
    assert response.status_code == 413
    assert db.session.scalar(select(func.count(ReviewMaterial.id))) == 0


def test_a_hostile_file_name_is_only_displayed_escaped(client_for: Any, world: World) -> None:
    """Checks 18 and 21: a path, markup and a right-to-left override in the name: the
    name is cleaned and shown escaped, never used as a path; the file is stored and
    served under generated names."""
    review = world.review_p3
    review.stage = v.REVIEW_MATERIALS_DUE
    db.session.commit()
    client = client_for(world.contact_b)
    name = "../../<img src=x onerror=alert(1)>\u202egnp.pdf"
    follow(client, upload(client, review, name, PDF))
    material = db.session.scalars(select(ReviewMaterial)).one()
    assert "/" not in material.display_name and "\u202e" not in material.display_name
    assert re.fullmatch(r"[0-9a-f]{32}\.material", material.stored_name)
    page = text(client.get(f"/reviews/show/{review.id}"))
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    download = client.get(f"/reviews/material/{review.id}/{material.id}")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert f"review-{review.id}-material-{material.id}.pdf" in disposition
    assert "img" not in disposition


def test_recording_a_decision_appends_exactly_one_audit_row(client_for: Any, world: World) -> None:
    """Check 24, decision part: one row with the actor, the provider and the decision."""
    from app.models import AuditEvent
    from app.services import findings, review_team

    review = world.review_p3
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    required = db.session.scalars(
        select(Criterion).where(
            Criterion.active.is_(True), Criterion.kind.in_((c.CORE, c.STANDARD))
        )
    ).all()
    for criterion in required:
        findings.record_finding(
            db.session, world.surveyor, review.id, criterion.id, "Compliance", "ok"
        )
    review.stage = v.REVIEW_COMMITTEE
    db.session.commit()

    def decided_rows() -> list[Any]:
        query = (
            select(AuditEvent)
            .where(AuditEvent.action == "accreditation decision recorded")
            .order_by(AuditEvent.id)
        )
        return list(db.session.scalars(query))

    before = len(decided_rows())
    staff = client_for(world.staff)
    response = post_form(
        staff,
        f"/reviews/decide/{review.id}",
        {"outcome": "Accreditation with Commendation", "decided_on": day(0)},
    )
    assert response.status_code == 302
    rows = decided_rows()
    assert len(rows) == before + 1
    decision = db.session.scalars(
        select(AccreditationDecision).where(AccreditationDecision.review_id == review.id)
    ).one()
    row = rows[-1]
    assert (row.actor, row.provider_id, row.object_id) == (
        world.staff.email,
        world.p3.id,
        str(decision.id),
    )
    assert row.ip is not None and row.request_id


def test_the_review_list_filters_by_provider(client_for: Any, world: World) -> None:
    staff = client_for(world.staff)
    everything = text(staff.get("/reviews/list/"))
    assert f"/reviews/show/{world.review_p2.id}" in everything
    assert f"/reviews/show/{world.review_p3.id}" in everything
    only_p2 = text(staff.get(f"/reviews/list/?_flt_0_provider={world.p2.id}"))
    assert f"/reviews/show/{world.review_p2.id}" in only_p2
    assert f"/reviews/show/{world.review_p3.id}" not in only_p2
    contact = text(client_for(world.contact_a).get("/reviews/list/"))
    assert world.p1.name not in contact.split("<table")[-1]  # no state-accredited row


def test_staff_return_materials_from_the_review_page(client_for: Any, world: World) -> None:
    review = world.review_p3
    review.stage = v.REVIEW_SUBMITTED
    db.session.commit()
    staff = client_for(world.staff)
    assert 'data-testid="return-form"' in text(staff.get(f"/reviews/show/{review.id}"))
    empty = follow(staff, post_form(staff, f"/reviews/return/{review.id}", {"reason": ""}))
    assert "Say what the provider needs" in empty
    page = follow(
        staff,
        post_form(staff, f"/reviews/return/{review.id}", {"reason": "Add the C13 narrative."}),
    )
    assert "The materials are returned" in page
    db.session.refresh(review)
    assert review.stage == v.REVIEW_MATERIALS_DUE
    provider_view = text(client_for(world.contact_b).get(f"/reviews/show/{review.id}"))
    assert "Add the C13 narrative." in provider_view  # in the review's history
    assert 'data-testid="return-form"' not in provider_view
