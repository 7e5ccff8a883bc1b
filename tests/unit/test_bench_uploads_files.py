"""The batch-upload benchmark's files (tests/benchmarks/uploads.py) are valid PARS files:
a small one of each format checks with zero problems, every row a new activity."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.schema import vocabularies as v
from app.services import uploads
from tests.benchmarks.uploads import TODAY, add_provider, planned_activities, write_file

ROWS = 20


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bench_file_checks_clean(app_ctx: Flask, tmp_path: Path, kind: str) -> None:
    planned = planned_activities(ROWS)
    provider, contact = add_provider(db.session, 1)
    path = write_file(tmp_path, kind, planned, provider.accme_id)

    outcome = uploads.check_only(
        db.session,
        contact,
        provider,
        path,
        path.name,
        uploads.settings_from(app_ctx.config),
        today=TODAY,
    )

    assert [p.message for p in outcome.problems] == []
    assert (outcome.received, outcome.created, outcome.errors) == (ROWS, ROWS, 0)


def test_bench_activities_mix_the_statuses() -> None:
    planned = planned_activities(400)
    statuses = Counter(row["status"] for row in planned.rows)
    assert set(statuses) == set(v.ACTIVITY_STATUSES.values)
    assert len({row["provider_activity_id"] for row in planned.rows}) == 400
