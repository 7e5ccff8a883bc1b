"""The review dashboard through the screens: staff see every review with the counts by
stage and the overdue ones first; a surveyor only their active assignments, with the
reminder to declare conflicts of interest; the CSV export holds the rows shown, is safe
to open in a spreadsheet and writes one audit row; everyone else gets 403."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Review
from app.schema import vocabularies as v
from app.services.clock import utcnow
from tests import factories as f
from tests.conftest import World

URL = "/review-dashboard/"
EXPORT = "/review-dashboard/export"
TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def shown(response: Any) -> list[int]:
    """The ids of the reviews in the table, in order."""
    table = text(response).split('data-testid="review-rows"')[1]
    return [int(n) for n in re.findall(r'<tr data-review="(\d+)"', table)]


def exported(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"), newline="")))


def exports_logged() -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")
    return int(db.session.scalar(query) or 0)


def add(provider: Any, stage: str, cycle: str = "Reaccreditation", **dates: Any) -> Review:
    made = f.ReviewFactory(provider=provider, stage=stage, cycle=cycle, **dates)
    db.session.commit()
    return made


@pytest.fixture
def late(world: World) -> Review:
    """P2's confirmation of intent, three days late; surveyor S has declared a conflict."""
    review = add(world.p2, v.REVIEW_INTENT, "Initial", intent_due=TODAY - 3 * DAY)
    f.AssignmentFactory(review=review, user=world.surveyor, recused=True, declared_at=utcnow())
    db.session.commit()
    return review


def test_staff_see_counts_overdue_items_and_every_review(
    world: World, client_for: Any, late: Review
) -> None:
    soon = add(world.p4, v.REVIEW_MATERIALS_DUE, materials_due=TODAY + 20 * DAY)
    decided = add(world.p3, v.REVIEW_DECIDED, "Initial")
    page = client_for(world.staff).get(URL)
    body = text(page)
    assert 'data-mode="staff"' in body
    assert shown(page) == [late.id, soon.id, world.review_p3.id]  # open reviews by default
    assert decided.id not in shown(page)
    assert re.search(r'data-testid="overdue-count">1<', body)
    assert "National Society of Cardiology" in body.split('data-testid="overdue-summary"')[1]
    assert f"Confirmation of Intent due: {(TODAY - 3 * DAY).strftime('%m/%d/%Y')}" in body
    counts = body.split('data-testid="stage-counts"')[1].split("</table>")[0]
    assert re.search(r"stage=Confirmation\+of\+Intent\"[^>]*>1<", counts)
    assert re.search(r"stage=Under\+Review\"[^>]*>1<", counts)
    assert f'href="/reviews/show/{late.id}"' in body
    assert "Declare conflicts of interest" not in body


def test_staff_filter_by_stage_cycle_and_overdue(
    world: World, client_for: Any, late: Review
) -> None:
    decided = add(world.p3, v.REVIEW_DECIDED, "Initial")
    client = client_for(world.staff)
    assert shown(client.get(URL + "?stage=Under+Review")) == [world.review_p3.id]
    assert shown(client.get(URL + "?stage=all&cycle=Initial")) == [late.id, decided.id]
    assert shown(client.get(URL + "?cycle=Initial")) == [late.id]
    assert shown(client.get(URL + "?overdue=1")) == [late.id]
    assert shown(client.get(URL + "?stage=Decided&overdue=1")) == []


@pytest.mark.parametrize(
    "query",
    [
        "?stage=Nope",
        "?cycle=%00",
        "?page=abc",
        "?page=-4",
        "?page=" + "9" * 40,
        "?overdue=yes",
        "?stage=&cycle=&page=",
    ],
)
def test_values_that_are_not_ours_are_ignored(
    world: World, client_for: Any, late: Review, query: str
) -> None:
    client = client_for(world.staff)
    assert shown(client.get(URL + query)) == [late.id, world.review_p3.id]
    assert exported(client.get(EXPORT + query))


def test_table_pages_of_fifty(world: World, client_for: Any) -> None:
    for n in range(54):
        provider = f.ProviderFactory(kind=v.ACCME_KIND, name=f"Provider {n:03d}")
        f.ReviewFactory(provider=provider, stage=v.REVIEW_INTENT, intent_due=TODAY + n * DAY)
    db.session.commit()
    client = client_for(world.staff)
    first, second = client.get(URL), client.get(URL + "?page=2")
    assert len(shown(first)) == 50 and len(shown(second)) == 5
    assert "Reviews found: 55, page 1 of 2" in text(first)
    assert 'href="/review-dashboard/?page=2"' in text(first)
    assert set(shown(first)).isdisjoint(shown(second))
    assert shown(client.get(URL + "?page=3")) == shown(second)  # after the last: the last
    assert len(exported(client.get(EXPORT + "?page=2"))) == 55  # every page


