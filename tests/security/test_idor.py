"""Checks 1 and 2: contact A can neither read nor change nor delete a P3 row, through any
PARS model view, action or REST API (each enumerated from ``appbuilder.baseviews``)."""

from __future__ import annotations

from typing import Any

from app.api import ScopedRestApi
from app.extensions import db
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from tests.conftest import World, csrf_token
from tests.security.helpers import (
    assert_no_markers,
    body,
    has_route,
    model_views,
    rest_apis,
    row_values,
    view_named,
    view_url,
)
from tests.security.oracle import (
    EVERYONE,
    P3_NAME,
    P3_TITLE,
    Extras,
    may,
    require_object,
    visible,
)

SECRETS = (P3_TITLE, P3_NAME)
#: Values an attacker would like to write; each view ignores the names it has no field for.
HOSTILE_EDIT = {
    "title": "Hacked by A",
    "name": "Hacked by A",
    "code": "HACK",
    "contact_type": "Billing Contact",
    "provider_activity_id": "HACK-1",
}


def _denied_status(world: World, view: Any, method: str) -> int:
    """404 for a row outside the scope; 403 only when A lacks the permission outright."""
    return 404 if may(world, "contact_a", view, method) else 403


def test_every_pars_view_and_api_reads_through_the_scope(app: Any) -> None:
    """A view over a PARS model that bypasses the scoped interface would leak every row."""
    views, apis = model_views(app), rest_apis(app)
    assert views and apis
    for view in views:
        assert isinstance(view, ScopedModelView), type(view).__name__
        assert isinstance(view.datamodel, ScopedInterface), type(view).__name__
    for api in apis:
        assert isinstance(api, ScopedRestApi), type(api).__name__
        assert isinstance(api.datamodel, ScopedInterface), type(api).__name__


def _reference_data_is_read_only_for_a(app: Any, view: Any, client: Any) -> None:
    """Rows no provider owns (the criteria catalogue) have no foreign copy: contact A reads
    them and may not change them."""
    row = require_object(view.datamodel.obj, None)
    assert client.get(view_url(app, view, "show", pk=row.id)).status_code == 200
    edit = view_url(app, view, "edit", pk=row.id)
    assert (
        client.post(edit, data={**HOSTILE_EDIT, "csrf_token": csrf_token(client)}).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(view.datamodel.obj, row.id).name != HOSTILE_EDIT["name"]


def test_read_idor_on_model_view(
    app: Any, world: World, extras: Extras, client_for: Any, model_view_name: str
) -> None:
    view = view_named(app, model_view_name)
    if view.datamodel.obj in EVERYONE:
        _reference_data_is_read_only_for_a(app, view, client_for(world.contact_a))
        return
    foreign = require_object(view.datamodel.obj, world.p3)
    assert not visible(world, "contact_a", foreign)
    client = client_for(world.contact_a)
    for method in ("show", "edit"):
        if not has_route(app, view, method):
            continue
        response = client.get(view_url(app, view, method, pk=foreign.id))
        assert response.status_code == _denied_status(world, view, method), method
        assert_no_markers(body(response), SECRETS, f"{model_view_name}.{method}")


def test_read_idor_on_api(
    app: Any, world: World, extras: Extras, client_for: Any, api_name: str
) -> None:
    api = view_named(app, api_name)
    foreign = require_object(api.datamodel.obj, world.p3)
    client = client_for(world.contact_a)
    response = client.get(view_url(app, api, "get", pk=foreign.id))
    assert response.status_code == _denied_status(world, api, "get")
    assert_no_markers(body(response), SECRETS, f"{api_name}.get")


def test_write_and_delete_idor_on_model_view(
    app: Any, world: World, extras: Extras, client_for: Any, model_view_name: str
) -> None:
    """POST edit, POST delete and every action on a P3 row: 404, the row unchanged."""
    view = view_named(app, model_view_name)
    if view.datamodel.obj in EVERYONE:
        _reference_data_is_read_only_for_a(app, view, client_for(world.contact_a))
        return
    foreign = require_object(view.datamodel.obj, world.p3)
    before = row_values(foreign)
    client = client_for(world.contact_a)
    token = csrf_token(client)
    attempts = [
        ("edit", view_url(app, view, "edit", pk=foreign.id), HOSTILE_EDIT),
        ("delete", view_url(app, view, "delete", pk=foreign.id), {}),
    ]
    for name in view.actions:
        attempts.append(("action", view_url(app, view, "action", name=name, pk=foreign.id), {}))
        form = {"action": name, "rowid": [str(foreign.id)]}
        attempts.append(("action_post", view_url(app, view, "action_post"), form))
    for method, url, data in attempts:
        response = client.post(url, data={**data, "csrf_token": token})
        expected = 404 if method.startswith("action") else _denied_status(world, view, method)
        assert response.status_code == expected, f"POST {url}"
        assert_no_markers(body(response), SECRETS, url)
    assert row_values(foreign) == before


def test_api_is_read_only(
    app: Any, world: World, extras: Extras, client_for: Any, api_name: str
) -> None:
    """PUT/DELETE/POST on the API, own row or foreign: 404/405, nothing written."""
    api = view_named(app, api_name)
    model = api.datamodel.obj
    own, foreign = require_object(model, world.p1), require_object(model, world.p3)
    rows = {obj: row_values(obj) for obj in (own, foreign)}
    client = client_for(world.contact_a)
    headers = {"X-CSRFToken": csrf_token(client)}
    base = view_url(app, api, "get_list")
    for obj in (own, foreign):
        for send in (client.put, client.patch, client.delete):
            response = send(f"{base}{obj.id}", json={"title": "Hacked"}, headers=headers)
            assert response.status_code in (404, 405), f"{send.__name__} {obj}"
    response = client.post(base, json={"title": "Hacked", "provider": 1}, headers=headers)
    assert response.status_code in (404, 405)
    for obj, values in rows.items():
        assert row_values(obj) == values
