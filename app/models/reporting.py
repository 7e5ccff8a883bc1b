"""Annual reporting (domain.md §2): a provider's reporting year with its five steps and
attestation, its Program Summary, and the earlier deadlines a Recognized Accreditor sets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accreditor import Accreditor
from app.models.base import Model, Timestamped, Versioned
from app.models.provider import Provider

MONEY = Numeric(14, 2)
#: The amounts a provider types into its Program Summary (commercial support is summed
#: from the year's activities, never typed).
SUMMARY_AMOUNTS = (
    "advertising_exhibit_income",
    "registration_fees",
    "government_grants",
    "private_donations",
    "other_income",
    "total_expenses",
)


def _user_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))


class ReportingYear(Versioned, Timestamped, Model):
    """One provider's annual report for one calendar year: when each step was done, the
    attestation that locks the year, and a staff extension of its deadline."""

    __tablename__ = "reporting_year"
    __table_args__ = (UniqueConstraint("provider_id", "year", name="uq_reporting_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    agreement_accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    agreement_accepted_by_id: Mapped[int | None] = _user_fk()
    enduring_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    contacts_reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[int | None] = _user_fk()
    deadline_extended_to: Mapped[dt.date | None] = mapped_column(Date)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    provider: Mapped[Provider] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.provider} {self.year}"


class ProgramSummary(Versioned, Timestamped, Model):
    """A provider's income and expenses of its CME program for one year (domain.md §2.1)."""

    __tablename__ = "program_summary"
    __table_args__ = (
        UniqueConstraint("provider_id", "year", name="uq_program_summary"),
        *(CheckConstraint(f"{n} >= 0", name=f"ck_program_summary_{n}") for n in SUMMARY_AMOUNTS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    advertising_exhibit_income: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    registration_fees: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    government_grants: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    private_donations: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    other_income: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    total_expenses: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    saved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    saved_by_id: Mapped[int | None] = _user_fk()

    provider: Mapped[Provider] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.provider} {self.year} Program Summary"


class AccreditorDeadline(Model):
    """A Recognized Accreditor's due date of a reporting year for its providers, earlier
    than ACCME's March 31 (domain.md §2.2)."""

    __tablename__ = "accreditor_deadline"
    __table_args__ = (UniqueConstraint("accreditor_id", "year", name="uq_accreditor_deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accreditor_id: Mapped[int] = mapped_column(
        ForeignKey("accreditor.id", ondelete="CASCADE"), nullable=False
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    due: Mapped[dt.date] = mapped_column(Date, nullable=False)

    accreditor: Mapped[Accreditor] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.accreditor} {self.year}: {self.due:%m/%d/%Y}"
