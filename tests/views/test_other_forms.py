"""Provider, contact and accreditor forms: bad values get plain messages, never a 500."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Accreditor, Provider
from tests.conftest import World, post_form

PROVIDER = {
    "accme_id": "0009999",
    "name": "Lakeside Medical Center",
    "organization_type": "Hospital/Healthcare Delivery System",
    "kind": "State-accredited",
    "accreditation_status": "Accreditation",
    "country": "USA",
}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "kind",
            "Self-accredited",
            "Accreditation kind: 'Self-accredited' is not an allowed value.",
        ),
        ("state", "ZZ", "State: 'ZZ' is not an allowed value."),
        ("accreditation_status", "", "Accreditation status: this field is required."),
        ("term_start", "31/31/2025", "Not a valid date value."),
        ("name", "", "This field is required."),
    ],
)
def test_provider_form_messages(
    client_for, world: World, field: str, value: str, message: str
) -> None:
    client = client_for(world.staff)
    before = count(Provider)
    data = {**PROVIDER, "accreditor": str(world.p1.accreditor_id), field: value}
    response = post_form(client, "/providermodelview/add", data)
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    assert count(Provider) == before


def test_provider_form_saves_valid_data(client_for, world: World) -> None:
    client = client_for(world.staff)
    data = {**PROVIDER, "accreditor": str(world.p1.accreditor_id), "state": "TX"}
    assert post_form(client, "/providermodelview/add", data).status_code == 302
    assert db.session.scalars(select(Provider).filter_by(accme_id="0009999")).one().state == "TX"


def test_duplicate_provider_id_is_refused_without_sql(client_for, world: World) -> None:
    client = client_for(world.staff)
    data = {**PROVIDER, "accme_id": world.p1.accme_id, "accreditor": str(world.p1.accreditor_id)}
    response = post_form(client, "/providermodelview/add", data)
    body = html.unescape(response.get_data(as_text=True))
    if response.status_code == 302:
        body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "UNIQUE" not in body and "INSERT" not in body and "duplicate key" not in body


def test_contact_edits_address_but_not_accreditation(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    page = client.get(f"/providermodelview/edit/{world.p1.id}").get_data(as_text=True)
    assert 'name="address_line1"' in page and 'name="accreditation_status"' not in page
    response = post_form(
        client,
        f"/providermodelview/edit/{world.p1.id}",
        {
            "name": world.p1.name,
            "address_line1": "1 Congress Ave",
            "city": "Austin",
            "state": "TX",
            "country": "USA",
            "accreditation_status": "Probation",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    provider = db.session.get(Provider, world.p1.id)
    assert (provider.address_line1, provider.accreditation_status) == (
        "1 Congress Ave",
        "Accreditation",
    )


def test_accreditor_form_refuses_unknown_kind(client_for, world: World) -> None:
    client = client_for(world.staff)
    before = count(Accreditor)
    response = post_form(
        client, "/accreditormodelview/add", {"code": "XX", "name": "X", "kind": "Galactic"}
    )
    assert "Kind: 'Galactic' is not an allowed value." in html.unescape(
        response.get_data(as_text=True)
    )
    assert count(Accreditor) == before


def test_contact_form_refuses_unknown_type(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    response = post_form(
        client,
        "/providercontactmodelview/add",
        {
            "provider": str(world.p1.id),
            "email": world.contact_a.email,
            "contact_type": "Boss",
        },
    )
    assert "Contact type: 'Boss' is not an allowed value." in html.unescape(
        response.get_data(as_text=True)
    )
