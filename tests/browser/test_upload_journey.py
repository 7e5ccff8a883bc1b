"""Journey 8: a provider contact uploads a batch file. The first file has mistakes: the
report lists each one with its row and column, and nothing is saved. The corrected file
shows a preview (one new activity, one update with its field differences); confirming
saves both in one step, and the upload history lists the file with its counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Activity
from tests.browser.conftest import LiveWorld, go_to, sign_in

pytestmark = pytest.mark.browser

HEADER = "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date,Status\n"
WITH_MISTAKES = HEADER + (
    "UP-900,Stroke Update,Live Course,02/30/2027,03/01/2027,\n"
    "UP-901,,Webinar,03/01/2027,03/01/2027,\n"
)
CORRECTED = HEADER + (
    "UP-900,Stroke Update,Live Course,02/28/2027,03/01/2027,\n"
    "P1-001,P1 Sepsis Update (revised),Live Course,03/01/2025,03/02/2025,Ready to Close\n"
)
SEVERE = ("critical", "serious")


def assert_accessible(page: Page, name: str) -> None:
    violations = Axe().run(page).response["violations"]
    severe = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in SEVERE
    ]
    assert not severe, f"{name}: {severe}"


def upload(page: Page, path: Path) -> None:
    go_to(page, "Activities", "Activity uploads")
    page.get_by_test_id("upload-activities").click()
    expect(page.get_by_role("heading", name="Upload activities")).to_be_visible()
    form = page.get_by_test_id("upload-form")
    form.get_by_label("Provider").select_option(label="Austin Heart Institute (0000101)")
    form.get_by_label("Activity file").set_input_files(str(path))
    page.get_by_test_id("upload-submit").click()


def test_contact_uploads_fixes_previews_confirms_and_sees_history(
    page: Page, live_world: LiveWorld, app: Flask, tmp_path: Path
) -> None:
    sign_in(page, live_world.email("contact_a"))
    first = tmp_path / "activities-march.csv"
    first.write_text(WITH_MISTAKES, encoding="utf-8")
    upload(page, first)

    expect(page.get_by_test_id("upload-status")).to_have_text("Rejected")
    problems = page.get_by_test_id("upload-problems")
    expect(problems.locator("tr", has_text="Start Date").first).to_contain_text("02/30/2027")
    expect(problems.locator("tr", has_text="Activity Format")).to_contain_text("Webinar")
    expect(problems.locator("tr", has_text="Activity Title").first).to_contain_text("3")
    assert_accessible(page, "report")
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()
    assert "02/30/2027" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    second = tmp_path / "activities-march-fixed.csv"
    second.write_text(CORRECTED, encoding="utf-8")
    upload(page, second)
    expect(page.get_by_test_id("upload-status")).to_have_text("Ready to confirm")
    changes = page.get_by_test_id("upload-changes")
    expect(changes.locator("tr[data-key='UP-900']")).to_contain_text("New activity")
    update = changes.locator("tr[data-key='P1-001']")
    expect(update).to_contain_text("P1 Sepsis Update (revised)")
    expect(update).to_contain_text("Ready to Close")
    assert_accessible(page, "preview")
    with app.app_context():
        assert (
            db.session.scalars(select(Activity).filter_by(provider_activity_id="UP-900")).first()
            is None
        )
        db.session.remove()

    page.get_by_test_id("upload-confirm").click()
    expect(page.get_by_test_id("upload-status")).to_have_text("Committed")
    expect(page.get_by_text("Saved: 1 created, 1 updated, 0 unchanged.")).to_be_visible()

    go_to(page, "Activities", "Activity uploads")
    history = page.locator("table").filter(has_text="activities-march-fixed.csv")
    expect(history).to_be_visible()
    row = history.locator("tr", has_text="activities-march-fixed.csv")
    expect(row).to_contain_text("Committed")
    expect(history.locator("tr", has_text="activities-march.csv").last).to_contain_text("Rejected")
    with app.app_context():
        saved = db.session.scalars(select(Activity).filter_by(provider_activity_id="P1-001")).one()
        assert saved.title == "P1 Sepsis Update (revised)" and saved.status == "Ready to Close"
        db.session.remove()
