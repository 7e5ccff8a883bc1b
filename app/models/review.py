"""Accreditation reviews and the volunteer surveyors assigned to them (domain.md §6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Timestamped, Versioned
from app.models.provider import Provider


class Review(Versioned, Timestamped, Model):
    """One accreditation review of a provider: initial, reaccreditation or progress report."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    cycle: Mapped[str] = mapped_column(String(30), nullable=False)
    stage: Mapped[str] = mapped_column(String(30), nullable=False)
    materials_due: Mapped[dt.date | None] = mapped_column(Date)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship(lazy="joined")
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.cycle} review of {self.provider}"


class ReviewAssignment(Model):
    """A volunteer surveyor assigned to a review. A declared conflict (recused) ends the
    surveyor's access to the review and to the provider's data."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    recused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    review: Mapped[Review] = relationship(back_populates="assignments")
    user = relationship("User", lazy="joined")
