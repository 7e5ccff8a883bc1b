"""The activity web form: every bad value gets a plain message next to its field."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, JOINT_ONLY, Field, Kind
from tests.conftest import World, post_form

ACCME_KINDS = {v.ACCME_KIND, v.STATE_KIND}

VALID = {
    "provider_activity_id": "NEW-001",
    "title": "Stroke Care Update",
    "format": "Live Course",
    "start_date": "2025-05-01",
    "end_date": "2025-05-02",
}


def bad_value(spec: Field) -> str | list[str]:
    """A value the schema must refuse for this field."""
    if spec.kind is Kind.CHOICE:
        return "Not a real choice"
    if spec.kind is Kind.MULTI_CHOICE:
        return ["Not a real choice"]
    if spec.kind is Kind.BOOLEAN:
        return "Maybe"
    if spec.kind in (Kind.INTEGER, Kind.DECIMAL):
        return "twelve"
    if spec.kind is Kind.DATE:
        return "2025-13-45"
    if spec.kind is Kind.SUPPORT_LIST:
        return "Acme Pharma"
    if spec.pattern:
        return "<script>x</script>"
    return "x" * ((spec.max_length or 10) + 1)


EDITABLE = [f for f in ACTIVITY_FIELDS if f.editable]


def activity_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Activity))


@pytest.mark.parametrize("spec", EDITABLE, ids=lambda s: s.name)
def test_bad_value_gets_a_field_message(client_for, world: World, spec: Field) -> None:
    # JA-PARS fields are shown (and checked) for a jointly accredited provider only.
    joint = world.p4.kind not in ACCME_KINDS and spec.applies_to == JOINT_ONLY
    user, provider = (world.ja_contact, world.p4) if joint else (world.contact_a, world.p1)
    client = client_for(user)
    before = activity_count()
    data = {**VALID, "provider": str(provider.id), spec.name: bad_value(spec)}
    response = post_form(client, "/activitymodelview/add", data)
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    assert f"{spec.label}:" in body
    assert "<script>x</script>" not in response.get_data(as_text=True)
    assert activity_count() == before


def test_missing_required_fields_are_all_named(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    response = post_form(client, "/activitymodelview/add", {"provider": str(world.p1.id)})
    body = response.get_data(as_text=True)
    for label in (
        "Provider Activity ID",
        "Activity Title",
        "Activity Format",
        "Start Date",
        "End Date",
    ):
        assert f"{label}: this field is required." in body


def test_valid_activity_is_saved_as_draft_with_its_year(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    data = {
        **VALID,
        "provider": str(world.p1.id),
        "credits": "1.25",
        "commercial_supports": "Acme Pharma: 5000; Device Co: In-kind",
        "delivery_methods": ["In-Person"],
        "cme_finder": "No",
    }
    response = post_form(client, "/activitymodelview/add", data)
    assert response.status_code == 302
    activity = db.session.scalars(select(Activity).filter_by(provider_activity_id="NEW-001")).one()
    assert (activity.status, activity.reporting_year, activity.cme_finder) == ("Draft", 2025, False)
    assert [(s.source, s.kind) for s in activity.commercial_supports] == [
        ("Acme Pharma", "Monetary"),
        ("Device Co", "In-kind"),
    ]


def test_duplicate_provider_activity_id_is_refused_without_sql(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    data = {
        **VALID,
        "provider": str(world.p1.id),
        "provider_activity_id": world.a1.provider_activity_id,
    }
    response = post_form(client, "/activitymodelview/add", data)
    follow = client.get(response.headers["Location"]) if response.status_code == 302 else response
    body = follow.get_data(as_text=True)
    assert "could not be saved" in body
    assert "UNIQUE" not in body and "IntegrityError" not in body and "INSERT" not in body


def test_edit_keeps_values_and_updates_year(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    page = client.get(f"/activitymodelview/edit/{world.a1.id}")
    assert page.status_code == 200 and "P1 Sepsis Update" in page.get_data(as_text=True)
    data = {
        **VALID,
        "provider": str(world.p1.id),
        "title": "Renamed",
        "start_date": "2024-02-01",
        "end_date": "2024-02-02",
        "expected_version": "1",
    }
    assert post_form(client, f"/activitymodelview/edit/{world.a1.id}", data).status_code == 302
    db.session.expire_all()
    activity = db.session.get(Activity, world.a1.id)
    assert (activity.title, activity.reporting_year, activity.version_id) == ("Renamed", 2024, 2)


def test_show_page_lists_repeated_parts(client_for, world: World) -> None:
    from app.models import LearnerCount

    db.session.add(LearnerCount(activity_id=world.a4.id, profession="Nurse", year=2025, count=40))
    db.session.commit()
    body = (
        client_for(world.staff).get(f"/activitymodelview/show/{world.a2.id}").get_data(as_text=True)
    )
    assert "ABIM: 6.5 points (Medical Knowledge)" in body
    body = (
        client_for(world.staff).get(f"/activitymodelview/show/{world.a4.id}").get_data(as_text=True)
    )
    assert "IPCE: 2" in body and "Nurse: 40" in body
