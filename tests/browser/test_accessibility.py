"""Journey 5: the pages a provider contact works in have no critical or serious
accessibility problems, as axe-core finds them in Chromium.

Flask-AppBuilder's own layout has four such problems (no ``<html lang>``,
``role="header"``, a low-contrast brand link, Select2 boxes without a name); every PARS
page uses ``app/templates/pars/baselayout.html`` instead, which fixes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveWorld, choose, go_to, sign_in

pytestmark = pytest.mark.browser

SEVERE = ("critical", "serious")


def login_page(page: Page, world: LiveWorld) -> None:
    page.goto("/login/")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()


def home_page(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("contact_a"))


def activity_list(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("contact_a"))
    go_to(page, "Activities", "Activities")
    expect(page.get_by_text(world.titles["a1"])).to_be_visible()


def activity_add_form(page: Page, world: LiveWorld) -> None:
    activity_list(page, world)
    page.get_by_role("link", name=re.compile(r"^Add\b")).click()
    expect(page.get_by_label("Activity Title")).to_be_visible()


def activity_add_form_with_messages(page: Page, world: LiveWorld) -> None:
    activity_add_form(page, world)
    page.get_by_label("Provider Activity ID").fill("P1-A11Y")
    page.get_by_label("Activity Title").fill("Accessible activity")
    choose(page, page.locator("select#format"), "Live Course")
    page.get_by_label("Start Date").fill("2025-06-10")
    page.get_by_label("End Date").fill("2025-06-01")
    page.get_by_label("AMA PRA Category 1 Credits").fill("1.3")
    page.locator("#model_form").get_by_role("button", name="Save").click()
    expect(page.locator("#model_form .alert-danger").first).to_be_visible()


def annual_report(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("contact_a"))
    go_to(page, "Annual reporting", "Annual report")
    expect(page.get_by_role("heading", name="Program Summary")).to_be_visible()


def annual_report_with_messages(page: Page, world: LiveWorld) -> None:
    annual_report(page, world)
    page.get_by_role("button", name="Submit the year").click()
    expect(page.locator(".alert-danger").first).to_be_visible()
    page.get_by_label("Total expenses").fill("-1")
    page.get_by_role("button", name="Save the Program Summary").click()
    expect(page.get_by_text("Number must be at least 0.")).to_be_visible()


def annual_reporting_list(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("accreditor_tx"))
    go_to(page, "Annual reporting", "Reporting progress")
    expect(page.get_by_role("link", name="Austin Heart Institute")).to_be_visible()


def annual_deadlines_with_messages(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("accreditor_tx"))
    go_to(page, "Annual reporting", "Reporting deadlines")
    page.get_by_label("Deadline (empty: ACCME's March 31)").fill("2099-01-01")
    page.get_by_role("button", name="Save the deadline").click()
    expect(page.locator(".help-block").first).to_be_visible()


def review_dashboard(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("staff"))
    go_to(page, "Accreditation", "Review dashboard")
    expect(page.get_by_role("heading", name="Review dashboard")).to_be_visible()


def review_list(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("contact_b"))
    go_to(page, "Accreditation", "Reviews")
    expect(page.get_by_role("link", name=re.compile("Show")).first).to_be_visible()


def review_page_of_the_provider(page: Page, world: LiveWorld) -> None:
    review_list(page, world)
    page.get_by_role("link", name=re.compile("Show")).first.click()
    expect(page.get_by_test_id("review-page")).to_be_visible()


def open_review_form_with_messages(page: Page, world: LiveWorld) -> None:
    sign_in(page, world.email("staff"))
    page.goto("/reviews/add")
    page.get_by_role("button", name="Open the review").click()
    expect(page.locator(".help-block").first).to_be_visible()


#: page -> how a user gets there.
PAGES: dict[str, Callable[[Page, LiveWorld], None]] = {
    "login": login_page,
    "home": home_page,
    "activity list": activity_list,
    "activity add form": activity_add_form,
    "activity add form with messages": activity_add_form_with_messages,
    "annual report": annual_report,
    "annual report with messages": annual_report_with_messages,
    "annual reporting list": annual_reporting_list,
    "annual deadlines with messages": annual_deadlines_with_messages,
    "review dashboard": review_dashboard,
    "review list": review_list,
    "review page of the provider": review_page_of_the_provider,
    "open review form with messages": open_review_form_with_messages,
}


def describe(violation: dict[str, Any]) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_critical_or_serious_violations(
    page: Page, live_world: LiveWorld, name: str
) -> None:
    PAGES[name](page, live_world)
    results = Axe().run(page)
    severe = [describe(v) for v in results.response["violations"] if v["impact"] in SEVERE]
    assert not severe, f"{name}: " + "; ".join(severe)
