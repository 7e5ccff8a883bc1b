"""The bulk synthetic-data generator: realistic mixes, unique keys, safe to run again."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Accreditor,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
    Provider,
    ProviderContact,
)
from app.schema import vocabularies as v
from app.schema.fields import UAN_PATTERN
from app.services.demo import load_demo
from app.services.synthetic import generate

CHILD_TABLES = (ActivityCredit, CommercialSupport, LearnerCount, MocRegistration)


def run(providers: int = 40, activities: int = 2000, seed: int = 11) -> tuple[str, list[str]]:
    messages: list[str] = []
    result = generate(
        db.session, providers=providers, activities=activities, seed=seed, progress=messages.append
    )
    return result, messages


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def assert_keys_unique() -> None:
    keys = db.session.execute(select(Activity.provider_id, Activity.provider_activity_id)).all()
    assert len(keys) == len(set(keys))
    accme_ids = db.session.scalars(select(Provider.accme_id)).all()
    assert len(accme_ids) == len(set(accme_ids))
    assert all(re.fullmatch(r"\d{7}", accme_id) for accme_id in accme_ids)


def assert_children_reference_activities() -> None:
    for model in CHILD_TABLES:
        orphans = db.session.scalar(
            select(func.count())
            .select_from(model)
            .outerjoin(Activity, Activity.id == model.activity_id)
            .where(Activity.id.is_(None))
        )
        assert orphans == 0, model.__name__


def test_small_run_writes_what_was_asked(app_ctx: Flask) -> None:
    result, messages = run()

    assert count(Accreditor) == 43
    assert count(Provider) == 40
    assert count(Activity) == 2000
    assert "2,000 activities" in result and "40 providers" in result
    assert messages[-1] == "activities: 2,000 / 2,000"
    assert_keys_unique()
    assert_children_reference_activities()
    kinds = Counter(db.session.scalars(select(Provider.kind)))
    assert set(kinds) == set(v.PROVIDER_KINDS.values)
    years = set(db.session.scalars(select(Activity.reporting_year).distinct()))
    assert years == {2021, 2022, 2023, 2024, 2025, 2026}
    assert set(db.session.scalars(select(Activity.status).distinct())) == set(
        v.ACTIVITY_STATUSES.values
    )


def test_providers_are_accredited_consistently_with_one_primary_contact(app_ctx: Flask) -> None:
    run()

    rows = db.session.execute(
        select(
            Provider.kind, Provider.state, Accreditor.kind, Accreditor.state, Accreditor.code
        ).join(Accreditor)
    ).all()
    for kind, state, accreditor_kind, accreditor_state, code in rows:
        if kind == v.STATE_KIND:
            assert (accreditor_kind, accreditor_state) == ("State", state)
        else:
            assert code == ("JA" if kind == v.JOINT_KIND else "ACCME")
    primaries = Counter(
        db.session.scalars(
            select(ProviderContact.provider_id).where(
                ProviderContact.contact_type == v.PRIMARY_CONTACT
            )
        )
    )
    assert len(primaries) == count(Provider) and set(primaries.values()) == {1}


def test_ja_data_only_for_jointly_accredited_providers(app_ctx: Flask) -> None:
    run()

    credit_kinds = set(
        db.session.scalars(
            select(Provider.kind)
            .join(Activity, Activity.provider_id == Provider.id)
            .join(ActivityCredit, ActivityCredit.activity_id == Activity.id)
            .distinct()
        )
    )
    assert credit_kinds == {v.JOINT_KIND}
    uans = db.session.scalars(
        select(Activity.pharmacy_uan).where(Activity.pharmacy_uan.is_not(None))
    )
    assert all(re.fullmatch(UAN_PATTERN, uan) for uan in uans)


def test_mixes_follow_the_national_figures(app_ctx: Flask) -> None:
    run(providers=150, activities=20_000, seed=3)

    total = count(Activity)
    formats = Counter(db.session.scalars(select(Activity.format)))
    assert 0.32 <= formats[v.LIVE_COURSE] / total <= 0.42
    assert 0.35 <= formats[v.ENDURING] / total <= 0.45
    assert 0.09 <= formats[v.RSS] / total <= 0.15
    assert set(formats) == set(v.ACTIVITY_FORMATS.values)
    kinds = Counter(db.session.scalars(select(Provider.kind)))
    assert 0.28 <= kinds[v.ACCME_KIND] / 150 <= 0.52
    assert 0.40 <= kinds[v.STATE_KIND] / 150 <= 0.64
    assert 0.02 <= kinds[v.JOINT_KIND] / 150 <= 0.16
    moc = db.session.scalar(select(func.count(MocRegistration.activity_id.distinct())))
    assert 0.05 <= moc / total <= 0.11
    rems = db.session.scalar(select(func.count()).where(Activity.rems_type.is_not(None)))
    assert 0.004 <= rems / total <= 0.02
    per_provider = sorted(
        db.session.scalars(
            select(func.count()).select_from(Activity).group_by(Activity.provider_id)
        )
    )
    median = per_provider[len(per_provider) // 2]
    assert per_provider[-1] > 5 * median, "activities per provider should have a long tail"


def test_runs_twice_in_a_row(app_ctx: Flask) -> None:
    run(seed=5)
    first_max = db.session.scalar(select(func.max(Provider.accme_id)))

    run(seed=5)

    assert count(Provider) == 80
    assert count(Activity) == 4000
    assert_keys_unique()
    assert_children_reference_activities()
    new_ids = db.session.scalars(select(Provider.accme_id).where(Provider.accme_id > first_max))
    assert len(list(new_ids)) == 40


def test_runs_after_the_demo(app_ctx: Flask) -> None:
    load_demo(db.session)
    demo_providers, demo_activities = count(Provider), count(Activity)
    demo_max_activity = db.session.scalar(select(func.max(Activity.id)))

    run(providers=30)

    assert count(Provider) == demo_providers + 30
    assert count(Activity) == demo_activities + 2000
    assert count(Accreditor) == 43
    assert_keys_unique()
    assert_children_reference_activities()
    new_ids = db.session.scalars(select(Activity.id).where(Activity.id > demo_max_activity))
    assert len(list(new_ids)) == 2000


@pytest.mark.parametrize("activities", [0, 1])
def test_tiny_runs(app_ctx: Flask, activities: int) -> None:
    result, _ = run(providers=1, activities=activities)

    assert count(Provider) == 1 and count(Activity) == activities
    assert result.startswith("Generated 1 provider and ")
