"""Annual reporting screens (domain.md §2): a provider's year page with its five steps,
Program Summary and attestation; the list of every provider's progress in a year for staff
and Recognized Accreditors (with its CSV export); and the accreditors' deadline page.

The rules are in :mod:`app.services.annual`; a provider outside the user's scope is not
found (404), a stale Program Summary save answers 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.baseviews import BaseView
from flask_appbuilder.security.decorators import has_access
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.exporters.csv_stream import csv_chunks, csv_response, neutralise_row
from app.extensions import db
from app.queries.annual import accreditor_deadlines, deadline_accreditors, year_overview
from app.security import scoping
from app.services import annual, annual_deadlines, audit, deadlines, enduring, program_summary
from app.services.errors import ConflictError, InputError, NotInScopeError, RuleError
from app.views import switcher
from app.views.conflict import conflict_response

SUMMARY_LABELS = {
    "advertising_exhibit_income": "Advertising and exhibit income",
    "registration_fees": "Registration fees",
    "government_grants": "Government monetary grants",
    "private_donations": "Private monetary donations",
    "other_income": "Other income",
    "total_expenses": "Total expenses",
}
MARK_MESSAGES = {
    "agreement": "The Provider Agreement is accepted.",
    "enduring": "The enduring materials' learner counts are marked as updated.",
    "contacts": "The contacts are marked as reviewed.",
}


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


def _amount_field(label: str) -> DecimalField:
    return DecimalField(
        label,
        places=2,
        validators=[InputRequired("Enter an amount (0 if none)."), NumberRange(min=0)],
        render_kw={"inputmode": "decimal"},
    )


class ProgramSummaryForm(FlaskForm):
    version_id = HiddenField()
    advertising_exhibit_income = _amount_field(SUMMARY_LABELS["advertising_exhibit_income"])
    registration_fees = _amount_field(SUMMARY_LABELS["registration_fees"])
    government_grants = _amount_field(SUMMARY_LABELS["government_grants"])
    private_donations = _amount_field(SUMMARY_LABELS["private_donations"])
    other_income = _amount_field(SUMMARY_LABELS["other_income"])
    total_expenses = _amount_field(SUMMARY_LABELS["total_expenses"])


class DueDateForm(FlaskForm):
    due = DateField("Deadline for this provider (empty: no extension)", validators=[Optional()])


class AccreditorDeadlineForm(FlaskForm):
    accreditor = SelectField("Accreditor", coerce=int)
    year = IntegerField("Reporting year", validators=[InputRequired()])
    due = DateField("Deadline (empty: ACCME's March 31)", validators=[Optional()])


def _valid_year(year: int) -> bool:
    return annual_deadlines.FIRST_YEAR <= year <= dt.date.today().year + 1


def _year_choices() -> list[int]:
    this_year = dt.date.today().year
    return list(range(this_year, this_year - 6, -1))


class AnnualReportView(BaseView):
    """A provider's annual report of one year: steps, Program Summary, submission."""

    route_base = "/annual"
    default_view = "current"
    method_permission_name = {
        "current": "list",
        "year_page": "show",
        "mark": "edit",
        "summary": "edit",
        "submit": "edit",
        "reopen": "reopen",
        "extend": "extend",
        "enduring": "show",
        "save_enduring": "edit",
    }

    def _progress(self, provider_id: int, year: int) -> annual.YearProgress:
        if not _valid_year(year):
            abort(404)
        try:
            return annual.year_progress(
                db.session, actor=g.user, provider_id=provider_id, year=year
            )
        except NotInScopeError:
            abort(404)

    def _page(self, provider_id: int, year: int, summary_form: Any = None) -> Any:
        progress = self._progress(provider_id, year)
        summary, support = program_summary.program_summary(
            db.session, actor=g.user, provider_id=provider_id, year=year
        )
        if summary_form is None:
            summary_form = ProgramSummaryForm(formdata=None, obj=summary)
            summary_form.version_id.data = summary.version_id if summary else ""
        sm = self.appbuilder.sm
        extended = progress.record.deadline_extended_to if progress.record else None
        may_edit = sm.has_access("can_edit", "AnnualReportView") and scoping.can_act_for_provider(
            db.session, g.user, provider_id
        )
        return self.render_template(
            "pars/annual/year.html",
            title=f"{year} annual report",
            progress=progress,
            support=support,
            summary_form=summary_form,
            action_form=ActionForm(formdata=None),
            due_form=DueDateForm(formdata=None, due=extended),
            can_edit=may_edit and not progress.submitted,
            can_reopen=sm.has_access("can_reopen", "AnnualReportView"),
            can_extend=sm.has_access("can_extend", "AnnualReportView"),
            can_list_activities=sm.has_access("can_list", "ActivityModelView"),
            years=_year_choices(),
        )

    def _back(self, provider_id: int, year: int) -> str:
        return url_for(".year_page", provider_id=provider_id, year=year)

    def _run(self, provider_id: int, year: int, action: Callable[[], Any], done: str) -> Any:
        """Run a change; its refusal is shown on the year page."""
        back = self._back(provider_id, year)
        try:
            action()
        except NotInScopeError:
            db.session.rollback()
            abort(404)
        except ConflictError as error:
            db.session.rollback()
            return conflict_response(error.message, back)
        except RuleError as error:
            db.session.rollback()
            for message in (error.message, *error.problems):
                flash(message, "danger")
        except InputError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(done, "success")
        return redirect(back)

    @expose("/")
    @has_access
    def current(self) -> Any:
        """The current provider's (switcher) open reporting year."""
        provider_id = switcher.current_provider_id()
        if provider_id is None:
            flash("You are not a contact for any provider yet.", "info")
            return redirect(url_for("AccountView.providers"))
        year = deadlines.open_reporting_year(dt.date.today())
        return redirect(self._back(provider_id, year))

    @expose("/<int:provider_id>/<int:year>")
    @has_access
    def year_page(self, provider_id: int, year: int) -> Any:
        return self._page(provider_id, year)

    @expose("/<int:provider_id>/<int:year>/mark/<string:step>", methods=["POST"])
    @has_access
    def mark(self, provider_id: int, year: int, step: str) -> Any:
        if step not in annual.MARKS or not _valid_year(year):
            abort(404)
        return self._run(
            provider_id,
            year,
            lambda: annual.mark_step(
                db.session, actor=g.user, provider_id=provider_id, year=year, step=step
            ),
            MARK_MESSAGES[step],
        )

    @expose("/<int:provider_id>/<int:year>/enduring")
    @has_access
    def enduring(self, provider_id: int, year: int) -> Any:
        """Step 3: the enduring materials of the year and their learner counts."""
        progress = self._progress(provider_id, year)
        rows = enduring.enduring_materials(
            db.session, actor=g.user, provider_id=provider_id, year=year
        )
        may_edit = scoping.can_act_for_provider(db.session, g.user, provider_id)
        return self.render_template(
            "pars/annual/enduring.html",
            title=f"{year} enduring materials",
            progress=progress,
            rows=rows,
            form=ActionForm(formdata=None),
            can_edit=may_edit
            and not progress.submitted
            and self.appbuilder.sm.has_access("can_edit", "AnnualReportView"),
        )

    @expose("/<int:provider_id>/<int:year>/enduring", methods=["POST"])
    @has_access
    def save_enduring(self, provider_id: int, year: int) -> Any:
        if not _valid_year(year) or not ActionForm().validate_on_submit():
            abort(400)
        counts = {
            int(key.split("_")[1]): (request.form.get(key), request.form.get(f"others_{key[11:]}"))
            for key in request.form
            if key.startswith("physicians_") and key[11:].isdigit()
        }
        return self._run(
            provider_id,
            year,
            lambda: enduring.save_enduring_counts(
                db.session, actor=g.user, provider_id=provider_id, year=year, counts=counts
            ),
            "The enduring materials' learner counts are saved.",
        )

    @expose("/<int:provider_id>/<int:year>/summary", methods=["POST"])
    @has_access
    def summary(self, provider_id: int, year: int) -> Any:
        form = ProgramSummaryForm()
        if not form.validate_on_submit():
            return self._page(provider_id, year, summary_form=form)
        version = str(form.version_id.data or "")
        return self._run(
            provider_id,
            year,
            lambda: program_summary.save_program_summary(
                db.session,
                actor=g.user,
                provider_id=provider_id,
                year=year,
                version_id=int(version) if version.isdigit() else None,
                amounts={name: getattr(form, name).data for name in SUMMARY_LABELS},
            ),
            "The Program Summary is saved.",
        )

    @expose("/<int:provider_id>/<int:year>/submit", methods=["POST"])
    @has_access
    def submit(self, provider_id: int, year: int) -> Any:
        return self._run(
            provider_id,
            year,
            lambda: annual.submit_year(
                db.session, actor=g.user, provider_id=provider_id, year=year
            ),
            f"The {year} annual report is submitted. Thank you.",
        )

    @expose("/<int:provider_id>/<int:year>/reopen", methods=["POST"])
    @has_access
    def reopen(self, provider_id: int, year: int) -> Any:
        return self._run(
            provider_id,
            year,
            lambda: annual.reopen_year(
                db.session, actor=g.user, provider_id=provider_id, year=year
            ),
            f"The {year} annual report is reopened.",
        )

    @expose("/<int:provider_id>/<int:year>/extend", methods=["POST"])
    @has_access
    def extend(self, provider_id: int, year: int) -> Any:
        form = DueDateForm()
        if not form.validate_on_submit():
            flash("Enter the deadline as a date.", "danger")
            return redirect(self._back(provider_id, year))
        return self._run(
            provider_id,
            year,
            lambda: annual.extend_deadline(
                db.session, actor=g.user, provider_id=provider_id, year=year, due=form.due.data
            ),
            "The provider's deadline is saved.",
        )


