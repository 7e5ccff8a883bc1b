"""Accreditation review figures for ``make bench`` (``PARS_BENCH_ONLY=reviews`` runs only
these): the review dashboard, the review list and page, a decision, a material download
and the daily reminder job, with every ACCME-accredited provider in a review.

The fresh database (migrated, roles synced, criteria seeded) holds
``PARS_BENCH_PROVIDERS`` (default 1,700) ACCME-accredited providers, each with its Primary
Contact, two decided reviews (each with its accreditation decision) and one open review.
The open reviews are spread over the stages, Confirmation of Intent to Committee, with
their due dates around today (some overdue); about a tenth of those past Confirmation of
Intent are progress reports. One volunteer surveyor per 8.5 providers (200 at 1,700) has
two or three active assignments on the reviews at Committee, Under Review and Submitted;
some have also declared a conflict on another review (recused). Every review under review
or later, the decided ones included, has a finding on each core criterion and Standard
(14; a progress report: on the criteria it answers), three comments and about ten
history events; every review submitted or later has twenty materials (rows only, but for
a handful of real files behind the measured review's). Twenty reviews, every measured one
among them, have 15 picked activities with their evidence (300 activities in all:
activities are not what is measured here). Rows are written per table in one statement:
``COPY`` on PostgreSQL, one executemany on SQLite.

Printed, per page and user: p50 and p95 over :data:`REQUESTS` requests after a warm-up,
and the SQL statements one request issues (the sign-in session check included); the CSV
export's rows per second; the wall time and the statements of the daily reminder job
(:func:`app.services.review_mail.send_due_reminders`, sending captured, no waiting) as a
first run (every reminder inside the window) and as the next day's run. The review page
is measured for a review with 15 picks and for one with none: the same number of
statements, so no query per row.

Target (printed next to the figures): every page p95 <= 300 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from unittest import mock

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    AccreditationDecision,
    Criterion,
    Provider,
    ProviderContact,
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
)
from app.schema import criteria as c
from app.schema import vocabularies as v
from app.security import roles
from app.security.permissions import sync_roles
from app.services import reference_data as ref
from app.services import review_mail, review_materials
from app.services.bulk_rows import (
    ACTIVITY,
    ActivityMaker,
    Batch,
    next_activity_id,
    sync_id_sequence,
    write_batch,
)
from app.services.bulk_sql import copy_rows
from app.services.criteria import seed_criteria
from app.services.synthetic import (
    FORMAT_WEIGHTS,
    USER_ROLES,
    USERS,
    _create_primary_contacts,
    _insert_returning_ids,
    provider_info,
    provider_row,
    require_role,
)
from app.views import MENU
from tests.benchmarks.harness import (
    PASSWORD,
    _user,
    bench_app,
    percentile,
    prepare_schema,
    refresh_statistics,
    signed_in,
)

SEED = 2026
REQUESTS = 30
WARM_UP = 2
TARGET_P95_MS = 300.0
STAFF_EMAIL = "bench.review.staff@example.org"
CONTACT_EMAIL = "bench.review.contact@example.org"
INTENT, MATERIALS_DUE, SUBMITTED, UNDER_REVIEW, COMMITTEE, DECIDED = v.REVIEW_STAGES.values
STAGES = v.REVIEW_STAGES.values
INITIAL, REACCREDITATION, PROGRESS = v.REVIEW_CYCLES.values
#: Open reviews per stage, as shares of the providers (the rest: Materials Due).
OPEN_SHARES = {INTENT: 0.25, MATERIALS_DUE: 0.38, SUBMITTED: 0.23, UNDER_REVIEW: 0.07,
               COMMITTEE: 0.07}  # fmt: skip
#: The Under Review reviews measured: staff's, the surveyor's, the contact's, one unpicked.
MEASURED = 4
PROGRESS_SHARE = 0.1
PICKS_PER_REVIEW = 15
MATERIALS_PER_REVIEW = 20
FILE_BYTES = 100 * 1024
COMMENTS_PER_REVIEW = 3
RECUSED_SHARE = 0.15

PROVIDERS = cast(Table, Provider.__table__)
REVIEWS = cast(Table, Review.__table__)
DECISIONS = cast(Table, AccreditationDecision.__table__)
ASSIGNMENTS = cast(Table, ReviewAssignment.__table__)
EVENTS = cast(Table, ReviewEvent.__table__)
PICKS = cast(Table, ReviewActivity.__table__)
MATERIALS = cast(Table, ReviewMaterial.__table__)
FINDINGS = cast(Table, ReviewFinding.__table__)
COMMENTS = cast(Table, ReviewComment.__table__)
#: The tables whose ids the builder gives, in the order they are written.
ALLOCATED = (REVIEWS, DECISIONS, ASSIGNMENTS, EVENTS, PICKS, MATERIALS, FINDINGS, COMMENTS)
Step = tuple[str, str | None, str | None, str | None, bool]  # action, from, to, detail, internal

_SENTENCES = (
    "The self-study report describes the planning process and cites the needs assessment.",
    "The performance-in-practice files show the gap, the desired change and the evaluation.",
    "Disclosures were collected from everyone in control of content and mitigated first.",
    "The program analysis compares the outcomes with the mission and names improvements.",
    "Commercial support agreements were signed in advance and the funds kept by the provider.",
    "The interview confirmed how the committee reviews the program each year.",
    "Two of the picked activities lacked documentation of the mitigation step.",
    "Formats were chosen for the setting and for the learners' practice.",
)


@dataclass(frozen=True)
class Scale:
    """How much the bench writes: providers (three reviews each), surveyors, reviews
    with picked activities, and files stored behind material rows."""

    providers: int = 1700
    surveyors: int = 200
    picked_reviews: int = 20
    stored_files: int = 5


def national_scale() -> Scale:
    """``PARS_BENCH_PROVIDERS`` providers (default 1,700), a surveyor per 8.5 of them."""
    providers = int(os.environ.get("PARS_BENCH_PROVIDERS", "1700"))
    return Scale(providers=providers, surveyors=max(3, round(providers * 200 / 1700)))


@dataclass(frozen=True)
class Built:
    """What the builder wrote (rows per table, open reviews per stage) and the rows the
    measurements open."""

    counts: dict[str, int]
    stages: dict[str, int]
    overdue: int
    surveyors: int
    recused: int
    staff_review: int
    unpicked_review: int
    surveyor_email: str
    surveyor_review: int
    contact_review: int
    decision: int
    material: int
    material_bytes: int


@dataclass
class _Open:
    """One provider's open review, as planned, and its two decided ones."""

    provider: dict[str, Any]
    review_id: int
    stage: str
    cycle: str = REACCREDITATION
    decided: list[int] = field(default_factory=list)
    #: (user id, email, declared) of the active surveyors; emails of the recused ones.
    surveyors: list[tuple[int, str, bool]] = field(default_factory=list)
    recused: list[str] = field(default_factory=list)
    #: (pick id, Provider Activity ID) of the picked activities.
    picks: list[tuple[int, str]] = field(default_factory=list)

    def reached(self, stage: str) -> bool:
        return STAGES.index(self.stage) >= STAGES.index(stage)


