"""Journey 1: each role of the fixture world signs in and sees its own menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveWorld, main_menu, menu_entries, sign_in

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
MANAGER_MENU = {
    **READER_MENU,
    **UPLOADS,
    "Annual reporting": OVERSIGHT,
    "Accreditation": ["Accreditors", "Accreditor members", "Accreditation history", "Criteria"],
    "Sign-in security": ["Audit trail", "Sign-in lockouts"],
}
MENUS = {
    "contact_a": {**READER_MENU, **UPLOADS, **HISTORY, "Annual reporting": ["Annual report"]},
    "accreditor_tx": {**READER_MENU, **UPLOADS, **HISTORY, "Annual reporting": OVERSIGHT},
    "surveyor": READER_MENU,
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


def test_wrong_password_stays_on_the_login_page(page: Page, live_world: LiveWorld) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(live_world.email("contact_a"))
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    expect(main_menu(page).locator("li.dropdown")).to_have_count(0)
