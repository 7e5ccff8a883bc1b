"""The review dashboard (domain.md §6.3): the accreditation reviews a user works on, by
stage, with the date each one waits for and the overdue ones first.

ACCME staff see every review, the number of open reviews per stage and the overdue ones;
a volunteer surveyor sees the reviews they are assigned to (until they declare a
conflict) and whether they have declared their conflicts of interest yet. Both download
the rows they see as CSV (one audit row per download). Contacts and Recognized
Accreditors have no permission here (403). The rows come from
:mod:`app.queries.reviews`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from flask import g, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.baseviews import BaseView
from flask_appbuilder.security.decorators import has_access

from app.exporters.csv_stream import csv_chunks, csv_response, neutralise_row
from app.extensions import db
from app.queries import reviews
from app.schema import vocabularies as v
from app.security import scoping
from app.services import audit

PAGE_SIZE = 50
#: The ``stage`` argument for every stage, Decided included (without one: open reviews).
ALL_STAGES = "all"


def review_url(review_id: int) -> str:
    """The review's page."""
    return url_for("ReviewModelView.show", pk=review_id)


def _filters() -> reviews.ReviewFilters:
    """The filters of the request; a value that is not one of ours is ignored."""
    stage = request.args.get("stage", "")
    cycle = request.args.get("cycle", "")
    return reviews.ReviewFilters(
        stage=stage if stage in v.REVIEW_STAGES else None,
        cycle=cycle if cycle in v.REVIEW_CYCLES else None,
        overdue_only=request.args.get("overdue") == "1",
        open_only=stage != ALL_STAGES and stage not in v.REVIEW_STAGES,
    )


def _page_number() -> int:
    try:
        return max(int(request.args.get("page", "1")), 1)
    except ValueError:
        return 1


def _filter_args(filters: reviews.ReviewFilters) -> dict[str, str]:
    """The query arguments that give these filters again (links, export)."""
    args = {"stage": filters.stage or ("" if filters.open_only else ALL_STAGES)}
    if filters.cycle:
        args["cycle"] = filters.cycle
    if filters.overdue_only:
        args["overdue"] = "1"
    return {key: value for key, value in args.items() if value}


def _page_context(filters: reviews.ReviewFilters) -> dict[str, Any]:
    """What the page shows besides the rows: who reads it, the filters and the choices."""
    return {
        "staff": scoping.sees_everything(g.user),
        "filters": filters,
        "filter_args": _filter_args(filters),
        "stages": v.REVIEW_STAGES.values,
        "cycles": v.REVIEW_CYCLES.values,
        "all_stages": ALL_STAGES,
        "review_url": review_url,
    }


def _headings(surveyor: bool) -> list[str]:
    headings = [
        "Provider",
        "ACCME Provider ID",
        "Cycle",
        "Stage",
        "Next due",
        "Due date",
        "Overdue",
        "Interview",
        "Active surveyors",
    ]
    return [*headings, "Conflicts of interest declared"] if surveyor else headings


def _export_row(row: reviews.ReviewRow, surveyor: bool) -> list[Any]:
    cells: list[Any] = [
        row.provider_name,
        row.accme_id or "",
        row.cycle,
        row.stage,
        row.due_what or "",
        row.due.isoformat() if row.due else "",
        "Yes" if row.overdue else "No",
        row.interview_on.isoformat() if row.interview_on else "",
        row.active_surveyors,
    ]
    if surveyor:
        cells.append(row.declared_at.date().isoformat() if row.declared_at else "No")
    return neutralise_row(cells)


class ReviewDashboardView(BaseView):
    """The reviews a user works on: staff all of them, a surveyor their assignments."""

    route_base = "/review-dashboard"
    default_view = "index"
    base_permissions = ["can_list"]
    method_permission_name = {"index": "list", "export": "list"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        filters, today = _filters(), dt.date.today()
        page = reviews.dashboard_rows(
            db.session, g.user, today, filters, page=_page_number(), page_size=PAGE_SIZE
        )
        overdue_rows, overdue_total = reviews.overdue(db.session, g.user, today)
        return self.render_template(
            "pars/reviews/dashboard.html",
            title="Review dashboard",
            counts=reviews.stage_counts(db.session, g.user),
            page=page,
            overdue_rows=overdue_rows,
            overdue_total=overdue_total,
            **_page_context(filters),
        )

    @expose("/export")
    @has_access
    def export(self) -> Any:
        """The dashboard's rows with its filters (every page) as CSV."""
        filters = _filters()
        rows = reviews.all_rows(db.session, g.user, dt.date.today(), filters)
        surveyor = not scoping.sees_everything(g.user)
        detail = f"{len(rows)} rows; {_filter_args(filters)}"
        audit.record_export(db.session, g.user, type(self).__name__, detail)

        def batches() -> Iterator[list[list[Any]]]:
            yield [_export_row(row, surveyor) for row in rows]

        return csv_response(csv_chunks(_headings(surveyor), batches()), "review-dashboard.csv")
