"""Journey 9: an online accreditation review, from the surveyors' findings to the
provider's accreditation history.

The review is set up through the services, as staff and the provider take those steps:
a reaccreditation of the world's ACCME-accredited provider P2, its intent confirmed, its
self-study report submitted, two volunteer surveyors assigned and the review started.
In the browser, one surveyor declares no conflict of interest, records a finding on every
required criterion (one Noncompliance) and comments; staff send the review to the
committee and record the decision; the provider's contact then reads the decision and
its findings in the accreditation history, and never the surveyor's comment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Provider, User
from app.schema import vocabularies as v
from app.security import roles
from app.services import findings, review_materials, review_team, reviews
from app.services.clock import utcnow
from tests.browser.conftest import LiveWorld, go_to, main_menu, sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

P2 = "National Society of Cardiology"
P2_ACCME_ID = "0000102"
SECOND_SURVEYOR = "surveyor.two@example.test"
#: The criterion found in Noncompliance, and why.
NONCOMPLIANT = "C2"
NONCOMPLIANCE_RATIONALE = "The files show no gap analysis behind the activities reviewed."
COMMENT = "Ask about the needs assessment for the cardiology summit at the interview."
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SEVERE = ("critical", "serious")


@dataclass(frozen=True)
class ReviewUnderWay:
    """Plain facts of the review the journey works on."""

    id: int
    #: The codes of the criteria that need a finding, in the order of the page.
    required: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/reviews/show/{self.id}"


@pytest.fixture
def review_under_way(app: Flask, live_world: LiveWorld) -> ReviewUnderWay:
    """P2's reaccreditation review, under review with two surveyors (the world's surveyor
    and a second one), taken there through the services."""
    with app.app_context():
        session = db.session

        def user(who: str) -> User:
            return session.scalars(select(User).filter_by(email=live_world.email(who))).one()

        staff, contact, surveyor = user("staff"), user("contact_a"), user("surveyor")
        second = make_user(SECOND_SURVEYOR, roles.SURVEYOR)
        session.commit()
        provider = session.scalars(select(Provider).filter_by(accme_id=P2_ACCME_ID)).one()
        today = utcnow().date()
        review = reviews.open_review(
            session, staff, provider.id, "Reaccreditation",
            today + dt.timedelta(days=60), today + dt.timedelta(days=20),
        )  # fmt: skip
        reviews.confirm_intent(session, contact, review.id, attests=True)
        review_materials.add_material(
            session, contact, review.id, v.MATERIAL_SELF_STUDY, "self-study.pdf", PDF,
            review_materials.settings_from(app.config),
        )  # fmt: skip
        reviews.submit(session, contact, review.id)
        for assigned in (surveyor, second):
            review_team.assign_surveyor(session, staff, review.id, assigned.id)
        reviews.start_review(session, staff, review.id)
        assert review.stage == v.REVIEW_UNDER_REVIEW
        facts = ReviewUnderWay(
            id=review.id,
            required=tuple(c.code for c in findings.required_criteria(session, review)),
        )
        session.remove()
    return facts


# ---- helpers ----------------------------------------------------------------------------


def assert_no_severe_violations(page: Page, name: str) -> None:
    violations = Axe().run(page).response["violations"]
    severe = [
        f"{v['id']} ({v['impact']}): {v['help']} "
        f"[{', '.join(' '.join(n['target']) for n in v['nodes'][:5])}]"
        for v in violations
        if v["impact"] in SEVERE
    ]
    assert not severe, f"{name}: " + "; ".join(severe)


def sign_out(page: Page) -> None:
    """Sign out as a user does: the confirmation page, then its button."""
    page.goto("/logout/")
    page.get_by_role("button", name="Sign out of PARS").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(main_menu(page).locator("li.dropdown")).to_have_count(0)


def flash(page: Page) -> Locator:
    return page.locator(".alert-success")


def review_page(page: Page) -> Locator:
    return page.get_by_test_id("review-page")


def open_review_from_the_list(page: Page, review: ReviewUnderWay, stage: str) -> None:
    """Accreditation -> Reviews, then the review of P2 at ``stage``."""
    go_to(page, "Accreditation", "Reviews")
    row = page.locator("table.table-hover tbody tr").filter(has_text=P2).filter(has_text=stage)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Show").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(review.url)}$"))
    expect(review_page(page)).to_have_attribute("data-stage", stage)


def finding_for(code: str) -> tuple[str, str]:
    """The finding the surveyor records on ``code``, and its rationale."""
    if code == NONCOMPLIANT:
        return "Noncompliance", NONCOMPLIANCE_RATIONALE
    return "Compliance", f"The self-study report and the files show {code} is met."


def record_finding(page: Page, code: str) -> None:
    """Fill and save the finding form of one criterion; back on the review page."""
    value, rationale = finding_for(code)
    form = page.get_by_test_id(f"finding-form-{code}")
    form.get_by_label(f"Finding on {code}").select_option(value)
    form.get_by_label(f"Rationale for {code}").fill(rationale)
    form.get_by_role("button", name=f"Save finding on {code}").click()
    # The page again, with the finding saved (its version) and the flash.
    saved = page.get_by_test_id(f"finding-form-{code}")
    expect(saved.locator("input[name='version_id']")).not_to_have_value("")
    expect(flash(page)).to_contain_text("The finding is recorded.")
    expect(saved.get_by_label(f"Finding on {code}")).to_have_value(value)
    expect(saved.get_by_label(f"Rationale for {code}")).to_have_value(rationale)


def term_end(decided_on: dt.date, years: int) -> dt.date:
    """The day before the same date ``years`` later (a term from February 29 ends on
    February 28)."""
    try:
        anniversary = decided_on.replace(year=decided_on.year + years)
    except ValueError:
        anniversary = dt.date(decided_on.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def check_decision_page(page: Page, decided_on: dt.date) -> None:
    """The decision: outcome, term, and the findings with the Noncompliance rationale."""
    expect(page).to_have_url(re.compile(r"/decisions/show/\d+$"))
    expect(page.get_by_test_id("decision-page")).to_contain_text(P2)
    expect(page.get_by_test_id("decision-outcome")).to_have_text("Accreditation")
    term = page.get_by_test_id("decision-term")
    expect(term).to_contain_text(decided_on.strftime("%m/%d/%Y"))
    expect(term).to_contain_text(term_end(decided_on, 4).strftime("%m/%d/%Y"))
    table = page.get_by_test_id("decision-findings")
    noncompliant = table.locator(f"tr[data-code='{NONCOMPLIANT}']")
    expect(noncompliant).to_contain_text("Noncompliance")
    expect(noncompliant).to_contain_text(NONCOMPLIANCE_RATIONALE)
    expect(table.locator("tbody tr").filter(has_text="Noncompliance")).to_have_count(1)


# ---- the journey --------------------------------------------------------------------------


def test_surveyor_finds_staff_decide_and_the_contact_reads_the_history(
    page: Page, live_world: LiveWorld, review_under_way: ReviewUnderWay
) -> None:
    review = review_under_way
    assert len(review.required) == 14 and NONCOMPLIANT in review.required

    # The surveyor declares no conflict, records a finding on every required criterion
    # and adds a comment.
    sign_in(page, live_world.email("surveyor"))
    open_review_from_the_list(page, review, v.REVIEW_UNDER_REVIEW)
    expect(page.get_by_test_id(re.compile(r"^finding-form-"))).to_have_count(0)
    declare = page.get_by_test_id("declare-form")
    declare.get_by_label("I have no conflict of interest with this provider.").check()
    page.get_by_test_id("declare-submit").click()
    expect(flash(page)).to_contain_text("Thank you: you can now record findings.")
    expect(page.get_by_test_id("declare-panel")).to_have_count(0)
    for code in review.required:
        expect(page.get_by_test_id(f"finding-form-{code}")).to_be_visible()
    for code in review.required:
        record_finding(page, code)

    comments = page.get_by_test_id("comment-form")
    comments.get_by_label("Comment").fill(COMMENT)
    comments.get_by_role("button", name="Add the comment").click()
    expect(flash(page)).to_contain_text("Your comment is added.")
    expect(page.get_by_test_id("comment")).to_contain_text(COMMENT)
    # Surveyors never decide: no staff steps, no link to the decision.
    expect(page.get_by_test_id("staff-steps")).to_have_count(0)
    expect(page.get_by_test_id("review-decide")).to_have_count(0)
    expect(page.get_by_role("link", name="Record the decision")).to_have_count(0)
    assert_no_severe_violations(page, "review page (surveyor, findings)")
    sign_out(page)

    # Staff send the review to the committee and record the decision.
    sign_in(page, live_world.email("staff"))
    open_review_from_the_list(page, review, v.REVIEW_UNDER_REVIEW)
    expect(page.get_by_test_id("missing-findings")).to_have_count(0)
    expect(page.get_by_test_id("comment")).to_contain_text(COMMENT)
    page.get_by_test_id("review-committee").click()
    expect(flash(page)).to_contain_text("The review is with the committee.")
    expect(review_page(page)).to_have_attribute("data-stage", v.REVIEW_COMMITTEE)
    expect(page.get_by_test_id("review-stage")).to_have_text(v.REVIEW_COMMITTEE)

    page.get_by_test_id("review-decide").click()
    expect(page).to_have_url(re.compile(rf"/reviews/decide/{review.id}$"))
    expect(page.get_by_test_id("noncompliant")).to_contain_text(NONCOMPLIANT)
    assert_no_severe_violations(page, "decision form")
    form = page.get_by_test_id("review-decide-form")
    form.get_by_label("Outcome").select_option("Accreditation")
    today = utcnow().date()
    form.get_by_label("Decision date").fill(today.isoformat())
    page.get_by_test_id("review-decide-submit").click()
    expect(flash(page)).to_contain_text("The decision is recorded.")
    check_decision_page(page, today)
    assert_no_severe_violations(page, "decision page (staff)")

    page.get_by_role("link", name="The review this decision concluded").click()
    expect(review_page(page)).to_have_attribute("data-stage", v.REVIEW_DECIDED)
    expect(page.get_by_test_id("history")).to_contain_text("decision recorded")
    sign_out(page)

    # The provider's contact reads the decision and its findings in the history; the
    # surveyor's comment is not theirs to read.
    sign_in(page, live_world.email("contact_a"))
    go_to(page, "Accreditation", "Accreditation history")
    row = page.locator("table.table-hover tbody tr").filter(has_text=P2)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Accreditation")
    row.get_by_role("link", name="Show").click()
    check_decision_page(page, today)

    page.get_by_role("link", name="The review this decision concluded").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(review.url)}$"))
    expect(review_page(page)).to_have_attribute("data-stage", v.REVIEW_DECIDED)
    finding = page.locator(f"[data-testid='finding-row'][data-code='{NONCOMPLIANT}']")
    expect(finding.get_by_test_id("finding-value")).to_have_text("Noncompliance")
    expect(finding).to_contain_text(NONCOMPLIANCE_RATIONALE)
    expect(page.get_by_test_id("comments")).to_have_count(0)
    expect(page.get_by_test_id("comment-form")).to_have_count(0)
    expect(page.get_by_text(COMMENT)).to_have_count(0)
    assert COMMENT not in page.content()
