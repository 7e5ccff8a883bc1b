"""Check 8: a visitor who has not signed in reaches nothing. Every rule of ``app.url_map``
(except the public ones listed in ``PUBLIC_ENDPOINTS``), with each of its methods and its
parameters filled with existing ids, answers a redirect to the sign-in page (screens) or
401 (API); for actions, a refusal (Flask-AppBuilder's flash-and-redirect, or our 404 for
a row the visitor cannot see); 405 where the API has no such method. Nothing is written."""

from __future__ import annotations

from typing import Any

from app import CLOSED_ENDPOINTS
from tests.conftest import World, csrf_token
from tests.security.helpers import (
    PUBLIC_ENDPOINTS,
    actions_of_rule,
    assert_no_markers,
    body,
    fingerprint,
    is_action_rule,
    is_login_redirect,
    rule_methods,
    rule_url,
)
from tests.security.oracle import ALL_MARKERS, Extras


def _acceptable(rule: Any, method: str, response: Any) -> bool:
    status = response.status_code
    if rule.rule.startswith("/api/"):
        return status == 401 or (status == 405 and method != "GET")
    if is_action_rule(rule):
        # Flask-AppBuilder refuses an action with a flash and a redirect; ours with 404.
        return status in (302, 404)
    if rule.endpoint in CLOSED_ENDPOINTS:
        return status == 404  # closed for everyone
    if rule.endpoint.endswith(".download"):
        return status == 404  # closed for everyone (no PARS list view holds files)
    return is_login_redirect(response)


def test_every_private_route_refuses_anonymous(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(None)
    token = csrf_token(client)
    before = fingerprint()
    tried, failures = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for action in actions_of_rule(app, rule):
            url = rule_url(app, rule, world, action)
            for method in rule_methods(rule):
                data = headers = None
                if method != "GET":
                    # A valid token, so that it is the sign-in check that refuses.
                    data = {"action": action or "", "rowid": ["1"], "csrf_token": token}
                    headers = {"X-CSRFToken": token}
                response = client.open(url, method=method, data=data, headers=headers)
                tried += 1
                if not _acceptable(rule, method, response):
                    failures.append(f"{method} {url}: {response.status_code}")
                assert_no_markers(body(response), ALL_MARKERS, f"{method} {url}")
    assert tried > 100
    assert not failures, "reachable without signing in:\n" + "\n".join(failures)
    assert fingerprint() == before


def test_screens_of_pars_views_redirect_to_sign_in(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """The stricter form for the PARS screens: every GET is a redirect to the sign-in page
    that comes back to the requested page."""
    client = client_for(None)
    for rule in app.url_map.iter_rules():
        view_name = rule.endpoint.split(".")[0]
        if not view_name.endswith("ModelView") or is_action_rule(rule):
            continue
        if rule.endpoint.endswith(".download"):
            continue
        if "GET" not in rule.methods:
            continue
        response = client.get(rule_url(app, rule, world))
        assert is_login_redirect(response), f"{rule.rule}: {response.status_code}"
        assert "next=" in response.headers["Location"]


def test_public_pages_show_no_data(app: Any, world: World, extras: Extras, client_for: Any) -> None:
    client = client_for(None)
    for path in ("/", "/login/", "/back"):
        assert_no_markers(body(client.get(path)), ALL_MARKERS, path)
