"""Synthetic PARS data at national scale (domain.md §8): providers and activities written
in bulk, for scale tests.

Business rules the generated data follows (activity rules: :mod:`activity_rows`):

* Provider mix about 40 % ACCME-accredited, 52 % state-accredited (accredited by the
  Recognized Accreditor of their state), 8 % jointly accredited. ACCME Provider IDs are
  7 digits and continue above the highest one in the database, so they never collide.
* Every provider has exactly one Primary Contact, a Provider Contact login.
* Activities per provider follow a long tail (median about 30 a year): most providers
  report a few dozen, a few report thousands; state-accredited providers are smaller.
* Formats about 37 % live courses, 40 % enduring materials, 12 % RSS, the rest spread;
  start years 2021-2026; about 8 % registered for MOC and 1 % REMS.

Rows are written per chunk of :data:`CHUNK_SIZE` activities and committed per chunk: this
is a developer's scale tool, not a user import, so a failure keeps the chunks written.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.models import Provider, ProviderContact, User
from app.schema import vocabularies as v
from app.security import roles
from app.services import reference_data as ref
from app.services.bulk_rows import (
    ACTIVITY,
    ActivityMaker,
    ProviderInfo,
    next_activity_id,
    sync_id_sequence,
    write_batch,
)
from app.services.errors import MissingRoleError

CHUNK_SIZE = 20_000
YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
YEAR_WEIGHTS = (15, 16, 17, 18, 19, 15)
FORMAT_WEIGHTS: dict[str, float] = {
    v.LIVE_COURSE: 37,
    v.RSS: 12,
    v.ENDURING: 40,
    "Journal CME/CE": 3,
    "Manuscript Review": 0.5,
    "Test-Item Writing": 1,
    "Committee Learning": 1,
    "Performance/Quality Improvement": 1.5,
    "Internet Searching and Learning": 1,
    "Learning from Teaching": 1,
    "Other/Blended Learning": 2,
}
KIND_WEIGHTS = {v.ACCME_KIND: 40, v.STATE_KIND: 52, v.JOINT_KIND: 8}
#: Relative size of a provider's program by kind (state providers are mostly local).
KIND_SIZE = {v.ACCME_KIND: 3.0, v.STATE_KIND: 0.5, v.JOINT_KIND: 4.0}
ORGANIZATION_WEIGHTS: dict[str, dict[str, int]] = {
    v.ACCME_KIND: {"School of Medicine": 20, "Nonprofit (Physician Membership Organization)": 30,
                   "Hospital/Healthcare Delivery System": 20, "Publishing/Education Company": 20,
                   "Government or Military": 3, "Insurance Company/Managed Care Company": 2,
                   "Nonprofit (Other)": 4, "Other": 1},
    v.STATE_KIND: {"Hospital/Healthcare Delivery System": 65,
                   "Nonprofit (Physician Membership Organization)": 15, "Nonprofit (Other)": 10,
                   "School of Medicine": 3, "Government or Military": 3,
                   "Insurance Company/Managed Care Company": 2, "Other": 2},
    v.JOINT_KIND: {"Hospital/Healthcare Delivery System": 45, "School of Medicine": 25,
                   "Publishing/Education Company": 20,
                   "Nonprofit (Physician Membership Organization)": 5, "Other": 5},
}  # fmt: skip
#: (status, weight, term in years) — domain.md §6.2.
ACCREDITATION_TERMS = (
    ("Provisional Accreditation", 12, 2),
    ("Accreditation", 55, 4),
    ("Accreditation with Commendation", 28, 6),
    ("Probation", 4, 4),
    ("Nonaccreditation", 1, 0),
)
ACTIVITY_ID_PREFIXES = ("CME-", "A", "ACT-", "", "PAR-", "EDU")
USERS = cast(Table, User.__table__)
USER_ROLES = USERS.metadata.tables["ab_user_role"]
PROVIDERS = cast(Table, Provider.__table__)
CONTACTS = cast(Table, ProviderContact.__table__)


def require_role(name: str) -> Any:
    """The FAB role called ``name``; raises MissingRoleError telling how to create it."""
    role = current_app.appbuilder.sm.find_role(name)  # type: ignore[attr-defined]
    if role is None:
        raise MissingRoleError(
            f"The role '{name}' does not exist. Run 'flask pars sync-roles' first."
        )
    return role


def _weighted(rng: random.Random, weights: dict[str, Any]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _term(rng: random.Random) -> tuple[str, dt.date | None, dt.date | None]:
    """An accreditation status with a term that runs into 2026 or later (none for
    Nonaccreditation); terms start at a decision month (March, July or December)."""
    status, _, years = rng.choices(ACCREDITATION_TERMS, [t[1] for t in ACCREDITATION_TERMS])[0]
    if not years:
        return status, None, None
    start = dt.date(rng.randint(max(2019, 2027 - years), 2025), rng.choice((3, 7, 12)), 1)
    return status, start, start.replace(year=start.year + years) - dt.timedelta(days=1)


def provider_row(
    rng: random.Random,
    *,
    accme_id: str,
    kind: str,
    accreditor_ids: dict[str, int],
    used_names: set[str],
    state: str | None = None,
) -> dict[str, Any]:
    """A provider row: a state-accredited provider is in its accreditor's state and is
    accredited by that state's Recognized Accreditor."""
    if kind == v.STATE_KIND:
        state = state or rng.choice(list(ref.STATE_ACCREDITOR_CODES))
        code = ref.STATE_ACCREDITOR_CODES[state]
    else:
        state = state or rng.choice(ref.STATE_CODES)
        code = ref.JA_CODE if kind == v.JOINT_KIND else ref.ACCME_CODE
    address = ref.us_address(rng, state)
    organization_type = _weighted(rng, ORGANIZATION_WEIGHTS[kind])
    local = kind == v.STATE_KIND
    name = ref.provider_name(rng, organization_type, state, address.city, local=local)
    status, term_start, term_end = _term(rng)
    return {
        "accme_id": accme_id,
        "name": ref.unique_name(used_names, name, address.city),
        "organization_type": organization_type,
        "kind": kind,
        "accreditor_id": accreditor_ids[code],
        "accreditation_status": status,
        "term_start": term_start,
        "term_end": term_end,
        "address_line1": address.line1,
        "address_line2": address.line2,
        "city": address.city,
        "state": state,
        "postal_code": address.postal_code,
        "country": "USA",
        "version_id": 1,
    }


