"""Journeys 2 and 3: a provider contact works with the activity list and the add form."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveWorld, choose, field_row, go_to, sign_in

pytestmark = pytest.mark.browser

HIDDEN_TITLE = "P3 Secret Oncology Board"


def list_table(page: Page) -> Locator:
    return page.locator("table.table-bordered.table-hover")


def list_titles(page: Page) -> list[str]:
    """The Activity Title cells of the list, in page order."""
    table = list_table(page)
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    column = headings.index("Activity Title") + 1
    return [t.strip() for t in table.locator(f"tbody tr td:nth-child({column})").all_inner_texts()]


def test_contact_filters_the_activity_list_and_exports_it(
    page: Page, live_world: LiveWorld
) -> None:
    sign_in(page, live_world.email("contact_a"))
    go_to(page, "Activities", "Activities")

    expect(page).to_have_url(re.compile(r"/activitymodelview/list/"))
    expect(list_table(page)).to_contain_text(live_world.titles["a1"])
    assert sorted(list_titles(page)) == sorted([live_world.titles["a1"], live_world.titles["a2"]])
    expect(page.get_by_text(HIDDEN_TITLE)).to_have_count(0)

    # Search -> Add Filter -> Activity Format -> Enduring Material -> Search.
    page.locator("a.accordion-toggle", has_text="Search").click()
    filters = page.locator("#filter_form")
    filters.get_by_role("button", name="Add Filter").click()
    filters.locator("a.filter", has_text="Activity Format").click()
    choose(page, filters.locator("select[name='_flt_0_format']"), "Enduring Material")
    filters.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"_flt_0_format=Enduring(\+|%20)Material"))
    expect(list_table(page)).to_contain_text(live_world.titles["a2"])
    assert list_titles(page) == [live_world.titles["a2"]]
    expect(page.get_by_text(HIDDEN_TITLE)).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, text
    header = list(rows[0])
    assert "Provider Activity ID" in header and "Activity Title" in header
    assert [row["Activity Title"] for row in rows] == [live_world.titles["a2"]]
    assert [row["Provider Activity ID"] for row in rows] == ["P2-001"]
    assert HIDDEN_TITLE not in text and live_world.titles["a1"] not in text


def test_filtered_url_lists_only_matching_visible_activities(
    page: Page, live_world: LiveWorld
) -> None:
    sign_in(page, live_world.email("contact_a"))
    page.goto("/activitymodelview/list/?_flt_0_format=Live%20Course")

    expect(list_table(page)).to_contain_text(live_world.titles["a1"])
    assert list_titles(page) == [live_world.titles["a1"]]
    expect(page.get_by_text(HIDDEN_TITLE)).to_have_count(0)


def test_contact_adds_an_activity_after_fixing_the_messages(
    page: Page, live_world: LiveWorld
) -> None:
    sign_in(page, live_world.email("contact_a"))
    go_to(page, "Activities", "Activities")
    page.get_by_role("link", name=re.compile(r"^Add\b")).click()
    expect(page).to_have_url(re.compile(r"/activitymodelview/add"))

    form = page.locator("#model_form")
    choose(page, form.locator("select#provider"), "Austin Heart Institute (0000101)")
    page.get_by_label("Provider Activity ID").fill("P1-NEW-7")
    page.get_by_label("Activity Title").fill("P1 Stroke Care Workshop")
    choose(page, form.locator("select#format"), "Live Course")
    page.get_by_label("Start Date").fill("2025-06-10")
    page.get_by_label("End Date").fill("2025-06-01")
    page.get_by_label("AMA PRA Category 1 Credits").fill("1.3")
    page.get_by_role("button", name="Save").click()

    credits_messages = field_row(page, "credits").locator(".alert-danger")
    expect(credits_messages).to_contain_text("AMA PRA Category 1 Credits: must be in steps of 0.25")
    end_messages = field_row(page, "end_date").locator(".alert-danger")
    expect(end_messages).to_contain_text("End Date: must not be before the start date.")
    expect(field_row(page, "title").locator(".alert-danger")).to_have_count(0)
    expect(page.get_by_label("Activity Title")).to_have_value("P1 Stroke Care Workshop")

    page.get_by_label("End Date").fill("2025-06-11")
    page.get_by_label("AMA PRA Category 1 Credits").fill("1.25")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/activitymodelview/list/"))
    expect(list_table(page)).to_contain_text("P1 Stroke Care Workshop")
    assert sorted(list_titles(page)) == sorted(
        [live_world.titles["a1"], live_world.titles["a2"], "P1 Stroke Care Workshop"]
    )
    row = list_table(page).locator("tbody tr", has_text="P1 Stroke Care Workshop")
    expect(row).to_contain_text("P1-NEW-7")
    expect(row).to_contain_text("Draft")
    expect(row).to_contain_text("1.25")


def test_saving_an_empty_form_names_every_missing_field(page: Page, live_world: LiveWorld) -> None:
    sign_in(page, live_world.email("contact_a"))
    page.goto("/activitymodelview/add")
    page.locator("#model_form").get_by_role("button", name="Save").click()
    for name, label in (
        ("provider_activity_id", "Provider Activity ID"),
        ("title", "Activity Title"),
        ("format", "Activity Format"),
        ("start_date", "Start Date"),
        ("end_date", "End Date"),
    ):
        expect(field_row(page, name).locator(".alert-danger")).to_contain_text(
            f"{label}: this field is required."
        )
