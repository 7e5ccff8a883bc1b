"""My account, the first-sign-in password step, "My providers" and the provider switcher,
through the screens, one signed-in client per role."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.extensions import db
from app.models import User
from app.views.switcher import CURRENT_PROVIDER_KEY
from tests.conftest import World, login, make_user, post_form
from tests.factories import PASSWORD

ROLES = ("contact_a", "contact_b", "accreditor_tx", "surveyor", "staff", "admin")
NEW_PASSWORD = "lanterns over the river"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def reload(user: Any) -> Any:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.mark.parametrize("who", ROLES)
def test_every_role_sees_its_own_account(world: World, client_for: Any, who: str) -> None:
    user = getattr(world, who)
    page = client_for(user).get("/account/")
    assert page.status_code == 200
    assert user.email in text(page)
    for other in ROLES:
        if other != who:
            assert getattr(world, other).email not in text(page)


def test_profile_is_saved_and_bad_phone_is_named(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    bad = post_form(
        client, "/account/profile", {"first_name": "Ana", "last_name": "Lee", "phone": "call me"}
    )
    assert bad.status_code == 200 and "Enter a telephone number" in text(bad)
    assert reload(world.contact_a).phone is None
    good = post_form(
        client,
        "/account/profile",
        {"first_name": " Ana ", "last_name": "Lee", "phone": "+1 312 555 0100 x12"},
    )
    assert good.status_code == 302
    user = reload(world.contact_a)
    assert (user.first_name, user.last_name, user.phone) == ("Ana", "Lee", "+1 312 555 0100 x12")


def test_password_change_needs_the_current_one(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    data = {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    wrong = post_form(client, "/account/password", data)
    assert "Your current password is not correct." in text(wrong)
    right = post_form(client, "/account/password", {**data, "current": PASSWORD})
    assert right.status_code == 302
    assert client.get("/account/").status_code == 200  # this session goes on
    assert login(client_for(None), world.contact_a.email, NEW_PASSWORD).location == "/"


def test_email_change_is_confirmed_from_the_new_address(
    world: World, client_for: Any, inbox: Any
) -> None:
    client = client_for(world.contact_a)
    asked = post_form(client, "/account/email", {"email": "ana.new@example.test"})
    assert asked.status_code == 302
    assert reload(world.contact_a).email == "contact.a@example.test"  # not yet
    path = inbox.last_link("ana.new@example.test").split("8080", 1)[1]
    inbox.wait_for(2)
    assert inbox.to("contact.a@example.test")  # the notice to the old address
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200 and "ana.new@example.test" in text(confirm_page)
    assert reload(world.contact_a).email == "contact.a@example.test"  # a GET changes nothing
    assert post_form(client, path, {}).status_code == 302
    assert reload(world.contact_a).email == "ana.new@example.test"
    assert login(client_for(None), "ana.new@example.test").location == "/"
    again = post_form(client, path, {})
    assert again.status_code == 400 and "already been used" in text(again)


def test_email_in_use_is_refused(world: World, client_for: Any) -> None:
    response = post_form(
        client_for(world.contact_a), "/account/email", {"email": "Staff@Example.test"}
    )
    assert "Another PARS account already uses this email address." in text(response)


def test_legacy_account_sets_a_password_first(world: World, client_for: Any) -> None:
    legacy = make_user("legacy@example.test", "Provider Contact", must_set_password=True)
    db.session.commit()
    client = client_for(None)
    assert login(client, legacy.email).location == "/account/first-password"
    assert client.get("/activitymodelview/list/").location == "/account/first-password"
    same = post_form(client, "/account/first-password", {"password": PASSWORD, "confirm": PASSWORD})
    assert "different from the old one" in text(same)
    done = post_form(
        client, "/account/first-password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.location == "/"
    assert reload(legacy).must_set_password is False
    assert client.get("/activitymodelview/list/").status_code == 200


def test_my_providers_lists_the_contacts_providers(world: World, client_for: Any) -> None:
    page = text(client_for(world.contact_a).get("/account/providers"))
    assert world.p1.name in page and world.p2.name in page
    assert world.p3.name not in page
    assert world.p1.accreditation_status in page
    assert "annual report due" in page or "term ends" in page.lower()


def test_staff_has_no_providers_of_their_own(world: World, client_for: Any) -> None:
    page = text(client_for(world.staff).get("/account/providers"))
    assert "not a contact for any provider" in page
    assert world.p1.name not in page


def test_switcher_follows_the_choice_and_refuses_foreign_providers(
    world: World, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    home = text(client.get("/"))
    assert 'data-testid="provider-switcher"' in home
    assert world.p3.name not in home
    first = min((world.p1, world.p2), key=lambda p: p.name)
    second = max((world.p1, world.p2), key=lambda p: p.name)
    assert client.get("/account/provider").location.endswith(f"/show/{first.id}")
    post_form(client, "/account/switch", {"provider": str(second.id)})
    assert client.get("/account/provider").location.endswith(f"/show/{second.id}")
    refused = post_form(client, "/account/switch", {"provider": str(world.p3.id)})
    assert refused.status_code == 302
    with client.session_transaction() as session:
        assert session[CURRENT_PROVIDER_KEY] == second.id
    assert client.get("/account/provider").location.endswith(f"/show/{second.id}")


def test_switch_returns_to_a_safe_page_only(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    data = {"provider": str(world.p2.id)}
    assert (
        post_form(client, "/account/switch", {**data, "next": "/activitymodelview/list/"}).location
        == "/activitymodelview/list/"
    )
    assert (
        post_form(client, "/account/switch", {**data, "next": "//evil.example"}).location
        == "/account/providers"
    )


def test_sign_out_asks_on_get_and_signs_out_on_post(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    confirm = client.get("/logout/")
    assert confirm.status_code == 200 and "Sign out of PARS" in text(confirm)
    assert client.get("/account/").status_code == 200  # the GET changed nothing
    assert post_form(client, "/logout/", {}).status_code == 302
    assert "/login/" in client.get("/account/").location


def test_home_page_follows_the_current_provider(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    post_form(client, "/account/switch", {"provider": str(world.p2.id)})
    home = text(client.get("/"))
    assert f"Working on {world.p2.name}" in html.unescape(home)
    assert f"_flt_0_provider={world.p2.id}" in home
    post_form(client, "/account/switch", {"provider": str(world.p1.id)})
    assert f"Working on {world.p1.name}" in html.unescape(text(client.get("/")))


def test_new_records_start_on_the_current_provider(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    post_form(client, "/account/switch", {"provider": str(world.p2.id)})
    for url in ("/activitymodelview/add", "/providercontactmodelview/add"):
        select = re.search(
            r'<select[^>]*id="provider"[^>]*>(.*?)</select>', text(client.get(url)), re.S
        )
        assert select is not None, url
        chosen = re.findall(
            r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
            select.group(1),
        )
        assert [a or b for a, b in chosen] == [str(world.p2.id)], url


def test_staff_home_has_no_current_provider(world: World, client_for: Any) -> None:
    assert 'data-testid="current-provider"' not in text(client_for(world.staff).get("/"))


def test_visitors_are_asked_to_sign_in_and_sent_back(world: World, client_for: Any) -> None:
    client = client_for(None)
    response = client.get("/activitymodelview/list/?page_ActivityModelView=1")
    assert response.location == ("/login/?next=/activitymodelview/list/?page_ActivityModelView%3D1")
    page = text(client.get(response.location))
    assert "Please sign in to continue." in page and "Access is Denied" not in page
    signed_in = post_form(
        client, response.location, {"email": world.contact_a.email, "password": PASSWORD}
    )
    assert signed_in.location == "/activitymodelview/list/?page_ActivityModelView=1"


def test_a_signed_out_user_is_not_told_access_is_denied(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    post_form(client, "/logout/", {})
    page = text(client.get(client.get("/account/").location))
    assert "You have signed out." in page and "Access is Denied" not in page
