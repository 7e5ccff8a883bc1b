"""Annual reporting through the screens: each role reaches only its scope; a contact
completes and submits a year; an accreditor's deadline reaches its providers' pages; a
stale Program Summary save answers 409; the progress list and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProgramSummary
from app.schema import vocabularies as v
from app.services import annual, deadlines, program_summary
from tests.conftest import World, post_form

YEAR = 2025
AMOUNTS = {
    "advertising_exhibit_income": "100",
    "registration_fees": "200",
    "government_grants": "0",
    "private_donations": "0",
    "other_income": "0",
    "total_expenses": "300",
}


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def year_url(provider: Any, year: int = YEAR) -> str:
    return f"/annual/{provider.id}/{year}"


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("contact_a", ("p1", "p2"), ("p3", "p4")),
        ("contact_b", ("p3",), ("p1", "p2")),
        ("accreditor_tx", ("p1",), ("p2", "p3")),
        ("staff", ("p1", "p2", "p3", "p4"), ()),
    ],
)
def test_year_pages_follow_the_scope(
    world: World, client_for: Any, who: str, allowed: tuple, refused: tuple
) -> None:
    client = client_for(getattr(world, who))
    for name in allowed:
        page = client.get(year_url(getattr(world, name)))
        assert page.status_code == 200, name
        assert getattr(world, name).name in text(page)
    for name in refused:
        response = client.get(year_url(getattr(world, name)))
        assert response.status_code == 404, name
        assert getattr(world, name).name not in text(response)


def test_surveyors_and_users_without_role_have_no_annual_pages(
    world: World, client_for: Any
) -> None:
    for user in (world.surveyor, world.nobody):
        client = client_for(user)
        for path in (year_url(world.p3), "/annual/", "/annualreporting/", "/annualdeadlines/"):
            assert client.get(path).status_code == 403, path


def test_annual_report_menu_opens_the_current_provider_open_year(
    world: World, client_for: Any
) -> None:
    response = client_for(world.contact_a).get("/annual/")
    year = deadlines.open_reporting_year(dt.date.today())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(year_url(world.p1, year))


def test_readers_see_no_buttons_and_cannot_change(world: World, client_for: Any) -> None:
    client = client_for(world.accreditor_tx)
    page = text(client.get(year_url(world.p1)))
    assert "Submit the year</button>" not in page and 'data-testid="summary-form"' not in page
    for path in ("mark/agreement", "submit", "summary", "reopen", "extend"):
        assert post_form(client, f"{year_url(world.p1)}/{path}", {}).status_code == 403, path


def test_contact_cannot_change_a_foreign_year(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    for path in ("mark/agreement", "submit", "summary"):
        response = post_form(client, f"{year_url(world.p3)}/{path}", AMOUNTS)
        assert response.status_code == 404, path
    assert db.session.scalars(select(ProgramSummary)).all() == []
    assert post_form(client, f"{year_url(world.p1)}/mark/nothing", {}).status_code == 404


def test_contact_completes_and_submits_a_year(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    refused = post_form(client, f"{year_url(world.p1)}/submit", {})
    assert refused.status_code == 302
    page = text(client.get(year_url(world.p1)))
    assert "cannot be submitted yet" in page and "Step 4: Complete the Program Summary" in page

    world.a1.status = v.CLOSED
    db.session.commit()
    for step in ("agreement", "contacts"):
        assert post_form(client, f"{year_url(world.p1)}/mark/{step}", {}).status_code == 302
    saved = post_form(client, f"{year_url(world.p1)}/summary", {**AMOUNTS, "version_id": ""})
    assert saved.status_code == 302
    page = text(client.get(year_url(world.p1)))
    assert "5 of 5 done" in page and "By submitting, I attest" in page

    assert post_form(client, f"{year_url(world.p1)}/submit", {}).status_code == 302
    assert annual.year_is_locked(db.session, world.p1.id, YEAR)
    page = text(client.get(year_url(world.p1)))
    assert "submitted and locked" in page and 'data-testid="summary-form"' not in page
    assert "$200.00" in page  # the saved summary, read-only
    again = post_form(client, f"{year_url(world.p1)}/mark/enduring", {})
    assert again.status_code == 302
    assert "is submitted and locked" in text(client.get(year_url(world.p1)))

    staff = client_for(world.staff)
    assert "Reopen this year" in text(staff.get(year_url(world.p1)))
    assert post_form(staff, f"{year_url(world.p1)}/reopen", {}).status_code == 302
    assert not annual.year_is_locked(db.session, world.p1.id, YEAR)


def test_invalid_summary_is_shown_on_the_form(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    response = post_form(
        client, f"{year_url(world.p1)}/summary", {**AMOUNTS, "registration_fees": "-5"}
    )
    assert response.status_code == 200
    assert 'id="registration_fees-errors"' in text(response)
    assert db.session.scalars(select(ProgramSummary)).all() == []


def test_stale_summary_save_answers_409_and_keeps_the_first(world: World, client_for: Any) -> None:
    first, second = client_for(world.contact_a), client_for(world.staff)
    url = f"{year_url(world.p1)}/summary"
    assert post_form(first, url, {**AMOUNTS, "version_id": ""}).status_code == 302
    stale = post_form(second, url, {**AMOUNTS, "version_id": "", "other_income": "9"})
    assert stale.status_code == 409
    assert "Nothing was overwritten" in text(stale)
    assert (
        post_form(first, url, {**AMOUNTS, "version_id": "1", "total_expenses": "5"}).status_code
        == 302
    )
    late = post_form(second, url, {**AMOUNTS, "version_id": "1", "total_expenses": "7"})
    assert late.status_code == 409
    db.session.expire_all()
    summary = db.session.scalars(select(ProgramSummary)).one()
    assert (summary.total_expenses, summary.other_income) == (Decimal("5.00"), Decimal("0.00"))


def test_accreditor_sets_an_earlier_deadline_seen_by_the_contact(
    world: World, client_for: Any
) -> None:
    ra = client_for(world.accreditor_tx)
    page = text(ra.get("/annualdeadlines/"))
    assert "Texas Medical Association" in page and "Ohio State Medical Association" not in page
    texas = world.p1.accreditor_id
    late = post_form(
        ra, "/annualdeadlines/save", {"accreditor": texas, "year": YEAR, "due": "2026-04-30"}
    )
    assert late.status_code == 200 and "must be earlier than March 31, 2026" in text(late)
    ohio = post_form(
        ra,
        "/annualdeadlines/save",
        {"accreditor": world.p3.accreditor_id, "year": YEAR, "due": "2026-02-15"},
    )
    assert ohio.status_code == 200 and "Not a valid choice" in text(ohio)
    saved = post_form(
        ra, "/annualdeadlines/save", {"accreditor": texas, "year": YEAR, "due": "2026-02-15"}
    )
    assert saved.status_code == 302

    p1_page = text(client_for(world.contact_a).get(year_url(world.p1)))
    assert "02/15/2026" in p1_page and "set by Texas Medical Association" in p1_page
    assert "03/31/2026" in text(client_for(world.contact_a).get(year_url(world.p2)))


def test_staff_extend_one_provider_deadline(world: World, client_for: Any) -> None:
    staff = client_for(world.staff)
    response = post_form(staff, f"{year_url(world.p3)}/extend", {"due": "2026-06-30"})
    assert response.status_code == 302
    page = text(client_for(world.contact_b).get(year_url(world.p3)))
    assert "06/30/2026" in page and "extended by ACCME" in page
    contact = client_for(world.contact_b)
    assert (
        post_form(contact, f"{year_url(world.p3)}/extend", {"due": "2027-01-01"}).status_code == 403
    )


def _csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"), newline="")))


def test_progress_list_and_export_stay_in_scope(world: World, client_for: Any) -> None:
    ra = client_for(world.accreditor_tx)
    page = text(ra.get(f"/annualreporting/?year={YEAR}"))
    assert world.p1.name in page
    assert all(getattr(world, p).name not in page for p in ("p2", "p3", "p4"))
    assert f"_flt_0_provider={world.p1.id}&amp;_flt_0_reporting_year={YEAR}" in page
    rows = _csv(ra.get(f"/annualreporting/export/?year={YEAR}"))
    assert [r["ACCME Provider ID"] for r in rows] == [world.p1.accme_id]
    assert rows[0]["Overdue"] == "Yes" and rows[0]["Ended but not Closed"] == "1"

    staff = client_for(world.staff)
    everyone = _csv(staff.get(f"/annualreporting/export/?year={YEAR}"))
    assert len(everyone) == 4
    world.a1.status = v.CLOSED
    db.session.commit()
    for step in annual.MARKS:
        annual.mark_step(
            db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR, step=step
        )
    program_summary.save_program_summary(
        db.session,
        actor=world.staff,
        provider_id=world.p1.id,
        year=YEAR,
        version_id=None,
        amounts=AMOUNTS,
    )
    annual.submit_year(db.session, actor=world.staff, provider_id=world.p1.id, year=YEAR)
    overdue = _csv(staff.get(f"/annualreporting/export/?year={YEAR}&overdue=1"))
    assert world.p1.accme_id not in {r["ACCME Provider ID"] for r in overdue} and len(overdue) == 3
    page = text(staff.get(f"/annualreporting/?year={YEAR}&overdue=1"))
    assert world.p1.name not in page and world.p3.name in page
    assert client_for(world.contact_a).get("/annualreporting/").status_code == 403
