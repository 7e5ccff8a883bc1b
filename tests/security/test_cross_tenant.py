"""Check 3: cross-tenant foreign keys. Contact A cannot attach a record to P3, neither by
creating it there nor by moving an own record there, in any PARS form that has a
provider field (and the API takes no writes at all: see test_idor)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity
from tests.conftest import World, csrf_token
from tests.security.helpers import (
    body,
    has_route,
    model_views,
    parse_form,
    row_values,
    view_url,
)
from tests.security.oracle import Extras, may, require_object

#: Values that keep a copied form from clashing with the row it was copied from.
FRESH = {"provider_activity_id": "XT-0001", "contact_type": "Billing Contact"}


def _count(model: type, provider_id: int) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model).where(model.provider_id == provider_id)  # type: ignore[attr-defined]
    return db.session.scalar(query)


def _views_with_provider_field(app: Any, world: World, method: str) -> list[Any]:
    return [
        view
        for view in model_views(app)
        if has_route(app, view, method)
        and may(world, "contact_a", view, method)
        and "provider" in getattr(view, f"{method}_columns")
    ]


def _refused(response: Any) -> bool:
    """A validation error on the form (200 with an error) or a flashed refusal (302)."""
    return response.status_code in (200, 302)


def test_create_under_a_foreign_provider_is_refused(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    views = _views_with_provider_field(app, world, "add")
    assert views
    for view in views:
        name, model = type(view).__name__, view.datamodel.obj
        own = require_object(model, world.p1)
        form = parse_form(body(client.get(view_url(app, view, "edit", pk=own.id))))
        add_form = parse_form(body(client.get(view_url(app, view, "add"))))
        data = {**add_form.data(), **form.data(**FRESH), "csrf_token": csrf_token(client)}
        if "email" in add_form.fields:  # a contact row: A's colleague, new for P1/P3
            data["email"] = extras.colleague_a.email
        before = _count(model, world.p3.id)
        response = client.post(
            view_url(app, view, "add"), data={**data, "provider": str(world.p3.id)}
        )
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert "alert-danger" in body(response) or "not a valid choice" in body(response).lower()
        assert _count(model, world.p3.id) == before, name
        # Control: the same form for A's own provider is accepted.
        own_before = _count(model, world.p1.id)
        control = client.post(
            view_url(app, view, "add"), data={**data, "provider": str(world.p1.id)}
        )
        assert control.status_code == 302, f"{name}: the control form was refused"
        assert _count(model, world.p1.id) == own_before + 1, name


def test_moving_an_own_record_to_a_foreign_provider_is_refused(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    views = _views_with_provider_field(app, world, "edit")
    assert views
    for view in views:
        name = type(view).__name__
        own = require_object(view.datamodel.obj, world.p1)
        before = row_values(own)
        form = parse_form(body(client.get(view_url(app, view, "edit", pk=own.id))))
        data = form.data(provider=str(world.p3.id), csrf_token=csrf_token(client))
        response = client.post(view_url(app, view, "edit", pk=own.id), data=data)
        assert _refused(response), f"{name}: {response.status_code}"
        assert row_values(own) == before, name


def test_activity_form_shows_the_error(world: World, extras: Extras, client_for: Any) -> None:
    """The activity form, spelled out: a P3 provider is a validation error next to the
    field, no activity is created, and a1 cannot be moved."""
    client = client_for(world.contact_a)
    form = parse_form(body(client.get(f"/activitymodelview/edit/{world.a1.id}")))
    before = _count(Activity, world.p3.id)
    data = form.data(provider=str(world.p3.id), provider_activity_id="XT-0002")
    response = client.post(
        "/activitymodelview/add", data={**data, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    page = body(response)
    field = page[page.index('id="provider"') :]
    assert "alert-danger" in field[: field.index("</tr>")]
    assert _count(Activity, world.p3.id) == before
    a1 = row_values(world.a1)
    client.post(
        f"/activitymodelview/edit/{world.a1.id}",
        data={**form.data(provider=str(world.p3.id)), "csrf_token": csrf_token(client)},
    )
    assert row_values(world.a1) == a1
