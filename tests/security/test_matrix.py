"""Check 5: the role matrix. Every role x every endpoint of every PARS view and API x
{own object, foreign object} answers the status that follows from the permissions declared
in ``app/security/permissions.py`` and the scoping rules of security.md; and a surveyor
who loses an assignment loses its data on the next request, without signing in again."""

from __future__ import annotations

from typing import Any

import pytest
from flask_appbuilder.api import BaseApi
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewAssignment
from app.security import roles
from app.security.permissions import role_permissions
from tests.conftest import World, csrf_token
from tests.security.helpers import (
    body,
    has_route,
    is_login_redirect,
    model_views,
    rest_apis,
    view_named,
    view_url,
)
from tests.security.oracle import (
    OWN_AND_FOREIGN,
    P3_TITLE,
    ROLES,
    Extras,
    may,
    require_object,
    user_of,
    visible,
)

#: Endpoints of a model view (in request order: deletes last) and whether they take a row.
HTML_ENDPOINTS = (
    ("list", False),
    ("add", False),
    ("export", False),
    ("show", True),
    ("edit", True),
    ("delete", True),
)
API_ENDPOINTS = (("get_list", False), ("info", False), ("get", True))


REVIEW_STEPS = "tests/security/test_review_matrix.py (every review page, step and file)"
#: Routes of PARS views that the matrix leaves to other tests, and where they are tested.
COVERED_ELSEWHERE = {
    "action": "test_idor (foreign rows), test_csrf, test_function_level (unknown names)",
    "action_post": "test_idor (foreign rows), test_csrf, test_function_level (unknown names)",
    "download": "closed for every role: test_download_route_is_closed below",
    "status": "tests/views/test_activity_lifecycle.py (edit permission, scope: test_idor)",
    "template": "tests/unit/exporters/test_templates.py (the upload template: no row data)",
    "confirm": "tests/views/test_uploads.py (every role, own and foreign upload)",
    "cancel": "tests/views/test_uploads.py (every role, own and foreign upload)",
    "report": "tests/views/test_uploads.py (every role, own and foreign upload)",
    "original": "tests/views/test_uploads.py (every role, own and foreign upload)",
    "material": REVIEW_STEPS,
    "intent": REVIEW_STEPS,
    "upload": REVIEW_STEPS,
    "remove_material": REVIEW_STEPS,
    "submit": REVIEW_STEPS,
    "pick": REVIEW_STEPS,
    "unpick": REVIEW_STEPS,
    "assign": REVIEW_STEPS,
    "unassign": REVIEW_STEPS,
    "start": REVIEW_STEPS,
    "return_materials": REVIEW_STEPS,
    "interview": REVIEW_STEPS,
    "committee": REVIEW_STEPS,
    "decide": REVIEW_STEPS,
    "finding": REVIEW_STEPS,
    "comment": REVIEW_STEPS,
    "declare": REVIEW_STEPS,
}


def test_matrix_knows_every_route_of_the_pars_views(app: Any) -> None:
    """A route added to a PARS view or API must get expectations here (or a line in
    COVERED_ELSEWHERE): otherwise it would escape the matrix."""
    known = {m for m, _ in HTML_ENDPOINTS + API_ENDPOINTS} | set(COVERED_ELSEWHERE)
    names = {type(v).__name__ for v in model_views(app) + rest_apis(app)}
    unknown = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in names and rule.endpoint.split(".")[-1] not in known
    )
    assert not unknown, f"routes without expectations in the role matrix: {unknown}"


def test_download_route_is_closed(app: Any, world: World, client_for: Any) -> None:
    client = client_for(world.admin)
    for view in model_views(app):
        if has_route(app, view, "download"):
            response = client.get(view_url(app, view, "download", filename="x.csv"))
            assert response.status_code == 404, type(view).__name__


def expected_status(world: World, role: str, view: Any, method: str, obj: Any) -> int:
    """The status the role must get, from the declared permissions and the scope."""
    is_api = isinstance(view, BaseApi)
    if role == "anonymous":
        return 401 if is_api else 302
    if not may(world, role, view, method):
        return 403
    if obj is not None and not visible(world, role, obj):
        return 404
    return 302 if method == "delete" else 200


def _request(client: Any, app: Any, view: Any, method: str, obj: Any) -> Any:
    url = view_url(app, view, method, **({"pk": obj.id} if obj is not None else {}))
    if method == "delete":
        return client.post(url, data={"csrf_token": csrf_token(client)})
    return client.get(url)


def test_declared_roles_are_the_matrix_roles(world: World) -> None:
    """Every PARS role is exercised by some user of the matrix."""
    exercised = {r.name for name in ROLES if (u := user_of(world, name)) for r in u.roles}
    assert exercised == set(roles.ALL_ROLES) == set(role_permissions())


def test_role_matrix(
    app: Any, world: World, extras: Extras, client_for: Any, role: str, endpoint_owner: str
) -> None:
    view = view_named(app, endpoint_owner)
    model = view.datamodel.obj
    own_name, foreign_name = OWN_AND_FOREIGN[role]
    targets = {
        "own": require_object(model, getattr(world, own_name)),
        "foreign": require_object(model, getattr(world, foreign_name)),
    }
    endpoints = API_ENDPOINTS if isinstance(view, BaseApi) else HTML_ENDPOINTS
    client = client_for(user_of(world, role))
    mismatches = []
    for method, takes_row in endpoints:
        if not has_route(app, view, method):
            continue
        for which in ("foreign", "own") if takes_row else ("-",):
            obj = targets.get(which)
            expected = expected_status(world, role, view, method, obj)
            response = _request(client, app, view, method, obj)
            ok = response.status_code == expected
            if ok and role == "anonymous" and expected == 302:
                ok = is_login_redirect(response)
            if not ok:
                mismatches.append(f"{method:<8} {which:<8} expected {expected} got {response}")
    assert not mismatches, f"{role} on {endpoint_owner}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("revocation", ["unassigned", "recused"])
def test_surveyor_loses_access_on_the_next_request(
    app: Any, world: World, client_for: Any, revocation: str
) -> None:
    client = client_for(world.surveyor)
    urls = [
        f"/activitymodelview/show/{world.a3.id}",
        f"/providermodelview/show/{world.p3.id}",
        f"/api/v1/activity/{world.a3.id}",
        f"/api/v1/provider/{world.p3.id}",
    ]
    assert [client.get(u).status_code for u in urls] == [200] * len(urls)
    assert P3_TITLE in body(client.get("/activitymodelview/list/"))

    assignment = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.user_id == world.surveyor.id)
    ).one()
    if revocation == "unassigned":
        db.session.delete(assignment)
    else:
        assignment.recused = True
    db.session.commit()

    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert P3_TITLE not in body(client.get("/activitymodelview/list/"))
    assert client.get("/api/v1/activity/").get_json()["count"] == 0
