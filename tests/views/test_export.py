"""CSV export: the rows of the list with its filters, in the schema's columns."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from app.extensions import db
from app.models import CommercialSupport, LearnerCount
from app.schema.fields import file_columns
from tests import factories as f
from tests.conftest import World


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_activity_export_has_every_schema_column(client_for, world: World) -> None:
    response = client_for(world.staff).get("/activitymodelview/export/")
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert header == file_columns()


def test_activity_export_values(client_for, world: World) -> None:
    db.session.add(
        CommercialSupport(
            activity_id=world.a2.id,
            source="Acme Pharma",
            kind="Monetary",
            amount=Decimal("5000.00"),
        )
    )
    db.session.add(LearnerCount(activity_id=world.a4.id, profession="Nurse", year=2025, count=40))
    db.session.add(LearnerCount(activity_id=world.a4.id, profession="Nurse", year=2026, count=2))
    db.session.commit()
    rows = {
        r["Provider Activity ID"]: r
        for r in read_csv(client_for(world.staff).get("/activitymodelview/export/"))
    }
    p2 = rows["P2-001"]
    assert p2["ACCME Provider ID"] == "0000102"
    assert p2["ACCME Activity ID"] == str(100_000_000 + world.a2.id)
    assert p2["Activity Format"] == "Enduring Material"
    assert p2["Start Date"] == "03/01/2025"
    assert p2["AMA PRA Category 1 Credits"] == "6.5"
    assert p2["Commercial Support Sources"] == "Acme Pharma: 5000"
    assert p2["ABIM MOC Points"] == "6.5" and p2["ABIM MOC Credit Types"] == "Medical Knowledge"
    assert p2["REMS Type"] == "Opioid Analgesic" and p2["CME Finder"] == "No"
    p4 = rows["P4-001"]
    assert p4["IPCE Credits"] == "2" and p4["Nurse Learners"] == "42"


def test_export_follows_the_list_filters(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    rows = read_csv(client.get("/activitymodelview/export/?_flt_0_format=Enduring%20Material"))
    assert [r["Provider Activity ID"] for r in rows] == ["P2-001"]
    rows = read_csv(client.get("/activitymodelview/export/?_flt_0_moc_board=ABIM"))
    assert [r["Provider Activity ID"] for r in rows] == ["P2-001"]


def test_export_streams_in_batches(app, client_for, world: World) -> None:
    for i in range(25):
        f.ActivityFactory(provider=world.p1, title=f"Batch {i}")
    db.session.commit()
    app.config["PARS_EXPORT_BATCH_SIZE"] = 4
    try:
        rows = read_csv(client_for(world.contact_a).get("/activitymodelview/export/"))
    finally:
        app.config["PARS_EXPORT_BATCH_SIZE"] = 2000
    assert len(rows) == 27
    assert len({r["ACCME Activity ID"] for r in rows}) == 27


def test_every_list_exports(client_for, world: World) -> None:
    client = client_for(world.staff)
    for view in (
        "providermodelview",
        "providercontactmodelview",
        "accreditormodelview",
        "accreditormembermodelview",
    ):
        rows = read_csv(client.get(f"/{view}/export/"))
        assert rows, view
    providers = read_csv(client.get("/providermodelview/export/?_flt_0_kind=Jointly%20accredited"))
    assert [r["ACCME Provider ID"] for r in providers] == ["0000104"]


def test_exports_return_their_database_connections(app, world, client_for) -> None:
    """An export is written after the view returns; its reads must not leave a
    connection checked out (a leak would exhaust the pool after a few downloads)."""
    client = client_for(world.staff)
    with app.app_context():
        before = db.engine.pool.checkedout()
    for url in ("/activitymodelview/export/", "/providermodelview/export/") * 5:
        assert client.get(url).status_code == 200
    with app.app_context():
        assert db.engine.pool.checkedout() <= before
