"""The activity list filters by provider, format, status, year, MOC board, REMS and JA
credit type, and searches titles and ids."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories as f
from tests.conftest import World

TITLES = {
    "a1": "P1 Sepsis Update",
    "a2": "P2 Heart Failure Summit",
    "a4": "P4 Team Pharmacotherapy",
}


def visible(client, query: str) -> set[str]:
    page = client.get(f"/activitymodelview/list/?{query}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    return {key for key, title in TITLES.items() if title in body} | (
        {"draft"} if "Draft Workshop" in body else set()
    )


@pytest.fixture
def staff(client_for, world: World):
    f.ActivityFactory(
        provider=world.p1,
        title="Draft Workshop",
        status="Draft",
        start_date=world.a1.start_date.replace(year=2024),
        reporting_year=2024,
        provider_activity_id="P1-DRAFT",
    )
    db.session.commit()
    return client_for(world.staff)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_flt_0_format=Enduring%20Material", {"a2"}),
        ("_flt_1_format=Live%20Course", {"a2"}),
        ("_flt_0_status=Draft", {"draft"}),
        ("_flt_0_reporting_year=2024", {"draft"}),
        ("_flt_0_moc_board=ABIM", {"a2"}),
        ("_flt_0_rems_type=Opioid%20Analgesic", {"a2"}),
        ("_flt_0_ja_credit_type=IPCE", {"a4"}),
        ("_flt_2_title=Heart", {"a2"}),
        ("_flt_3_provider_activity_id=P4-001", {"a4"}),
    ],
)
def test_filters(staff, query: str, expected: set[str]) -> None:
    assert visible(staff, query) == expected


def test_filter_by_provider_and_accme_id(staff, world: World) -> None:
    assert visible(staff, f"_flt_0_provider={world.p2.id}") == {"a2"}
    assert visible(staff, f"_flt_0_accme_activity_id={100_000_000 + world.a4.id}") == {"a4"}
    assert visible(staff, "_flt_0_accme_activity_id=not-a-number") == set()
    assert visible(staff, f"_flt_1_accme_activity_id={100_000_000 + world.a2.id}") == {"a1", "a2"}
    assert "a1" not in visible(staff, f"_flt_2_accme_activity_id={100_000_000 + world.a2.id}")


def test_filters_stay_within_scope(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    assert visible(client, f"_flt_0_provider={world.p4.id}") == set()
    assert visible(client, "_flt_0_ja_credit_type=IPCE") == set()


def test_search_form_offers_only_visible_providers(client_for, world: World) -> None:
    body = client_for(world.contact_a).get("/activitymodelview/list/").get_data(as_text=True)
    assert world.p1.name in body and world.p2.name in body
    assert world.p3.name not in body and world.p4.name not in body


def test_unknown_sort_column_is_ignored(client_for, world: World) -> None:
    client = client_for(world.staff)
    page = client.get(
        "/activitymodelview/list/?_oc_ActivityModelView=password&_od_ActivityModelView=asc"
    )
    assert page.status_code == 200
    sorted_page = client.get(
        "/activitymodelview/list/?_oc_ActivityModelView=title&_od_ActivityModelView=asc"
    )
    body = sorted_page.get_data(as_text=True)
    assert body.index("P1 Sepsis Update") < body.index("P4 Team Pharmacotherapy")
