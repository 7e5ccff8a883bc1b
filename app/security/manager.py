"""The PARS security manager: Flask-AppBuilder's database authentication, with sign-in
by email address whatever its case (a PARS user has one login for all their providers)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, has_request_context, session
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from sqlalchemy import func, select
from sqlalchemy.exc import MultipleResultsFound

from app.security import (
    ratelimit,  # noqa: F401  (registers the pars-db:// limiter storage)
    scoping,
)
from app.services import signin_sessions
from app.services.policy import session_limits
from app.views.auth import SESSION_KEY, SignInView
from app.views.users import PARSUserDBModelView

#: Menu entries of online accreditation (ACCME-accredited and jointly accredited providers).
ONLINE_ACCREDITATION_MENUS = frozenset({"Reviews"})
#: What a user is told when their session was ended on the server.
ENDED_MESSAGES = {
    signin_sessions.IDLE: "You were signed out after a period of inactivity. Please sign in again.",
    signin_sessions.EXPIRED: "Your session reached its maximum length. Please sign in again.",
    signin_sessions.PASSWORD_RESET: "Your password was reset. Please sign in with the new one.",
    signin_sessions.PASSWORD_CHANGED: "Your password was changed. Please sign in again.",
}


class PARSSecurityManager(SecurityManager):
    """Users sign in with their email address; user names are email addresses too."""

    #: FAB's user statistics chart loads Google Charts from the internet: not on intranets.
    userstatschartview = None
    #: Sign-in by email, sign-out by POST, server-side sessions.
    authdbview = SignInView
    userdbmodelview = PARSUserDBModelView

    def reset_password(self, userid: Any, password: str) -> None:
        """An administrator sets a user's password (Flask-AppBuilder's screen): the user's
        sessions end and their older links stop working, as with any password change."""
        from app.extensions import db
        from app.services import accounts

        user = self.get_user_by_id(userid)
        accounts.set_password_by_admin(db.session, actor=g.user, user=user, password=password)

    def load_user(self, pk: Any) -> Any:
        """The signed-in user, if the session recorded on the server for this cookie is
        still live and the account active; otherwise the visitor is anonymous again."""
        from app.extensions import db

        check = signin_sessions.check(
            db.engine, session.get(SESSION_KEY), session_limits(current_app.config)
        )
        user = None
        if check.user_id is not None and str(check.user_id) == str(pk):
            user = self.get_user_by_id(int(pk))
        if user is None or not user.is_active:
            session.clear()
            message = ENDED_MESSAGES.get(check.ended_because or "")
            if message:
                flash(message, "info")
            return None
        return user

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

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Flask-AppBuilder's check, plus: the "Reviews" menu only for users with a part
        in online accreditation (not for a contact of state-accredited providers only)."""
        if (
            permission_name == "menu_access"
            and view_name in ONLINE_ACCREDITATION_MENUS
            and has_request_context()
            and not scoping.uses_online_accreditation(self.session, g.get("user"))
        ):
            return False
        return bool(super().has_access(permission_name, view_name))

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
