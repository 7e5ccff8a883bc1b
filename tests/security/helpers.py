"""Helpers of the security suite: enumerating views and routes from the app, reading the
database, making requests and reading pages."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_appbuilder import ModelView
from flask_appbuilder.api import BaseApi, ModelRestApi
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import Model
from tests.conftest import World, csrf_token
from tests.security.oracle import require_object

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


# ---- enumeration from the app ----------------------------------------------------------


def our_models() -> set[type]:
    """The PARS models (declared in ``app.models``), not Flask-AppBuilder's own."""
    return {
        mapper.class_
        for mapper in Model.registry.mappers
        if mapper.class_.__module__.startswith("app.models")
    }


def model_views(app: Flask) -> list[ModelView]:
    """Every registered ModelView over a PARS model."""
    models = our_models()
    return [
        view
        for view in app.appbuilder.baseviews
        if isinstance(view, ModelView) and getattr(view.datamodel, "obj", None) in models
    ]


def rest_apis(app: Flask) -> list[ModelRestApi]:
    """Every registered ModelRestApi over a PARS model."""
    models = our_models()
    return [
        api
        for api in app.appbuilder.baseviews
        if isinstance(api, ModelRestApi) and getattr(api.datamodel, "obj", None) in models
    ]


def all_apis(app: Flask) -> list[BaseApi]:
    return [api for api in app.appbuilder.baseviews if isinstance(api, BaseApi)]


def view_named(app: Flask, name: str) -> Any:
    for view in app.appbuilder.baseviews:
        if type(view).__name__ == name:
            return view
    raise LookupError(f"{name} is not registered")


def has_route(app: Flask, view: Any, method: str) -> bool:
    return f"{view.blueprint.name}.{method}" in app.view_functions


def url(app: Flask, endpoint: str, **values: Any) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def view_url(app: Flask, view: Any, method: str, **values: Any) -> str:
    return url(app, f"{view.blueprint.name}.{method}", **values)