def provider_info(rng: random.Random, provider_id: int, row: dict[str, Any]) -> ProviderInfo:
    """What activity generation needs to know about a provider row."""
    return ProviderInfo(
        id=provider_id,
        accme_id=row["accme_id"],
        kind=row["kind"],
        state=row["state"],
        city=row["city"],
        domain=ref.web_domain(row["name"]),
        partners=ref.partner_names(rng, row["state"], row["city"]),
        prefix=rng.choice(ACTIVITY_ID_PREFIXES),
    )


def _next_accme_id(session: Session, count: int) -> int:
    """The first ACCME Provider ID above every numeric one in use; IDs have 7 digits."""
    numbers = [int(i) for i in session.scalars(select(Provider.accme_id)) if i.isdigit()]
    first = max(numbers, default=0) + 1
    if first + count > 10_000_000:
        raise ValueError(f"Only {10_000_000 - first:,} more 7-digit ACCME Provider IDs remain.")
    return first


def _create_providers(session: Session, rng: random.Random, count: int) -> list[ProviderInfo]:
    """``count`` providers of the national kind mix, with their Primary Contacts."""
    accreditor_ids = {code: a.id for code, a in ref.ensure_accreditors(session).items()}
    first = _next_accme_id(session, count)
    used_names = set(session.scalars(select(Provider.name)))
    rows = [
        provider_row(
            rng,
            accme_id=f"{first + n:07d}",
            kind=_weighted(rng, KIND_WEIGHTS),
            accreditor_ids=accreditor_ids,
            used_names=used_names,
        )
        for n in range(count)
    ]
    ids = _insert_returning_ids(session, PROVIDERS, rows)
    _create_primary_contacts(session, rng, list(zip(ids, rows, strict=True)))
    return [provider_info(rng, pid, row) for pid, row in zip(ids, rows, strict=True)]


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one executemany; their new ids, in the order of ``rows``."""
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _create_primary_contacts(
    session: Session, rng: random.Random, providers: list[tuple[int, dict[str, Any]]]
) -> None:
    """One Provider Contact login per provider, listed as its Primary Contact."""
    role_id = require_role(roles.CONTACT).id
    password = generate_password_hash(ref.DEMO_PASSWORD)
    users = []
    for _, row in providers:
        first, last = rng.choice(ref.FIRST_NAMES), rng.choice(ref.LAST_NAMES)
        email = f"{first}.{last}.p{row['accme_id']}@example.org".lower()
        users.append(
            {"first_name": first, "last_name": last, "username": email, "email": email,
             "password": password, "active": True}
        )  # fmt: skip
    user_ids = _insert_returning_ids(session, USERS, users)
    session.execute(insert(USER_ROLES), [{"user_id": u, "role_id": role_id} for u in user_ids])
    contacts = [
        {"provider_id": pid, "user_id": uid, "contact_type": v.PRIMARY_CONTACT, "version_id": 1}
        for (pid, _), uid in zip(providers, user_ids, strict=True)
    ]
    session.execute(insert(CONTACTS), contacts)


@dataclass
class _Tally:
    activities: int = 0
    moc: int = 0
    rems: int = 0
    credits: int = 0
    learner_counts: int = 0
    supports: int = 0


def _create_activities(
    session: Session,
    rng: random.Random,
    providers: list[ProviderInfo],
    total: int,
    progress: Callable[[str], None],
) -> _Tally:
    """``total`` activities over ``providers`` (long-tailed), written and committed per
    chunk."""
    sizes = accumulate(rng.lognormvariate(0, 1.5) * KIND_SIZE[p.kind] for p in providers)
    cum_weights = list(sizes)
    formats, format_weights = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
    next_id, tally = next_activity_id(session), _Tally()
    while tally.activities < total:
        size = min(CHUNK_SIZE, total - tally.activities)
        maker = ActivityMaker(rng, moc_share=0.085, rems_share=0.01)
        picks = rng.choices(providers, cum_weights=cum_weights, k=size)
        years = rng.choices(YEARS, weights=YEAR_WEIGHTS, k=size)
        kinds = rng.choices(formats, weights=format_weights, k=size)
        for n in range(size):
            maker.add(next_id + n, picks[n], years[n], kinds[n])
        write_batch(session, maker.batch)
        session.commit()
        next_id += size
        _count(tally, maker)
        progress(f"activities: {tally.activities:,} / {total:,}")
    sync_id_sequence(session, ACTIVITY)
    session.commit()
    return tally


def _count(tally: _Tally, maker: ActivityMaker) -> None:
    batch = maker.batch
    tally.activities += len(batch.activities)
    tally.rems += sum(1 for row in batch.activities if row["rems_type"])
    tally.moc += len(batch.mocs)
    tally.credits += len(batch.credits)
    tally.learner_counts += len(batch.learners)
    tally.supports += len(batch.supports)


def _plural(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def generate(
    session: Session,
    *,
    providers: int,
    activities: int,
    seed: int,
    progress: Callable[[str], None],
) -> str:
    """Write ``providers`` synthetic providers (with their Primary Contacts) and
    ``activities`` activities spread over them; returns a one-paragraph summary.

    The same seed on the same database gives the same data. Accreditors are added first
    when missing. Commits per chunk.
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    try:
        infos = _create_providers(session, rng, providers)
        session.commit()
    except Exception:
        session.rollback()
        raise
    progress(f"providers: {len(infos):,} (with their Primary Contacts)")
    tally = _create_activities(session, rng, infos, activities, progress)
    elapsed = time.perf_counter() - started
    return (
        f"Generated {_plural(len(infos), 'provider')} and "
        f"{_plural(tally.activities, 'activity', 'activities')} "
        f"({tally.moc:,} MOC registrations, {tally.rems:,} REMS activities, "
        f"{tally.credits:,} JA credits, {tally.learner_counts:,} learner counts by profession, "
        f"{tally.supports:,} commercial support sources) in {elapsed:.1f} s."
    )
