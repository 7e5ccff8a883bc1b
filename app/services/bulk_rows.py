"""Realistic activity rows for generated data (demo and synthetic), built without the ORM.

Each activity is a plain dict for the ``activity`` table, with its child rows (commercial
support, MOC registrations, JA credits, learner counts) in matching lists, so thousands
can be written per statement. The rules they follow (domain.md §1.2-§1.9, §5):

* Dates: the reporting year is the start date's year; live courses last a few days,
  an RSS at most 12 months, an enduring material up to 3 years.
* Status as of :data:`REFERENCE_DATE`: an activity whose end date is not past is Draft or
  Active; a past one is Closed, Ready to Close or (rarely) an unfinished Draft.
* Each status carries the fields PARS requires for it (§1.3): Active and Ready to Close
  add delivery, location (in person), credits in 0.25 steps, description, providership
  and CME Finder data; Closed adds joint providers, outcomes, commercial support and
  learner counts. Every activity passes :func:`app.schema.lifecycle.status_problems` for
  its own status with :data:`REFERENCE_DATE` as today.
* MOC (§1.7): an activity registered for MOC gives the Fee, Registration and Activity
  URL learners see (closing requires them), and attests; each board's points are the
  credits (at most the credits), whole for the ABP, which is therefore only chosen when
  the activity has at least 1 credit.
* Jointly accredited providers' activities carry target professions, JA credit types,
  pharmacy fields with valid UANs and learner counts by profession (pharmacist counts
  go to CPE Monitor, not JA-PARS, so they are not broken out).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.models import ActivityCredit, CommercialSupport, LearnerCount, MocRegistration
from app.models.activity import Activity
from app.models.base import TextList
from app.schema import lifecycle
from app.schema import vocabularies as v
from app.services import reference_data as ref
from app.services.bulk_sql import copy_rows

#: "Today" for generated statuses: fixed, so the same seed gives the same data any day.
REFERENCE_DATE = dt.date(2026, 6, 30)

ACTIVITY = cast(Table, Activity.__table__)
SUPPORT = cast(Table, CommercialSupport.__table__)
MOC = cast(Table, MocRegistration.__table__)
CREDIT = cast(Table, ActivityCredit.__table__)
LEARNERS = cast(Table, LearnerCount.__table__)
_SERVER_SET = frozenset({"created_on", "changed_on"})
#: An activity row with every column; empty lists are tuples so copies never share one.
_BLANK: dict[str, Any] = {
    column.name: () if isinstance(column.type, TextList) else None
    for column in ACTIVITY.columns
    if column.name not in _SERVER_SET
}
_QUARTERS = tuple(Decimal(n) / 4 for n in range(4001))

_IP, _LS, _ON, _PR = v.DELIVERY_METHODS.values


@dataclass(frozen=True)
class FormatProfile:
    """How activities of one format usually look: duration in days, credits in quarter
    hours, median physician learners, and delivery-method choices (repeats = weight)."""

    days: tuple[int, int]
    quarters: tuple[int, int]
    learners: int
    deliveries: tuple[tuple[str, ...], ...]


_LIVE = ((_IP,),) * 13 + ((_LS,),) * 3 + ((_IP, _LS),) * 4
_REMOTE = ((_ON,),) * 17 + ((_PR,),) * 2 + ((_ON, _PR),)
FORMAT_PROFILES: dict[str, FormatProfile] = {
    v.LIVE_COURSE: FormatProfile((0, 3), (4, 80), 90, _LIVE),
    v.RSS: FormatProfile((120, 364), (48, 208), 400, _LIVE),
    v.ENDURING: FormatProfile((180, 1095), (1, 40), 250, _REMOTE),
    "Journal CME/CE": FormatProfile((30, 364), (2, 8), 60, ((_ON,), (_ON,), (_PR,))),
    "Manuscript Review": FormatProfile((0, 120), (4, 12), 2, ((_ON,),)),
    "Test-Item Writing": FormatProfile((30, 240), (4, 40), 6, ((_ON,), (_IP,))),
    "Committee Learning": FormatProfile((60, 364), (8, 80), 12, ((_IP,), (_IP, _LS))),
    "Performance/Quality Improvement": FormatProfile((90, 364), (20, 80), 30, ((_ON,), (_IP,))),
    "Internet Searching and Learning": FormatProfile((0, 364), (1, 2), 40, ((_ON,),)),
    "Learning from Teaching": FormatProfile((0, 364), (4, 80), 15, ((_IP,), (_ON,))),
    "Other/Blended Learning": FormatProfile((14, 300), (4, 60), 80, ((_IP, _ON), (_ON,))),
}
_FINDER_FORMATS = frozenset({v.LIVE_COURSE, v.RSS, v.ENDURING, "Other/Blended Learning"})
_PHARMACY_DESIGNATOR = {v.LIVE_COURSE: "L", v.RSS: "L", v.ENDURING: "H"}
#: JA target professions besides physicians; repeats weight the common ones.
_JA_POOL = (("Nurse",) * 10 + ("Pharmacist",) * 6 + ("Physician Assistant",) * 5
            + ("Pharmacy Technician", "Psychologist", "Social Worker") * 2
            + ("Registered Dietitian", "Dentist", "Optometrist", "Athletic Trainer",
               "Allied Dental Staff", "Dietetic Technician Registered"))  # fmt: skip
_NOT_BROKEN_OUT = frozenset({"Physician", "Pharmacist", "Pharmacy Technician"})
_BOARD_CUM = tuple(accumulate(p.weight for p in ref.MOC_BOARD_PROFILES))
#: The boards that accept fractional points, for activities of less than 1 credit.
_FRACTIONAL_BOARDS = tuple(
    p for p in ref.MOC_BOARD_PROFILES if p.board not in lifecycle.WHOLE_POINT_BOARDS
)
_FRACTIONAL_CUM = tuple(accumulate(p.weight for p in _FRACTIONAL_BOARDS))


@dataclass
class ProviderInfo:
    """What activity rows need to know about their provider."""

    id: int
    accme_id: str
    kind: str
    state: str
    city: str
    domain: str
    partners: list[str]
    prefix: str
    activity_count: int = 0


@dataclass
class Batch:
    """Rows for one bulk write: activities and their child rows."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    supports: list[dict[str, Any]] = field(default_factory=list)
    mocs: list[dict[str, Any]] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)
    learners: list[dict[str, Any]] = field(default_factory=list)


