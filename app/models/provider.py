"""Accredited providers and their contacts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accreditor import Accreditor
from app.models.base import Model, Timestamped, Versioned
from app.schema.vocabularies import PRIMARY_CONTACT

if TYPE_CHECKING:
    from app.models.activity import Activity


class Provider(Versioned, Timestamped, Model):
    """An accredited CME provider, known by its 7-digit ACCME Provider ID."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accme_id: Mapped[str] = mapped_column(String(7), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    organization_type: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    accreditor_id: Mapped[int] = mapped_column(
        ForeignKey("accreditor.id"), nullable=False, index=True
    )
    accreditation_status: Mapped[str] = mapped_column(String(40), nullable=False)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(3), nullable=False, default="USA")

    accreditor: Mapped[Accreditor] = relationship(back_populates="providers", lazy="joined")
    contacts: Mapped[list[ProviderContact]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )
    activities: Mapped[list[Activity]] = relationship(back_populates="provider")

    def __str__(self) -> str:
        return f"{self.name} ({self.accme_id})"


class ProviderContact(Versioned, Model):
    """A user listed as a contact of a provider, with a PARS contact type (domain.md §7.1).

    Being a contact of any type gives the user access to the provider's records. A
    provider has exactly one Primary Contact: the database refuses a second one, and the
    contact service refuses to leave a provider without one.
    """

    __tablename__ = "provider_contact"
    __table_args__ = (
        UniqueConstraint("provider_id", "user_id", "contact_type"),
        Index(
            "uq_provider_primary_contact",
            "provider_id",
            unique=True,
            sqlite_where=text(f"contact_type = '{PRIMARY_CONTACT}'"),
            postgresql_where=text(f"contact_type = '{PRIMARY_CONTACT}'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_type: Mapped[str] = mapped_column(String(40), nullable=False)

    provider: Mapped[Provider] = relationship(back_populates="contacts", lazy="joined")
    user = relationship("User", lazy="joined")

    def __str__(self) -> str:
        return f"{self.user} ({self.contact_type})"