@functools.cache
def probe_app() -> Flask:
    """An app built only to enumerate views and routes while tests are collected."""
    from app import create_app

    return create_app("config.TestConfig", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@functools.cache
def enumeration() -> dict[str, list[str]]:
    """View names for parametrisation, read from the probe app."""
    probe = probe_app()
    return {
        "model_view_name": [type(v).__name__ for v in model_views(probe)],
        "api_name": [type(a).__name__ for a in rest_apis(probe)],
    }


# ---- database snapshots ------------------------------------------------------------------


def row_values(obj: Any) -> dict[str, Any]:
    """Every column of ``obj`` as stored now (read again from the database)."""
    model = type(obj)
    key = inspect(obj).identity
    db.session.expire_all()
    fresh = db.session.get(model, key)
    if fresh is None:
        return {}
    return {column.key: getattr(fresh, column.key) for column in inspect(model).column_attrs}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables (the test database is small): nothing written <=> equal.
    The audit rows of CSV exports are left out: security check 24 asks that reading an
    export be logged, which is not a change of PARS data."""
    db.session.expire_all()
    tables = Model.metadata.sorted_tables
    return {
        table.name: sorted(
            (row for row in map(tuple, db.session.execute(_unlogged(table)).all())),
            key=repr,
        )
        for table in tables
    }


def _unlogged(table: Any) -> Any:
    query = select(table)
    if table.name == "audit_event":
        query = query.where(table.c.action != "export")
    return query


# ---- HTTP helpers ---------------------------------------------------------------------


def body(response: Any) -> str:
    return response.get_data(as_text=True)


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/login/" in response.headers.get("Location", "")


def csrf_headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client)}


def assert_no_markers(text: str, markers: Iterable[str], where: str) -> None:
    leaked = [marker for marker in markers if marker in text]
    assert not leaked, f"{where} shows {leaked}"


def record_count(page: str) -> int:
    """The "Record Count" of a Flask-AppBuilder list page (0 when the list is empty)."""
    match = re.search(r"Record Count:</strong>\s*(\d+)", page)
    return int(match.group(1)) if match else 0


def search_form_fields(page: str) -> dict[str, str]:
    """The search widget's fields as HTML: ``form_fields`` of ``new AdminFilters(...)``."""
    decoder = json.JSONDecoder()
    position = page.index("{", page.index("new AdminFilters("))
    _labels, position = decoder.raw_decode(page, position)
    fields, _ = decoder.raw_decode(page, page.index("{", position))
    return fields


class _FormParser(HTMLParser):
    """Fields of the model form of a Flask-AppBuilder page, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._done:
            return
        if tag == "form" and a.get("enctype") == "multipart/form-data":
            self._in_form = True  # the model form (not the hidden delete/action forms)
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.fields.setdefault(name, []).append(
                a.get("value", "" if kind != "checkbox" else "y")
            )
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, [])
            self.options.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option = a.get("value", "")
            if "selected" in a:
                self.fields[self._select].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][0] += data
        if self._select and self._option is not None:
            self.options[self._select].append((self._option, data.strip()))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class Form:
    fields: dict[str, list[str]]
    options: dict[str, list[tuple[str, str]]]

    def data(self, **changes: Any) -> dict[str, Any]:
        """The form data with ``changes`` applied, ready for ``client.post``."""
        out: dict[str, Any] = {k: list(v) for k, v in self.fields.items() if v}
        for key, value in changes.items():
            out[key] = value
        return out


def parse_form(page: str) -> Form:
    parser = _FormParser()
    parser.feed(page)
    return Form(parser.fields, parser.options)


# ---- routes of the url_map ------------------------------------------------------------

#: Endpoints every visitor may reach without signing in, and why.
PUBLIC_ENDPOINTS = {
    "static": "static files",
    "appbuilder.static": "Flask-AppBuilder's static files",
    "PARSIndexView.index": "the home page (sign-in prompt for visitors)",
    "LocaleView.index": "language switch (session only)",
    "SignInView.login": "sign-in",
    "SignInView.logout": "sign-out (a visitor is sent to sign-in)",
    "PasswordRecoveryView.forgot": "forgot password",
    "PasswordRecoveryView.sent": "forgot password: check your email",
    "PasswordRecoveryView.reset": "set a password from an emailed link",
    "PasswordRecoveryView.confirm_email": "confirm a new email address from an emailed link",
    "UtilView.back": "redirect to the previous page (no data)",
    "SecurityApi.login": "API sign-in (JWT): closed, answers 404",
    "SecurityApi.refresh": "API token refresh (JWT): closed, answers 404",
}

#: GET routes not walked by the "no GET mutates" test, and why.
NOT_WALKED = {
    "SignInView.logout": "asks to confirm on GET; the POST ends the walking admin's session",
    "static": "files",
    "appbuilder.static": "files",
}


def view_of_endpoint(app: Flask, endpoint: str) -> Any:
    """The registered view that serves ``endpoint`` (None for plain Flask routes)."""
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    for view in app.appbuilder.baseviews:
        if getattr(view, "blueprint", None) is not None and view.blueprint.name == blueprint:
            return view
    return None


def sample_pk(view: Any, world: World) -> Any:
    """An existing row id for a route of ``view``: P1's row, or the admin user/role."""
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    if model is None:
        return world.a1.id
    if model in our_models():
        return require_object(model, world.p1).id
    if model is type(world.admin):
        return world.admin.id
    if model.__name__ == "Role":
        return world.admin.roles[0].id
    first = db.session.scalars(select(model).order_by(inspect(model).primary_key[0])).first()
    return first.id if first is not None else 1


def route_values(app: Flask, rule: Any, world: World, action: str | None = None) -> dict[str, Any]:
    """Values for every parameter of ``rule``, taken from existing rows."""
    view = view_of_endpoint(app, rule.endpoint)
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "pk":
            values[argument] = sample_pk(view, world)
        elif argument == "name":
            values[argument] = action or next(iter(getattr(view, "actions", {}) or {}), "none")
        elif argument == "filename":
            values[argument] = "report.csv"
        elif argument == "locale":
            values[argument] = "en"
        else:
            values[argument] = "0"  # e.g. the chart's group_by index
    return values


def rule_url(app: Flask, rule: Any, world: World, action: str | None = None) -> str:
    return url(app, rule.endpoint, **route_values(app, rule, world, action))


def rule_methods(rule: Any) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def is_action_rule(rule: Any) -> bool:
    return rule.endpoint.endswith((".action", ".action_post"))


def actions_of_rule(app: Flask, rule: Any) -> list[str | None]:
    """Each action name of the view for action routes (one request per action; an unknown
    name when the view declares none), else ``[None]``."""
    if is_action_rule(rule):
        view = view_of_endpoint(app, rule.endpoint)
        return list(getattr(view, "actions", {}) or {}) or ["no-such-action"]
    return [None]


@functools.cache
def action_endpoints() -> list[str]:
    """Endpoints of every action route of the app (for parametrisation)."""
    probe = probe_app()
    return sorted(r.endpoint for r in probe.url_map.iter_rules() if is_action_rule(r))


# ---- a known CSV defect, tracked until it is fixed -----------------------------------
