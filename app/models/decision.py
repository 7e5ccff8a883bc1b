"""Accreditation decisions (domain.md §6.2, §6.3): append-only, the provider's history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model
from app.models.provider import Provider


class AccreditationDecision(Model):
    """One decision of ACCME about a provider: its outcome, date and the term it gives.
    Never changed once recorded (the database refuses UPDATE): a later decision follows."""

    __tablename__ = "accreditation_decision"
    __table_args__ = (
        Index("ix_accreditation_decision_provider_date", "provider_id", "decided_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False
    )
    outcome: Mapped[str] = mapped_column(String(40), nullable=False)
    decided_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    recorded_by: Mapped[str | None] = mapped_column(String(320))
    #: The review the decision concludes (none for a decision recorded on its own).
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("review.id", ondelete="SET NULL"), index=True
    )

    provider: Mapped[Provider] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.outcome} ({self.decided_on:%m/%d/%Y})"