def _overview_args() -> tuple[int, bool]:
    today = dt.date.today()
    year = request.args.get("year", type=int)
    if year is None or not _valid_year(year):
        year = deadlines.open_reporting_year(today)
    return year, request.args.get("overdue") == "1"


EXPORT_HEADINGS = [
    "Provider",
    "ACCME Provider ID",
    "Accreditor",
    "Reporting year",
    "Steps done",
    *[label for _key, label in annual.STEP_LABELS],
    "Activities",
    "Ended but not Closed",
    "Deadline",
    "Days left",
    "Overdue",
    "Submitted",
]


def _export_row(row: annual.YearProgress) -> list[Any]:
    submitted = row.record.submitted_at if row.record is not None else None
    return neutralise_row(
        [
            row.provider.name,
            row.provider.accme_id,
            row.provider.accreditor.name,
            row.year,
            row.steps_done,
            *["Yes" if step.done else "No" for step in row.steps],
            row.counts.total,
            row.counts.ended_open,
            row.deadline.due.isoformat(),
            row.days_left,
            "Yes" if row.overdue else "No",
            submitted.date().isoformat() if submitted else "",
        ]
    )


class AnnualReportingView(BaseView):
    """Every provider in scope with its progress in a year (staff and accreditors)."""

    route_base = "/annualreporting"
    default_view = "index"
    method_permission_name = {"index": "list", "export": "list"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        year, overdue_only = _overview_args()
        rows = year_overview(db.session, g.user, year, dt.date.today(), overdue_only=overdue_only)
        return self.render_template(
            "pars/annual/overview.html",
            title="Annual reporting",
            rows=rows,
            year=year,
            overdue_only=overdue_only,
            years=_year_choices(),
            can_list_activities=self.appbuilder.sm.has_access("can_list", "ActivityModelView"),
        )

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        """The list as CSV, with its year and "overdue only" filter."""
        year, overdue_only = _overview_args()
        audit.record_export(db.session, g.user, type(self).__name__, request.query_string.decode())
        rows = year_overview(db.session, g.user, year, dt.date.today(), overdue_only=overdue_only)

        def batches() -> Iterator[list[list[Any]]]:
            yield [_export_row(row) for row in rows]

        chunks = csv_chunks(EXPORT_HEADINGS, batches())
        return csv_response(chunks, f"annual-reporting-{year}.csv")


class AccreditorDeadlineView(BaseView):
    """A Recognized Accreditor sets the deadline of a year for its providers."""

    route_base = "/annualdeadlines"
    default_view = "index"
    method_permission_name = {"index": "list", "save": "edit"}

    def _page(self, form: AccreditorDeadlineForm) -> Any:
        accreditors = deadline_accreditors(db.session, g.user)
        form.accreditor.choices = [(a.id, a.name) for a in accreditors]
        return self.render_template(
            "pars/annual/deadlines.html",
            title="Reporting deadlines",
            form=form,
            rows=accreditor_deadlines(db.session, [a.id for a in accreditors]),
        )

    @expose("/")
    @has_access
    def index(self) -> Any:
        year = deadlines.open_reporting_year(dt.date.today())
        return self._page(AccreditorDeadlineForm(formdata=None, year=year))

    @expose("/save", methods=["POST"])
    @has_access
    def save(self) -> Any:
        form = AccreditorDeadlineForm()
        form.accreditor.choices = [(a.id, a.name) for a in deadline_accreditors(db.session, g.user)]
        if not form.validate_on_submit():
            return self._page(form)
        try:
            annual_deadlines.set_accreditor_deadline(
                db.session,
                actor=g.user,
                accreditor_id=form.accreditor.data,
                year=form.year.data,
                due=form.due.data,
            )
        except NotInScopeError:
            db.session.rollback()
            abort(404)
        except InputError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [error.message]
            return self._page(form)
        flash("The deadline is saved.", "success")
        return redirect(url_for(".index"))
