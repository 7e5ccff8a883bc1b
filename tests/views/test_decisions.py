"""Check 6 for decisions: contact A and a surveyor POST to "record accreditation
decision" and get 403 with no row written; staff record one through the form."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccreditationDecision
from tests.conftest import World, csrf_token


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(AccreditationDecision))


def _form(client: Any, world: World) -> dict[str, str]:
    return {
        "provider": str(world.p2.id),
        "outcome": "Accreditation",
        "decided_on": "2026-07-01",
        "notes": "Compliance in all criteria.",
        "csrf_token": csrf_token(client),
    }


@pytest.mark.parametrize("who", ["contact_a", "surveyor", "accreditor_tx"])
def test_non_staff_posting_a_decision_get_403_and_nothing_is_written(
    client_for: Any, world: World, who: str
) -> None:
    client = client_for(getattr(world, who))
    before = _count()
    response = client.post("/decisions/add", data=_form(client, world))
    assert response.status_code == 403
    assert _count() == before


def test_staff_record_a_decision_through_the_form(client_for: Any, world: World) -> None:
    client = client_for(world.staff)
    page = client.get("/decisions/add")
    assert page.status_code == 200
    assert "Austin Heart Institute" not in page.get_data(as_text=True)  # state-accredited
    response = client.post("/decisions/add", data=_form(client, world))
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "06/30/2030" in shown or "2030-06-30" in shown
    future = client.post(
        "/decisions/add", data={**_form(client, world), "decided_on": "2999-01-01"}
    )
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
