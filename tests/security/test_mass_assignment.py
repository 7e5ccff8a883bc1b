"""Check 7: mass assignment. Fields outside the form a user was given are ignored, and a
provider's contact cannot change the provider's accreditation data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import inspect

from app.models import ProviderContact
from app.schema import vocabularies as v
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

#: Columns a save legitimately moves on its own.
BOOKKEEPING = {"version_id", "changed_on"}


def _hostile_value(column: Any, world: World) -> Any:
    """A value for ``column`` that would matter if it were accepted."""
    name = column.key
    foreign = {
        "provider_id": world.p3.id,
        "accreditor_id": world.p3.accreditor_id,
        "user_id": world.admin.id,
        "activity_id": world.a3.id,
        "review_id": world.review_p3.id,
    }
    if name in foreign:
        return str(foreign[name])
    python_type = column.columns[0].type.python_type
    if python_type is int:
        return "99"
    if python_type in (dt.date, dt.datetime):
        return "1999-01-01"
    if python_type is bool:
        return "y"
    return "Closed"


def _edit_page_and_form(client: Any, app: Any, view: Any, obj: Any) -> tuple[str, Any]:
    page = body(client.get(view_url(app, view, "edit", pk=obj.id)))
    return page, parse_form(page)


def test_fields_outside_the_form_are_ignored(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """For every PARS view contact A may edit: the edit form of an own row, posted back
    with every other column of the model set to a hostile value, changes none of them."""
    client = client_for(world.contact_a)
    tried = 0
    for view in model_views(app):
        if not has_route(app, view, "edit") or not may(world, "contact_a", view, "edit"):
            continue
        own = require_object(view.datamodel.obj, world.p1)
        _page, form = _edit_page_and_form(client, app, view, own)
        assert form.fields, f"no edit form for {type(view).__name__}"
        mapper = inspect(view.datamodel.obj)
        in_form = set(form.fields) | {
            column.key
            for rel in mapper.relationships
            if rel.key in form.fields
            for column in rel.local_columns
        }
        outside = [c for c in mapper.column_attrs if c.key not in in_form | BOOKKEEPING]
        hostile = {c.key: _hostile_value(c, world) for c in outside}
        before = row_values(own)
        response = client.post(
            view_url(app, view, "edit", pk=own.id),
            data=form.data(**hostile, csrf_token=csrf_token(client)),
        )
        assert response.status_code == 302, (
            f"{type(view).__name__}: the form was refused",
            re.findall(r"help-block[^>]*>([^<]{0,200})", body(response))[:5],
            re.findall(r"alert-[a-z]+[^>]*>(.{0,300})", body(response), re.S)[:3],
        )
        after = row_values(own)
        changed = {c.key for c in outside if after[c.key] != before[c.key]}
        assert not changed, f"{type(view).__name__} accepted {changed}"
        tried += 1
    assert tried >= 2


def test_activity_edit_ignores_status_provider_version_and_dates(
    app: Any, world: World, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    before = row_values(world.a1)
    form = parse_form(body(client.get(f"/activitymodelview/edit/{world.a1.id}")))
    data = form.data(
        title="P1 Sepsis Update (revised)",
        status=v.ACTIVITY_STATUSES.values[-1],
        provider_id=str(world.p3.id),
        version_id="99",
        created_on="2000-01-01 00:00:00",
        changed_on="2000-01-01 00:00:00",
        reporting_year="1999",
        id=str(world.a3.id),
        csrf_token=csrf_token(client),
    )
    response = client.post(f"/activitymodelview/edit/{world.a1.id}", data=data)
    assert response.status_code == 302
    after = row_values(world.a1)
    assert after["title"] == "P1 Sepsis Update (revised)"
    for name in ("id", "status", "provider_id", "created_on", "reporting_year"):
        assert after[name] == before[name], name
    assert after["version_id"] == before["version_id"] + 1


def test_contact_cannot_change_accreditation_data(app: Any, world: World, client_for: Any) -> None:
    """Contact A edits P1: name and address are theirs; kind, status, accreditor, ACCME
    ID and term are staff's and stay as they were, whether posted as fields or not."""
    client = client_for(world.contact_a)
    before = row_values(world.p1)
    form = parse_form(body(client.get(f"/providermodelview/edit/{world.p1.id}")))
    assert "name" in form.fields
    assert not {"kind", "accreditation_status", "accreditor", "accme_id"} & set(form.fields)
    staff_fields = {
        "kind": v.JOINT_KIND,
        "accreditation_status": "Probation",
        "accreditor": str(world.p3.accreditor_id),
        "accreditor_id": str(world.p3.accreditor_id),
        "accme_id": "9999999",
        "term_start": "2001-01-01",
        "term_end": "2099-12-31",
    }
    data = form.data(name="Austin Heart Institute", city="Round Rock", **staff_fields)
    response = client.post(
        f"/providermodelview/edit/{world.p1.id}", data={**data, "csrf_token": csrf_token(client)}
    )
    assert response.status_code in (200, 302)
    after = row_values(world.p1)
    for name in (
        "kind",
        "accreditation_status",
        "accreditor_id",
        "accme_id",
        "term_start",
        "term_end",
    ):
        assert after[name] == before[name], name
    assert after["city"] == "Round Rock"  # the contact's own fields do save


def test_contact_cannot_move_a_contact_row(app: Any, world: World, client_for: Any) -> None:
    """Contact A's own contact row: only the contact type is editable; posting a P3
    provider or another user is ignored."""
    client = client_for(world.contact_a)
    own = require_object(ProviderContact, world.p1)
    before = row_values(own)
    form = parse_form(body(client.get(f"/providercontactmodelview/edit/{own.id}")))
    data = form.data(
        provider=str(world.p3.id),
        provider_id=str(world.p3.id),
        user=str(world.admin.id),
        user_id=str(world.admin.id),
        csrf_token=csrf_token(client),
    )
    client.post(f"/providercontactmodelview/edit/{own.id}", data=data)
    after = row_values(own)
    assert (after["provider_id"], after["user_id"]) == (before["provider_id"], before["user_id"])
