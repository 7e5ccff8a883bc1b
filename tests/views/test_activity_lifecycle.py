"""An activity through the lifecycle on screen: the page names what each status still
needs, a status change names every missing field at once, Closed is read-only for
contacts until staff reopen it, and a stale save or status change answers 409."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from app.extensions import db
from app.models import Activity
from app.schema import vocabularies as v
from tests import factories as f
from tests.conftest import World, post_form
from tests.security.helpers import Form
from tests.security.helpers import parse_form as parse_first_form

ENDED = dt.date(2025, 3, 2)


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def parse_form(page: str) -> Form:
    """The activity form of the page (not the navbar's provider switcher)."""
    return parse_first_form("<form" + page.split('<form id="model_form"', 1)[1])


COMPLETE = {
    "description": "Heart failure update",
    "credits": 6,
    "outcomes": ["Competence"],
    "physician_learners": 10,
    "other_learners": 0,
    "commercial_support": False,
}


def reload(activity: Activity) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, activity.id)


def move(client: Any, activity: Activity, target: str, version: int | None = None) -> Any:
    version = reload(activity).version_id if version is None else version
    return post_form(
        client,
        f"/activitymodelview/status/{activity.id}",
        {"target": target, "expected_version": str(version)},
    )


def ended_draft(world: World, **values: Any) -> Activity:
    activity = f.ActivityFactory(
        provider=world.p1, status=v.DRAFT, **{"description": None, "credits": None, **values}
    )
    db.session.commit()
    return activity


def test_the_page_names_what_each_status_needs(world: World, client_for: Any) -> None:
    activity = ended_draft(world)
    page = text(client_for(world.contact_a).get(f"/activitymodelview/show/{activity.id}"))
    assert "Status: Draft" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Mark Ready to Close" in page and "Close the activity" in page
    assert "Activity Description" in page and "AMA PRA Category 1 Credits" in page


def test_a_refused_change_names_every_missing_field(world: World, client_for: Any) -> None:
    activity = ended_draft(world)
    client = client_for(world.contact_a)
    response = move(client, activity, v.CLOSED)
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "cannot be Closed yet" in page
    for label in (
        "Activity Description",
        "AMA PRA Category 1 Credits",
        "Outcomes Measured",
        "Physician Learners",
        "Other Learners",
        "Commercial Support Received",
    ):
        assert label in page, label
    assert reload(activity).status == v.DRAFT


def test_draft_to_closed_once_every_field_is_there(world: World, client_for: Any) -> None:
    activity = ended_draft(world, **COMPLETE)
    client = client_for(world.contact_a)
    assert move(client, activity, v.READY_TO_CLOSE).status_code == 302
    assert reload(activity).status == v.READY_TO_CLOSE
    move(client, activity, v.CLOSED)
    assert reload(activity).status == v.CLOSED


def test_active_needs_an_end_date_not_in_the_past(world: World, client_for: Any) -> None:
    activity = ended_draft(world, description="x", credits=1)
    client = client_for(world.contact_a)
    page = text(client.get(move(client, activity, v.ACTIVE).location))
    assert "End Date" in page and reload(activity).status == v.DRAFT


def test_closed_is_read_only_for_contacts_until_staff_reopen(world: World, client_for: Any) -> None:
    activity = ended_draft(world, **COMPLETE)
    activity.status = v.CLOSED
    db.session.commit()
    contact = client_for(world.contact_a)
    assert "/show/" in contact.get(f"/activitymodelview/edit/{activity.id}").location
    form_data = {"title": "Changed", "expected_version": str(activity.version_id)}
    post_form(contact, f"/activitymodelview/edit/{activity.id}", form_data)
    assert reload(activity).title != "Changed"
    move(contact, activity, v.READY_TO_CLOSE)
    assert reload(activity).status == v.CLOSED
    page = text(contact.get(f"/activitymodelview/show/{activity.id}"))
    assert "Ask ACCME staff to reopen it" in page
    staff = client_for(world.staff)
    move(staff, activity, v.READY_TO_CLOSE)
    assert reload(activity).status == v.READY_TO_CLOSE


def test_a_stale_status_change_answers_409(world: World, client_for: Any) -> None:
    activity = ended_draft(world, description="x", credits=1)
    stale = reload(activity).version_id
    client = client_for(world.contact_a)
    post_form(
        client,
        f"/activitymodelview/edit/{activity.id}",
        parse_form(text(client.get(f"/activitymodelview/edit/{activity.id}"))).data(
            title="Renamed"
        ),
    )
    assert reload(activity).version_id == stale + 1
    response = move(client, activity, v.READY_TO_CLOSE, version=stale)
    assert response.status_code == 409 and "Nothing was overwritten" in text(response)
    assert reload(activity).status == v.DRAFT


def test_a_stale_edit_answers_409_and_keeps_the_first_save(world: World, client_for: Any) -> None:
    activity = ended_draft(world)
    first, second = client_for(world.contact_a), client_for(world.staff)
    url = f"/activitymodelview/edit/{activity.id}"
    form_one = parse_form(text(first.get(url)))
    form_two = parse_form(text(second.get(url)))
    saved = post_form(first, url, form_one.data(title="First person's title"))
    assert saved.status_code == 302
    stale = post_form(second, url, form_two.data(title="Second person's title"))
    assert stale.status_code == 409
    assert "Someone else saved this record" in text(stale)
    assert reload(activity).title == "First person's title"


