"""The Criteria screen: every signed-in role reads the catalogue; only staff change it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Criterion
from tests.conftest import World, csrf_token


@pytest.mark.parametrize("who", ["contact_a", "accreditor_tx", "surveyor", "staff"])
def test_every_role_reads_the_catalogue(client_for: Any, world: World, who: str) -> None:
    page = client_for(getattr(world, who)).get(
        "/criterionmodelview/list/?psize_CriterionModelView=50"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Educational Needs" in text and "Improves Patient/Community Health" in text
    assert "Prevent Commercial Bias and Marketing" in text


def test_staff_edit_and_retire_a_criterion_others_cannot(client_for: Any, world: World) -> None:
    criterion = db.session.scalars(select(Criterion).filter_by(code="C2")).one()
    url = f"/criterionmodelview/edit/{criterion.id}"
    contact = client_for(world.contact_a)
    refused = contact.post(url, data={"name": "Changed", "csrf_token": csrf_token(contact)})
    assert refused.status_code == 403
    staff = client_for(world.staff)
    form = {
        "code": "C2",
        "name": "Educational Needs",
        "kind": "Core Accreditation Criterion",
        "group": "Educational Planning and Evaluation",
        "description": "Incorporates the educational needs that underlie the gaps.",
        "position": "2",
        "active": "",
        "csrf_token": csrf_token(staff),
    }
    assert staff.post(url, data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Criterion, criterion.id)
    assert saved.active is False and saved.description.startswith("Incorporates")
    saved.active, saved.description = True, None
    db.session.commit()
    assert staff.post(
        f"/criterionmodelview/delete/{criterion.id}", data={"csrf_token": csrf_token(staff)}
    ).status_code in (302, 403, 404)
    assert db.session.get(Criterion, criterion.id) is not None