# ---- the data -----------------------------------------------------------------------------


def build(
    session: Session, scale: Scale, today: dt.date, material_dir: Path, *, seed: int = SEED
) -> Built:
    """Write the providers, people and reviews described in the module (due dates around
    ``today``, files under ``material_dir``) and commit."""
    return _Builder(session, scale, today, material_dir, seed).run()


class _Builder:
    def __init__(
        self, session: Session, scale: Scale, today: dt.date, material_dir: Path, seed: int
    ) -> None:
        self.session, self.scale, self.today = session, scale, today
        self.material_dir = material_dir
        self.rng = random.Random(seed)
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.next_id = {table.name: _first_id(session, table) for table in ALLOCATED}
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.criteria: list[int] = []
        self.surveyors: list[tuple[int, str]] = []
        self.decision_of: dict[int, dict[str, Any]] = {}
        self.open_rows: dict[int, dict[str, Any]] = {}
        self.activities = Batch()

    def _id(self, table: Table) -> int:
        value = self.next_id[table.name]
        self.next_id[table.name] = value + 1
        return value

    def run(self) -> Built:
        session = self.session
        self.criteria = list(
            session.scalars(
                select(Criterion.id)
                .where(Criterion.active.is_(True), Criterion.kind.in_((c.CORE, c.STANDARD)))
                .order_by(Criterion.position, Criterion.code)
            )
        )
        providers = self._providers()
        _user(STAFF_EMAIL, roles.STAFF)
        contact = _user(CONTACT_EMAIL, roles.CONTACT)
        self._surveyors()
        opened = self._plan(providers)
        staff_review, surveyor_review, contact_review, unpicked = opened[:MEASURED]
        session.add(
            ProviderContact(
                provider_id=contact_review.provider["id"], user_id=contact.id, contact_type="Staff"
            )
        )
        for review in opened:
            self._reviews(review)
        self._assign([r for r in opened if r.cycle != PROGRESS])
        more = [r for r in opened[MEASURED:] if r.cycle != PROGRESS and r.reached(SUBMITTED)]
        picked = [staff_review, surveyor_review, contact_review, *more]
        self._picks(picked[: max(self.scale.picked_reviews, 3)])
        for review in opened:
            self._history(review)
            self._materials(review)
            self._findings_and_comments(review)
        material, size = self._files(staff_review)
        self._write_all()
        session.commit()
        stages = Counter(r.stage for r in opened)
        return Built(
            counts={name: len(rows) for name, rows in self.rows.items()},
            stages={stage: stages[stage] for stage in STAGES[:-1]},
            overdue=sum(1 for r in opened if self._overdue(r)),
            surveyors=len(self.surveyors),
            recused=sum(1 for row in self.rows[ASSIGNMENTS.name] if row["recused"]),
            staff_review=staff_review.review_id,
            unpicked_review=unpicked.review_id,
            surveyor_email=next(email for _, email, ok in surveyor_review.surveyors if ok),
            surveyor_review=surveyor_review.review_id,
            contact_review=contact_review.review_id,
            decision=self.decision_of[staff_review.decided[-1]]["id"],
            material=material,
            material_bytes=size,
        )

    # -- providers and people

    def _providers(self) -> list[dict[str, Any]]:
        """ACCME-accredited providers with a current term, and their Primary Contacts."""
        session, rng = self.session, self.rng
        accreditor_ids = {code: a.id for code, a in ref.ensure_accreditors(session).items()}
        numbers = [int(i) for i in session.scalars(select(Provider.accme_id)) if i.isdigit()]
        first_accme_id = max(numbers, default=0) + 1
        first_id = _first_id(session, PROVIDERS)
        used = set(session.scalars(select(Provider.name)))
        rows = []
        for n in range(self.scale.providers):
            row = provider_row(
                rng,
                accme_id=f"{first_accme_id + n:07d}",
                kind=v.ACCME_KIND,
                accreditor_ids=accreditor_ids,
                used_names=used,
            )
            if row["term_start"] is None:  # Nonaccreditation: it would have no open review
                row.update(
                    accreditation_status="Accreditation",
                    term_start=dt.date(2024, 7, 1),
                    term_end=dt.date(2028, 6, 30),
                )
            rows.append({"id": first_id + n, **row})
        _write(session, PROVIDERS, rows)
        sync_id_sequence(session, PROVIDERS)
        self.rows[PROVIDERS.name] = rows
        _create_primary_contacts(session, rng, [(row["id"], row) for row in rows])
        return rows

    def _surveyors(self) -> None:
        rng = self.rng
        role_id = require_role(roles.SURVEYOR).id
        password = generate_password_hash(PASSWORD)
        users: list[dict[str, Any]] = []
        for n in range(self.scale.surveyors):
            first, last = rng.choice(ref.FIRST_NAMES), rng.choice(ref.LAST_NAMES)
            email = f"{first}.{last}.s{n:03d}@bench.example.org".lower()
            users.append(
                {"first_name": first, "last_name": last, "username": email, "email": email,
                 "password": password, "active": True}
            )  # fmt: skip
        ids = _insert_returning_ids(self.session, USERS, users)
        self.session.execute(
            insert(USER_ROLES), [{"user_id": uid, "role_id": role_id} for uid in ids]
        )
        self.surveyors = [(uid, user["email"]) for uid, user in zip(ids, users, strict=True)]

    def _plan(self, providers: list[dict[str, Any]]) -> list[_Open]:
        """One open review per provider, at a stage drawn from :data:`OPEN_SHARES`; the
        measured Under Review ones first. The decided reviews take the first ids."""
        rng, count = self.rng, len(providers)
        counts = {stage: int(count * share) for stage, share in OPEN_SHARES.items()}
        counts[UNDER_REVIEW] = max(counts[UNDER_REVIEW], MEASURED)
        counts[COMMITTEE] = max(counts[COMMITTEE], 1)
        counts[MATERIALS_DUE] += count - sum(counts.values())
        if counts[MATERIALS_DUE] < 1:
            raise ValueError(f"{count} providers are too few for the review bench.")
        stages = [stage for stage, n in counts.items() for _ in range(n)]
        rng.shuffle(stages)
        first_open = self.next_id[REVIEWS.name] + 2 * count
        opened = [
            _Open(provider=row, review_id=first_open + n, stage=stage)
            for n, (row, stage) in enumerate(zip(providers, stages, strict=True))
        ]
        measured = [r for r in opened if r.stage == UNDER_REVIEW][:MEASURED]
        others = [r for r in opened if r not in measured]
        for review in others:
            if review.stage != INTENT and rng.random() < PROGRESS_SHARE:
                review.cycle = PROGRESS
        return measured + others

    # -- reviews and decisions

    def _reviews(self, review: _Open) -> None:
        """The provider's initial review and the reaccreditation that gave its current
        term (decided, with their decisions), then its open review."""
        row = review.provider
        start, end = row["term_start"], row["term_end"]
        before = start.replace(year=start.year - 4)
        self._decided(review, INITIAL, before, "Provisional Accreditation",
                      (before, start - dt.timedelta(days=1)), None)  # fmt: skip
        self._decided(review, REACCREDITATION, start, row["accreditation_status"], (start, end),
                      (before, start - dt.timedelta(days=1)))  # fmt: skip
        row = self.open_rows[review.review_id] = self._open_row(review)
        self.rows[REVIEWS.name].append(row)

    def _decided(
        self, review: _Open, cycle: str, decided_on: dt.date, outcome: str,
        term: tuple[dt.date, dt.date], reviewed: tuple[dt.date, dt.date] | None,
    ) -> None:  # fmt: skip
        review_id = self._id(REVIEWS)
        materials_due = decided_on - dt.timedelta(days=240)
        self.rows[REVIEWS.name].append(
            _review_row(
                review_id, review.provider["id"], cycle, DECIDED,
                intent_due=materials_due - dt.timedelta(days=90) if reviewed else None,
                materials_due=materials_due, interview_on=decided_on - dt.timedelta(days=150),
                submitted_at=_at(materials_due - dt.timedelta(days=2), 15),
                term=reviewed or (None, None),
            )
        )  # fmt: skip
        decision = {
            "id": self._id(DECISIONS), "provider_id": review.provider["id"], "outcome": outcome,
            "decided_on": decided_on, "term_start": term[0], "term_end": term[1],
            "notes": self.rng.choice((None, "Decided at the committee's meeting.")),
            "recorded_at": _at(decided_on, 17), "recorded_by": STAFF_EMAIL,
            "review_id": review_id,
        }  # fmt: skip
        self.rows[DECISIONS.name].append(decision)
        self.decision_of[review_id] = decision
        review.decided.append(review_id)

    def _open_row(self, review: _Open) -> dict[str, Any]:
        """Due dates around today: a deadline of the provider some days past (overdue)
        or ahead; an interview ahead while submitted, around today under review, past
        at the committee."""
        rng, today, stage = self.rng, self.today, review.stage
        intent_due = interview_on = submitted_at = None
        if stage == INTENT:
            intent_due = today + dt.timedelta(days=rng.randint(-20, 60))
            materials_due = intent_due + dt.timedelta(days=rng.randint(60, 90))
        else:
            ago = {MATERIALS_DUE: (-90, 30), SUBMITTED: (5, 60), UNDER_REVIEW: (40, 120),
                   COMMITTEE: (100, 200)}[stage]  # fmt: skip
            materials_due = today - dt.timedelta(days=rng.randint(*ago))
            if review.cycle == REACCREDITATION:
                intent_due = materials_due - dt.timedelta(days=rng.randint(60, 90))
        if review.reached(SUBMITTED):
            submitted_at = _at(materials_due - dt.timedelta(days=rng.randint(0, 3)), 14)
        if stage == SUBMITTED and rng.random() < 0.7:
            interview_on = today + dt.timedelta(days=rng.randint(1, 60))
        elif stage == UNDER_REVIEW:
            interview_on = today + dt.timedelta(days=rng.randint(-20, 45))
        elif stage == COMMITTEE:
            interview_on = today - dt.timedelta(days=rng.randint(10, 90))
        row = review.provider
        return _review_row(
            review.review_id, row["id"], review.cycle, stage, intent_due=intent_due,
            materials_due=materials_due, interview_on=interview_on, submitted_at=submitted_at,
            term=(row["term_start"], row["term_end"]),
            follows=review.decided[-1] if review.cycle == PROGRESS else None,
        )  # fmt: skip

    def _overdue(self, review: _Open) -> bool:
        row = self.open_rows[review.review_id]
        due = {INTENT: row["intent_due"], MATERIALS_DUE: row["materials_due"]}.get(review.stage)
        return due is not None and due < self.today

    # -- surveyors

    def _assign(self, reviews: list[_Open]) -> None:
        """Two (sometimes three) surveyors on each review at Committee and Under Review,
        then at Submitted while the surveyors have room (two or three reviews each, the
        least busy first); some surveyors also declared a conflict on another review."""
        rng = self.rng
        room = {uid: rng.choice((2, 3)) for uid, _ in self.surveyors}
        load = dict.fromkeys(room, 0)
        emails = dict(self.surveyors)
        late = [r for r in reviews if r.stage in (COMMITTEE, UNDER_REVIEW)]
        submitted = [r for r in reviews if r.stage == SUBMITTED]
        taken: set[tuple[int, int]] = set()
        for review in late + submitted:
            want = 3 if rng.random() < 0.15 else 2
            order = sorted(room, key=lambda uid: (load[uid] >= room[uid], load[uid], rng.random()))
            chosen = order[:want]
            if review.stage == SUBMITTED and any(load[uid] >= room[uid] for uid in chosen):
                continue
            for uid in chosen:
                load[uid] += 1
                declared = review.stage != SUBMITTED or rng.random() < 0.5
                review.surveyors.append((uid, emails[uid], declared))
                taken.add((review.review_id, uid))
                self._assignment(review.review_id, uid, recused=False, declared=declared)
        for uid, email in self.surveyors:
            if not late or rng.random() >= RECUSED_SHARE:
                continue
            review = rng.choice(late + submitted)
            if (review.review_id, uid) not in taken:
                taken.add((review.review_id, uid))
                self._assignment(review.review_id, uid, recused=True, declared=True)
                review.recused.append(email)

    def _assignment(self, review_id: int, user_id: int, *, recused: bool, declared: bool) -> None:
        assigned = self.now - dt.timedelta(days=self.rng.randint(20, 90))
        self.rows[ASSIGNMENTS.name].append(
            {"id": self._id(ASSIGNMENTS), "review_id": review_id, "user_id": user_id,
             "recused": recused, "assigned_at": assigned,
             "declared_at": assigned + dt.timedelta(days=3) if declared else None,
             "conflict_note": "Served on the provider's CME committee until last year."
             if recused else None}
        )  # fmt: skip

    # -- picked activities

    def _picks(self, reviews: list[_Open]) -> None:
        """15 activities of the provider's term per review, picked for
        performance-in-practice review."""
        rng = self.rng
        maker = ActivityMaker(rng, moc_share=0.085, rems_share=0.01)
        activity_id = next_activity_id(self.session)
        formats, weights = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
        for review in reviews:
            row = review.provider
            info = provider_info(rng, row["id"], row)
            first_year = max(row["term_start"].year, 2021)
            last_year = max(min(row["term_end"].year, 2026), first_year)
            for _ in range(PICKS_PER_REVIEW):
                fmt = rng.choices(formats, weights=weights)[0]
                maker.add(activity_id, info, rng.randint(first_year, last_year), fmt)
                pick_id = self._id(PICKS)
                self.rows[PICKS.name].append(
                    {"id": pick_id, "review_id": review.review_id, "activity_id": activity_id,
                     "selected_at": self.now - dt.timedelta(days=200), "selected_by": STAFF_EMAIL}
                )  # fmt: skip
                review.picks.append((pick_id, maker.batch.activities[-1]["provider_activity_id"]))
                activity_id += 1
        self.activities = maker.batch

    # -- history, materials, findings, comments

    def _history(self, review: _Open) -> None:
        """About ten steps for a review under review or later; fewer before."""
        contact = f"primary.contact.p{review.provider['accme_id']}@example.org"
        for review_id, cycle in zip(review.decided, (INITIAL, REACCREDITATION), strict=True):
            decision = self.decision_of[review_id]
            early, late = _steps(cycle, DECIDED, decision["decided_on"])
            for _ in range(2):
                surveyor = self.rng.choice(self.surveyors)[1]
                early.append(("surveyor assigned", None, None, surveyor, False))
                early.append(("surveyor declared no conflict of interest", None, None, None, True))
            late.append(("decision recorded", COMMITTEE, DECIDED, decision["outcome"], False))
            self._events(review_id, early + late, _at(decision["decided_on"], 16), contact)
        row = self.open_rows[review.review_id]
        early, late = _steps(review.cycle, review.stage, row["interview_on"])
        for _, email, declared in review.surveyors:
            early.append(("surveyor assigned", None, None, email, False))
            if declared:
                early.append(("surveyor declared no conflict of interest", None, None, None, True))
        for email in review.recused:
            early.append(("surveyor assigned", None, None, email, False))
            early.append(("surveyor declared a conflict of interest", None, None, None, True))
        self._events(review.review_id, early + late, self.now - dt.timedelta(hours=2), contact)

    def _events(self, review_id: int, steps: list[Step], last: dt.datetime, contact: str) -> None:
        for n, (action, from_stage, to_stage, detail, internal) in enumerate(steps):
            by_provider = action in ("intent confirmed", "material added", "materials submitted")
            self.rows[EVENTS.name].append(
                {"id": self._id(EVENTS), "review_id": review_id,
                 "at": last - dt.timedelta(days=3 * (len(steps) - 1 - n)),
                 "actor": contact if by_provider else STAFF_EMAIL, "action": action,
                 "from_stage": from_stage, "to_stage": to_stage, "detail": detail,
                 "internal": internal}
            )  # fmt: skip

    def _materials(self, review: _Open) -> None:
        """Twenty files for a review submitted or later (its decided ones too), up to
        five at Materials Due, none before."""
        for review_id in review.decided:
            self._material_rows(review_id, REACCREDITATION, [], MATERIALS_PER_REVIEW)
        count = 0
        if review.reached(SUBMITTED):
            count = MATERIALS_PER_REVIEW
        elif review.stage == MATERIALS_DUE:
            count = self.rng.randint(0, 5)
        self._material_rows(review.review_id, review.cycle, review.picks, count)

    def _material_rows(
        self, review_id: int, cycle: str, picks: list[tuple[int, str]], count: int
    ) -> None:
        """The self-study (or progress) report, evidence of each picked activity, then
        attachments, ``count`` in all."""
        rng = self.rng
        items: list[tuple[str, int | None, str]] = []
        if count:
            report = v.MATERIAL_PROGRESS_REPORT if cycle == PROGRESS else v.MATERIAL_SELF_STUDY
            items.append((report, None, f"{report} {self.today.year}.pdf"))
        for pick_id, label in picks[: max(count - 1, 0)]:
            items.append((v.MATERIAL_EVIDENCE, pick_id, f"Evidence {label}.pdf"))
        while len(items) < count:
            extension = rng.choice(("pdf", "pdf", "docx", "xlsx"))
            items.append((v.MATERIAL_ATTACHMENT, None, f"Attachment {len(items):02d}.{extension}"))
        for kind, evidence_of, name in items:
            material_id = self._id(MATERIALS)
            self.rows[MATERIALS.name].append(
                {"id": material_id, "review_id": review_id, "review_activity_id": evidence_of,
                 "kind": kind, "display_name": name, "stored_name": f"{material_id:032x}.material",
                 "extension": name.rsplit(".", 1)[1], "size": rng.randint(40_000, 4_000_000),
                 "sha256": hashlib.sha256(str(material_id).encode()).hexdigest(),
                 "description": None,
                 "uploaded_at": self.now - dt.timedelta(days=rng.randint(30, 400)),
                 "uploaded_by": CONTACT_EMAIL}
            )  # fmt: skip

    def _findings_and_comments(self, review: _Open) -> None:
        """A finding per required criterion and three comments on every review under
        review or later, the decided ones included. The reaccreditation that a progress
        report follows has a Noncompliance at least; the progress report answers those."""
        answered: list[int] = []
        for review_id in review.decided:
            answers = review.cycle == PROGRESS and review_id == review.decided[-1]
            noncompliant = self._findings(review_id, self.criteria, STAFF_EMAIL, answers)
            answered = noncompliant if answers else answered
            self._comments(review_id, STAFF_EMAIL)
        if not review.reached(UNDER_REVIEW):
            return
        emails = [email for _, email, declared in review.surveyors if declared] or [STAFF_EMAIL]
        self._findings(
            review.review_id, answered if review.cycle == PROGRESS else self.criteria, emails[0]
        )
        self._comments(review.review_id, emails[-1])

    def _findings(
        self, review_id: int, criteria: list[int], by: str, noncompliance: bool = False
    ) -> list[int]:
        """One finding per criterion (a Noncompliance at least with ``noncompliance``);
        returns the criteria found in Noncompliance."""
        rng = self.rng
        values = [
            v.NONCOMPLIANCE if chance < 0.06 else "Not applicable" if chance < 0.09
            else "Compliance"
            for chance in (rng.random() for _ in criteria)
        ]  # fmt: skip
        if noncompliance and v.NONCOMPLIANCE not in values:
            values[rng.randrange(len(values))] = v.NONCOMPLIANCE
        for criterion_id, value in zip(criteria, values, strict=True):
            self.rows[FINDINGS.name].append(
                {"id": self._id(FINDINGS), "review_id": review_id, "criterion_id": criterion_id,
                 "finding": value, "rationale": " ".join(rng.sample(_SENTENCES, 2)),
                 "recorded_at": self.now - dt.timedelta(days=rng.randint(1, 60)),
                 "recorded_by": by, "version_id": 1}
            )  # fmt: skip
        return [
            cid for cid, value in zip(criteria, values, strict=True) if value == v.NONCOMPLIANCE
        ]

    def _comments(self, review_id: int, by: str) -> None:
        for _ in range(COMMENTS_PER_REVIEW):
            self.rows[COMMENTS.name].append(
                {"id": self._id(COMMENTS), "review_id": review_id, "author": by,
                 "body": " ".join(self.rng.sample(_SENTENCES, 3)),
                 "created_at": self.now - dt.timedelta(days=self.rng.randint(1, 60))}
            )  # fmt: skip

    def _files(self, review: _Open) -> tuple[int, int]:
        """Real files behind the review's first materials; the first one's id and size."""
        rows = [r for r in self.rows[MATERIALS.name] if r["review_id"] == review.review_id]
        self.material_dir.mkdir(parents=True, exist_ok=True)
        for row in rows[: self.scale.stored_files]:
            content = b"%PDF-1.7\n" + self.rng.randbytes(FILE_BYTES - 9)
            (self.material_dir / row["stored_name"]).write_bytes(content)
            row.update(size=len(content), sha256=hashlib.sha256(content).hexdigest())
        return rows[0]["id"], rows[0]["size"]

    def _write_all(self) -> None:
        """Every table in one statement, parents first; sequences moved past the ids."""
        session = self.session
        for table in (REVIEWS, DECISIONS, ASSIGNMENTS, EVENTS):
            _write(session, table, self.rows[table.name])
        write_batch(session, self.activities)
        self.rows[ACTIVITY.name] = self.activities.activities
        for table in (PICKS, MATERIALS, FINDINGS, COMMENTS):
            _write(session, table, self.rows[table.name])
        for table in (*ALLOCATED, ACTIVITY):
            sync_id_sequence(session, table)


