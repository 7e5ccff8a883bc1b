"""Check 17, security headers, on the sign-in and account pages (ASVS 3.4.1 to 3.4.6,
14.3.2).

Proves that the sign-in, "forgot password", "check your email", set-password (valid and
invalid link), confirm-email, sign-out and "My account" pages, including the answers to
a refused form, each carry:

* a CSP with ``default-src 'self'`` and ``frame-ancestors 'none'`` (and
  ``X-Frame-Options: DENY``);
* ``X-Content-Type-Options: nosniff``;
* ``Referrer-Policy: strict-origin-when-cross-origin``, or ``no-referrer`` on the pages
  whose address carries a token;

and that every page a signed-in user gets is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.conftest import World, login, post_form
from tests.smtp import Inbox

SITE_POLICY = "strict-origin-when-cross-origin"


# ---- helpers -------------------------------------------------------------------------


def header_problems(response: Any, referrer_policy: str) -> list[str]:
    """What is missing from the headers of ``response``."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    problems = []
    if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp:
        problems.append(f"CSP {csp!r}")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {headers.get('X-Frame-Options')!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options {headers.get('X-Content-Type-Options')!r}")
    if headers.get("Referrer-Policy") != referrer_policy:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    return problems


def check_pages(pages: dict[str, tuple[Any, int, str]], *, no_store: bool) -> None:
    """Each page answered as expected, with every header (and no-store when signed in)."""
    failures = []
    for name, (response, status, referrer_policy) in pages.items():
        problems = header_problems(response, referrer_policy)
        if response.status_code != status:
            problems.append(f"status {response.status_code}, expected {status}")
        if no_store and response.headers.get("Cache-Control") != "no-store":
            problems.append(f"Cache-Control {response.headers.get('Cache-Control')!r}")
        if problems:
            failures.append(f"{name}: {', '.join(problems)}")
    assert not failures, "\n".join(failures)


def reset_link(client: FlaskClient, inbox: Inbox, email: str) -> str:
    post_form(client, "/forgot-password", {"email": email})
    return urlsplit(inbox.last_link(email)).path


# ---- tests ----------------------------------------------------------------------------


def test_pages_before_sign_in(client_for: Any, world: World, inbox: Inbox) -> None:
    client = client_for(None)
    path = reset_link(client, inbox, world.contact_a.email)
    wrong = login(client, world.contact_a.email, "not the password at all")
    pages = {
        "sign-in": (client.get("/login/"), 200, SITE_POLICY),
        "failed sign-in": (wrong, 302, SITE_POLICY),
        "forgot password": (client.get("/forgot-password"), 200, SITE_POLICY),
        "forgot password, refused": (post_form(client, "/forgot-password", {}), 200, SITE_POLICY),
        "check your email": (client.get("/forgot-password/sent"), 200, SITE_POLICY),
        "set password, valid link": (client.get(path), 200, "no-referrer"),
        "set password, refused": (
            post_form(client, path, {"password": "short", "confirm": "short"}),
            200,
            "no-referrer",
        ),
        "set password, invalid link": (
            client.get("/reset-password/no-such-token"),
            400,
            "no-referrer",
        ),
        "confirm email, invalid link": (
            client.get("/confirm-email/no-such-token"),
            400,
            "no-referrer",
        ),
    }
    check_pages(pages, no_store=False)


def test_pages_after_sign_in(client_for: Any, world: World) -> None:
    client = client_for(world.contact_a)
    pages = {
        "my account": (client.get("/account/"), 200, SITE_POLICY),
        "my providers": (client.get("/account/providers"), 200, SITE_POLICY),
        "password change, refused": (
            post_form(
                client,
                "/account/password",
                {"current": "wrong", "password": "x", "confirm": "x"},
            ),
            200,
            SITE_POLICY,
        ),
        "email change, refused": (
            post_form(client, "/account/email", {"email": "not an address"}),
            200,
            SITE_POLICY,
        ),
        "sign out (confirm)": (client.get("/logout/"), 200, SITE_POLICY),
        "sign-in page, signed in": (client.get("/login/"), 302, SITE_POLICY),
        "set password link, signed in": (
            client.get("/reset-password/no-such-token"),
            400,
            "no-referrer",
        ),
    }
    check_pages(pages, no_store=True)


def test_hsts_on_the_sign_in_page_behind_tls(client_for: Any, world: World) -> None:
    response = client_for(None).get("/login/", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
