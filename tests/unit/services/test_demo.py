"""The demo loader: a deterministic, idempotent demo world with one login per role."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import (
    Accreditor,
    AccreditorMember,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    Provider,
    ProviderContact,
    Review,
    ReviewAssignment,
    User,
)
from app.schema import vocabularies as v
from app.schema.fields import RPC_ID_PATTERN, UAN_PATTERN
from app.security import roles, scoping
from app.services.activities import problems_for
from app.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSummary, load_demo
from app.services.synthetic import MissingRoleError
from tests.conftest import clear_data

TABLES = (
    Accreditor,
    AccreditorMember,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    Provider,
    ProviderContact,
    Review,
    ReviewAssignment,
    User,
)
REFERENCE_DATE = dt.date(2026, 6, 30)


@pytest.fixture
def summary(app_ctx: Flask) -> DemoSummary:
    return load_demo(db.session)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def providers_of(email: str) -> list[Provider]:
    query = (
        select(Provider)
        .join(ProviderContact, ProviderContact.provider_id == Provider.id)
        .where(ProviderContact.user_id == user(email).id)
        .order_by(Provider.kind)
    )
    return list(db.session.scalars(query).unique())


def test_counts_are_within_the_stated_ranges(summary: DemoSummary) -> None:
    assert not summary.already_loaded
    assert count(Accreditor) == 43
    kinds = Counter(db.session.scalars(select(Provider.kind)))
    assert 45 <= sum(kinds.values()) <= 55
    assert 18 <= kinds[v.ACCME_KIND] <= 22
    assert 22 <= kinds[v.STATE_KIND] <= 28
    assert 4 <= kinds[v.JOINT_KIND] <= 6
    activities = count(Activity)
    assert 2500 <= activities <= 3500
    assert set(db.session.scalars(select(Activity.format).distinct())) == set(
        v.ACTIVITY_FORMATS.values
    )
    assert set(db.session.scalars(select(Activity.status).distinct())) == set(
        v.ACTIVITY_STATUSES.values
    )
    years = set(db.session.scalars(select(Activity.reporting_year).distinct()))
    assert years == {2022, 2023, 2024, 2025, 2026}
    moc_activities = db.session.scalar(select(func.count(MocRegistration.activity_id.distinct())))
    assert 0.06 * activities <= moc_activities <= 0.15 * activities
    assert count(ActivityCredit) > 0 and count(LearnerCount) > 0 and count(CommercialSupport) > 0
    rems = db.session.scalar(select(func.count()).where(Activity.rems_type.is_not(None)))
    assert 0.01 * activities <= rems <= 0.05 * activities
    assert summary.counts["Activities"] == activities
    assert summary.counts["Providers"] == sum(kinds.values())


def test_state_providers_spread_over_several_recognized_accreditors(
    summary: DemoSummary,
) -> None:
    states = db.session.execute(
        select(Provider.state, Accreditor.state, Accreditor.kind)
        .join(Accreditor)
        .where(Provider.kind == v.STATE_KIND)
    ).all()
    assert all(kind == "State" and ra == state for state, ra, kind in states)
    assert len({state for state, _, _ in states}) >= 4
    joint = db.session.scalars(
        select(Accreditor.code).join(Provider).where(Provider.kind == v.JOINT_KIND)
    ).all()
    assert set(joint) == {"JA"}
    ids = db.session.scalars(select(Provider.accme_id)).all()
    assert all(re.fullmatch(r"\d{7}", accme_id) for accme_id in ids)


def test_loading_again_writes_nothing(summary: DemoSummary) -> None:
    before = {model: count(model) for model in TABLES}

    again = load_demo(db.session)

    assert again.already_loaded
    assert {model: count(model) for model in TABLES} == before
    lines = "\n".join(again.lines())
    assert "already loaded" in lines
    for account in DEMO_ACCOUNTS:
        assert account.email in lines


def test_summary_lists_counts_and_every_login_with_its_role(summary: DemoSummary) -> None:
    lines = summary.lines()
    assert any("Activities" in line for line in lines)
    for account in DEMO_ACCOUNTS:
        assert any(account.email in line and account.role in line for line in lines)


def test_each_demo_account_exists_with_its_single_role(summary: DemoSummary) -> None:
    expected = {
        "admin@example.org": roles.ADMIN,
        "staff@example.org": roles.STAFF,
        "accreditor@example.org": roles.ACCREDITOR,
        "surveyor@example.org": roles.SURVEYOR,
        "contact@example.org": roles.CONTACT,
        "ja@example.org": roles.CONTACT,
    }
    for email, role in expected.items():
        account = user(email)
        assert [r.name for r in account.roles] == [role]
        assert account.username == email and account.active
        assert account.first_name and account.last_name
    assert check_password_hash(user("contact@example.org").password, DEMO_PASSWORD)


def test_contact_is_primary_contact_of_one_accme_and_one_state_provider(
    summary: DemoSummary,
) -> None:
    providers = providers_of("contact@example.org")
    assert [p.kind for p in providers] == [v.ACCME_KIND, v.STATE_KIND]
    types = db.session.scalars(
        select(ProviderContact.contact_type).where(
            ProviderContact.user_id == user("contact@example.org").id
        )
    ).all()
    assert types == [v.PRIMARY_CONTACT, v.PRIMARY_CONTACT]
    visible = scoping.visible_provider_ids(db.session, user("contact@example.org"))
    assert visible == {p.id for p in providers}


def test_accreditor_acts_for_the_state_providers_accreditor(summary: DemoSummary) -> None:
    state_provider = providers_of("contact@example.org")[1]
    members = db.session.scalars(
        select(AccreditorMember).where(
            AccreditorMember.user_id == user("accreditor@example.org").id
        )
    ).all()
    assert [m.accreditor_id for m in members] == [state_provider.accreditor_id]
    assert members[0].accreditor.kind == "State"
    visible = scoping.visible_provider_ids(db.session, user("accreditor@example.org"))
    assert state_provider.id in visible
    assert all(db.session.get(Provider, pid).kind == v.STATE_KIND for pid in visible)


def test_surveyor_reviews_an_accme_provider_that_is_not_contacts(summary: DemoSummary) -> None:
    assignments = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.user_id == user("surveyor@example.org").id)
    ).all()
    assert len(assignments) == 1
    review = assignments[0].review
    assert (review.cycle, review.stage) == ("Reaccreditation", "Under Review")
    assert review.provider.kind == v.ACCME_KIND
    assert review.provider_id not in {p.id for p in providers_of("contact@example.org")}
    visible = scoping.visible_provider_ids(db.session, user("surveyor@example.org"))
    assert visible == {review.provider_id}


def test_the_surveyors_review_has_materials_to_read(summary: DemoSummary) -> None:
    """A self-study report and picked activities of the term with evidence, stored as
    real files that the surveyor may download."""
    import hashlib

    from flask import current_app

    from app.models import ReviewActivity, ReviewMaterial
    from app.services import review_materials

    surveyor = user("surveyor@example.org")
    review = (
        db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.user_id == surveyor.id))
        .one()
        .review
    )
    materials = db.session.scalars(
        select(ReviewMaterial).where(ReviewMaterial.review_id == review.id)
    ).all()
    picks = db.session.scalars(
        select(ReviewActivity).where(ReviewActivity.review_id == review.id)
    ).all()
    assert [m.kind for m in materials].count(v.MATERIAL_SELF_STUDY) == 1
    assert 1 <= len(picks) <= 3
    assert {m.review_activity_id for m in materials if m.kind == v.MATERIAL_EVIDENCE} == {
        p.id for p in picks
    }
    settings = review_materials.settings_from(current_app.config)
    for material in materials:
        item, path = review_materials.material_file(db.session, surveyor, material.id, settings)
        content = path.read_bytes()
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(content).hexdigest() == item.sha256
        review_materials.check_file(item.display_name, content, settings.max_bytes)


def test_ja_contact_is_contact_of_a_jointly_accredited_provider(summary: DemoSummary) -> None:
    providers = providers_of("ja@example.org")
    assert [p.kind for p in providers] == [v.JOINT_KIND]
    assert providers[0].accreditor.code == "JA"


def test_every_provider_has_exactly_one_primary_contact(summary: DemoSummary) -> None:
    primaries = Counter(
        db.session.scalars(
            select(ProviderContact.provider_id).where(
                ProviderContact.contact_type == v.PRIMARY_CONTACT
            )
        )
    )
    assert set(primaries) == set(db.session.scalars(select(Provider.id)))
    assert set(primaries.values()) == {1}
    others = db.session.scalar(
        select(func.count()).where(ProviderContact.contact_type != v.PRIMARY_CONTACT)
    )
    assert others >= count(Provider)
    emails = db.session.scalars(select(User.email)).all()
    contact_emails = [e for e in emails if e not in {a.email for a in DEMO_ACCOUNTS}]
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@example\.org", e) for e in contact_emails)


def test_activity_fields_follow_their_status(summary: DemoSummary) -> None:
    for activity in db.session.scalars(select(Activity)):
        assert activity.reporting_year == activity.start_date.year
        assert activity.end_date >= activity.start_date
        if activity.status == v.ACTIVE:
            assert activity.end_date >= REFERENCE_DATE
        if activity.status in (v.READY_TO_CLOSE, v.CLOSED):
            assert activity.end_date < REFERENCE_DATE
            assert activity.description and activity.delivery_methods and activity.providership
            assert activity.credits % Decimal("0.25") == 0
            if v.IN_PERSON in activity.delivery_methods:
                assert activity.city and activity.country
        if activity.status == v.CLOSED:
            assert activity.outcomes and activity.commercial_support is not None
            assert activity.physician_learners is not None
            assert activity.other_learners is not None
            if activity.providership == "Joint":
                assert activity.joint_providers
        if activity.rems_id:
            assert re.fullmatch(RPC_ID_PATTERN, activity.rems_id)
        for uan in (activity.pharmacy_uan, activity.pharmacy_tech_uan):
            assert uan is None or re.fullmatch(UAN_PATTERN, uan)
        if activity.target_professions:
            assert activity.provider.kind == v.JOINT_KIND


def test_every_activity_passes_the_rules_of_its_status(summary: DemoSummary) -> None:
    """As stored, each demo activity (with its MOC boards and support sources) may be in
    its status on the reference date: nothing the lifecycle would refuse."""
    activities = db.session.scalars(
        select(Activity).options(
            selectinload(Activity.provider),
            selectinload(Activity.moc_registrations),
            selectinload(Activity.commercial_supports),
        )
    ).all()
    failures = {
        (a.id, a.status): problems
        for a in activities
        if (problems := problems_for(a, a.status, REFERENCE_DATE))
    }
    assert activities and not failures, f"{len(failures)} fail, e.g. {next(iter(failures.items()))}"


def test_ja_child_rows_belong_to_jointly_accredited_providers(summary: DemoSummary) -> None:
    kinds = set(
        db.session.scalars(
            select(Provider.kind)
            .join(Activity, Activity.provider_id == Provider.id)
            .join(ActivityCredit, ActivityCredit.activity_id == Activity.id)
            .distinct()
        )
    )
    assert kinds == {v.JOINT_KIND}
    assert db.session.scalar(select(func.count()).where(Activity.pharmacy_uan.is_not(None)))


def snapshot() -> list[tuple[int, str, str, str, str]]:
    rows = db.session.execute(
        select(
            Activity.id,
            Provider.accme_id,
            Activity.provider_activity_id,
            Activity.title,
            Activity.status,
        )
        .join(Provider)
        .order_by(Activity.id)
    )
    return [tuple(row) for row in rows]


def test_two_loads_into_empty_databases_give_the_same_data(app_ctx: Flask) -> None:
    load_demo(db.session)
    first = snapshot()
    clear_data()

    load_demo(db.session)

    assert snapshot() == first
    assert len(first) == count(Activity)


def test_missing_roles_are_explained_and_nothing_is_written(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_ctx.appbuilder.sm, "find_role", lambda name: None)

    with pytest.raises(MissingRoleError, match="flask pars sync-roles"):
        load_demo(db.session)

    assert count(Provider) == 0 and count(User) == 0
