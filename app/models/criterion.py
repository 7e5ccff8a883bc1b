"""The accreditation criteria catalogue that findings are recorded against (domain.md §6.4)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, Timestamped, Versioned


class Criterion(Versioned, Timestamped, Model):
    """One criterion or standard. Staff edit the catalogue; a criterion no longer in use
    is retired (inactive), never deleted, so past findings keep their criterion."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    group: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