def test_surveyor_sees_only_active_assignments(world: World, client_for: Any, late: Review) -> None:
    """Not the review S declared a conflict for, nor another review of P3 (S sees P3)."""
    p3_other = add(world.p3, v.REVIEW_COMMITTEE)
    client = client_for(world.surveyor)
    page = client.get(URL)
    body = text(page)
    assert 'data-mode="surveyor"' in body
    assert shown(page) == [world.review_p3.id]
    assert shown(client.get(URL + "?stage=all")) == [world.review_p3.id]
    assert late.id not in shown(client.get(URL + "?overdue=1"))
    assert "National Society of Cardiology" not in body
    assert p3_other.id not in shown(page)
    assert 'data-testid="declare-reminder"' in body
    assert "Declare conflicts of interest" in body
    rows = exported(client.get(EXPORT + "?stage=all"))
    assert [row["Provider"] for row in rows] == ["Columbus Community Hospital"]
    assert rows[0]["Conflicts of interest declared"] == "No"


def test_surveyor_who_declared_gets_no_reminder(world: World, client_for: Any) -> None:
    world.review_p3.interview_on = TODAY + 7 * DAY
    world.review_p3.assignments[0].declared_at = utcnow()
    db.session.commit()
    body = text(client_for(world.surveyor).get(URL))
    assert "Declare conflicts of interest" not in body
    assert f"Interview: {(TODAY + 7 * DAY).strftime('%m/%d/%Y')}" in body
    assert "Declared " in body


@pytest.mark.parametrize("who", ["contact_a", "contact_b", "accreditor_tx", "nobody"])
def test_others_have_no_permission(world: World, client_for: Any, who: str) -> None:
    client = client_for(getattr(world, who))
    before = exports_logged()
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert exports_logged() == before
    assert 'href="/review-dashboard/"' not in client.get("/").get_data(as_text=True)


def test_visitors_are_sent_to_sign_in(world: World, client_for: Any) -> None:
    for url in (URL, EXPORT):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/login/" in response.headers["Location"]


def test_menu_entry_for_staff_and_surveyors(world: World, client_for: Any) -> None:
    for user in (world.staff, world.surveyor):
        assert 'href="/review-dashboard/"' in text(client_for(user).get(URL))


def test_export_is_the_rows_shown_and_formula_safe(
    world: World, client_for: Any, late: Review
) -> None:
    world.p2.name = "=cmd|' /C calc'!A0"
    add(world.p4, v.REVIEW_DECIDED, "Initial")
    db.session.commit()
    client = client_for(world.staff)
    for query in ("", "?stage=all", "?cycle=Initial", "?overdue=1", "?stage=Under+Review"):
        rows = exported(client.get(EXPORT + query))
        ids = shown(client.get(URL + query))
        assert len(rows) == len(ids), query
    rows = exported(client.get(EXPORT + "?overdue=1"))
    assert rows == [
        {
            "Provider": "'=cmd|' /C calc'!A0",
            "ACCME Provider ID": "0000102",
            "Cycle": "Initial",
            "Stage": v.REVIEW_INTENT,
            "Next due": "Confirmation of Intent due",
            "Due date": (TODAY - 3 * DAY).isoformat(),
            "Overdue": "Yes",
            "Interview": "",
            "Active surveyors": "0",
        }
    ]
    export_link = re.search(r'href="([^"]*/export[^"]*)"', text(client.get(URL + "?overdue=1")))
    assert export_link and export_link.group(1) == "/review-dashboard/export?overdue=1"


def test_each_export_writes_one_audit_row(world: World, client_for: Any, late: Review) -> None:
    client = client_for(world.staff)
    before = exports_logged()
    assert exported(client.get(EXPORT + "?cycle=Initial"))
    assert exports_logged() == before + 1
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.actor_id == world.staff.id
    assert "ReviewDashboardView; filters: 1 rows" in (event.detail or "")
    exported(client_for(world.surveyor).get(EXPORT))
    assert exports_logged() == before + 2
    text(client.get(URL))
    assert exports_logged() == before + 2  # the page itself is not an export
