"""Provider contacts: exactly one Primary Contact per provider (domain.md §7.1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ProviderContact
from app.schema.vocabularies import PRIMARY_CONTACT
from app.services import contacts
from app.services.errors import NotInScopeError, PrimaryContactError
from tests import factories as f
from tests.conftest import World, post_form


def primary_of(provider) -> ProviderContact:
    db.session.expire_all()
    return db.session.scalars(
        select(ProviderContact).filter_by(provider_id=provider.id, contact_type=PRIMARY_CONTACT)
    ).one()


def test_database_refuses_a_second_primary(world: World) -> None:
    db.session.add(
        ProviderContact(
            provider_id=world.p1.id, user_id=world.staff.id, contact_type=PRIMARY_CONTACT
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_second_primary_is_refused_in_plain_words(world: World) -> None:
    new = ProviderContact(provider=world.p1, user=world.staff, contact_type=PRIMARY_CONTACT)
    with pytest.raises(PrimaryContactError, match="already has a Primary Contact"):
        contacts.check_contact_change(db.session, actor=world.contact_a, contact=new)
    db.session.rollback()


def test_primary_cannot_be_demoted_or_removed(world: World) -> None:
    current = primary_of(world.p1)
    current.contact_type = "Billing Contact"
    with pytest.raises(PrimaryContactError, match="exactly one Primary Contact"):
        contacts.check_contact_change(db.session, actor=world.contact_a, contact=current)
    db.session.rollback()
    with pytest.raises(PrimaryContactError, match="cannot be removed"):
        contacts.check_contact_removal(
            db.session, actor=world.contact_a, contact=primary_of(world.p1)
        )


def test_make_primary_moves_the_role_in_one_step(world: World) -> None:
    other = f.ContactFactory(provider=world.p1, contact_type="Billing Contact")
    db.session.commit()
    contacts.make_primary_contact(db.session, actor=world.contact_a, contact_id=other.id)
    assert primary_of(world.p1).id == other.id
    former = db.session.scalars(
        select(ProviderContact).filter_by(provider_id=world.p1.id, user_id=world.contact_a.id)
    ).one()
    assert former.contact_type == "Staff"


def test_make_primary_outside_scope_is_not_found(world: World) -> None:
    other = f.ContactFactory(provider=world.p3)
    db.session.commit()
    with pytest.raises(NotInScopeError):
        contacts.make_primary_contact(db.session, actor=world.contact_a, contact_id=other.id)
    assert primary_of(world.p3).user_id == world.contact_b.id


def test_contact_screen_refuses_second_primary(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    response = post_form(
        client,
        "/providercontactmodelview/add",
        {
            "provider": str(world.p1.id),
            "email": world.contact_a.email,
            "contact_type": "Billing Contact",
        },
    )
    assert response.status_code == 302
    response = post_form(
        client,
        "/providercontactmodelview/add",
        {
            "provider": str(world.p1.id),
            "email": "someone.else@example.test",
            "first_name": "Someone",
            "last_name": "Else",
            "contact_type": PRIMARY_CONTACT,
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "already has a Primary Contact" in response.get_data(as_text=True)
    assert primary_of(world.p1).user_id == world.contact_a.id
