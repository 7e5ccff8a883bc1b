"""Online accreditation: a role matrix over every review page, step and file download.

An unassigned surveyor, a recused surveyor, a contact of a state-accredited provider
only and another provider's contact each get 404 on every URL of the review (GET and
POST), with nothing of the review in the answer and nothing written; the provider, its
active surveyor and staff read it; a surveyor and a contact posting the decision get 403
(security check 6); losing an assignment loses the review on the next request (check 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccreditationDecision, Criterion, ReviewAssignment
from app.schema import vocabularies as v
from app.security import roles
from app.services import findings, review_materials, review_team
from tests import factories as f
from tests.conftest import World, csrf_token, make_user
from tests.security.helpers import body, fingerprint

PDF = b"%PDF-1.4\n%% Columbus self-study\n%%EOF\n"
SECRET = "Columbus self-study secret.pdf"


@dataclass
class Setup:
    review: Any
    material: Any
    pick: Any
    assignment: Any
    users: dict[str, Any]


@pytest.fixture
def setup(world: World) -> Setup:
    """P3's review with a self-study report, a picked activity, a finding and a comment;
    and the outsiders: an unassigned and a recused surveyor, a contact of P1 only."""
    review = world.review_p3
    review.stage = v.REVIEW_MATERIALS_DUE
    db.session.commit()
    settings = review_materials.settings_from(current_app.config)
    material = review_materials.add_material(
        db.session, world.contact_b, review.id, v.MATERIAL_SELF_STUDY, SECRET, PDF, settings
    )
    (pick,) = review_materials.pick_activities(db.session, world.staff, review.id, [world.a3.id])
    review.stage = v.REVIEW_UNDER_REVIEW
    db.session.commit()
    review_team.declare(db.session, world.surveyor, review.id, has_conflict=False)
    criterion = db.session.scalars(select(Criterion).order_by(Criterion.position)).first()
    findings.record_finding(db.session, world.surveyor, review.id, criterion.id, "Compliance", "ok")
    findings.add_comment(db.session, world.surveyor, review.id, "A private remark")
    recused = make_user("recused@example.test", roles.SURVEYOR)
    f.AssignmentFactory(review=review, user=recused, recused=True)
    state_contact = make_user("state.only@example.test", roles.CONTACT)
    f.ContactFactory(provider=world.p1, user=state_contact, contact_type="Staff")
    unassigned = make_user("unassigned@example.test", roles.SURVEYOR)
    db.session.commit()
    assignment = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.user_id == world.surveyor.id)
    ).one()
    users = {
        "unassigned surveyor": unassigned,
        "recused surveyor": recused,
        "state-accredited provider": state_contact,
        "other provider (A)": world.contact_a,
        "other provider (JA)": world.ja_contact,
    }
    return Setup(review, material, pick, assignment, users)


def review_urls(s: Setup) -> list[tuple[str, str]]:
    """(method, url) of every page, download and step of the review."""
    pk = s.review.id
    gets = [
        f"/reviews/show/{pk}",
        f"/reviews/material/{pk}/{s.material.id}",
        f"/reviews/decide/{pk}",
    ]
    posts = [
        f"/reviews/{step}/{pk}"
        for step in (
            "intent", "upload", "submit", "pick", "assign", "start", "return", "interview",
            "committee",
            "finding", "comment", "declare", "decide",
        )
    ] + [
        f"/reviews/remove-material/{pk}/{s.material.id}",
        f"/reviews/unpick/{pk}/{s.pick.id}",
        f"/reviews/unassign/{pk}/{s.assignment.id}",
    ]  # fmt: skip
    return [("GET", u) for u in gets] + [("POST", u) for u in posts]


def test_the_matrix_covers_every_review_route(app: Any, world: World, setup: Setup) -> None:
    """A new step of the review page must be added to this matrix."""
    covered = {url.split("/")[2] for _, url in review_urls(setup)}
    routes = {
        rule.rule.split("/")[2]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("ReviewModelView.")
    }
    generic = {"list", "add", "edit", "delete", "export", "action", "action_post", "download"}
    assert routes - generic == covered


@pytest.mark.parametrize(
    "who",
    [
        "unassigned surveyor",
        "recused surveyor",
        "state-accredited provider",
        "other provider (A)",
        "other provider (JA)",
    ],
)
def test_outsiders_get_404_on_every_review_url(
    world: World, setup: Setup, client_for: Any, who: str
) -> None:
    client = client_for(setup.users[who])
    token = csrf_token(client)
    before = fingerprint()
    wrong = []
    for method, url in review_urls(setup):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "has_conflict": "yes"})
        text = body(response)
        if response.status_code != 404 or SECRET in text or "private remark" in text:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)
    assert fingerprint() == before


def test_a_state_accredited_provider_has_no_review_pages_or_menu(
    world: World, setup: Setup, client_for: Any
) -> None:
    client = client_for(setup.users["state-accredited provider"])
    for url in ("/reviews/list/", "/reviews/add", "/reviews/export/"):
        assert client.get(url).status_code == 404, url
    home = body(client.get("/"))
    assert "/reviews/list/" not in home
    other = client_for(world.contact_a)  # A also has an ACCME-accredited provider
    assert "/reviews/list/" in body(other.get("/"))
    assert other.get("/reviews/list/").status_code == 200


@pytest.mark.parametrize("who", ["contact_b", "surveyor", "staff"])
def test_insiders_read_the_review_and_its_files(
    world: World, setup: Setup, client_for: Any, who: str
) -> None:
    client = client_for(getattr(world, who))
    page = client.get(f"/reviews/show/{setup.review.id}")
    assert page.status_code == 200 and SECRET in body(page)
    download = client.get(f"/reviews/material/{setup.review.id}/{setup.material.id}")
    assert download.status_code == 200 and download.data == PDF
    name = download.headers["Content-Disposition"]
    assert f"review-{setup.review.id}-material-{setup.material.id}.pdf" in name
    assert "Columbus" not in name  # stored and served under generated names (check 21)
    remark_seen = "A private remark" in body(page)
    assert remark_seen is (who != "contact_b")  # the provider does not see the comments


def test_the_material_must_belong_to_the_review_in_the_url(
    world: World, setup: Setup, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    url = f"/reviews/material/{world.review_p2.id}/{setup.material.id}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["contact_a", "contact_b", "surveyor"])
def test_only_staff_post_the_decision(
    world: World, setup: Setup, client_for: Any, who: str
) -> None:
    """Check 6: A (on their own provider's review), B and S post the decision: 403,
    nothing written."""
    review = world.review_p2 if who == "contact_a" else setup.review
    review.stage = v.REVIEW_COMMITTEE
    db.session.commit()
    client = client_for(getattr(world, who))
    data = {
        "csrf_token": csrf_token(client),
        "outcome": "Accreditation",
        "decided_on": "2026-01-05",
    }
    response = client.post(f"/reviews/decide/{review.id}", data=data)
    assert response.status_code == 403
    count = db.session.scalar(
        select(func.count(AccreditationDecision.id)).where(
            AccreditationDecision.review_id == review.id
        )
    )
    assert count == 0


@pytest.mark.parametrize("revocation", ["unassigned", "recused"])
def test_a_surveyor_loses_the_review_on_the_next_request(
    world: World, setup: Setup, client_for: Any, revocation: str
) -> None:
    client = client_for(world.surveyor)
    urls = [
        f"/reviews/show/{setup.review.id}",
        f"/reviews/material/{setup.review.id}/{setup.material.id}",
    ]
    assert [client.get(u).status_code for u in urls] == [200, 200]
    listed = f"/reviews/show/{setup.review.id}"
    assert listed in body(client.get("/reviews/list/"))
    if revocation == "unassigned":
        review_team.unassign_surveyor(db.session, world.staff, setup.assignment.id)
    else:
        token = csrf_token(client)
        response = client.post(
            f"/reviews/declare/{setup.review.id}",
            data={"csrf_token": token, "has_conflict": "yes", "conflict_note": "Former employee"},
        )
        assert response.status_code == 302
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assert (
        str(setup.review.id)
        not in body(client.get("/reviews/list/")).split("reviews/show/")[-1][:5]
    )
