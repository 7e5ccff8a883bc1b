"""Check 16: every state-changing request needs a CSRF token, no GET changes anything,
and no API that accepts the browser's session cookie is exempt from CSRF."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.api import BaseApi, ModelRestApi
from sqlalchemy import inspect, select

from app.extensions import db
from tests.conftest import World
from tests.security.helpers import (
    NOT_WALKED,
    STATE_CHANGING,
    actions_of_rule,
    all_apis,
    fingerprint,
    is_action_rule,
    model_views,
    our_models,
    rest_apis,
    route_values,
    rule_methods,
    url,
    view_of_endpoint,
)
from tests.security.oracle import Extras, owner_ids


def _exempt_endpoints(app: Any) -> set[str]:
    csrf = app.extensions["csrf"]
    exempt = set()
    for rule in app.url_map.iter_rules():
        blueprint = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0])
        if blueprint is not None and blueprint in csrf._exempt_blueprints:
            exempt.add(rule.endpoint)
    return exempt


def _hostile_form(action: str | None, pk: Any) -> dict[str, Any]:
    return {
        "action": action or "",
        "rowid": [str(pk)],
        "title": "CSRF",
        "name": "CSRF",
        "username": "csrf",
        "contact_type": "Billing Contact",
    }


def test_only_token_apis_are_csrf_exempt(app: Any) -> None:
    """The exempt routes that change state are the JWT sign-in ones, which take
    credentials in the body and never the browser's cookie."""
    changing = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint in _exempt_endpoints(app) and set(rule.methods) & set(STATE_CHANGING)
    }
    assert changing <= {"SecurityApi.login", "SecurityApi.refresh"}


def test_state_changing_requests_without_token_are_refused(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.admin)
    exempt = _exempt_endpoints(app)
    before = fingerprint()
    tried, failures = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in exempt:
            continue
        for method in [m for m in rule_methods(rule) if m in STATE_CHANGING]:
            for action in actions_of_rule(app, rule):
                values = route_values(app, rule, world, action)
                data = _hostile_form(action, values.get("pk", 1))
                response = client.open(url(app, rule.endpoint, **values), method=method, data=data)
                tried += 1
                if response.status_code != 400:
                    failures.append(f"{method} {rule.rule} ({action}): {response.status_code}")
    assert tried > 40
    assert not failures, "accepted without a CSRF token:\n" + "\n".join(failures)
    assert fingerprint() == before


def test_get_on_delete_never_deletes(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.admin)
    before = fingerprint()
    deletes = [r for r in app.url_map.iter_rules() if r.endpoint.endswith(".delete")]
    assert any(
        r.endpoint.split(".")[0] == type(v).__name__ for v in model_views(app) for r in deletes
    )
    for rule in deletes:
        if "GET" not in rule.methods:
            continue
        response = client.get(url(app, rule.endpoint, **route_values(app, rule, world)))
        assert response.status_code in (302, 403, 404), rule.rule
    assert fingerprint() == before


def _rows_for_actions(view: Any, world: World) -> list[Any]:
    """Every P1 row of a PARS view (an action may be a no-op on some rows and not others)."""
    model = getattr(view.datamodel, "obj", None)
    if model not in our_models():
        return [None]
    key = inspect(model).primary_key[0]
    rows = db.session.scalars(select(model).order_by(key)).all()
    return [row.id for row in rows if world.p1.id in owner_ids(row)] or [None]


def test_no_get_route_changes_anything(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """An admin walks every GET route of ``app.url_map`` (every action of every view on
    every P1 row): the database is unchanged afterwards."""
    client = client_for(world.admin)
    before = fingerprint()
    walked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED:
            continue
        for action in actions_of_rule(app, rule) if is_action_rule(rule) else [None]:
            values = route_values(app, rule, world, action)
            pks = [values.get("pk")]
            if action is not None:
                pks = _rows_for_actions(view_of_endpoint(app, rule.endpoint), world)
            for pk in pks:
                if pk is not None and "pk" in values:
                    values["pk"] = pk
                try:
                    client.get(url(app, rule.endpoint, **values))
                except Exception:  # a 500 in production; test_dos checks server errors
                    db.session.rollback()
                walked += 1
    assert walked > 50
    assert fingerprint() == before


def test_apis_with_browser_sessions_are_not_csrf_exempt(app: Any) -> None:
    apis = rest_apis(app)
    assert apis
    for api in apis:
        assert isinstance(api, ModelRestApi)
        if api.allow_browser_login:
            assert api.csrf_exempt is False, type(api).__name__
    for api in all_apis(app):
        changing = [
            rule
            for rule in app.url_map.iter_rules()
            if view_of_endpoint(app, rule.endpoint) is api
            and set(rule.methods) & set(STATE_CHANGING)
        ]
        if changing and api.csrf_exempt:
            assert not api.allow_browser_login, type(api).__name__
            assert isinstance(api, BaseApi)


def test_browser_session_cannot_write_through_the_api_without_token(
    app: Any, world: World, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    before = fingerprint()
    for api in rest_apis(app):
        base = url(app, f"{api.blueprint.name}.get_list")
        own = world.a1.id
        for method, path in (("POST", base), ("PUT", f"{base}{own}"), ("DELETE", f"{base}{own}")):
            response = client.open(path, method=method, json={"title": "CSRF"})
            assert response.status_code in (400, 404, 405), f"{method} {path}"
    assert fingerprint() == before
