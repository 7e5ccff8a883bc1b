"""The demo: a small, deterministic PARS world and one login per role.

Business rules:

* The demo is loaded once. When ``admin@example.org`` exists nothing is written, so the
  command is safe to repeat; otherwise everything is written in one transaction.
* The same data on every run and every day: a fixed seed, and dates drawn from the
  reporting years 2022-2026 with statuses as of 30 June 2026 (never from "today").
* All 43 accreditors; 50 providers (20 ACCME-accredited, 25 state-accredited across
  several Recognized Accreditors, 5 jointly accredited), each with exactly one Primary
  Contact and a few other contacts; about 3,000 activities in every format and status.
* The demo logins show each scope of domain decision 5: ``contact@`` is the Primary
  Contact of one ACCME-accredited and one state-accredited provider; ``accreditor@``
  acts for the Recognized Accreditor of that state provider; ``surveyor@`` is assigned
  to a reaccreditation review of another ACCME-accredited provider; ``ja@`` is the
  Primary Contact of a jointly accredited provider. Every login uses
  :data:`DEMO_PASSWORD`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.models import (
    AccreditorMember,
    Provider,
    ProviderContact,
    Review,
    ReviewAssignment,
    ReviewEvent,
    User,
)
from app.schema import vocabularies as v
from app.security import roles
from app.services import reference_data as ref
from app.services.bulk_rows import (
    ACTIVITY,
    ActivityMaker,
    Batch,
    ProviderInfo,
    next_activity_id,
    sync_id_sequence,
    write_batch,
)
from app.services.clock import utcnow
from app.services.demo_reviews import add_demo_materials
from app.services.synthetic import (
    FORMAT_WEIGHTS,
    provider_info,
    provider_row,
    require_role,
)

DEMO_PASSWORD = ref.DEMO_PASSWORD
SEED = 20260630
DEMO_YEARS = (2022, 2023, 2024, 2025, 2026)
ACTIVITY_TOTAL = 3000
MIN_ACTIVITIES_PER_PROVIDER = 10
#: Relative program size by kind: ACCME-accredited providers report most activities.
DEMO_KIND_SIZE = {v.ACCME_KIND: 2.0, v.STATE_KIND: 0.8, v.JOINT_KIND: 1.5}
#: (kind, state) of each demo provider; state None: anywhere. The first ACCME-accredited
#: and the first Texas provider belong to contact@, the second ACCME one is surveyed.
PROVIDER_LAYOUT: tuple[tuple[str, str | None], ...] = (
    *((v.ACCME_KIND, None),) * 20,
    *((v.STATE_KIND, state) for state in ("TX",) * 4 + ("CA",) * 4 + ("NY", "OH", "PA") * 3),
    *((v.STATE_KIND, state) for state in ("FL", "FL", "IL", "IL", "MA", "MA", "GA", "GA")),
    *((v.JOINT_KIND, None),) * 5,
)
OTHER_CONTACT_TYPES = (
    "Billing Contact",
    "CEO Contact",
    "Staff",
    "Medical Director",
    "Technical Contact",
    "ACCME Website Contact",
)
OTHER_REVIEWS = (
    ("Initial", "Materials Due"),
    ("Reaccreditation", "Confirmation of Intent"),
    ("Reaccreditation", "Submitted"),
    ("Progress Report", "Submitted"),
    ("Reaccreditation", "Committee"),
    ("Reaccreditation", "Decided"),
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo login and what it shows."""

    email: str
    first_name: str
    last_name: str
    role: str
    sees: str


