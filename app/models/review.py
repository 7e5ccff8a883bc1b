"""Accreditation reviews (domain.md §6.3): the review of a provider in one cycle, its
volunteer surveyors, the provider's materials, the activities picked for
performance-in-practice review, the findings per criterion, the surveyors' comments and
the review's history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Timestamped, Versioned
from app.models.provider import Provider


class Review(Versioned, Timestamped, Model):
    """One accreditation review of a provider: initial, reaccreditation or progress report.

    Its ``stage`` moves only through :mod:`app.services.reviews`, which records each step
    in the review's history (:class:`ReviewEvent`)."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    cycle: Mapped[str] = mapped_column(String(30), nullable=False)
    stage: Mapped[str] = mapped_column(String(30), nullable=False)
    intent_due: Mapped[dt.date | None] = mapped_column(Date)
    materials_due: Mapped[dt.date | None] = mapped_column(Date)
    interview_on: Mapped[dt.date | None] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    #: The review whose Noncompliance findings this progress report answers.
    follows_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("review.id", ondelete="SET NULL"), index=True
    )

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
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: When the surveyor declared (no conflict, or a conflict: then ``recused``).
    declared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    conflict_note: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="assignments")
    user = relationship("User", lazy="joined")


class ReviewEvent(Model):
    """One step of a review's history: who did what, when, from which stage to which."""

    __tablename__ = "review_event"
    __table_args__ = (Index("ix_review_event_review_at", "review_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    actor: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(80), nullable=False)
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)
    #: A step of the surveyors and staff (a finding, a declaration) that the provider
    #: does not see in its review's history.
    internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ReviewActivity(Model):
    """An activity of the term that ACCME staff picked for performance-in-practice review
    (at most 15 per review); the provider attaches its evidence to it."""

    __tablename__ = "review_activity"
    __table_args__ = (UniqueConstraint("review_id", "activity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False, index=True
    )
    selected_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    selected_by: Mapped[str | None] = mapped_column(String(320))

    activity = relationship("Activity", lazy="joined")


class ReviewMaterial(Model):
    """A file the provider submitted for a review: the self-study report, an attachment,
    a progress report or the evidence of a picked activity. Stored under a generated name
    with its SHA-256; the user's file name is only displayed."""

    __tablename__ = "review_material"
    __table_args__ = (Index("ix_review_material_review", "review_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False
    )
    review_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_activity.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    display_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    extension: Mapped[str] = mapped_column(String(10), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    uploaded_by: Mapped[str | None] = mapped_column(String(320))


class ReviewFinding(Versioned, Model):
    """The finding on one criterion in a review: Compliance, Noncompliance or Not
    applicable, with the rationale. Recorded by the assigned surveyors (or staff)."""

    __tablename__ = "review_finding"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), nullable=False)
    finding: Mapped[str] = mapped_column(String(20), nullable=False)
    rationale: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    recorded_by: Mapped[str | None] = mapped_column(String(320))

    criterion = relationship("Criterion", lazy="joined")


class ReviewComment(Model):
    """A comment of a surveyor or of staff on a review (not shown to the provider)."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author: Mapped[str | None] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
