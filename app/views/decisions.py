"""Accreditation decisions and the accreditation history (domain.md §6.2, §6.3).

Staff record a decision on the "Record decision" form (the rules are in
:mod:`app.services.decisions`); nobody edits or deletes one. The list, filtered by
provider, is that provider's accreditation history: ACCME staff see every provider's,
Recognized Accreditors those of their providers, contacts their own providers'.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.extensions import db
from app.models import AccreditationDecision
from app.queries import providers, review_workspace
from app.schema import vocabularies as v
from app.security import scoping
from app.services import decisions
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from app.views.forms import provider_search_field
from app.views.outcomes import run_form


class DecisionForm(FlaskForm):
    provider = SelectField(_("Provider"), coerce=int)
    outcome = SelectField(_("Outcome"), choices=v.ACCREDITATION_STATUSES.choices())
    decided_on = DateField(_("Decision date"), validators=[InputRequired()])
    notes = TextAreaField(_("Notes"), validators=[Length(max=5000)])


class AccreditationDecisionModelView(ScopedModelView):
    """The accreditation history: every decision, its date and the term it gave."""

    datamodel = ScopedInterface(AccreditationDecision)
    route_base = "/decisions"
    base_permissions = ["can_list", "can_show", "can_add"]
    list_title = _("Accreditation history")
    show_title = _("Accreditation decision")
    base_order = ("decided_on", "desc")
    #: Who recorded a decision is in the audit trail (staff only), not on these pages.
    list_columns = ["provider", "decided_on", "outcome", "term_start", "term_end"]
    show_columns = [*list_columns, "notes", "recorded_at"]
    #: The "Record decision" page replaces Flask-AppBuilder's add form.
    add_columns = edit_columns = ["notes"]
    search_columns = ["provider", "outcome", "decided_on"]
    #: Light rows for the provider box (1,700 providers), as on the activity list.
    search_form_extra_fields = {"provider": provider_search_field(_("Provider"))}
    order_columns = ["decided_on", "outcome", "term_end"]
    label_columns = {
        "provider": _("Provider"),
        "decided_on": _("Decided"),
        "outcome": _("Outcome"),
        "term_start": _("Term starts"),
        "term_end": _("Term ends"),
        "recorded_at": _("Recorded (UTC)"),
        "notes": _("Notes"),
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        """One decision of the history: outcome, date, term, and the findings of the
        review it concluded, criterion by criterion."""
        decision = self.datamodel.get(pk)
        if decision is None:
            abort(404)
        return self.render_template(
            "pars/decisions/show.html",
            title=_("Accreditation decision"),
            decision=decision,
            findings=review_workspace.decision_findings(db.session, g.user, decision),
            may_open_review=decision.review_id is not None
            and self.appbuilder.sm.has_access("can_show", "ReviewModelView")
            and scoping.uses_online_accreditation(db.session, g.user),
        )

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        """Record a decision: outcome and date; the term and the provider's status follow."""
        form = DecisionForm()
        form.provider.choices = providers.accredited_by_accme_choices(db.session, g.user)
        if request.method == "GET" and request.args.get("provider", "").isdigit():
            form.provider.data = int(request.args["provider"])
        if form.validate_on_submit():
            decision = run_form(
                form,
                lambda: decisions.record_decision(
                    db.session,
                    g.user,
                    form.provider.data,
                    form.outcome.data,
                    form.decided_on.data,
                    form.notes.data,
                ),
            )
            if decision is not None:
                flash(_("The decision is recorded."), "success")
                return redirect(url_for(".show", pk=decision.id))
        return self.render_template(
            "pars/decisions/add.html", title=_("Record a decision"), form=form
        ), (400 if form.errors else 200)
