"""Batch uploads of activities: each file a provider sends, what was found in it, and
what it changed (domain.md §3).

An upload is checked whole before anything is written. Its record keeps the counts
(received = created + updated + unchanged + rejected), every problem with its row and
column, the planned changes shown in the preview, and the original file, stored under a
generated name (the user's file name is only ever displayed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.activity import Activity
from app.models.base import Model
from app.models.provider import Provider

#: Statuses of an upload.
READY = "Ready to confirm"
REJECTED = "Rejected"
COMMITTED = "Committed"
FAILED = "Failed"
CANCELLED = "Cancelled"
UPLOAD_STATUSES = (READY, REJECTED, COMMITTED, FAILED, CANCELLED)


class Upload(Model):
    """One batch file sent for one provider, from upload to commit."""

    __tablename__ = "activity_upload"
    __table_args__ = (
        Index("ix_activity_upload_provider_id_id", "provider_id", "id"),
        Index("ix_activity_upload_provider_hash", "provider_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    uploaded_by_email: Mapped[str | None] = mapped_column(String(320))
    uploaded_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    file_format: Mapped[str] = mapped_column(String(10), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    received: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_with_errors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    plan_digest: Mapped[str | None] = mapped_column(String(64))
    #: The day the rows were checked for (the status rules depend on today's date).
    checked_for: Mapped[dt.date | None] = mapped_column(Date)
    message: Mapped[str | None] = mapped_column(Text)
    finished_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_by_email: Mapped[str | None] = mapped_column(String(320))

    provider: Mapped[Provider] = relationship(lazy="joined")

    @property
    def counts_add_up(self) -> bool:
        """received = created + updated + unchanged + rejected."""
        total = self.created + self.updated + self.unchanged + self.rejected
        return self.received == total

    def __str__(self) -> str:
        return f"Upload {self.id}: {self.original_name}"


class UploadProblem(Model):
    """One line of an upload's validation report."""

    __tablename__ = "activity_upload_problem"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(
        ForeignKey("activity_upload.id", ondelete="CASCADE"), nullable=False, index=True
    )
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    message: Mapped[str] = mapped_column(Text, nullable=False)
    severity: Mapped[str] = mapped_column(String(10), nullable=False)


class UploadChange(Model):
    """One activity the upload creates or updates, as shown in its preview; ``changes``
    lists the field-level differences of an update (JSON: [[column, old, new], ...]) and
    ``plan`` the writes that confirming the upload makes (JSON, see
    :mod:`app.services.batch_write`)."""

    __tablename__ = "activity_upload_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(
        ForeignKey("activity_upload.id", ondelete="CASCADE"), nullable=False, index=True
    )
    row: Mapped[int] = mapped_column(Integer, nullable=False)
    provider_activity_id: Mapped[str] = mapped_column(String(50), nullable=False)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    plan: Mapped[str | None] = mapped_column(Text)


#: Columns of an activity that staging leaves to the confirmation.
_NOT_STAGED = frozenset({"id", "provider_id", "version_id", "created_on", "changed_on"})

#: The new activities of a checked upload, exactly as they will be written: the activity
#: table's own columns (so staging follows the schema), filled at the preview and copied
#: into ``activity`` by one INSERT ... SELECT when the upload is confirmed.
STAGED_ACTIVITIES = Table(
    "activity_upload_new",
    Model.metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "upload_id",
        Integer,
        ForeignKey("activity_upload.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("row", Integer, nullable=False),
    *(
        Column(column.name, column.type, nullable=True)
        for column in Activity.__table__.columns
        if column.name not in _NOT_STAGED
    ),
    Index("ix_activity_upload_new_upload_row", "upload_id", "row"),
)
