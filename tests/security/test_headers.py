"""Check 17: security headers on every page; nothing a signed-in user sees is cached."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World

PAGES = ["/", "/login/", "/activitymodelview/list/", "/providermodelview/list/"]


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_carry_the_security_headers(client_for: Any, world: World, path: str) -> None:
    response = client_for(world.contact_a).get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_and_exports_are_not_cached(client_for: Any, world: World) -> None:
    client = client_for(world.contact_a)
    for path in ("/activitymodelview/list/", "/activitymodelview/export/", "/api/v1/activity/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_hsts_behind_tls(client_for: Any, world: World) -> None:
    response = client_for(world.contact_a).get("/login/", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_session_cookie_flags(client_for: Any, world: World) -> None:
    client = client_for(None)
    response = client.get("/login/")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
