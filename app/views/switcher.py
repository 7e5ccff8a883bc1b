"""The provider switcher: a contact of several providers picks the one they work on.

The choice lives in the session; provider pages (the home page, "My provider", new
activities and contacts) follow it. It is only a convenience: what a user may see is
still decided by :mod:`app.security.scoping` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, g, session

from app.extensions import db
from app.queries.my_providers import provider_choices

CURRENT_PROVIDER_KEY = "pars_provider"


@dataclass(frozen=True)
class Switcher:
    choices: list[tuple[int, str]]
    current_id: int | None

    @property
    def current_label(self) -> str | None:
        return dict(self.choices).get(self.current_id) if self.current_id else None


def switcher() -> Switcher:
    """The signed-in user's providers and the current one (read once per request)."""
    if "pars_switcher" not in g:
        user = getattr(g, "user", None)
        choices = provider_choices(db.session, user)
        ids = [pid for pid, _ in choices]
        chosen = session.get(CURRENT_PROVIDER_KEY)
        current = chosen if chosen in ids else (ids[0] if ids else None)
        g.pars_switcher = Switcher(choices, current)
    return g.pars_switcher  # type: ignore[no-any-return]


def current_provider_id() -> int | None:
    return switcher().current_id


def choose(provider_id: int) -> bool:
    """Make ``provider_id`` the current provider, if it is one of the user's."""
    if provider_id not in dict(switcher().choices):
        return False
    session[CURRENT_PROVIDER_KEY] = provider_id
    g.pop("pars_switcher", None)
    return True


def register(app: Flask) -> None:
    @app.context_processor
    def provider_switcher() -> dict[str, Any]:
        user = getattr(g, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return {"pars_switcher": None}
        return {"pars_switcher": switcher()}
