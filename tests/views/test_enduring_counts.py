"""Step 3 of the annual report: an enduring material's learners are entered year by year
(as of December 31); the activity's totals are the sum over its years."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from app.extensions import db
from app.models import Activity, ReportingYear
from app.schema import vocabularies as v
from tests import factories as f
from tests.conftest import World, post_form


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def enduring(world: World) -> Activity:
    activity = f.ActivityFactory(
        provider=world.p1,
        format=v.ENDURING,
        title="Heart failure podcast",
        start_date=dt.date(2024, 6, 1),
        end_date=dt.date(2026, 5, 31),
        reporting_year=2024,
        delivery_methods=["Online"],
        city=None,
        state=None,
        country=None,
    )
    db.session.commit()
    return activity


def url(world: World, year: int) -> str:
    return f"/annual/{world.p1.id}/{year}/enduring"


def counts(activity: Activity, physicians: str, others: str) -> dict[str, str]:
    return {f"physicians_{activity.id}": physicians, f"others_{activity.id}": others}


def reload(activity: Activity) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, activity.id)


def test_counts_per_year_add_up_and_complete_the_step(world: World, client_for: Any) -> None:
    activity = enduring(world)
    client = client_for(world.contact_a)
    page = text(client.get(url(world, 2025)))
    assert "Heart failure podcast" in page
    assert post_form(client, url(world, 2024), counts(activity, "40", "5")).status_code == 302
    assert post_form(client, url(world, 2025), counts(activity, "60", "7")).status_code == 302
    saved = reload(activity)
    assert (saved.physician_learners, saved.other_learners) == (100, 12)
    by_year = {(c.profession, c.year): c.count for c in saved.learner_counts}
    assert by_year[("Physician", 2025)] == 60 and by_year[("Other learners", 2024)] == 5
    record = db.session.query(ReportingYear).filter_by(provider_id=world.p1.id, year=2025).one()
    assert record.enduring_updated_at is not None
    year_page = text(client.get(f"/annual/{world.p1.id}/2025"))
    assert "Enter the learner counts" in year_page


def test_every_missing_or_wrong_count_is_named_and_nothing_saved(
    world: World, client_for: Any
) -> None:
    activity = enduring(world)
    client = client_for(world.contact_a)
    response = post_form(client, url(world, 2025), counts(activity, "", "-3"))
    page = text(client.get(response.location))
    assert "Heart failure podcast (" in page
    assert "physician learners: enter a whole number" in page
    assert "other learners: enter a whole number" in page
    assert reload(activity).learner_counts == []


def test_readers_see_the_counts_but_cannot_change_them(world: World, client_for: Any) -> None:
    activity = enduring(world)
    reader = client_for(world.accreditor_tx)
    assert "Heart failure podcast" in text(reader.get(url(world, 2025)))
    refused = post_form(reader, url(world, 2025), counts(activity, "1", "1"))
    assert refused.status_code in (302, 403, 404)
    assert reload(activity).learner_counts == []


def test_another_providers_materials_are_not_found(world: World, client_for: Any) -> None:
    enduring(world)
    client = client_for(world.contact_b)
    assert client.get(url(world, 2025)).status_code == 404
