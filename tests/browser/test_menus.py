"""Journey 1: each role of the fixture world signs in and sees its own menu."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Provider
from app.security import roles
from tests import factories as f
from tests.browser.conftest import LiveWorld, main_menu, menu_entries, sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PARS_CATEGORIES = ["Providers", "Activities", "Accreditation"]
ANNUAL_CATEGORIES = ["Providers", "Activities", "Annual reporting", "Accreditation"]
STAFF_CATEGORIES = [*ANNUAL_CATEGORIES, "Sign-in security"]
READER_MENU = {
    "Providers": ["Providers", "Provider contacts"],
    "Activities": ["Activities"],
    "Accreditation": ["Accreditors", "Criteria"],
}
OVERSIGHT = ["Reporting progress", "Reporting deadlines"]
UPLOADS = {"Activities": ["Activities", "Activity uploads"]}
#: Contacts and Recognized Accreditors read the accreditation history; surveyors do not.
HISTORY = {"Accreditation": ["Accreditors", "Accreditation history", "Criteria"]}
#: Online accreditation: the reviews for staff, surveyors and the contacts of
#: ACCME-accredited or jointly accredited providers (not for a contact of state-accredited
#: providers only, nor for Recognized Accreditors); the review dashboard for staff and
#: surveyors only.
CONTACT_ACCREDITATION = {
    "Accreditation": ["Reviews", "Accreditors", "Accreditation history", "Criteria"]
}
SURVEYOR_ACCREDITATION = {
    "Accreditation": ["Reviews", "Accreditors", "Review dashboard", "Criteria"]
}
CONTACT_MENU = {
    **READER_MENU,
    **UPLOADS,
    **CONTACT_ACCREDITATION,
    "Annual reporting": ["Annual report"],
}
MANAGER_MENU = {
    **READER_MENU,
    **UPLOADS,
    "Annual reporting": OVERSIGHT,
    "Accreditation": [
        "Reviews",
        "Accreditors",
        "Accreditor members",
        "Accreditation history",
        "Review dashboard",
        "Criteria",
    ],
    "Sign-in security": ["Audit trail", "Sign-in lockouts"],
}
MENUS = {
    "contact_a": CONTACT_MENU,
    "ja_contact": CONTACT_MENU,
    "accreditor_tx": {**READER_MENU, **UPLOADS, **HISTORY, "Annual reporting": OVERSIGHT},
    "surveyor": {**READER_MENU, **SURVEYOR_ACCREDITATION},
    "staff": MANAGER_MENU,
    "admin": {**MANAGER_MENU, "Annual reporting": ["Annual report", *OVERSIGHT]},
}


def categories(page: Page) -> list[str]:
    toggles = main_menu(page).locator("li.dropdown > a.dropdown-toggle")
    return [text.strip() for text in toggles.all_inner_texts()]


@pytest.mark.parametrize("who", list(MENUS))
def test_role_signs_in_and_sees_its_menu(page: Page, live_world: LiveWorld, who: str) -> None:
    sign_in(page, live_world.email(who))

    expect(page.get_by_text("Welcome,")).to_be_visible()
    expect(page.get_by_test_id("provider-count")).to_be_visible()
    shown = categories(page)
    if who == "admin":
        assert [c for c in shown if c in STAFF_CATEGORIES] == STAFF_CATEGORIES
        assert "Security" in shown
    elif who == "staff":
        assert shown == STAFF_CATEGORIES
    elif who == "surveyor":
        assert shown == PARS_CATEGORIES
    else:
        assert shown == ANNUAL_CATEGORIES
    for category, entries in MENUS[who].items():
        assert menu_entries(page, category) == entries, category
    if "Accreditor members" not in MENUS[who]["Accreditation"]:
        expect(page.get_by_text("Accreditor members")).to_have_count(0)


@pytest.fixture
def state_contact(app: Flask, live_world: LiveWorld) -> str:
    """A (staff) contact of the world's state-accredited P1 only; their email."""
    with app.app_context():
        p1 = db.session.scalars(select(Provider).filter_by(accme_id="0000101")).one()
        user = make_user("state.contact@example.test", roles.CONTACT)
        f.ContactFactory(provider=p1, user=user, contact_type="Staff")
        db.session.commit()
        email = user.email
        db.session.remove()
    return email


def test_contact_of_state_accredited_providers_only_has_no_review_menu(
    page: Page, state_contact: str
) -> None:
    sign_in(page, state_contact)

    assert categories(page) == ANNUAL_CATEGORIES
    assert menu_entries(page, "Accreditation") == HISTORY["Accreditation"]
    for entry in ("Reviews", "Review dashboard"):
        expect(main_menu(page).get_by_role("link", name=entry, exact=True)).to_have_count(0)


def test_wrong_password_stays_on_the_login_page(page: Page, live_world: LiveWorld) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(live_world.email("contact_a"))
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    expect(main_menu(page).locator("li.dropdown")).to_have_count(0)
