"""CME activities as reported in PARS, with their repeated parts.

Column meanings, vocabularies and limits are declared in :mod:`app.schema.fields`; this
module only says how they are stored. Repeated parts that are filtered on or summed
(MOC registrations per board, JA credit types, commercial support, learner counts by
profession) are child tables; short multi-select lists are ``;``-separated text columns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, TextList, Timestamped, Versioned
from app.models.provider import Provider
from app.schema.values import format_support, plain_decimal

#: ACCME Activity IDs are 9 digits, issued by PARS: this offset plus the row id.
ACCME_ACTIVITY_ID_OFFSET = 100_000_000

CREDIT = Numeric(7, 2)
MONEY = Numeric(14, 2)


class Activity(Versioned, Timestamped, Model):
    """One accredited CME activity of one provider, keyed by its Provider Activity ID."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("provider_id", "provider_activity_id", name="uq_activity_provider_key"),
        Index("ix_activity_provider_id_id", "provider_id", "id"),
        Index("ix_activity_year_format", "reporting_year", "format"),
        Index("ix_activity_format", "format"),
        Index("ix_activity_status", "status"),
        Index("ix_activity_rems_type", "rems_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False)
    provider_activity_id: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="Draft")
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    format: Mapped[str] = mapped_column(String(40), nullable=False)
    delivery_methods: Mapped[list[str]] = mapped_column(TextList, default=list)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reporting_year: Mapped[int] = mapped_column(Integer, nullable=False)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str | None] = mapped_column(String(3))
    credits: Mapped[Decimal | None] = mapped_column(CREDIT)
    description: Mapped[str | None] = mapped_column(Text)
    providership: Mapped[str | None] = mapped_column(String(10))
    joint_providers: Mapped[list[str]] = mapped_column(TextList, default=list)
    commercial_support: Mapped[bool | None] = mapped_column(Boolean)
    outcomes: Mapped[list[str]] = mapped_column(TextList, default=list)
    physician_learners: Mapped[int | None] = mapped_column(Integer)
    other_learners: Mapped[int | None] = mapped_column(Integer)
    moc_attestation: Mapped[bool | None] = mapped_column(Boolean)
    rems_type: Mapped[str | None] = mapped_column(String(30))
    rems_id: Mapped[str | None] = mapped_column(String(20))
    cme_finder: Mapped[bool | None] = mapped_column(Boolean)
    fee: Mapped[str | None] = mapped_column(String(20))
    registration: Mapped[str | None] = mapped_column(String(20))
    activity_url: Mapped[str | None] = mapped_column(String(500))
    mips: Mapped[bool | None] = mapped_column(Boolean)
    commendation_tags: Mapped[list[str]] = mapped_column(TextList, default=list)
    is_interprofessional: Mapped[bool | None] = mapped_column(Boolean)
    target_professions: Mapped[list[str]] = mapped_column(TextList, default=list)
    pharmacy_activity_type: Mapped[str | None] = mapped_column(String(30))
    pharmacy_topic: Mapped[str | None] = mapped_column(String(60))
    pharmacy_uan: Mapped[str | None] = mapped_column(String(40))
    pharmacy_tech_uan: Mapped[str | None] = mapped_column(String(40))

    provider: Mapped[Provider] = relationship(back_populates="activities", lazy="joined")
    commercial_supports: Mapped[list[CommercialSupport]] = relationship(
        cascade="all, delete-orphan", order_by="CommercialSupport.id"
    )
    moc_registrations: Mapped[list[MocRegistration]] = relationship(
        cascade="all, delete-orphan", order_by="MocRegistration.board"
    )
    ja_credits: Mapped[list[ActivityCredit]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityCredit.credit_type"
    )
    learner_counts: Mapped[list[LearnerCount]] = relationship(
        cascade="all, delete-orphan", order_by="LearnerCount.profession"
    )

    @property
    def accme_activity_id(self) -> str | None:
        """The 9-digit ACCME Activity ID that PARS issued for this activity."""
        return None if self.id is None else str(ACCME_ACTIVITY_ID_OFFSET + self.id)

    @property
    def moc_summary(self) -> str:
        """Each MOC registration as 'ABIM: 6.5 points (Medical Knowledge)'."""
        return "; ".join(str(registration) for registration in self.moc_registrations)

    @property
    def ja_credits_summary(self) -> str:
        """Each JA credit type with its amount, e.g. 'IPCE: 2; Nursing: 1.5'."""
        return "; ".join(f"{c.credit_type}: {plain_decimal(c.amount)}" for c in self.ja_credits)

    @property
    def learners_by_profession(self) -> str:
        """Learners per profession over the activity's years, e.g. 'Nurse: 42'."""
        totals: dict[str, int] = {}
        for count in self.learner_counts:
            totals[count.profession] = totals.get(count.profession, 0) + count.count
        return "; ".join(f"{profession}: {n}" for profession, n in totals.items())

    def __str__(self) -> str:
        return f"{self.title} ({self.provider_activity_id})"


class CommercialSupport(Model):
    """One commercial support source of an activity: monetary with an amount, or in-kind."""

    __tablename__ = "activity_commercial_support"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False, index=True
    )
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)

    def __str__(self) -> str:
        return format_support(self)


class MocRegistration(Model):
    """Registration of an activity for MOC credit with one certifying board (§1.7)."""

    __tablename__ = "moc_registration"
    __table_args__ = (
        UniqueConstraint("activity_id", "board"),
        Index("ix_moc_registration_board_activity", "board", "activity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False
    )
    board: Mapped[str] = mapped_column(String(10), nullable=False)
    points: Mapped[Decimal | None] = mapped_column(CREDIT)
    credit_types: Mapped[list[str]] = mapped_column(TextList, default=list)
    practice_areas: Mapped[list[str]] = mapped_column(TextList, default=list)
    credit_claim_date: Mapped[dt.date | None] = mapped_column(Date)
    content_area: Mapped[str | None] = mapped_column(String(200))
    internal_id: Mapped[str | None] = mapped_column(String(50))

    def __str__(self) -> str:
        points = "" if self.points is None else f"{plain_decimal(self.points)} points"
        types = f" ({', '.join(self.credit_types)})" if self.credit_types else ""
        return f"{self.board}: {points}{types}".rstrip(": ")


class ActivityCredit(Model):
    """Credit of one Joint Accreditation credit type designated for an activity (§5)."""

    __tablename__ = "activity_credit"
    __table_args__ = (
        UniqueConstraint("activity_id", "credit_type"),
        Index("ix_activity_credit_type_activity", "credit_type", "activity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False
    )
    credit_type: Mapped[str] = mapped_column(String(30), nullable=False)
    amount: Mapped[Decimal] = mapped_column(CREDIT, nullable=False)


class LearnerCount(Model):
    """Learners of one profession in an activity, for one year (JA-PARS; enduring materials
    are counted per year, other formats in their reporting year)."""

    __tablename__ = "learner_count"
    __table_args__ = (UniqueConstraint("activity_id", "profession", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False
    )
    profession: Mapped[str] = mapped_column(String(40), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
