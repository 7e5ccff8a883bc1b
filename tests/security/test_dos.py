"""Check 25: the API surface and cheap denial of service. Page sizes are capped, bad
paging and sort arguments are refused or ignored (never a 500), and the API
documentation is not served to visitors."""

from __future__ import annotations

from typing import Any

import pytest

from app.extensions import db
from tests import factories as f
from tests.conftest import World
from tests.security.helpers import (
    NOT_WALKED,
    body,
    has_route,
    model_views,
    rest_apis,
    route_values,
    url,
    view_of_endpoint,
    view_url,
)
from tests.security.oracle import Extras

MAX_PAGE = 100
BULK = 120


@pytest.fixture
def many_activities(world: World) -> int:
    for n in range(BULK):
        f.ActivityFactory(provider=world.p1, title=f"Bulk activity {n:03d}")
    db.session.commit()
    return BULK


def test_html_page_size_is_capped(world: World, many_activities: int, client_for: Any) -> None:
    client = client_for(world.contact_a)
    response = client.get("/activitymodelview/list/?psize_ActivityModelView=1000000")
    assert response.status_code == 200
    assert body(response).count("Bulk activity ") == MAX_PAGE


@pytest.mark.parametrize(
    "query",
    [
        "psize_ActivityModelView=abc",
        "psize_ActivityModelView=-1",
        "psize_ActivityModelView=1e9",
        "page_ActivityModelView=abc",
        "page_ActivityModelView=99999999999999999999",
    ],
)
def test_bad_paging_is_a_bad_request(world: World, client_for: Any, query: str) -> None:
    response = client_for(world.contact_a).get(f"/activitymodelview/list/?{query}")
    assert response.status_code == 400


def test_every_list_caps_page_size_and_ignores_unknown_sort(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """Generic over every PARS list: a huge page size and an unknown or hostile sort
    column answer 200 (capped, and sorted by the default order)."""
    client = client_for(world.admin)
    for view in model_views(app):
        name = type(view).__name__
        base = view_url(app, view, "list")
        for query in (
            f"psize_{name}=1000000",
            f"_oc_{name}=nope&_od_{name}=asc",
            f"_oc_{name}=password&_od_{name}=desc",
            f"_oc_{name}=id;drop table activity&_od_{name}=sideways",
        ):
            response = client.get(f"{base}?{query}")
            assert response.status_code == 200, f"{name}: {query}"
        if has_route(app, view, "export"):
            export = client.get(f"{view_url(app, view, 'export')}?_oc_{name}=nope&_od_{name}=asc")
            assert export.status_code == 200, name


def test_api_page_size_is_capped(world: World, many_activities: int, client_for: Any) -> None:
    client = client_for(world.contact_a)
    response = client.get("/api/v1/activity/?q=(page_size:10000)")
    assert response.status_code == 200
    payload = response.get_json()
    assert len(payload["result"]) == MAX_PAGE
    assert payload["count"] == BULK + 2


def test_api_bad_arguments_are_not_server_errors(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.admin)
    for api in rest_apis(app):
        base = view_url(app, api, "get_list")
        for query in (
            "q=(page_size:-1)",
            "q=(page:-5,page_size:10)",
            "q=(order_column:nope,order_direction:asc)",
            "q=(order_column:title,order_direction:sideways)",
            "q=(filters:!((col:nope,opr:eq,value:1)))",
            "q=not-rison",
            "q=(columns:!(password))",
        ):
            response = client.get(f"{base}?{query}")
            assert response.status_code in (200, 400), f"{base}?{query}"
        assert client.get(f"{base}999999999").status_code == 404


@pytest.mark.parametrize("path", ["/swagger/v1", "/api/v1/_openapi", "/api/v1/openapi.json"])
def test_api_documentation_is_not_served_to_visitors(client_for: Any, path: str) -> None:
    response = client_for(None).get(path)
    assert response.status_code in (401, 404)


def test_get_routes_never_fail(app: Any, world: World, extras: Extras, client_for: Any) -> None:
    """Every GET route (as Admin, who may open all of them) answers without a server
    error, except Flask-AppBuilder's own file downloads (see the test after this one)."""
    client = client_for(world.admin)
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED or _is_fab_download(app, rule):
            continue
        path = url(app, rule.endpoint, **route_values(app, rule, world))
        try:
            status = client.get(path).status_code
        except Exception as error:  # a 500 in production
            failures.append(f"{path}: {error!r}")
            continue
        if status >= 500:
            failures.append(f"{path}: {status}")
    assert not failures, "\n".join(failures)


def _is_fab_download(app: Any, rule: Any) -> bool:
    view = view_of_endpoint(app, rule.endpoint)
    return rule.endpoint.endswith(".download") and type(view).__module__.startswith(
        "flask_appbuilder"
    )


def test_framework_download_routes_do_not_fail(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.admin)
    for rule in app.url_map.iter_rules():
        if _is_fab_download(app, rule):
            assert client.get(url(app, rule.endpoint, filename="x.csv")).status_code == 404
