"""Generated activities (demo and synthetic data) keep the PARS lifecycle rules: each one
passes :func:`status_problems` for its own status on the reference date. Built in memory
with the generator's own API, no database."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from app.schema import vocabularies as v
from app.schema.lifecycle import MocEntry, SupportEntry, status_problems
from app.services import reference_data as ref
from app.services.bulk_rows import REFERENCE_DATE, ActivityMaker, Batch, ProviderInfo
from app.services.synthetic import FORMAT_WEIGHTS, YEAR_WEIGHTS, YEARS, provider_info, provider_row

ACTIVITIES = 3000


def providers(rng: random.Random, count: int = 24) -> list[ProviderInfo]:
    """Providers of every kind, as the synthetic generator describes them."""
    accreditor_ids: defaultdict[str, int] = defaultdict(int)
    kinds = v.PROVIDER_KINDS.values
    rows = [
        provider_row(
            rng,
            accme_id=f"{9_000_000 + n:07d}",
            kind=kinds[n % len(kinds)],
            accreditor_ids=accreditor_ids,
            used_names=set(),
        )
        for n in range(count)
    ]
    return [provider_info(rng, n + 1, row) for n, row in enumerate(rows)]


def generate(seed: int, *, moc_share: float, rems_share: float) -> tuple[Batch, dict[int, str]]:
    """``ACTIVITIES`` activities of the national format and year mix; and each
    activity's provider kind."""
    rng = random.Random(seed)
    infos = providers(rng)
    maker = ActivityMaker(rng, moc_share=moc_share, rems_share=rems_share)
    formats, weights = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
    kinds = {}
    for activity_id in range(1, ACTIVITIES + 1):
        info = rng.choice(infos)
        year = rng.choices(YEARS, YEAR_WEIGHTS)[0]
        maker.add(activity_id, info, year, rng.choices(formats, weights)[0])
        kinds[activity_id] = info.kind
    return maker.batch, kinds


def moc_entries(batch: Batch) -> dict[int, list[MocEntry]]:
    entries: dict[int, list[MocEntry]] = defaultdict(list)
    for row in batch.mocs:
        entries[row["activity_id"]].append(
            MocEntry(
                board=row["board"],
                points=row["points"],
                credit_types=tuple(row["credit_types"]),
                practice_areas=tuple(row["practice_areas"]),
                credit_claim_date=row["credit_claim_date"],
                content_area=row["content_area"],
                internal_id=row["internal_id"],
            )
        )
    return entries


def support_entries(batch: Batch) -> dict[int, list[SupportEntry]]:
    entries: dict[int, list[SupportEntry]] = defaultdict(list)
    for row in batch.supports:
        entries[row["activity_id"]].append(
            SupportEntry(row["source"], row["amount"], in_kind=row["kind"] == "In-kind")
        )
    return entries


SHARES = [
    pytest.param(0.085, 0.01, id="synthetic-mix"),
    pytest.param(0.11, 0.03, id="demo-mix"),
    pytest.param(0.6, 0.2, id="mostly-moc"),
]


@pytest.mark.parametrize(("moc_share", "rems_share"), SHARES)
@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_every_activity_may_be_in_its_status(
    seed: int, moc_share: float, rems_share: float
) -> None:
    batch, kinds = generate(seed, moc_share=moc_share, rems_share=rems_share)
    mocs, supports = moc_entries(batch), support_entries(batch)

    failures = {}
    for row in batch.activities:
        problems = status_problems(
            row,
            row["status"],
            provider_kind=kinds[row["id"]],
            today=REFERENCE_DATE,
            mocs=mocs[row["id"]],
            supports=supports[row["id"]],
        )
        if problems:
            failures[(row["id"], row["status"])] = [p.message for p in problems]

    assert len(batch.activities) == ACTIVITIES
    assert not failures, f"{len(failures)} activities fail, e.g. {next(iter(failures.items()))}"


def test_the_moc_cases_that_used_to_fail_are_generated() -> None:
    """Closed MOC activities (which need Fee, Registration and Activity URL) and
    activities of less than 1 credit registered for MOC (never with the ABP, whose
    whole points could not stay within the credits) occur, so the check above covers them."""
    batch, _ = generate(3, moc_share=0.6, rems_share=0.01)
    rows = {row["id"]: row for row in batch.activities}
    closed_moc = {
        m["activity_id"] for m in batch.mocs if rows[m["activity_id"]]["status"] == "Closed"
    }
    assert len(closed_moc) > 100
    assert all(
        rows[i]["fee"] and rows[i]["registration"] and rows[i]["activity_url"] for i in closed_moc
    )
    boards = Counter(m["board"] for m in batch.mocs)
    assert boards["ABP"] > 20 and len(boards) >= 5
    small = [m for m in batch.mocs if rows[m["activity_id"]]["credits"] < 1]
    assert small and all(m["board"] != "ABP" for m in small)
    for m in batch.mocs:
        credits = rows[m["activity_id"]]["credits"]
        assert Decimal(0) < m["points"] <= credits
        if m["board"] == "ABP":
            assert m["points"] == int(m["points"])
    assert {ref_profile.board for ref_profile in ref.MOC_BOARD_PROFILES} >= set(boards)