def _steps(cycle: str, stage: str, interview_on: dt.date | None) -> tuple[list[Step], list[Step]]:
    """The history of a review at ``stage``: the steps up to its submission, and those
    after (the surveyors' steps go between)."""
    reached = STAGES.index(stage)
    first = INTENT if cycle == REACCREDITATION else MATERIALS_DUE
    early: list[Step] = [("review opened", None, None, f"{cycle}, stage {first}", False)]
    late: list[Step] = []
    if cycle == REACCREDITATION and reached >= STAGES.index(MATERIALS_DUE):
        early.append(("intent confirmed", INTENT, MATERIALS_DUE, None, False))
    if reached >= STAGES.index(SUBMITTED):
        for n in range(1, 4):
            early.append(("material added", None, None, f"Attachment: Attachment {n:02d}.pdf",
                          False))  # fmt: skip
        early.append(("materials submitted", MATERIALS_DUE, SUBMITTED, None, False))
    if reached >= STAGES.index(UNDER_REVIEW):
        late.append(("review started", SUBMITTED, UNDER_REVIEW, None, False))
    if interview_on is not None and reached >= STAGES.index(SUBMITTED):
        late.append(("interview scheduled", None, None, f"{interview_on:%m/%d/%Y}", False))
    if reached >= STAGES.index(COMMITTEE):
        late.append(("sent to the committee", UNDER_REVIEW, COMMITTEE, None, False))
    return early, late


