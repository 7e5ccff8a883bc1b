"""The home page: what the signed-in user can reach, with counts within their scope."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder import IndexView, expose

from app.queries.dashboard import home_counts


class PARSIndexView(IndexView):
    """Sign-in page for visitors; a summary of the user's scope once signed in."""

    index_template = "pars/index.html"

    @expose("/")
    def index(self) -> Any:
        user = getattr(g, "user", None)
        counts = None
        if user is not None and user.is_authenticated:
            counts = home_counts(self.appbuilder.session, user)
        return self.render_template(self.index_template, appbuilder=self.appbuilder, counts=counts)
