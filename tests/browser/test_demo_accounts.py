"""Journey 4: every demo account signs in and finds its way round the demo data."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.conftest import go_to, main_menu, menu_entries, sign_in
from tests.browser.test_menus import MANAGER_MENU, MENUS
from tests.conftest import clear_data

pytestmark = pytest.mark.browser


def demo_module() -> ModuleType | None:
    """``app.services.demo``, or None while the demo loader is not in this tree."""
    try:
        return importlib.import_module("app.services.demo")
    except ModuleNotFoundError as error:
        if error.name != "app.services.demo":
            raise
        return None


DEMO_MENUS = {
    "admin@example.org": MENUS["admin"],
    "staff@example.org": MANAGER_MENU,
    "accreditor@example.org": MENUS["accreditor_tx"],
    "surveyor@example.org": MENUS["surveyor"],
    "contact@example.org": MENUS["contact_a"],
    "ja@example.org": MENUS["contact_a"],
}


@pytest.fixture
def demo_password(app: Flask) -> Iterator[str]:
    """The demo data and accounts, loaded as ``flask pars demo`` does; cleared afterwards."""
    demo = demo_module()
    if demo is None:
        pytest.skip("app/services/demo.py (the demo loader, load_demo) is not in this tree yet")
    with app.app_context():
        clear_data()
        demo.load_demo(db.session)
        db.session.commit()
        db.session.remove()
    yield demo.DEMO_PASSWORD
    with app.app_context():
        clear_data()
        db.session.remove()


@pytest.mark.parametrize("email", list(DEMO_MENUS))
def test_demo_account_signs_in_and_sees_its_menu(
    page: Page, demo_password: str, email: str
) -> None:
    sign_in(page, email, demo_password)

    expect(page.get_by_text("Welcome,")).to_be_visible()
    expect(page.get_by_test_id("provider-count")).to_be_visible()
    toggles = main_menu(page).locator("li.dropdown > a.dropdown-toggle").all_inner_texts()
    shown = [text.strip() for text in toggles]
    for category, entries in DEMO_MENUS[email].items():
        assert category in shown
        assert menu_entries(page, category) == entries, category


def test_demo_contact_sees_exactly_two_providers(page: Page, demo_password: str) -> None:
    sign_in(page, "contact@example.org", demo_password)
    expect(page.get_by_test_id("provider-count")).to_have_text("2")

    go_to(page, "Providers", "Providers")
    rows = page.locator("table.table-bordered.table-hover tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".well")).to_contain_text("Record Count: 2")
