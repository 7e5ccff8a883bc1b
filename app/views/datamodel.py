"""Flask-AppBuilder's SQLAlchemy interface, restricted to the signed-in user's scope.

Every read that Flask-AppBuilder makes for a view goes through ``apply_filters`` or
``_get_base_query``: list pages and their counts, show, edit, delete, actions, related
views, search dropdowns and add/edit dropdowns (related interfaces are built from this
class too). Each of them gets :func:`app.security.scoping.restrict`, so nothing outside
the user's scope is loaded in the first place.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError

from app.security import scoping

log = logging.getLogger(__name__)


def acting_user() -> Any:
    """The user of the current request (None outside a request or when anonymous)."""
    if not has_request_context():
        return None
    return getattr(g, "user", None)


class ScopedInterface(SQLAInterface):
    """An SQLAInterface whose every query is limited to the acting user's rows."""

    def _scoped(self, query: Any) -> Any:
        return scoping.restrict(self.session, query, self.obj, acting_user())

    def apply_filters(self, query: Any, filters: Any) -> Any:
        return self._scoped(super().apply_filters(query, filters))

    def _get_base_query(self, query: Any, filters: Any = None, *args: Any, **kwargs: Any) -> Any:
        return super()._get_base_query(self._scoped(query), filters, *args, **kwargs)

    def apply_pagination(self, query: Any, page: int | None, page_size: int | None) -> Any:
        """A negative page or page size (from an API query) reads as the first page."""
        page = max(page, 0) if page is not None else None
        page_size = max(page_size, 1) if page_size is not None else None
        return super().apply_pagination(query, page, page_size)

    def query_count(self, query: Any, filters: Any = None, select_columns: Any = None) -> int:
        """The list's total as ``count(*)`` over the filtered rows: an index that covers
        the filters answers it without reading the table."""
        filtered = self._apply_inner_all(
            query, filters, select_columns=select_columns, aliases_mapping={}
        )
        statement = (
            filtered.enable_eagerloads(False)
            .order_by(None)
            .statement.with_only_columns(func.count(), maintain_column_froms=True)
        )
        return int(self.session.execute(statement).scalar() or 0)

    def add(self, item: Any, commit: bool = True) -> None:
        """Save a new row; a database error becomes a message without SQL or data."""
        try:
            self.session.add(item)
            if commit:
                self.session.commit()
        except SQLAlchemyError as exc:
            log.exception("Add item database error")
            self.session.rollback()
            raise DatabaseException("The record could not be saved.") from exc
