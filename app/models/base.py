"""Shared model pieces: the declarative base, optimistic locking and list-valued columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, Text, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from app.schema.values import LIST_SEPARATOR

__all__ = ["Model", "TextList", "Timestamped", "Versioned"]


class Versioned:
    """Records that people edit carry ``version_id``; SQLAlchemy refuses a stale write."""

    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version_id}  # type: ignore[attr-defined]


class Timestamped:
    """Creation and last-change times in UTC."""

    created_on: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, server_default=func.current_timestamp()
    )
    changed_on: Mapped[dt.datetime] = mapped_column(
        DateTime,
        nullable=False,
        server_default=func.current_timestamp(),
        onupdate=func.current_timestamp(),
    )


class TextList(TypeDecorator[list[str]]):
    """A list of vocabulary values stored as one ``;``-separated text column.

    Activities hold several short multi-select lists (delivery methods, outcomes...) that
    are read with the row and never queried item by item; one column keeps the row whole.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str:
        return LIST_SEPARATOR.join(value or [])

    def process_result_value(self, value: str | None, dialect: Dialect) -> list[str]:
        if not value:
            return []
        return value.split(LIST_SEPARATOR)
