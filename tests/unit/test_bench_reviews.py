"""The review benchmark (tests/benchmarks/reviews.py) builds its data at a tiny size, and
every page it measures answers, so that the bench cannot rot unnoticed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccreditationDecision,
    Activity,
    Provider,
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
)
from app.schema import vocabularies as v
from app.services import review_materials
from tests.benchmarks.harness import PASSWORD
from tests.benchmarks.reviews import Scale, build, emails_of, fetch, pages, remind
from tests.conftest import login

TINY = Scale(providers=24, surveyors=4, picked_reviews=4, stored_files=2)


def _count(model: type, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_bench_review_data_and_pages(app_ctx: Flask) -> None:
    today = dt.date.today()
    directory = review_materials.settings_from(app_ctx.config).directory
    built = build(db.session, TINY, today, directory)

    assert _count(Provider, Provider.kind == v.ACCME_KIND) == TINY.providers
    assert _count(Review) == 3 * TINY.providers
    assert _count(AccreditationDecision) == 2 * TINY.providers
    open_stages = Counter(
        db.session.scalars(select(Review.stage).where(Review.stage != v.REVIEW_DECIDED))
    )
    assert set(open_stages) == set(v.REVIEW_STAGES.values) - {v.REVIEW_DECIDED}
    assert sum(open_stages.values()) == TINY.providers
    staff_review = built.staff_review
    assert _count(ReviewFinding, ReviewFinding.review_id == staff_review) == 14
    assert _count(ReviewActivity, ReviewActivity.review_id == staff_review) == 15
    assert _count(ReviewMaterial, ReviewMaterial.review_id == staff_review) == 20
    assert _count(ReviewComment, ReviewComment.review_id == staff_review) == 3
    assert _count(ReviewEvent, ReviewEvent.review_id == staff_review) >= 8
    assert _count(Activity) == 15 * TINY.picked_reviews
    assert _count(ReviewAssignment, ReviewAssignment.recused.is_(False)) >= 2 * 4
    material = db.session.get(ReviewMaterial, built.material)
    assert material is not None and (directory / material.stored_name).is_file()

    clients = {}
    for who, email in emails_of(built).items():
        clients[who] = app_ctx.test_client()
        assert login(clients[who], email, PASSWORD).status_code == 302
    for page in pages(built):
        body = fetch(clients[page.who], page.url)
        assert body, page
    download = next(page.url for page in pages(built) if "/material/" in page.url)
    assert len(fetch(clients["staff"], download)) == built.material_bytes

    emails, _, statements, _ = remind(db.session, today)
    assert statements >= 1 and emails >= 0
