"""The home page: what the signed-in user can reach, with counts within their scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g
from flask_appbuilder import IndexView, expose

from app.models import Provider
from app.queries.dashboard import home_counts
from app.services import deadlines
from app.views import switcher


class PARSIndexView(IndexView):
    """Sign-in page for visitors; a summary of the user's scope once signed in."""

    index_template = "pars/index.html"

    @expose("/")
    def index(self) -> Any:
        user = getattr(g, "user", None)
        counts = current = deadline = None
        if user is not None and user.is_authenticated:
            counts = home_counts(self.appbuilder.session, user)
            current_id = switcher.current_provider_id()
            if current_id is not None:
                current = self.appbuilder.session.get(Provider, current_id)
                deadline = deadlines.next_deadline(dt.date.today(), current.term_end)
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            counts=counts,
            current=current,
            deadline=deadline,
            today=dt.date.today(),
        )
