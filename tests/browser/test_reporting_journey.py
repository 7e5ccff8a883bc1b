"""Journey 7: a provider contact reports a year. They add an activity, take it from Draft to
Closed by fixing each field PARS names, then complete the year's steps and Program Summary
and submit the year, which locks its activities.

The reporting year is last year, whatever today's date. The world's P1 activity is made an
enduring material available from last year until next year: it has not ended, so it stays
Active, keeps step 3 of the year to do, and shows the year's lock once it is submitted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Activity
from app.schema import vocabularies as v
from app.services.deadlines import open_reporting_year
from tests.browser.conftest import LiveWorld, choose, field_row, go_to, sign_in

pytestmark = pytest.mark.browser

P1 = "Austin Heart Institute"
P1_OPTION = "Austin Heart Institute (0000101)"
TITLE = "P1 Cardiac Rehabilitation Course"
SEVERE = ("critical", "serious")


def last_year() -> int:
    return date.today().year - 1


@pytest.fixture
def enduring_material(app: Flask, live_world: LiveWorld) -> Iterator[str]:
    """The world's P1 activity as an Active enduring material of last year that ends next
    year (so it has not ended); its title."""
    year = last_year()
    with app.app_context():
        activity = db.session.scalars(
            select(Activity).filter_by(provider_activity_id="P1-001")
        ).one()
        activity.format = v.ENDURING
        activity.delivery_methods = ["Online"]
        activity.city = activity.state = activity.country = None
        activity.start_date = date(year, 1, 15)
        activity.end_date = date(year + 2, 1, 14)
        activity.reporting_year = year
        db.session.commit()
        db.session.remove()
    yield live_world.titles["a1"]


# ---- helpers ----------------------------------------------------------------------------


def assert_no_severe_violations(page: Page, name: str) -> None:
    violations = Axe().run(page).response["violations"]
    severe = [
        f"{v['id']} ({v['impact']}): {v['help']} "
        f"[{', '.join(' '.join(n['target']) for n in v['nodes'][:5])}]"
        for v in violations
        if v["impact"] in SEVERE
    ]
    assert not severe, f"{name}: " + "; ".join(severe)


def status(page: Page) -> Locator:
    return page.get_by_test_id("activity-status")


def problems(page: Page) -> Locator:
    """The items of the alert listing why the last status change was refused."""
    return page.get_by_test_id("status-problems").locator("li")


def required_to_close(*labels: str) -> list[re.Pattern[str]]:
    """The problems naming each field, in order, as required for the activity to close."""
    return [re.compile(rf"^{re.escape(label)}: required for .* to be Closed; ") for label in labels]


def lifecycle(page: Page) -> Locator:
    return page.get_by_test_id("lifecycle")


def close_activity(page: Page) -> None:
    lifecycle(page).get_by_role("button", name="Close the activity").click()


def edit_activity(page: Page) -> Locator:
    """Open the form from the activity page; the form."""
    lifecycle(page).get_by_role("link", name="Edit the activity").click()
    expect(page).to_have_url(re.compile(r"/activitymodelview/edit/\d+"))
    return page.locator("#model_form")


def save(page: Page, form: Locator) -> None:
    """Save the form; back on the activity page."""
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("The activity is saved.")
    expect(page.locator("#model_form")).to_have_count(0)


def open_activity(page: Page, title: str) -> None:
    """From an activity list, open the activity page of ``title``."""
    row = page.locator("table.table-hover tbody tr", has_text=title)
    row.get_by_role("link", name="Show").click()
    expect(page.get_by_test_id("lifecycle")).to_be_visible()
    expect(page.locator("table", has_text="Activity Title")).to_contain_text(title)


def step(page: Page, key: str) -> Locator:
    return page.get_by_test_id("steps").locator(f"[data-step='{key}']")


# ---- the journey --------------------------------------------------------------------------


def test_contact_closes_an_activity_and_submits_the_year(
    page: Page, live_world: LiveWorld, enduring_material: str
) -> None:
    year = last_year()
    sign_in(page, live_world.email("contact_a"))

    # 1. A new activity of last year, for the current provider: a Draft.
    go_to(page, "Activities", "Activities")
    page.get_by_role("link", name=re.compile(r"^Add\b")).click()
    form = page.locator("#model_form")
    expect(form.locator("select#provider option:checked")).to_have_text(P1_OPTION)
    page.get_by_label("Provider Activity ID").fill("P1-REHAB-1")
    page.get_by_label("Activity Title").fill(TITLE)
    choose(page, form.locator("select#format"), "Live Course")
    page.get_by_label("Start Date").fill(f"{year}-05-04")
    page.get_by_label("End Date").fill(f"{year}-05-05")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/activitymodelview/list/"))
    expect(page.locator("table.table-hover tbody tr", has_text=TITLE)).to_contain_text("Draft")
    open_activity(page, TITLE)
    expect(status(page)).to_have_text("Draft")
    expect(page.locator("table", has_text="Reporting year")).to_contain_text(str(year))

    # 2. Closing it is refused: every missing field is named, and nothing changes.
    close_activity(page)
    missing = (
        "Delivery Methods",
        "AMA PRA Category 1 Credits",
        "Activity Description",
        "Providership",
        "Commercial Support Received",
        "Outcomes Measured",
        "Physician Learners",
        "Other Learners",
        "CME Finder",
    )
    refusal = page.get_by_test_id("status-problems")
    expect(refusal).to_contain_text("The activity cannot be Closed yet.")
    expect(problems(page)).to_have_text(required_to_close(*missing))
    expect(status(page)).to_have_text("Draft")
    to_fix = lifecycle(page).locator(".pars-move", has_text="Close the activity")
    to_fix.get_by_text("9 thing(s) to fix first").click()
    expect(to_fix.locator("details li")).to_have_text(required_to_close(*missing))
    assert_no_severe_violations(page, "activity page with the problems to fix")

    # 3a. Fix each named field. In-person delivery brings up the location.
    form = edit_activity(page)
    location = [field_row(page, name) for name in ("city", "state", "country")]
    for row in location:
        expect(row).to_be_hidden()
    choose(page, form.locator("select#delivery_methods"), "In-Person")
    for row in location:
        expect(row).to_be_visible()
    page.get_by_label("AMA PRA Category 1 Credits").fill("6.5")
    page.get_by_label("Activity Description").fill("Exercise-based rehabilitation after MI.")
    choose(page, form.locator("select#providership"), "Direct")
    choose(page, form.locator("select#commercial_support"), "Yes")
    choose(page, form.locator("select#outcomes"), "Learner Competence")
    page.get_by_label("Physician Learners").fill("120")
    page.get_by_label("Other Learners").fill("35")
    choose(page, form.locator("select#cme_finder"), "No")
    save(page, form)

    # What these answers require in turn is named next: the location, the sources.
    close_activity(page)
    expect(problems(page)).to_have_text(
        required_to_close("City", "Country", "Commercial Support Sources")
    )
    expect(status(page)).to_have_text("Draft")

    # 3b. Fix those too: now it closes, and the contact can no longer change it.
    form = edit_activity(page)
    for row in location:
        expect(row).to_be_visible()
    page.get_by_label("City", exact=True).fill("Austin")
    choose(page, form.locator("select#country"), "USA")
    choose(page, form.locator("select#state"), "TX")
    page.get_by_label("Commercial Support Sources").fill("Acme Pharma: 5000; Beta Devices: In-kind")
    save(page, form)
    close_activity(page)
    expect(page.locator(".alert-success")).to_contain_text("The activity is now Closed.")
    expect(status(page)).to_have_text("Closed")
    expect(page.get_by_test_id("status-problems")).to_have_count(0)
    expect(page.get_by_test_id("read-only")).to_contain_text("This activity is Closed")
    expect(lifecycle(page).get_by_role("button")).to_have_count(0)
    expect(lifecycle(page).get_by_role("link", name="Edit the activity")).to_have_count(0)
    closed_url = page.url
    page.goto(closed_url.replace("/show/", "/edit/"))
    expect(page).to_have_url(closed_url)
    expect(page.locator(".alert-warning")).to_contain_text("This activity is Closed")

    # 4. The year: "Annual report" opens the open reporting year; last year is a link away.
    go_to(page, "Annual reporting", "Annual report")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"{P1}: {open_reporting_year(date.today())} annual report")
    if open_reporting_year(date.today()) != year:
        other_years = page.get_by_role("navigation", name="Other reporting years")
        other_years.get_by_role("link", name=str(year), exact=True).click()
    expect(heading).to_have_text(f"{P1}: {year} annual report")
    expect(step(page, "activities")).to_have_attribute("data-done", "yes")
    expect(step(page, "activities")).to_contain_text("2 in the year, 0 ended but not Closed")
    expect(page.get_by_test_id("commercial-support")).to_contain_text("$5,000.00")

    # Submitting now is refused, naming each step still to do.
    page.get_by_role("button", name="Submit the year").click()
    refused = page.locator(".alert-danger")
    expect(refused.first).to_contain_text(f"The {year} annual report cannot be submitted yet")
    expect(refused).to_have_text(
        [
            re.compile("cannot be submitted yet"),
            re.compile(r"Step 1: Accept the Provider Agreement"),
            re.compile(r"Step 3: Update the enduring materials' learner counts \(1 enduring"),
            re.compile(r"Step 4: Complete the Program Summary"),
            re.compile(r"Step 5: Review the contacts"),
        ]
    )
    assert_no_severe_violations(page, "year page with the unmet steps")

    for key, button, done in (
        ("agreement", "I accept the Provider Agreement", "The Provider Agreement is accepted."),
        ("enduring", "Learner counts are updated", "learner counts are marked as updated."),
        ("contacts", "Contacts are reviewed", "The contacts are marked as reviewed."),
    ):
        step(page, key).get_by_role("button", name=button).click()
        expect(page.locator(".alert-success")).to_contain_text(done)
        expect(step(page, key)).to_have_attribute("data-done", "yes")

    summary = page.get_by_test_id("summary-form")
    for label, amount in (
        ("Advertising and exhibit income", "1500"),
        ("Registration fees", "42000.50"),
        ("Government monetary grants", "0"),
        ("Private monetary donations", "2500"),
        ("Other income", "0"),
        ("Total expenses", "61000"),
    ):
        summary.get_by_label(label).fill(amount)
    summary.get_by_role("button", name="Save the Program Summary").click()
    expect(page.locator(".alert-success")).to_contain_text("The Program Summary is saved.")
    expect(step(page, "summary")).to_have_attribute("data-done", "yes")
    expect(page.get_by_role("heading", name="Steps (5 of 5 done)")).to_be_visible()
    expect(page.get_by_test_id("commercial-support")).to_contain_text("$5,000.00")
    assert_no_severe_violations(page, "year page ready to submit")

    page.get_by_role("button", name="Submit the year").click()
    expect(page.locator(".alert-success")).to_contain_text(
        f"The {year} annual report is submitted. Thank you."
    )
    expect(
        page.get_by_role("status").filter(has_text="This year is submitted and locked")
    ).to_be_visible()
    expect(page.get_by_test_id("deadline")).to_contain_text("submitted on")
    expect(page.get_by_role("button", name="Submit the year")).to_have_count(0)
    expect(page.get_by_test_id("summary-form")).to_have_count(0)
    expect(page.get_by_test_id("annual-year").get_by_role("button")).to_have_count(0)
    saved = page.get_by_test_id("summary")
    expect(saved.locator("tr", has_text="Registration fees")).to_contain_text("$42,000.50")
    expect(saved.locator("tr", has_text="Total expenses")).to_contain_text("$61,000.00")

    # The year's activities are read-only now, even the one still Active.
    page.get_by_role("link", name=f"Activities of {year}").click()
    open_activity(page, enduring_material)
    expect(status(page)).to_have_text("Active")
    expect(page.get_by_test_id("read-only")).to_contain_text(
        f"The {year} annual report is submitted: its activities can no longer be changed."
    )
    expect(lifecycle(page).get_by_role("button")).to_have_count(0)
    expect(lifecycle(page).get_by_role("link", name="Edit the activity")).to_have_count(0)
    locked_url = page.url
    page.goto(locked_url.replace("/show/", "/edit/"))
    expect(page).to_have_url(locked_url)
    expect(page.locator(".alert-warning")).to_contain_text(f"The {year} annual report is submitted")