def test_ja_fields_only_for_jointly_accredited_providers(world: World, client_for: Any) -> None:
    plain = text(client_for(world.contact_a).get(f"/activitymodelview/show/{world.a1.id}"))
    joint = text(client_for(world.ja_contact).get(f"/activitymodelview/show/{world.a4.id}"))
    for label in ("Pharmacy UAN", "Target Professions", "Interprofessional"):
        assert label not in plain, label
        assert label in joint, label
    edit = text(client_for(world.contact_a).get(f"/activitymodelview/edit/{world.a1.id}"))
    assert 'name="pharmacy_uan"' not in edit


def test_a_foreign_activity_cannot_change_status(world: World, client_for: Any) -> None:
    for who, activity in (("contact_a", world.a3), ("accreditor_tx", world.a1)):
        before = reload(activity)
        status, version = before.status, before.version_id
        response = move(client_for(getattr(world, who)), activity, v.DRAFT, version=version)
        assert response.status_code in (403, 404), who
        after = reload(activity)
        assert (after.status, after.version_id) == (status, version), who


def test_a_joint_provider_reports_learners_by_profession_and_ipce(
    world: World, client_for: Any
) -> None:
    client = client_for(world.ja_contact)
    url = f"/activitymodelview/edit/{world.a4.id}"
    form = parse_form(text(client.get(url)))
    assert "learners__Nurse" in form.fields and "credit__IPCE" in form.fields
    saved = post_form(client, url, form.data(learners__Nurse="12", credit__IPCE="2.5"))
    assert saved.status_code == 302
    activity = reload(world.a4)
    assert {(c.profession, c.count) for c in activity.learner_counts} >= {("Nurse", 12)}
    assert {(c.credit_type, str(c.amount)) for c in activity.ja_credits} == {("IPCE", "2.50")}
    page = text(client.get(f"/activitymodelview/show/{world.a4.id}"))
    assert "Nurse: 12" in page and "IPCE: 2.5" in page


def test_a_plain_provider_never_sees_or_keeps_ja_parts(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    url = f"/activitymodelview/edit/{world.a1.id}"
    page = text(client.get(url))
    assert "Nurse Learners" not in page and "IPCE Credits" not in page
    form = parse_form(page)
    post_form(client, url, form.data(learners__Nurse="12", credit__IPCE="2", title="Renamed"))
    activity = reload(world.a1)
    assert activity.title == "Renamed"
    assert activity.learner_counts == [] and activity.ja_credits == []
    show = text(client.get(f"/activitymodelview/show/{world.a1.id}"))
    assert "Learners by profession" not in show and "JA credits" not in show


def test_moc_details_per_registered_board(world: World, client_for: Any) -> None:
    activity = ended_draft(world, **COMPLETE)
    client = client_for(world.contact_a)
    url = f"/activitymodelview/edit/{activity.id}"
    form = parse_form(text(client.get(url)))
    data = form.data(
        moc_boards=["ABP"],
        moc__ABP__points="1.5",
        moc__ABP__credit_types=["Lifelong Learning"],
        moc__ABP__practice_areas=["Pediatrics"],
        moc__ABP__credit_claim_date="2025-12-31",
    )
    assert post_form(client, url, data).status_code == 302
    saved = reload(activity)
    assert [(m.board, str(m.points)) for m in saved.moc_registrations] == [("ABP", "1.50")]
    page = text(client.get(move(client, activity, v.CLOSED).location))
    assert "ABP MOC Points" in page and "whole" in page  # ABP points are whole numbers
    assert "MOC Attestation" in page
    assert reload(activity).status == v.DRAFT


def test_a_submitted_year_locks_its_activities_until_staff_reopen_it(
    world: World, client_for: Any
) -> None:
    from app.models import ReportingYear
    from app.services import annual

    activity = ended_draft(world, **COMPLETE)
    db.session.add(
        ReportingYear(
            provider_id=world.p1.id,
            year=activity.reporting_year,
            submitted_at=dt.datetime(2026, 3, 1),
        )
    )
    db.session.commit()
    contact = client_for(world.contact_a)
    url = f"/activitymodelview/edit/{activity.id}"
    refused = contact.get(url)
    assert "/show/" in refused.location
    page = text(contact.get(refused.location))
    assert f"The {activity.reporting_year} annual report is submitted" in page
    move(contact, activity, v.READY_TO_CLOSE)
    assert reload(activity).status == v.DRAFT
    annual.reopen_year(
        db.session, actor=world.staff, provider_id=world.p1.id, year=activity.reporting_year
    )
    assert contact.get(url).status_code == 200


def test_no_activity_is_added_to_or_moved_into_a_submitted_year(
    world: World, client_for: Any
) -> None:
    from app.models import ReportingYear

    db.session.add(
        ReportingYear(provider_id=world.p1.id, year=2024, submitted_at=dt.datetime(2025, 3, 1))
    )
    db.session.commit()
    client = client_for(world.contact_a)
    before = db.session.query(Activity).count()
    added = post_form(
        client,
        "/activitymodelview/add",
        {
            "provider": str(world.p1.id),
            "provider_activity_id": "LATE-1",
            "title": "Late entry",
            "format": v.LIVE_COURSE,
            "start_date": "2024-05-01",
            "end_date": "2024-05-02",
        },
    )
    assert "annual report is submitted" in text(client.get(added.location))
    assert db.session.query(Activity).count() == before
    activity = ended_draft(world)
    url = f"/activitymodelview/edit/{activity.id}"
    form = parse_form(text(client.get(url)))
    moved = post_form(client, url, form.data(start_date="2024-05-01", end_date="2024-05-02"))
    assert "annual report is submitted" in text(client.get(moved.location))
    assert reload(activity).reporting_year == 2025
