"""Fixtures for the browser journeys: Debian's Chromium, a live PARS server, live data.

pytest-playwright's ``page`` and ``browser`` fixtures are pointed at the system Chromium
(``CHROMIUM_PATH``, else ``chromium`` on the PATH, else ``/usr/bin/chromium``); Playwright's
own browser downloads are never used. Without a Chromium the browser tests are skipped,
except on CI (``CI=true``), where they fail: CI must never skip them silently.

The live server is the session's migrated test app served by werkzeug on 127.0.0.1 in a
background thread. Data is committed to the app's database, so the server thread sees it,
and removed again after each test.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from app.extensions import db
from tests.conftest import build_world, clear_data
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Where the system Chromium is expected."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium to drive; skip without one, but fail on CI."""
    path = chromium_path()
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    message = (
        f"no Chromium executable at {path!r}: install Debian's chromium "
        "(apt-get install chromium) or set CHROMIUM_PATH"
    )
    if in_ci():
        pytest.fail(f"CI=true, so the browser tests must run, but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _require_chromium(chromium_executable: str) -> None:
    """Skip (or fail, on CI) before any data is built when Chromium is missing."""


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], chromium_executable: str
) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable,
        "args": CHROMIUM_ARGS,
    }


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without a log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session's PARS app on 127.0.0.1, a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="pars-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page) -> None:
    """A journey step that cannot happen fails within seconds, not Playwright's 30 s."""
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    """Relative URLs go to the live server; CSP is bypassed so axe-core can be injected."""
    return {
        **browser_context_args,
        "base_url": live_server,
        "bypass_csp": True,
        "accept_downloads": True,
    }


@dataclass(frozen=True)
class LiveWorld:
    """Plain facts of the committed security fixture world (no ORM objects: the data
    lives on in the database while the test drives the browser)."""

    emails: dict[str, str]
    titles: dict[str, str]

    def email(self, who: str) -> str:
        return self.emails[who]


@pytest.fixture
def live_world(app: Flask) -> Iterator[LiveWorld]:
    """The security fixture world of tests/conftest.py, committed; cleared afterwards."""
    with app.app_context():
        clear_data()
        world = build_world()
        facts = LiveWorld(
            emails={
                name: getattr(world, name).email
                for name in (
                    "contact_a",
                    "contact_b",
                    "ja_contact",
                    "accreditor_tx",
                    "surveyor",
                    "staff",
                    "admin",
                    "nobody",
                )
            },
            titles={name: getattr(world, name).title for name in ("a1", "a2", "a3", "a4")},
        )
        db.session.remove()
    yield facts
    with app.app_context():
        clear_data()
        db.session.remove()


# ---- helpers for the journeys -----------------------------------------------------------


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a user does, and land on the home page."""
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    expect(
        page.get_by_role("heading", name="Program and Activity Reporting System")
    ).to_be_visible()


def main_menu(page: Page) -> Locator:
    """The left part of the navigation bar: PARS's own menu."""
    return page.locator(".navbar-collapse ul.navbar-nav").first


def menu_category(page: Page, category: str) -> Locator:
    """The drop-down of one menu category (its toggle reads exactly ``category``)."""
    toggle = page.locator("a.dropdown-toggle", has_text=exact_text(category))
    return main_menu(page).locator("li.dropdown").filter(has=toggle)


def open_menu(page: Page, category: str) -> Locator:
    """Open a menu category; return its list of entries, visible."""
    dropdown = menu_category(page, category)
    expect(dropdown).to_have_count(1)
    dropdown.locator("a.dropdown-toggle").click()
    entries = dropdown.locator("ul.dropdown-menu")
    expect(entries).to_be_visible()
    return entries


def menu_entries(page: Page, category: str) -> list[str]:
    """The visible entries of a menu category, opened as a user would."""
    entries = open_menu(page, category)
    return [text.strip() for text in entries.locator("a").all_inner_texts()]


def go_to(page: Page, category: str, entry: str) -> None:
    """Follow a menu entry: open its category, click the entry."""
    entries = open_menu(page, category)
    entries.locator("a", has_text=exact_text(entry)).click()


def exact_text(text: str) -> re.Pattern[str]:
    """Match an element whose whole text is ``text`` (icons and spacing aside)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def choose(page: Page, field: Locator, option: str) -> None:
    """Pick an option of a Select2 drop-down the way a user does: open it, click the option."""
    field.locator("xpath=following-sibling::span[contains(@class, 'select2')]").first.click()
    page.locator(".select2-results").get_by_role("option", name=option, exact=True).click()


def field_row(page: Page, name: str) -> Locator:
    """The form row of one field: its label, its input, its help and its messages."""
    return page.locator("#model_form tr").filter(has=page.locator(f"label[for='{name}']"))