ADMIN = DemoAccount("admin@example.org", "Morgan", "Ellis", roles.ADMIN, "everything + admin")
STAFF = DemoAccount("staff@example.org", "Jordan", "Reyes", roles.STAFF, "every provider")
ACCREDITOR = DemoAccount(
    "accreditor@example.org", "Taylor", "Brooks", roles.ACCREDITOR, "providers it accredits"
)
SURVEYOR = DemoAccount(
    "surveyor@example.org", "Casey", "Nguyen", roles.SURVEYOR, "one assigned review"
)
CONTACT = DemoAccount(
    "contact@example.org", "Riley", "Patel", roles.CONTACT, "two providers (ACCME + state)"
)
JA_CONTACT = DemoAccount(
    "ja@example.org", "Jamie", "Okafor", roles.CONTACT, "one jointly accredited provider"
)
#: An account brought over from the previous system: it chooses a new password at its
#: first sign-in.
LEGACY = DemoAccount(
    "legacy@example.org", "Avery", "Quinn", roles.CONTACT, "migrated: new password at sign-in"
)
DEMO_ACCOUNTS = (ADMIN, STAFF, ACCREDITOR, SURVEYOR, CONTACT, JA_CONTACT, LEGACY)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo loader did: counts (empty when already loaded) and the logins."""

    already_loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS

    def lines(self) -> list[str]:
        """Printable lines: the counts, then a table of the demo logins and their roles."""
        if self.already_loaded:
            head = ["The demo data is already loaded; nothing was written."]
        else:
            head = ["Demo data loaded:"]
            head += [f"  {name}: {count:,}" for name, count in self.counts.items()]
        width = max(len(a.email) for a in self.accounts)
        role_width = max(len(a.role) for a in self.accounts)
        table = [f"  {'Login':<{width}}  {'Role':<{role_width}}  Sees"]
        table += [f"  {a.email:<{width}}  {a.role:<{role_width}}  {a.sees}" for a in self.accounts]
        return [*head, "", "Demo logins:", *table]


@dataclass(frozen=True)
class _Showcase:
    """The providers the demo logins are attached to."""

    accme: Provider
    state: Provider
    joint: Provider
    surveyed: Provider

    @classmethod
    def pick(cls, providers: list[Provider]) -> _Showcase:
        """contact@ gets the first ACCME-accredited and the first Texas provider, ja@ the
        first jointly accredited one; the surveyor reviews the second ACCME one."""
        accme = [p for p in providers if p.kind == v.ACCME_KIND]
        texas = [p for p in providers if p.kind == v.STATE_KIND and p.state == "TX"]
        joint = [p for p in providers if p.kind == v.JOINT_KIND]
        return cls(accme=accme[0], state=texas[0], joint=joint[0], surveyed=accme[1])


class _People:
    """Creates demo logins; every one gets the demo password and one role."""

    def __init__(self, session: Session, rng: random.Random, role_by_name: dict[str, Any]):
        self.session = session
        self.rng = rng
        self.role_by_name = role_by_name
        self.password = generate_password_hash(DEMO_PASSWORD)
        self.contacts_made = 0

    def user(self, email: str, first_name: str, last_name: str, role: str) -> Any:
        user = User(
            first_name=first_name,
            last_name=last_name,
            username=email,
            email=email,
            password=self.password,
            active=True,
        )
        user.roles = [self.role_by_name[role]]
        self.session.add(user)
        return user

    def account(self, account: DemoAccount) -> Any:
        return self.user(account.email, account.first_name, account.last_name, account.role)

    def contact(self) -> Any:
        """A new provider-contact login, firstname.lastname.N@example.org."""
        self.contacts_made += 1
        first, last = self.rng.choice(ref.FIRST_NAMES), self.rng.choice(ref.LAST_NAMES)
        email = f"{first}.{last}.{self.contacts_made}@example.org".lower()
        return self.user(email, first, last, roles.CONTACT)


def load_demo(session: Session) -> DemoSummary:
    """Load the demo data and logins once, in one transaction (see the module rules).

    Raises MissingRoleError when ``flask pars sync-roles`` has not run yet.
    """
    admin = session.scalar(select(User.id).where(func.lower(User.email) == ADMIN.email))
    if admin is not None:
        return DemoSummary(already_loaded=True)
    role_by_name = {name: require_role(name) for name in roles.ALL_ROLES}
    rng = random.Random(SEED)  # noqa: S311 (reproducible demo data, not secrets)
    try:
        counts = _load(session, rng, _People(session, rng, role_by_name))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return DemoSummary(already_loaded=False, counts=counts)


def _load(session: Session, rng: random.Random, people: _People) -> dict[str, int]:
    """Write the whole demo (without committing) and return what was written."""
    accreditors = ref.ensure_accreditors(session)
    providers, infos = _create_providers(session, rng, {c: a.id for c, a in accreditors.items()})
    showcase = _Showcase.pick(providers)
    accounts = {account.email: people.account(account) for account in DEMO_ACCOUNTS}
    _create_contacts(session, rng, providers, people, showcase, accounts)
    legacy = accounts[LEGACY.email]
    legacy.must_set_password = True
    session.add(ProviderContact(provider=showcase.accme, user=legacy, contact_type="Staff"))
    member = AccreditorMember(accreditor_id=showcase.state.accreditor_id)
    member.user = accounts[ACCREDITOR.email]
    session.add(member)
    reviews = _create_reviews(session, rng, providers, showcase, accounts[SURVEYOR.email])
    showcase_ids = {showcase.accme.id, showcase.state.id, showcase.joint.id}
    batch = _create_activities(session, rng, infos, showcase_ids)
    surveyed = session.scalars(
        select(Review).where(Review.provider_id == showcase.surveyed.id)
    ).one()
    materials = add_demo_materials(session, surveyed)
    return {
        "Accreditors": len(accreditors),
        "Providers": len(providers),
        "Logins": len(DEMO_ACCOUNTS) + people.contacts_made,
        "Provider contacts": session.scalar(select(func.count(ProviderContact.id))) or 0,
        "Reviews": reviews,
        "Review materials": materials,
        "Activities": len(batch.activities),
        "MOC registrations": len(batch.mocs),
        "REMS activities": sum(1 for row in batch.activities if row["rems_type"]),
        "JA credits": len(batch.credits),
        "Learner counts by profession": len(batch.learners),
        "Commercial support sources": len(batch.supports),
    }


def _demo_accme_ids(rng: random.Random, taken: set[str], count: int) -> list[str]:
    """Distinct 7-digit ACCME Provider IDs that no existing provider uses."""
    chosen: list[str] = []
    while len(chosen) < count:
        candidate = f"{rng.randrange(1000, 100_000):07d}"
        if candidate not in taken:
            taken.add(candidate)
            chosen.append(candidate)
    return chosen


def _create_providers(
    session: Session, rng: random.Random, accreditor_ids: dict[str, int]
) -> tuple[list[Provider], list[ProviderInfo]]:
    """The demo providers of :data:`PROVIDER_LAYOUT`, flushed so they have ids."""
    taken = set(session.scalars(select(Provider.accme_id)))
    used_names = set(session.scalars(select(Provider.name)))
    accme_ids = _demo_accme_ids(rng, taken, len(PROVIDER_LAYOUT))
    rows = [
        provider_row(
            rng,
            accme_id=accme_id,
            kind=kind,
            accreditor_ids=accreditor_ids,
            used_names=used_names,
            state=state,
        )
        for (kind, state), accme_id in zip(PROVIDER_LAYOUT, accme_ids, strict=True)
    ]
    providers = [Provider(**row) for row in rows]
    session.add_all(providers)
    session.flush()
    infos = [provider_info(rng, p.id, row) for p, row in zip(providers, rows, strict=True)]
    return providers, infos


def _create_contacts(
    session: Session,
    rng: random.Random,
    providers: list[Provider],
    people: _People,
    showcase: _Showcase,
    accounts: dict[str, Any],
) -> None:
    """Exactly one Primary Contact per provider (a demo login for the showcase ones),
    plus one to three contacts of other types."""
    primaries = {
        showcase.accme.id: accounts[CONTACT.email],
        showcase.state.id: accounts[CONTACT.email],
        showcase.joint.id: accounts[JA_CONTACT.email],
    }
    for provider in providers:
        types = [v.PRIMARY_CONTACT, *rng.sample(OTHER_CONTACT_TYPES, rng.randint(1, 3))]
        if provider.kind == v.STATE_KIND and rng.random() < 0.3:
            types.append("CME Accreditation Committee Chair")
        for contact_type in types:
            user = primaries.get(provider.id) if contact_type == v.PRIMARY_CONTACT else None
            contact = ProviderContact(provider_id=provider.id, contact_type=contact_type)
            contact.user = user if user is not None else people.contact()
            session.add(contact)
    session.flush()


def _create_reviews(
    session: Session,
    rng: random.Random,
    providers: list[Provider],
    showcase: _Showcase,
    surveyor: Any,
) -> int:
    """The surveyor's reaccreditation review (under review; the surveyor still has to
    declare their conflicts of interest), the demo contact's reaccreditation waiting for
    its Confirmation of Intent, and a few unassigned reviews of other ACCME-accredited
    providers at other stages. Each starts its history with "review opened"."""
    today = utcnow().date()
    surveyed = showcase.surveyed
    review = Review(
        provider_id=surveyed.id,
        cycle="Reaccreditation",
        stage=v.REVIEW_UNDER_REVIEW,
        materials_due=today - dt.timedelta(days=45),
        interview_on=today + dt.timedelta(days=21),
        term_start=surveyed.term_start,
        term_end=surveyed.term_end,
    )
    assignment = ReviewAssignment(recused=False, assigned_at=utcnow())
    assignment.user = surveyor
    review.assignments.append(assignment)
    own = Review(
        provider_id=showcase.accme.id,
        cycle="Reaccreditation",
        stage=v.REVIEW_INTENT,
        intent_due=today + dt.timedelta(days=25),
        materials_due=today + dt.timedelta(days=90),
        term_start=showcase.accme.term_start,
        term_end=showcase.accme.term_end,
    )
    demo_reviews = [review, own]
    others = [p for p in providers if p.kind == v.ACCME_KIND][2 : 2 + len(OTHER_REVIEWS)]
    for provider, (cycle, stage) in zip(others, OTHER_REVIEWS, strict=True):
        due = today + dt.timedelta(days=rng.randint(-30, 120))
        intent = due - dt.timedelta(days=60) if stage == v.REVIEW_INTENT else None
        demo_reviews.append(
            Review(
                provider_id=provider.id, cycle=cycle, stage=stage, materials_due=due,
                intent_due=intent, term_start=provider.term_start, term_end=provider.term_end,
            )
        )  # fmt: skip
    session.add_all(demo_reviews)
    session.flush()
    for each in demo_reviews:
        session.add(
            ReviewEvent(
                review_id=each.id, at=utcnow(), action="review opened",
                detail=f"{each.cycle}, stage {each.stage} (demo data)",
            )
        )  # fmt: skip
    session.flush()
    return len(demo_reviews)


def _create_activities(
    session: Session, rng: random.Random, infos: list[ProviderInfo], showcase_ids: set[int]
) -> Batch:
    """About :data:`ACTIVITY_TOTAL` activities: at least a few per provider, the rest
    long-tailed, the showcase providers busier; written in bulk, ids in year order."""
    weights = [
        rng.lognormvariate(0, 0.8) * DEMO_KIND_SIZE[i.kind] * (2 if i.id in showcase_ids else 1)
        for i in infos
    ]
    extra = ACTIVITY_TOTAL - MIN_ACTIVITIES_PER_PROVIDER * len(infos)
    picks = list(infos) * MIN_ACTIVITIES_PER_PROVIDER
    picks += rng.choices(infos, weights=weights, k=max(extra, 0))
    formats = rng.choices(list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values()), k=len(picks))
    plan = sorted(
        (
            (rng.choice(DEMO_YEARS), info.id, fmt, info)
            for info, fmt in zip(picks, formats, strict=True)
        ),
        key=lambda item: (item[0], item[1]),
    )
    maker = ActivityMaker(rng, moc_share=0.11, rems_share=0.03)
    first_id = next_activity_id(session)
    for offset, (year, _, fmt, info) in enumerate(plan):
        maker.add(first_id + offset, info, year, fmt)
    write_batch(session, maker.batch)
    sync_id_sequence(session, ACTIVITY)
    return maker.batch
