"""The PARS security manager: Flask-AppBuilder's database authentication, with sign-in
by email address whatever its case (a PARS user has one login for all their providers)."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from sqlalchemy import func, select
from sqlalchemy.exc import MultipleResultsFound


class PARSSecurityManager(SecurityManager):
    """Users sign in with their email address; user names are email addresses too."""

    #: FAB's user statistics chart loads Google Charts from the internet: not on intranets.
    userstatschartview = None

    def find_user(self, username: str | None = None, email: str | None = None) -> Any:
        """The user whose user name or email equals the given one, ignoring case."""
        wanted = (username or email or "").strip()
        if not wanted:
            return None
        column = self.user_model.username if username else self.user_model.email
        try:
            return (
                self.session.query(self.user_model)
                .filter(func.lower(column) == wanted.lower())
                .one_or_none()
            )
        except MultipleResultsFound:
            return None

    def exist_permission_on_roles(
        self, view_name: str, permission_name: str, role_ids: list[int]
    ) -> bool:
        """Whether any of the roles holds the permission; the roles' permissions are read
        once per request (a page checks a dozen of them for its buttons and menu)."""
        return (permission_name, view_name) in self._role_permissions(tuple(sorted(role_ids)))

    def _role_permissions(self, role_ids: tuple[int, ...]) -> frozenset[tuple[str, str]]:
        cache = g.setdefault("pars_permission_cache", {}) if has_request_context() else {}
        if role_ids not in cache:
            query = (
                select(self.permission_model.name, self.viewmenu_model.name)
                .select_from(self.permissionview_model)
                .join(
                    assoc_permissionview_role,
                    assoc_permissionview_role.c.permission_view_id == self.permissionview_model.id,
                )
                .join(self.permission_model)
                .join(self.viewmenu_model)
                .where(assoc_permissionview_role.c.role_id.in_(role_ids))
            )
            cache[role_ids] = frozenset(tuple(row) for row in self.session.execute(query))
        return cache[role_ids]
