"""Accreditors: ACCME, Joint Accreditation and the state Recognized Accreditors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Timestamped, Versioned

if TYPE_CHECKING:
    from app.models.provider import Provider


class Accreditor(Versioned, Timestamped, Model):
    """A body that accredits CME providers.

    ACCME accredits ACCME-accredited providers, Joint Accreditation the jointly accredited
    ones, and each Recognized Accreditor (a state medical society) the state-accredited
    providers of its state.
    """

    __tablename__ = "accreditor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    state: Mapped[str | None] = mapped_column(String(2), index=True)

    providers: Mapped[list[Provider]] = relationship(back_populates="accreditor")

    def __str__(self) -> str:
        return self.name


class AccreditorMember(Model):
    """A user who acts for a Recognized Accreditor and so sees its providers."""

    __tablename__ = "accreditor_member"
    __table_args__ = (UniqueConstraint("accreditor_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accreditor_id: Mapped[int] = mapped_column(
        ForeignKey("accreditor.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )

    accreditor: Mapped[Accreditor] = relationship(lazy="joined")
    user = relationship("User", lazy="joined")

    def __str__(self) -> str:
        return f"{self.user} - {self.accreditor}"