def _review_row(
    review_id: int, provider_id: int, cycle: str, stage: str, *, intent_due: dt.date | None,
    materials_due: dt.date, interview_on: dt.date | None, submitted_at: dt.datetime | None,
    term: tuple[dt.date | None, dt.date | None], follows: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": review_id, "provider_id": provider_id, "cycle": cycle, "stage": stage,
        "intent_due": intent_due, "materials_due": materials_due, "interview_on": interview_on,
        "submitted_at": submitted_at, "term_start": term[0], "term_end": term[1],
        "follows_review_id": follows, "version_id": 1,
    }  # fmt: skip


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _first_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.max(table.c.id))) or 0) + 1


def _write(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows (all with the same keys) in one statement: COPY on PostgreSQL, executemany
    elsewhere."""
    if not rows:
        return
    if session.connection().dialect.name == "postgresql":
        copy_rows(session.connection(), table, rows)
    else:
        session.execute(insert(table), rows)


# ---- the measurements ---------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page measured: who opens it, what it is, its address."""

    who: str
    label: str
    url: str


def pages(built: Built) -> list[Page]:
    """Every page measured, by staff, the surveyor and the provider contact."""
    committee_page = f"/review-dashboard/?stage={COMMITTEE}&page=3"
    material = f"/reviews/material/{built.staff_review}/{built.material}"
    kb = built.material_bytes // 1024
    return [
        Page("staff", "dashboard, open reviews", "/review-dashboard/"),
        Page("staff", "dashboard, overdue only", "/review-dashboard/?overdue=1"),
        Page("staff", "dashboard, Committee, page 3", committee_page),
        Page("staff", "dashboard CSV, open reviews", "/review-dashboard/export"),
        Page("staff", "dashboard CSV, every stage", "/review-dashboard/export?stage=all"),
        Page("staff", "review list", "/reviews/list/"),
        Page("staff", "review page, 15 picks", f"/reviews/show/{built.staff_review}"),
        Page("staff", "review page, no picks", f"/reviews/show/{built.unpicked_review}"),
        Page("staff", "decision page (14 findings)", f"/decisions/show/{built.decision}"),
        Page("staff", "accreditation history", "/decisions/list/"),
        Page("staff", f"material download ({kb} KB)", material),
        Page("surveyor", "dashboard", "/review-dashboard/"),
        Page("surveyor", "review list", "/reviews/list/"),
        Page("surveyor", "review page", f"/reviews/show/{built.surveyor_review}"),
        Page("contact", "review list", "/reviews/list/"),
        Page("contact", "review page", f"/reviews/show/{built.contact_review}"),
        Page("contact", "accreditation history", "/decisions/list/"),
    ]


def emails_of(built: Built) -> dict[str, str]:
    return {"staff": STAFF_EMAIL, "surveyor": built.surveyor_email, "contact": CONTACT_EMAIL}


class StatementCounter:
    """SQL statements sent to the database while :meth:`counting` (an executemany is one)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@contextmanager
def counting(engine: Engine | Connection) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def fetch(client: Any, url: str) -> bytes:
    """The page's whole body (a download or an export read to its end); 200 or fails."""
    response = client.get(url)
    try:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()
    finally:
        response.close()


def remind(session: Session, today: dt.date) -> tuple[int, float, int, int]:
    """One run of the daily reminder job with the sending captured (nothing waited
    for): emails, seconds, SQL statements, reviews it recorded a reminder for."""
    sent: list[Any] = []
    before = session.scalar(
        select(func.count(ReviewEvent.id)).where(ReviewEvent.action == review_mail.REMINDER_SENT)
    )
    with mock.patch.object(review_mail, "send_email", sent.append), counting(
        session.get_bind()
    ) as counter:  # fmt: skip
        started = time.perf_counter()
        emails = review_mail.send_due_reminders(session, today)
        elapsed = time.perf_counter() - started
    after = session.scalar(
        select(func.count(ReviewEvent.id)).where(ReviewEvent.action == review_mail.REMINDER_SENT)
    )
    assert emails == len(sent)
    return emails, elapsed, counter.count, int(after or 0) - int(before or 0)


def run_reviews(name: str, url: str) -> None:
    """Build one database and measure the review pages and the reminder job; print."""
    scale = national_scale()
    print(f"\n=== {name}: accreditation reviews, {scale.providers:,} ACCME-accredited providers",
          flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pars-bench-reviews-") as tmp:
        app = bench_app(url, PARS_UPLOAD_DIR=f"{tmp}/stored")
        today = dt.date.today()
        with app.app_context():
            prepare_schema(url)
            upgrade(directory=str(app.extensions["migrate"].directory))
            sync_roles(app.appbuilder, MENU)
            seed_criteria(db.session)
            started = time.perf_counter()
            built = build(
                db.session, scale, today, review_materials.settings_from(app.config).directory
            )
            _print_built(built, time.perf_counter() - started)
            refresh_statistics(url)
            engine = db.engine
        _measure_pages(app, engine, built)
        with app.app_context():
            _measure_reminders(today)
            db.session.remove()
            db.engine.dispose()


def _print_built(built: Built, seconds: float) -> None:
    n = built.counts
    stages = ", ".join(f"{count:,} {stage}" for stage, count in built.stages.items())
    picks = n.get(PICKS.name, 0)
    print(
        f"built in {seconds:,.1f} s: {n[REVIEWS.name]:,} reviews ({n[DECISIONS.name]:,} decided,"
        f" each with its decision; open: {stages}; {built.overdue:,} overdue), "
        f"{built.surveyors:,} surveyors with {n[ASSIGNMENTS.name] - built.recused:,} active "
        f"assignments (and {built.recused:,} recused), {n[FINDINGS.name]:,} findings, "
        f"{n[COMMENTS.name]:,} comments, {n[EVENTS.name]:,} history events, {picks:,} picked "
        f"activities, {n[MATERIALS.name]:,} materials",
        flush=True,
    )


def _measure_pages(app: Flask, engine: Engine, built: Built) -> None:
    clients = {who: signed_in(app, email) for who, email in emails_of(built).items()}
    print(
        f"pages (ms; {REQUESTS} requests each after {WARM_UP} warm-up; SQL: statements per "
        "request, the sign-in session check included)\n"
        f"  {'who':<9}{'page':<33}{'p50':>8}{'p95':>8}{'SQL':>6}  "
        f"target p95 <= {TARGET_P95_MS:.0f} ms",
        flush=True,
    )
    missed = []
    for page in pages(built):
        client = clients[page.who]
        for _ in range(WARM_UP):
            body = fetch(client, page.url)
        times = []
        with counting(engine) as counter:
            for _ in range(REQUESTS):
                started = time.perf_counter()
                body = fetch(client, page.url)
                times.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(times), percentile(times, 95)
        met = "met" if p95 <= TARGET_P95_MS else "NOT met"
        if p95 > TARGET_P95_MS:
            missed.append(f"{page.who} {page.label}")
        note = ""
        if "/export" in page.url:
            rows = body.count(b"\n") - 1
            note = f"  {rows:,} rows, {rows / (p50 / 1000):,.0f} rows/s at p50"
        print(
            f"  {page.who:<9}{page.label:<33}{p50:8.1f}{p95:8.1f}{counter.count / REQUESTS:6.0f}"
            f"  {met}{note}",
            flush=True,
        )
    print(f"  target: {'met by every page' if not missed else 'NOT met by ' + ', '.join(missed)}",
          flush=True)  # fmt: skip


def _measure_reminders(today: dt.date) -> None:
    print("reminder job (send_due_reminders; sending captured, nothing waited for):", flush=True)
    runs = (("first run (every reminder in the window)", today),
            ("next day's run", today + dt.timedelta(days=1)))  # fmt: skip
    for label, day in runs:
        emails, seconds, statements, reviews = remind(db.session, day)
        print(
            f"  {label:<42} {day:%Y-%m-%d}: {seconds * 1000:8.1f} ms, {statements:3d} SQL "
            f"statements, {emails:,} emails for {reviews:,} reviews",
            flush=True,
        )
