"""Check 13, open redirect after sign-in (ASVS 3.7.2).

Proves that ``/login/?next=<target>`` never sends a user off-site: after a successful
sign-in (and when an already signed-in user opens the sign-in page) the ``Location`` is a
path on this site whatever the target: an absolute URL to another host, scheme-relative
``//host``, backslash tricks, a scheme without slashes, user-info tricks, control
characters; also when the request itself names ``Host: evil.example``. A path on the site
is honoured, and so is an address on a host listed in ``FAB_SAFE_REDIRECT_HOSTS``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.security.urls import safe_next
from tests.conftest import World, csrf_token
from tests.factories import PASSWORD

EVIL = "evil.example"
#: Targets a browser would follow to another site.
OFF_SITE = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http:/evil.example",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
    "https://evil.example@pars.example.org",
    "https://pars.example.org@evil.example",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
]
#: How the request names its host: as sent, or forged.
HOSTS = {"localhost": {}, "forged Host": {"headers": {"Host": EVIL}}}
ALLOWED_HOST = "reports.example.org"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# ---- helpers -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_password_check(world: World) -> None:
    """Speed only: contact A's password hashed cheaply (what is tested is the redirect
    after sign-in, not the hash; dozens of scrypt checks would take seconds)."""
    world.contact_a.password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()


def sign_in_with_next(client: FlaskClient, target: str, **how: Any) -> Any:
    """Open ``/login/?next=<target>`` and sign in there, both requests made as ``how``
    says (the CSRF token comes from the page, as in a browser); the answer."""
    url = f"/login/?{urlencode({'next': target})}"
    page = client.get(url, **how).get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    assert token, "no CSRF token on the sign-in page"
    data = {"email": "contact.a@example.test", "password": PASSWORD, "csrf_token": token[1]}
    return client.post(url, data=data, **how)


def lands_on_site(response: Any) -> bool:
    """A redirect whose Location a browser resolves to this site: a path (not ``//``,
    no backslash), or an absolute URL whose host is not the attacker's."""
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return EVIL not in parts.netloc
    return location.startswith("/") and not location.startswith("//") and "\\" not in location


# ---- tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOSTS.values(), ids=HOSTS.keys())
@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_site(
    client_for: Any, world: World, target: str, how: dict[str, Any]
) -> None:
    client = client_for(None)
    response = sign_in_with_next(client, target, **how)
    assert response.status_code == 302
    assert lands_on_site(response), response.headers["Location"]
    assert EVIL not in response.headers["Location"]
    # Signed in: the sign-in page itself redirects, with the same care.
    again = client.get(f"/login/?{urlencode({'next': target})}", **how)
    assert again.status_code == 302 and lands_on_site(again), again.headers["Location"]
    assert EVIL not in again.headers["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_failed_sign_in_keeps_no_off_site_target(
    client_for: Any, world: World, target: str
) -> None:
    client = client_for(None)
    query = urlencode({"next": target})
    data = {"email": world.contact_a.email, "password": "wrong-password-here"}
    response = client.post(f"/login/?{query}", data={**data, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/login/"


@pytest.mark.parametrize("how", HOSTS.values(), ids=HOSTS.keys())
def test_a_path_on_the_site_is_honoured(client_for: Any, world: World, how: dict[str, Any]) -> None:
    response = sign_in_with_next(client_for(None), "/activitymodelview/list/", **how)
    assert response.headers["Location"] == "/activitymodelview/list/"


def test_a_host_in_fab_safe_redirect_hosts_is_honoured(
    app: Flask, client_for: Any, world: World, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "FAB_SAFE_REDIRECT_HOSTS", [ALLOWED_HOST])
    target = f"https://{ALLOWED_HOST}/reports/2026"
    assert sign_in_with_next(client_for(None), target).headers["Location"] == target
    # ...and only that host.
    response = sign_in_with_next(client_for(None), f"https://{ALLOWED_HOST}.{EVIL}/x")
    assert lands_on_site(response) and EVIL not in response.headers["Location"]


def test_safe_next_refuses_every_off_site_target() -> None:
    assert [t for t in OFF_SITE if safe_next(t, [ALLOWED_HOST]) is not None] == []
    assert safe_next("/providermodelview/list/?_flt_0_name=x", []) == (
        "/providermodelview/list/?_flt_0_name=x"
    )
