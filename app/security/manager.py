"""The PARS security manager: Flask-AppBuilder's database authentication, with sign-in
by email address whatever its case (a PARS user has one login for all their providers)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import func
from sqlalchemy.exc import MultipleResultsFound


class PARSSecurityManager(SecurityManager):
    """Users sign in with their email address; user names are email addresses too."""

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
