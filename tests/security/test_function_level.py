"""Check 6: function-level access. Only Admin manages users, roles and permissions:
every other role is refused on every route of Flask-AppBuilder's security views and APIs
(enumerated from ``app.url_map``) and cannot make itself Admin."""

from __future__ import annotations

from typing import Any

import pytest
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from app import CLOSED_ENDPOINTS
from app.extensions import db
from app.security import roles
from tests.conftest import World, csrf_token
from tests.security.helpers import (
    PUBLIC_ENDPOINTS,
    actions_of_rule,
    assert_no_markers,
    body,
    csrf_headers,
    fingerprint,
    rule_methods,
    rule_url,
    view_of_endpoint,
)
from tests.security.oracle import ALL_MARKERS, granted, permission_of, user_of

NON_ADMIN = ("contact_a", "contact_b", "accreditor_tx", "surveyor", "staff", "nobody")
#: The API of Flask-AppBuilder's security (``FAB_ADD_SECURITY_API``): users, roles...
SECURITY_API_PATHS = (
    "/api/v1/security/users/",
    "/api/v1/security/roles/",
    "/api/v1/security/groups/",
    "/api/v1/security/permissions/",
    "/api/v1/security/resources/",
    "/api/v1/security/permissions-resources/",
)


def _admin_role_id() -> int:
    return db.session.scalars(select(Role.id).where(Role.name == roles.ADMIN)).one()


def _is_framework_view(view: Any) -> bool:
    """Flask-AppBuilder's security views, and PARS's subclasses of them."""
    return view is not None and any(
        cls.__module__.startswith("flask_appbuilder.security") for cls in type(view).__mro__[:2]
    )


def _required_permission(view: Any, rule: Any, action: str | None) -> str:
    if action is not None:
        if action not in (view.actions or {}):
            return f"no permission for an unknown action {action}"
        return view.get_action_permission_name(action)
    return permission_of(view, rule.endpoint.rsplit(".", 1)[1])


def security_rules(app: Any) -> list[Any]:
    """Routes of Flask-AppBuilder's own (user, role, permission...) views and APIs."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and _is_framework_view(view_of_endpoint(app, rule.endpoint))
    ]


def _hostile_form(world: World, action: str | None, pk: Any) -> dict[str, Any]:
    admin_role = str(_admin_role_id())
    return {
        "action": action or "",
        "rowid": [str(pk)],
        "username": "pwned",
        "email": "pwned@example.test",
        "first_name": "Pwned",
        "last_name": "Pwned",
        "active": "y",
        "roles": [admin_role],
        "name": "Pwned",
        "permissions": ["1", "2", "3"],
        "password": "pwned-password-123",
        "conf_password": "pwned-password-123",
    }


@pytest.mark.parametrize("non_admin", NON_ADMIN)
def test_security_views_refuse_non_admins(
    app: Any, world: World, client_for: Any, non_admin: str
) -> None:
    rules = security_rules(app)
    assert any(rule.rule.startswith("/users/") for rule in rules)
    assert any(rule.rule.startswith("/roles/") for rule in rules)
    allowed = granted(world, non_admin)
    client = client_for(user_of(world, non_admin))
    before = fingerprint()
    failures = []
    for rule in rules:
        view = view_of_endpoint(app, rule.endpoint)
        for action in actions_of_rule(app, rule):
            if allowed(_required_permission(view, rule, action), view.class_permission_name):
                continue  # the user's own account pages (OWN_ACCOUNT)
            url = rule_url(app, rule, world, action)
            for method in rule_methods(rule):
                data = None
                if method != "GET":
                    data = {**_hostile_form(world, action, 1), "csrf_token": csrf_token(client)}
                response = client.open(url, method=method, data=data)
                status = response.status_code
                if rule.endpoint in CLOSED_ENDPOINTS:
                    ok = status == 404  # closed for everyone
                elif isinstance(view, BaseApi):
                    ok = status in (401, 403)
                elif action is not None:
                    # Flask-AppBuilder refuses an action with a flash and a redirect.
                    ok = status in (302, 403, 404)
                elif rule.endpoint.endswith(".download"):
                    ok = status == 404  # closed for everyone
                else:
                    ok = status == 403
                if not ok:
                    failures.append(f"{method} {url}: {status}")
                assert_no_markers(body(response), ALL_MARKERS, f"{method} {url}")
    assert not failures, f"{non_admin} reached:\n" + "\n".join(failures)
    assert fingerprint() == before


@pytest.mark.parametrize("non_admin", NON_ADMIN)
def test_nobody_makes_themselves_admin(
    app: Any, world: World, client_for: Any, non_admin: str
) -> None:
    user = user_of(world, non_admin)
    client = client_for(user)
    admin_role = str(_admin_role_id())
    own_roles = [str(r.id) for r in user.roles]
    before = fingerprint()
    hostile = {
        "first_name": "Me",
        "last_name": "Admin",
        "username": user.username,
        "email": user.email,
        "active": "y",
        "roles": [admin_role, *own_roles],
        "csrf_token": csrf_token(client),
    }
    assert client.post(f"/users/edit/{user.id}", data=hostile).status_code == 403
    assert client.post("/users/add", data={**hostile, "username": "x2"}).status_code == 403
    for role_id in own_roles:
        grab = {"name": "Admin2", "permissions": ["1", "2"], "csrf_token": hostile["csrf_token"]}
        assert client.post(f"/roles/edit/{role_id}", data=grab).status_code == 403
    # Their own-profile form changes names only, whatever else is posted.
    client.post("/userinfoeditview/form", data=hostile)
    response = client.put(
        f"/api/v1/security/users/{user.id}",
        json={"roles": [int(admin_role)]},
        headers=csrf_headers(client),
    )
    assert response.status_code in (401, 403, 404, 405)
    after = fingerprint()
    assert after["ab_user_role"] == before["ab_user_role"]
    assert after["ab_permission_view_role"] == before["ab_permission_view_role"]
    assert after["ab_role"] == before["ab_role"]
    assert len(after["ab_user"]) == len(before["ab_user"])


@pytest.mark.parametrize("non_admin", NON_ADMIN)
def test_security_api_refuses_non_admins(
    app: Any, world: World, client_for: Any, non_admin: str
) -> None:
    client = client_for(user_of(world, non_admin))
    registered = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/security/") and rule.endpoint not in PUBLIC_ENDPOINTS
    ]
    for path in (*SECURITY_API_PATHS, *registered):
        response = client.get(path)
        assert response.status_code in (401, 403, 404), path
        assert_no_markers(body(response), ALL_MARKERS, path)


def test_unknown_action_is_not_a_server_error(
    app: Any, world: World, client_for: Any, action_endpoint: str
) -> None:
    """``/<view>/action/<name>/<pk>`` and ``action_post`` with a name the view does not
    declare answer 404, for every view (Flask-AppBuilder's own views would raise: 500)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == action_endpoint)
    url = rule_url(app, rule, world, action="no-such-action")
    for user in (None, world.contact_a):
        client = client_for(user)
        data = {"action": "no-such-action", "rowid": ["1"], "csrf_token": csrf_token(client)}
        assert client.post(url, data=data).status_code == 404
        if "GET" in rule.methods:
            assert client.get(url).status_code == 404
