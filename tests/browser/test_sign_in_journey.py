"""Journey 6: a provider contact who cannot sign in gets back in by email, works on both of
their providers, and signs out for good.

The reset email goes through a real SMTP server on loopback (``inbox``), sent by the very
app the live server runs; its link is opened in Chromium as the user would open it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveWorld, exact_text, sign_in
from tests.factories import PASSWORD
from tests.smtp import Inbox

pytestmark = pytest.mark.browser

P1 = "Austin Heart Institute (0000101)"
P2 = "National Society of Cardiology (0000102)"
NEW_PASSWORD = "violet kayak under the lighthouse"
#: Where links in emails point in the tests (``PARS_DEVELOPMENT_URL``: no SERVER_NAME).
EMAIL_BASE_URL = "http://127.0.0.1:8080"


def on_live_server(link: str, live_server: str) -> str:
    """The link from the email, on the live server: same path, the live server's host."""
    parts, live = urlsplit(link), urlsplit(live_server)
    return urlunsplit((live.scheme, live.netloc, parts.path, parts.query, parts.fragment))


def user_menu(page: Page) -> Locator:
    """Open the signed-in user's menu at the right of the navigation bar."""
    dropdown = page.locator(".navbar-right > li.dropdown")
    dropdown.locator("a.dropdown-toggle").click()
    entries = dropdown.locator("ul.dropdown-menu")
    expect(entries).to_be_visible()
    return entries


def switcher(page: Page) -> Locator:
    return page.get_by_test_id("provider-switcher")


def test_forgotten_password_journey(
    page: Page, app: Flask, live_server: str, live_world: LiveWorld, inbox: Inbox
) -> None:
    email = live_world.email("contact_a")
    # The live server serves the session app, whose email ``inbox`` receives.
    assert app.config["MAIL_SERVER"] == "127.0.0.1"
    assert app.extensions["mail"].suppress is False

    # The sign-in page links to the recovery page.
    page.goto("/login/")
    page.get_by_role("link", name="Can't log in or forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/forgot-password$"))
    expect(
        page.get_by_role("heading", name="Can't log in or forgot your password?")
    ).to_be_visible()

    # The address in another letter case still finds the account.
    typed = email.upper()
    assert typed != email
    page.get_by_label("Email address").fill(typed)
    page.get_by_role("button", name="Email me a link").click()
    expect(page).to_have_url(re.compile(r"/forgot-password/sent$"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_test_id("reset-sent")).to_contain_text("The link works once")

    # The email arrives, to the account's own address, with a link to the app.
    link = inbox.last_link(email)
    assert len(inbox.to(email)) == 1
    assert [m.rcpt_tos for m in inbox.messages] == [[email]]
    assert "PARS: set a new password" in Inbox.text(inbox.to(email)[0])
    assert link.startswith(f"{EMAIL_BASE_URL}/reset-password/"), link
    reset_url = on_live_server(link, live_server)

    # The link opens the set-password page for this account.
    page.goto(reset_url)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    expect(page.get_by_text(f"For the account {email}.")).to_be_visible()

    # A password that is too short: the message is next to the field, and read with it.
    new_password = page.get_by_label("New password", exact=True)
    again = page.get_by_label("New password again")
    new_password.fill("short")
    again.fill("short")
    page.get_by_role("button", name="Set password").click()
    error = page.get_by_test_id("error-password")
    expect(error).to_have_text("Use at least 12 characters.")
    expect(page.locator(".form-group.has-error").filter(has=new_password)).to_contain_text(
        "Use at least 12 characters."
    )
    expect(new_password).to_have_attribute("aria-invalid", "true")
    expect(new_password).to_have_accessible_description(re.compile(r"Use at least 12 characters\."))
    expect(page).to_have_url(reset_url)

    # A good password: back to the sign-in page, told to sign in.
    new_password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator(".alert-success")).to_contain_text("Your password is set.")

    # The old password no longer works; the new one does.
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator(".alert-danger")).to_be_visible()
    sign_in(page, email, NEW_PASSWORD)

    # The switcher shows the current provider: the first by name; the home page works on it.
    current = switcher(page).get_by_label("Current provider")
    expect(current).to_be_visible()
    expect(current.locator("option")).to_have_text([P1, P2])
    expect(current.locator("option:checked")).to_have_text(P1)
    expect(page.get_by_test_id("current-provider")).to_contain_text("Austin Heart Institute")

    # Switch to the other provider; the page comes back with it current.
    current.select_option(label=P2)
    switcher(page).get_by_role("button", name="Switch").click()
    expect(page.locator(".alert-success")).to_contain_text(f"You are now working on {P2}.")
    expect(switcher(page).get_by_label("Current provider").locator("option:checked")).to_have_text(
        P2
    )
    expect(page.get_by_test_id("current-provider")).to_contain_text(
        "National Society of Cardiology"
    )

    # "My providers" lists both, the current one marked.
    user_menu(page).get_by_role("link", name="My providers").click()
    expect(page.get_by_role("heading", name="My providers")).to_be_visible()
    rows = page.get_by_test_id("my-providers").locator("tbody tr")
    expect(rows).to_have_count(2)
    p1_row = rows.filter(has_text="Austin Heart Institute")
    p2_row = rows.filter(has_text="National Society of Cardiology")
    expect(p2_row.locator(".label", has_text=exact_text("current"))).to_be_visible()
    expect(p1_row.locator(".label", has_text=exact_text("current"))).to_have_count(0)
    expect(p1_row.get_by_role("button", name="Work on this provider")).to_be_visible()
    expect(p2_row.get_by_role("button", name="Work on this provider")).to_have_count(0)

    # The link worked once: opening it again says so plainly.
    page.goto(reset_url)
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_test_id("link-problem")).to_contain_text("already been used")
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()


def test_signed_out_pages_stay_closed(page: Page, live_world: LiveWorld) -> None:
    email = live_world.email("contact_a")
    sign_in(page, email)
    user_menu(page).get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_test_id("account-email")).to_have_text(email)
    account_url = page.url

    user_menu(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    # Back: the browser asks again (no-store), and the server sends the sign-in page.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login/\?next=.*/account/$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("account-email")).to_have_count(0)
    expect(page.get_by_text(email)).to_have_count(0)

    # Opening the page again: the sign-in page too.
    page.goto(account_url)
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("account-email")).to_have_count(0)
