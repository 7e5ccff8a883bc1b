"""Journey 5, continued: the sign-in, password and account pages have no critical or
serious accessibility problems, as axe-core finds them in Chromium, including with their
error messages shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.security import roles
from app.services import password_links
from tests.browser.conftest import LiveWorld, sign_in
from tests.conftest import make_user
from tests.factories import PASSWORD
from tests.smtp import Inbox

pytestmark = pytest.mark.browser

SEVERE = ("critical", "serious")
LEGACY_EMAIL = "legacy.contact@example.test"


@dataclass(frozen=True)
class Visit:
    """What a step needs: the browser, the live data, the app behind the server and the
    inbox its email goes to."""

    page: Page
    world: LiveWorld
    app: Flask
    inbox: Inbox


def reset_token(app: Flask, email: str) -> str:
    """A fresh "set a new password" link for ``email``, as the recovery email carries."""
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        token = password_links.issue(
            db.session,
            user_id=user.id,
            purpose=password_links.RESET,
            lifetime=dt.timedelta(hours=1),
        )
        db.session.commit()
        db.session.remove()
    return token


def sign_in_wrong_password(visit: Visit) -> None:
    page = visit.page
    page.goto("/login/")
    page.get_by_label("Email address").fill(visit.world.email("contact_a"))
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-danger")).to_be_visible()


def sign_in_empty_fields(visit: Visit) -> None:
    page = visit.page
    page.goto("/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("error-email")).to_have_text("Enter your email address.")
    expect(page.get_by_test_id("error-password")).to_have_text("Enter your password.")


def forgot_password(visit: Visit) -> None:
    page = visit.page
    page.goto("/login/")
    page.get_by_role("link", name="Can't log in or forgot your password?").click()
    expect(page.get_by_label("Email address")).to_be_visible()


def check_your_email(visit: Visit) -> None:
    email = visit.world.email("contact_a")
    forgot_password(visit)
    visit.page.get_by_label("Email address").fill(email)
    visit.page.get_by_role("button", name="Email me a link").click()
    expect(visit.page.get_by_role("heading", name="Check your email")).to_be_visible()
    # The request is done (link stored, email sent) before the data is cleared again.
    visit.inbox.last_link(email)


def reset_page(visit: Visit) -> None:
    token = reset_token(visit.app, visit.world.email("contact_a"))
    visit.page.goto(f"/reset-password/{token}")
    expect(visit.page.get_by_label("New password", exact=True)).to_be_visible()


def reset_page_with_errors(visit: Visit) -> None:
    reset_page(visit)
    page = visit.page
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_test_id("error-password")).to_have_text("Choose a new password.")
    expect(page.get_by_test_id("error-confirm")).to_have_text("Type the new password again.")


def link_problem(visit: Visit) -> None:
    visit.page.goto("/reset-password/not-a-real-link")
    expect(visit.page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(visit.page.get_by_test_id("link-problem")).to_contain_text("not valid")


def my_account(visit: Visit) -> None:
    sign_in(visit.page, visit.world.email("contact_a"))
    visit.page.goto("/account/")
    expect(visit.page.get_by_role("heading", name="My account")).to_be_visible()


def my_providers(visit: Visit) -> None:
    sign_in(visit.page, visit.world.email("contact_a"))
    visit.page.goto("/account/providers")
    expect(visit.page.get_by_test_id("my-providers").locator("tbody tr")).to_have_count(2)


def first_password(visit: Visit) -> None:
    with visit.app.app_context():
        make_user(LEGACY_EMAIL, roles.CONTACT, must_set_password=True)
        db.session.commit()
        db.session.remove()
    page = visit.page
    page.goto("/login/")
    page.get_by_label("Email address").fill(LEGACY_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/first-password$"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()


#: page -> how a user gets there.
PAGES: dict[str, Callable[[Visit], None]] = {
    "sign-in, wrong password": sign_in_wrong_password,
    "sign-in, empty fields": sign_in_empty_fields,
    "forgot password": forgot_password,
    "check your email": check_your_email,
    "set password from a link": reset_page,
    "set password from a link, with messages": reset_page_with_errors,
    "link problem": link_problem,
    "my account": my_account,
    "my providers": my_providers,
    "first password": first_password,
}


def describe(violation: dict[str, Any]) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"


@pytest.mark.parametrize("name", list(PAGES))
def test_sign_in_page_has_no_critical_or_serious_violations(
    page: Page, live_world: LiveWorld, app: Flask, inbox: Inbox, name: str
) -> None:
    PAGES[name](Visit(page, live_world, app, inbox))
    results = Axe().run(page)
    severe = [describe(v) for v in results.response["violations"] if v["impact"] in SEVERE]
    assert not severe, f"{name}: " + "; ".join(severe)
