"""factory_boy factories for PARS records, with realistic defaults."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    Accreditor,
    AccreditorMember,
    Activity,
    ActivityCredit,
    MocRegistration,
    Provider,
    ProviderContact,
    Review,
    ReviewAssignment,
    User,
)
from app.schema import vocabularies as v

PASSWORD = "correct-horse-battery-staple"
#: Hashing with the default scrypt is slow; tests share one hash per password.
_HASHES: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    username = factory.SelfAttribute("email")
    password = factory.LazyFunction(password_hash)
    active = True


class AccreditorFactory(Base):
    class Meta:
        model = Accreditor

    code = factory.Sequence(lambda n: f"ACC{n}")
    name = factory.Sequence(lambda n: f"State Medical Society {n}")
    kind = "State"
    state = "TX"


class ProviderFactory(Base):
    class Meta:
        model = Provider

    accme_id = factory.Sequence(lambda n: f"{n + 1000:07d}")
    name = factory.Sequence(lambda n: f"Provider {n}")
    organization_type = "Hospital/Healthcare Delivery System"
    kind = v.STATE_KIND
    accreditor = factory.SubFactory(AccreditorFactory)
    accreditation_status = "Accreditation"
    term_start = dt.date(2023, 1, 1)
    term_end = dt.date(2026, 12, 31)
    city = "Austin"
    state = "TX"
    country = "USA"


class ContactFactory(Base):
    class Meta:
        model = ProviderContact

    provider = factory.SubFactory(ProviderFactory)
    user = factory.SubFactory(UserFactory)
    contact_type = "Staff"


class ActivityFactory(Base):
    class Meta:
        model = Activity

    provider = factory.SubFactory(ProviderFactory)
    provider_activity_id = factory.Sequence(lambda n: f"ACT-{n:05d}")
    status = v.ACTIVE
    title = factory.Sequence(lambda n: f"Grand Rounds in Cardiology {n}")
    format = v.LIVE_COURSE
    delivery_methods = factory.LazyFunction(lambda: [v.IN_PERSON])
    start_date = dt.date(2025, 3, 1)
    end_date = dt.date(2025, 3, 2)
    reporting_year = 2025
    city = "Austin"
    state = "TX"
    country = "USA"
    credits = Decimal("6.5")
    description = "Updates in the management of heart failure."
    providership = "Direct"
    cme_finder = False


class MocFactory(Base):
    class Meta:
        model = MocRegistration

    board = "ABIM"
    points = Decimal("6.5")
    credit_types = factory.LazyFunction(lambda: ["Medical Knowledge"])
    practice_areas = factory.LazyFunction(lambda: ["Cardiovascular Disease"])


class CreditFactory(Base):
    class Meta:
        model = ActivityCredit

    credit_type = "IPCE"
    amount = Decimal("2")


class MemberFactory(Base):
    class Meta:
        model = AccreditorMember


class ReviewFactory(Base):
    class Meta:
        model = Review

    cycle = "Reaccreditation"
    stage = "Under Review"


class AssignmentFactory(Base):
    class Meta:
        model = ReviewAssignment

    recused = False
