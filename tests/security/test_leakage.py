"""Check 4: lists, counts, search dropdowns, form dropdowns, the API and the CSV export
show contact A only P1/P2 data, and every count equals A's true count."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, ProviderContact, User
from app.schema import vocabularies
from tests import factories as f
from tests.conftest import World
from tests.security.helpers import (
    assert_no_markers,
    body,
    has_route,
    model_views,
    our_models,
    parse_form,
    record_count,
    rest_apis,
    search_form_fields,
    view_url,
)
from tests.security.oracle import SEES, Extras, may, user_of, visible

OPTION = re.compile(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>')


@pytest.fixture
def more_activities(world: World, extras: Extras) -> dict[str, int]:
    """A few more activities per provider, so that counts are not all 1."""
    extra = {world.p1: 3, world.p2: 1, world.p3: 4, world.p4: 2}
    for provider, how_many in extra.items():
        for n in range(how_many):
            f.ActivityFactory(provider=provider, title=f"{provider.name} extra {n}")
    db.session.commit()
    return {provider.name: count for provider, count in extra.items()}


def rows_seen(world: World, role: str, model: type) -> list[Any]:
    """The rows of ``model`` that ``role`` should see, by the oracle."""
    rows = db.session.scalars(select(model)).unique().all()
    return [row for row in rows if visible(world, role, row)]


def foreign_markers(world: World, role: str) -> list[str]:
    """How each row the role must not see would be shown: its ``str()``; and each user
    who is neither the role's user nor a contact of one of its providers."""
    markers = []
    for model in our_models():
        for row in db.session.scalars(select(model)).unique().all():
            text = str(row)
            if not visible(world, role, row) and not text.startswith("<"):
                markers.append(text)
    providers = {getattr(world, name).id for name in SEES[role] or ()}
    known = {user_of(world, role).id} | {
        contact.user_id
        for contact in db.session.scalars(select(ProviderContact)).all()
        if contact.provider_id in providers
    }
    for user in db.session.scalars(select(User)).all():
        if user.id not in known:
            markers += [str(user), user.email]
    # A row named like a vocabulary value ("Joint Accreditation") is not told by its name.
    return [marker for marker in markers if marker not in _vocabulary_values()]


def _vocabulary_values() -> set[str]:
    values: set[str] = set()
    for item in vars(vocabularies).values():
        if isinstance(item, vocabularies.Vocabulary):
            values |= set(item.values)
    return values


def option_values(html: str) -> set[str]:
    return {value for value, _label in OPTION.findall(html) if value}


def test_activity_list_shows_only_own_rows_and_true_count(
    world: World, more_activities: Any, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    page = body(client.get("/activitymodelview/list/"))
    mine = rows_seen(world, "contact_a", Activity)
    assert {a.provider_id for a in mine} == {world.p1.id, world.p2.id}
    assert record_count(page) == len(mine) == 2 + 3 + 1
    for activity in mine:
        assert activity.title in page
    assert_no_markers(page, foreign_markers(world, "contact_a"), "activity list")


def test_provider_dropdowns_offer_only_own_providers(
    world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    own = {str(world.p1.id), str(world.p2.id)}
    search = search_form_fields(body(client.get("/activitymodelview/list/")))
    assert option_values(search["provider"]) == own
    add = parse_form(body(client.get("/activitymodelview/add")))
    assert {v for v, _ in add.options["provider"] if v} == own
    edit = parse_form(body(client.get(f"/activitymodelview/edit/{world.a1.id}")))
    assert {v for v, _ in edit.options["provider"] if v} == own


def test_api_lists_only_own_rows_with_true_count(
    app: Any, world: World, more_activities: Any, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    mine = rows_seen(world, "contact_a", Activity)
    listed = client.get("/api/v1/activity/?q=(page_size:100)").get_json()
    assert listed["count"] == len(mine)
    assert {row["id"] for row in listed["result"]} == {a.id for a in mine}
    info = client.get("/api/v1/activity/_info")
    assert info.status_code == 200
    assert_no_markers(body(info), foreign_markers(world, "contact_a"), "_info")
    for column in info.get_json().get("add_columns", []) + info.get_json().get("edit_columns", []):
        if column["name"] == "provider":
            assert {v["id"] for v in column["values"]} == {world.p1.id, world.p2.id}
    related = client.get("/api/v1/activity/related/provider")
    if any(r.rule.startswith("/api/v1/activity/related/") for r in app.url_map.iter_rules()):
        ids = {row["value"] for row in related.get_json()["result"]}
        assert ids == {world.p1.id, world.p2.id}
    else:
        assert related.status_code == 404


def test_activity_export_has_only_own_rows(
    world: World, more_activities: Any, client_for: Any
) -> None:
    client = client_for(world.contact_a)
    response = client.get("/activitymodelview/export/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(body(response).lstrip("\ufeff"), newline="")))
    header, data = rows[0], rows[1:]
    mine = rows_seen(world, "contact_a", Activity)
    assert len(data) == len(mine)
    id_column = header.index("ACCME Activity ID")
    assert {int(r[id_column]) - 100_000_000 for r in data} == {a.id for a in mine}
    assert {r[0] for r in data} == {world.p1.accme_id, world.p2.accme_id}
    assert_no_markers(body(response), foreign_markers(world, "contact_a"), "activity export")


@pytest.mark.parametrize("role", ["contact_a", "accreditor_tx", "surveyor"])
def test_every_list_page_form_and_export_stays_in_scope(
    app: Any, world: World, more_activities: Any, client_for: Any, role: str
) -> None:
    """Generic: every PARS view the role may list shows its true count, and no page,
    dropdown, export or API response of it names a row outside the role's scope."""
    client = client_for(getattr(world, role))
    markers = foreign_markers(world, role)
    for view in model_views(app):
        if not may(world, role, view, "list"):
            continue
        name = type(view).__name__
        expected = rows_seen(world, role, view.datamodel.obj)
        page = body(client.get(view_url(app, view, "list")))
        assert record_count(page) == len(expected), name
        texts = [page]
        if has_route(app, view, "add") and may(world, role, view, "add"):
            texts.append(body(client.get(view_url(app, view, "add"))))
        if has_route(app, view, "export"):
            export = body(client.get(view_url(app, view, "export")))
            data_rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"), newline="")))[1:]
            assert len(data_rows) == len(expected), f"{name} export"
            texts.append(export)
        for text in texts:
            assert_no_markers(text, markers, name)
    for api in rest_apis(app):
        if not may(world, role, api, "get_list"):
            continue
        expected = rows_seen(world, role, api.datamodel.obj)
        listed = client.get(view_url(app, api, "get_list") + "?q=(page_size:100)").get_json()
        assert listed["count"] == len(expected), type(api).__name__
        assert len(listed["result"]) == len(expected), type(api).__name__
        if all("id" in row for row in listed["result"]):
            assert {row["id"] for row in listed["result"]} == {row.id for row in expected}
        assert_no_markers(str(listed), markers, type(api).__name__)