class ActivityMaker:
    """Appends realistic activities (and their child rows) to :attr:`batch`."""

    def __init__(self, rng: random.Random, *, moc_share: float, rems_share: float) -> None:
        self.rng = rng
        self.moc_share = moc_share
        self.rems_share = rems_share
        self.batch = Batch()

    def add(self, activity_id: int, provider: ProviderInfo, year: int, fmt: str) -> None:
        """One activity of ``provider`` starting in ``year``; counts it on the provider."""
        rng = self.rng
        provider.activity_count += 1
        profile = FORMAT_PROFILES[fmt]
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        end = start + dt.timedelta(days=rng.randint(*profile.days))
        status = self._status(end)
        topic = rng.choice(ref.TOPICS)
        row = dict(_BLANK)
        row.update(
            id=activity_id,
            provider_id=provider.id,
            provider_activity_id=f"{provider.prefix}{year % 100:02d}-{provider.activity_count:05d}",
            status=status,
            title=ref.activity_title(rng, fmt, topic, start.year, provider.city),
            format=fmt,
            start_date=start,
            end_date=end,
            reporting_year=start.year,
            version_id=1,
        )
        if rng.random() < self.rems_share:
            self._rems(row)
        if status != v.DRAFT or rng.random() < 0.5:
            self._describe(row, provider, profile, topic)
        if status == v.CLOSED:
            self._close(row, provider, profile)
        if status != v.DRAFT and rng.random() < self.moc_share:
            self._register_moc(row, provider)
        self.batch.activities.append(row)

    def _status(self, end: dt.date) -> str:
        """Draft or Active while the end date is not past (Active needs that); after it,
        mostly Closed, older years almost all Closed, a few left Ready to Close or Draft."""
        chance = self.rng.random()
        if end >= REFERENCE_DATE:
            return v.DRAFT if chance < 0.12 else v.ACTIVE
        if end.year <= REFERENCE_DATE.year - 2:
            return v.CLOSED if chance < 0.97 else v.READY_TO_CLOSE
        if chance < 0.72:
            return v.CLOSED
        return v.READY_TO_CLOSE if chance < 0.96 else v.DRAFT

    def _rems(self, row: dict[str, Any]) -> None:
        """A REMS activity: its program and the RPC ID (EG-######-###) of §1.8."""
        rng = self.rng
        row["rems_type"] = "Opioid Analgesic" if rng.random() < 0.85 else "Mycophenolate"
        row["rems_id"] = f"EG-{rng.randrange(10**6):06d}-{rng.randint(1, 999):03d}"

    def _describe(
        self, row: dict[str, Any], provider: ProviderInfo, profile: FormatProfile, topic: str
    ) -> None:
        """The fields PARS requires from Active on (delivery, location, credits, ...)."""
        rng = self.rng
        fmt = row["format"]
        row["delivery_methods"] = list(rng.choice(profile.deliveries))
        if _IP in row["delivery_methods"]:
            self._locate(row, provider)
        quarters = rng.randint(*profile.quarters)
        row["credits"] = _QUARTERS[quarters // 4 * 4 if fmt == v.RSS else quarters]
        joint = provider.kind == v.JOINT_KIND
        row["description"] = ref.activity_description(rng, row["title"], fmt, topic, joint)
        row["providership"] = "Joint" if rng.random() < 0.18 else "Direct"
        if row["providership"] == "Joint":
            row["joint_providers"] = rng.sample(provider.partners, 1)
        row["cme_finder"] = fmt in _FINDER_FORMATS and rng.random() < 0.4
        if row["cme_finder"]:
            self._listing(row, provider)
        row["mips"] = rng.random() < 0.08
        if joint:
            self._interprofessional(row, provider)

    def _listing(self, row: dict[str, Any], provider: ProviderInfo) -> None:
        """Fee, Registration and Activity URL, as learners see them in CME Finder and the
        boards' MOC listings (§1.7, §1.9)."""
        rng = self.rng
        row["fee"] = rng.choice(("Yes", "Yes", "No, it's free", "Variable"))
        row["registration"] = "Limited" if rng.random() < 0.2 else "Open to all"
        row["activity_url"] = f"https://{provider.domain}/cme/{row['provider_activity_id'].lower()}"

    def _locate(self, row: dict[str, Any], provider: ProviderInfo) -> None:
        """In-person activities: mostly in the provider's city, a few abroad."""
        chance = self.rng.random()
        if chance < 0.04:
            row["city"], row["country"] = self.rng.choice(ref.FOREIGN_CITIES)
            return
        state = provider.state if chance < 0.75 else self.rng.choice(ref.STATE_CODES)
        city = provider.city if state == provider.state else self.rng.choice(ref.CITIES[state])[0]
        row.update(city=city, state=state, country="USA")

    def _interprofessional(self, row: dict[str, Any], provider: ProviderInfo) -> None:
        """JA-PARS fields: target professions, credit types and pharmacy data."""
        rng = self.rng
        interprofessional = rng.random() < 0.45
        picks = [rng.choice(_JA_POOL) for _ in range(rng.randint(2, 4) if interprofessional else 1)]
        targets = ["Physician", *dict.fromkeys(picks)]
        row["is_interprofessional"] = interprofessional
        row["target_professions"] = targets
        types = (["IPCE"] if interprofessional else []) + [
            ref.PROFESSION_CREDIT_TYPES[t] for t in targets[1:]
        ]
        for credit_type in dict.fromkeys(types):
            self.batch.credits.append(
                {"activity_id": row["id"], "credit_type": credit_type, "amount": row["credits"]}
            )
        if "Pharmacist" in targets or "Pharmacy Technician" in targets:
            self._pharmacy(row, provider, targets)

    def _pharmacy(self, row: dict[str, Any], provider: ProviderInfo, targets: list[str]) -> None:
        """ACPE fields; the UAN is {provider}-{joint designator}-{yy}-{seq}-{format+topic}-{P|T}."""
        rng = self.rng
        topic = rng.choice(v.PHARMACY_TOPICS.values)
        row["pharmacy_activity_type"] = rng.choice(("Knowledge",) * 7 + ("Application",) * 3)
        row["pharmacy_topic"] = topic
        designator = _PHARMACY_DESIGNATOR.get(row["format"], "E")
        joint = "9999" if row["providership"] == "Joint" else "0000"
        sequence = (provider.activity_count - 1) % 999 + 1
        stem = (
            f"JA{provider.accme_id}-{joint}-{row['reporting_year'] % 100:02d}-{sequence:03d}-"
            f"{designator}{topic[:2]}"
        )
        if "Pharmacist" in targets:
            row["pharmacy_uan"] = f"{stem}-P"
        if "Pharmacy Technician" in targets:
            row["pharmacy_tech_uan"] = f"{stem}-T"

    def _close(self, row: dict[str, Any], provider: ProviderInfo, profile: FormatProfile) -> None:
        """The fields PARS requires to close: outcomes, support, learners, joint providers."""
        rng = self.rng
        if row["providership"] == "Joint" and not row["joint_providers"]:
            row["joint_providers"] = rng.sample(provider.partners, 1)
        outcomes = rng.sample(v.OUTCOMES.values[:3], rng.choice((1, 1, 2, 2, 3)))
        if rng.random() < 0.12:
            outcomes.append(rng.choice(v.OUTCOMES.values[3:]))
        row["outcomes"] = [o for o in v.OUTCOMES.values if o in outcomes]
        physicians = int(profile.learners * rng.lognormvariate(0, 0.9))
        row["physician_learners"] = physicians
        row["other_learners"] = int(physicians * rng.uniform(0.1, 1.6))
        self._support(row)
        if rng.random() < 0.12:
            row["commendation_tags"] = rng.sample(v.COMMENDATION_TAGS.values, rng.randint(1, 2))
        if row["target_professions"]:
            self._count_professions(row)

    def _support(self, row: dict[str, Any]) -> None:
        """Commercial support: a few activities have supporters; REMS ones have the RPC."""
        rng = self.rng
        sources = rng.sample(ref.SUPPORTERS, rng.randint(1, 3)) if rng.random() < 0.07 else []
        if row["rems_type"]:
            sources.append(ref.REMS_SUPPORTER)
        row["commercial_support"] = bool(sources)
        for source in sources:
            monetary = source == ref.REMS_SUPPORTER or rng.random() < 0.8
            self.batch.supports.append(
                {
                    "activity_id": row["id"],
                    "source": source,
                    "kind": "Monetary" if monetary else "In-kind",
                    "amount": Decimal(rng.randrange(10, 600) * 250) if monetary else None,
                }
            )

    def _count_professions(self, row: dict[str, Any]) -> None:
        """Learners by profession per year (an enduring material counts each year it runs);
        other learners is their total plus pharmacy learners, who go to CPE Monitor."""
        rng = self.rng
        professions = [p for p in row["target_professions"] if p not in _NOT_BROKEN_OUT]
        if rng.random() < 0.2:
            professions.append("Other")
        last_year = min(row["end_date"].year, REFERENCE_DATE.year)
        years = range(row["reporting_year"], last_year + 1)
        total = 0
        for profession in professions:
            for year in years if row["format"] == v.ENDURING else years[:1]:
                count = int(max(row["physician_learners"], 10) * rng.uniform(0.05, 0.8))
                total += count
                self.batch.learners.append(
                    {
                        "activity_id": row["id"],
                        "profession": profession,
                        "year": year,
                        "count": count,
                    }
                )
        pharmacy = sum(p in _NOT_BROKEN_OUT for p in row["target_professions"][1:])
        row["other_learners"] = total + pharmacy * rng.randint(0, 60)

    def _register_moc(self, row: dict[str, Any], provider: ProviderInfo) -> None:
        """CME that Counts for MOC with one or two boards (§1.7): the points are the
        credits (whole for the ABP, rounded down, so never above the credits), and the
        activity gives the Fee, Registration and Activity URL closing asks of it."""
        rng = self.rng
        credits = row["credits"]
        if credits is None:
            return
        profiles, cum = (
            (ref.MOC_BOARD_PROFILES, _BOARD_CUM)
            if credits >= 1
            else (_FRACTIONAL_BOARDS, _FRACTIONAL_CUM)
        )
        boards = dict.fromkeys(rng.choices(profiles, cum_weights=cum, k=rng.choice((1, 1, 1, 2))))
        if not (row["fee"] and row["registration"] and row["activity_url"]):
            self._listing(row, provider)
        for profile in boards:
            points = credits
            if profile.board in lifecycle.WHOLE_POINT_BOARDS:
                points = Decimal(int(credits))
            self.batch.mocs.append(
                {
                    "activity_id": row["id"],
                    "board": profile.board,
                    "points": points,
                    "credit_types": rng.sample(profile.credit_types, rng.randint(1, 2)),
                    "practice_areas": rng.sample(
                        profile.practice_areas, min(len(profile.practice_areas), rng.randint(1, 3))
                    ),
                    "credit_claim_date": row["end_date"] + dt.timedelta(days=rng.randint(30, 365)),
                    "content_area": None,
                    "internal_id": f"{profile.board}-{rng.randrange(10**6):06d}"
                    if rng.random() < 0.2
                    else None,
                }
            )
        row["moc_attestation"] = True


# --- Writing ---------------------------------------------------------------------------------


def _is_postgres(session: Session) -> bool:
    """Whether the session writes to PostgreSQL (which gets COPY)."""
    return session.connection().dialect.name == "postgresql"


def write_batch(session: Session, batch: Batch) -> None:
    """Write a batch in bulk: COPY on PostgreSQL, Core executemany elsewhere. Activities
    first (children reference them). Does not commit."""
    tables = (
        (ACTIVITY, batch.activities),
        (SUPPORT, batch.supports),
        (MOC, batch.mocs),
        (CREDIT, batch.credits),
        (LEARNERS, batch.learners),
    )
    postgres = _is_postgres(session)
    for table, rows in tables:
        if not rows:
            continue
        if postgres:
            copy_rows(session.connection(), table, rows)
        else:
            session.execute(insert(table), rows)


def sync_id_sequence(session: Session, table: Table) -> None:
    """PostgreSQL: move the table's id sequence past the ids written explicitly."""
    if _is_postgres(session):
        highest = select(func.max(table.c.id)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, "id")
        session.execute(select(func.setval(sequence, highest)))


def next_activity_id(session: Session) -> int:
    """The first free activity id (activity ids are allocated by the bulk writers)."""
    return int(session.scalar(select(func.max(ACTIVITY.c.id))) or 0) + 1
