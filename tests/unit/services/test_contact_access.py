"""Adding a provider contact by email: a new person gets an account and an "access
granted" email with a set-password link; an existing user keeps their one sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PasswordLink, ProviderContact, User
from app.schema.vocabularies import PRIMARY_CONTACT
from app.security import roles
from app.services import contact_access
from app.services.accounts import LinkSettings
from app.services.contact_access import NewContact
from app.services.errors import InputError, NotInScopeError, PrimaryContactError
from tests.conftest import World, make_user

SETTINGS = LinkSettings(base_url="https://pars.example.org")


def entry(world: World, **changes: Any) -> NewContact:
    values = {
        "provider_id": world.p1.id,
        "email": "new.person@example.test",
        "first_name": "New",
        "last_name": "Person",
        "contact_type": "Billing Contact",
    }
    return NewContact(**{**values, **changes})


def contacts_of(user: Any) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(ProviderContact.provider_id, ProviderContact.contact_type).where(
            ProviderContact.user_id == user.id
        )
    )
    return sorted(tuple(row) for row in rows)


def test_new_person_gets_an_account_and_an_access_granted_link(world: World, inbox: Any) -> None:
    contact = contact_access.add_contact(
        db.session,
        actor=world.contact_a,
        entry=entry(world, email=" New.Person@Example.test "),
        settings=SETTINGS,
    )
    user = contact.user
    assert user.email == "New.Person@Example.test" and user.username == user.email
    assert user.password is None and user.active
    assert [r.name for r in user.roles] == [roles.CONTACT]
    assert contacts_of(user) == [(world.p1.id, "Billing Contact")]
    text = inbox.text(inbox.wait_for(1)[0])
    assert inbox.to("New.Person@Example.test") and "system access granted" in text
    assert "Austin Heart Institute" in text and "72 hours" in text
    link = inbox.last_link("New.Person@Example.test")
    assert link.startswith("https://pars.example.org/reset-password/")
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 1


def test_existing_user_keeps_their_sign_in_and_is_told(world: World, inbox: Any) -> None:
    contact_access.add_contact(
        db.session,
        actor=world.contact_a,
        entry=entry(world, email="CONTACT.B@example.test", first_name="", last_name=""),
        settings=SETTINGS,
    )
    assert (world.p1.id, "Billing Contact") in contacts_of(world.contact_b)
    text = inbox.text(inbox.wait_for(1)[0])
    assert "access to Austin Heart Institute" in text
    assert "reset-password" not in text
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_a_user_without_the_contact_role_gets_it(world: World) -> None:
    contact_access.add_contact(
        db.session,
        actor=world.staff,
        entry=entry(world, email=world.surveyor.email),
        settings=SETTINGS,
    )
    names = {role.name for role in db.session.get(User, world.surveyor.id).roles}
    assert names == {roles.SURVEYOR, roles.CONTACT}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter an email address"),
        ({"first_name": " "}, "first_name", "First and last name are required"),
        ({"last_name": ""}, "last_name", "First and last name are required"),
        ({"first_name": "x" * 65}, "first_name", "at most 64"),
        ({"contact_type": "Boss"}, "contact_type", "'Boss' is not allowed"),
    ],
)
def test_bad_values_are_named(world: World, changes: dict, field: str, message: str) -> None:
    before = db.session.scalar(select(func.count()).select_from(User))
    with pytest.raises(InputError) as raised:
        contact_access.add_contact(
            db.session, actor=world.contact_a, entry=entry(world, **changes), settings=SETTINGS
        )
    db.session.rollback()
    assert raised.value.field == field and message in raised.value.message
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_same_type_twice_is_refused(world: World) -> None:
    with pytest.raises(InputError, match="already Primary Contact"):
        contact_access.add_contact(
            db.session,
            actor=world.contact_b,
            entry=entry(
                world,
                provider_id=world.p3.id,
                email=world.contact_b.email,
                contact_type=PRIMARY_CONTACT,
            ),
            settings=SETTINGS,
        )


def test_a_second_primary_contact_is_refused(world: World) -> None:
    with pytest.raises(PrimaryContactError, match="already has a Primary Contact"):
        contact_access.add_contact(
            db.session,
            actor=world.contact_a,
            entry=entry(world, contact_type=PRIMARY_CONTACT),
            settings=SETTINGS,
        )
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "new.person@example.test")) is None


@pytest.mark.parametrize("who", ["contact_a", "accreditor_tx", "surveyor", "nobody"])
def test_only_within_scope(world: World, who: str) -> None:
    with pytest.raises(NotInScopeError):
        contact_access.add_contact(
            db.session,
            actor=getattr(world, who),
            entry=entry(world, provider_id=world.p3.id),
            settings=SETTINGS,
        )


def test_an_added_contact_can_set_a_password_and_sign_in(
    world: World, inbox: Any, client_for: Any
) -> None:
    make_user("someone@example.test", None)
    contact_access.add_contact(db.session, actor=world.staff, entry=entry(world), settings=SETTINGS)
    path = inbox.last_link("new.person@example.test").removeprefix("https://pars.example.org")
    client = client_for(None)
    from tests.conftest import login, post_form

    page = client.get(path).get_data(as_text=True)
    assert "new.person@example.test" in page
    password = "a sunny morning in austin"
    assert post_form(client, path, {"password": password, "confirm": password}).status_code == 302
    assert login(client, "new.person@example.test", password).headers["Location"] == "/"
