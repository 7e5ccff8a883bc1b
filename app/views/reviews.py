"""Online accreditation (domain.md §6.3): the review list and the review page, on which
each side takes its steps.

* The provider's contacts confirm their intent, upload the self-study report, its
  attachments and the evidence of each picked activity, and submit.
* ACCME staff open reviews, pick activities for performance-in-practice review, assign
  surveyors, start the review, schedule the interview, send it to the committee and
  record the decision.
* Volunteer surveyors declare their conflicts of interest, then record a finding per
  criterion and comments.

Every step is a service call (:mod:`app.services.reviews`, ``review_team``,
``review_materials``, ``findings``) that checks its rules. A review outside the user's
scope is not found (404); so is every review page for a user with no part in online
accreditation, such as a contact of state-accredited providers only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _

from app.extensions import db
from app.models import Review
from app.queries import providers, review_workspace
from app.schema import vocabularies as v
from app.security import roles, scoping
from app.services import findings, review_materials, review_team, reviews
from app.services.errors import (
    InputError,
    NotInScopeError,
    PARSError,
)
from app.services.review_access import review_for
from app.views import review_forms as forms
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from app.views.forms import provider_search_field
from app.views.outcomes import run_form

#: The pages of one review and its steps: the review must be in the user's scope.
REVIEW_PAGES = frozenset(
    {
        "show", "material", "intent", "upload", "remove_material", "submit", "pick",
        "unpick", "assign", "unassign", "start", "return_materials", "interview",
        "committee", "finding",
        "comment", "declare", "decide",
    }
)  # fmt: skip


class ReviewModelView(ScopedModelView):
    """Accreditation reviews in the user's scope and the page of each review."""

    datamodel = ScopedInterface(Review)
    route_base = "/reviews"
    base_permissions = [
        "can_list", "can_show", "can_add", "can_manage", "can_decide", "can_survey",
        "can_provide", "can_declare",
    ]  # fmt: skip
    method_permission_name = {
        **ScopedModelView.method_permission_name,
        "material": "show",
        "intent": "provide",
        "upload": "provide",
        "remove_material": "provide",
        "submit": "provide",
        "pick": "manage",
        "unpick": "manage",
        "assign": "manage",
        "unassign": "manage",
        "start": "manage",
        "return_materials": "manage",
        "interview": "manage",
        "committee": "manage",
        "decide": "decide",
        "finding": "survey",
        "comment": "survey",
        "declare": "declare",
    }
    list_title = _("Accreditation reviews")
    show_title = _("Accreditation review")
    base_order = ("id", "desc")
    list_columns = ["provider", "cycle", "stage", "intent_due", "materials_due", "interview_on"]
    show_columns = list_columns
    add_columns = edit_columns = ["cycle"]
    search_columns = ["provider", "cycle", "stage", "materials_due"]
    #: Light rows for the provider box (1,700 providers), as on the activity list.
    search_form_extra_fields = {"provider": provider_search_field(_("Provider"))}
    choice_search_columns = {"cycle": v.REVIEW_CYCLES, "stage": v.REVIEW_STAGES}
    order_columns = ["cycle", "stage", "intent_due", "materials_due", "interview_on"]
    label_columns = {
        "provider": _("Provider"),
        "cycle": _("Cycle"),
        "stage": _("Stage"),
        "intent_due": _("Intent due"),
        "materials_due": _("Materials due"),
        "interview_on": _("Interview"),
    }

    # ---- who has online accreditation ------------------------------------------------

    def create_blueprint(self, appbuilder: Any, *args: Any, **kwargs: Any) -> Any:
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._not_there_for_outsiders)
        return blueprint

    def _not_there_for_outsiders(self) -> None:
        """A contact with no ACCME-accredited or jointly accredited provider has no
        online accreditation: its pages are not there for them (404). Nor is a review
        outside the user's scope, whatever the step asked for (a surveyor not assigned
        or recused, another provider's contact): 404 before any permission check."""
        user = g.get("user")
        if not getattr(user, "is_authenticated", False):
            return
        if roles.CONTACT in scoping.role_names(user) and not scoping.uses_online_accreditation(
            db.session, user
        ):
            abort(404)
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        pk = (request.view_args or {}).get("pk")
        may_read = self.appbuilder.sm.has_access("can_show", self.class_permission_name)
        if endpoint in REVIEW_PAGES and pk is not None and may_read:
            self._review(pk)

    # ---- pages -------------------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        """Open a review: provider, cycle and due dates."""
        form = forms.OpenReviewForm()
        form.provider.choices = providers.accredited_by_accme_choices(db.session, g.user)
        if request.method == "GET" and request.args.get("provider", "").isdigit():
            form.provider.data = int(request.args["provider"])
        if form.validate_on_submit():
            review = run_form(
                form,
                lambda: reviews.open_review(
                    db.session, g.user, form.provider.data, form.cycle.data,
                    form.materials_due.data, form.intent_due.data,
                ),
            )  # fmt: skip
            if review is not None:
                flash(_("The review is open."), "success")
                return redirect(url_for(".show", pk=review.id))
        return self.render_template("pars/reviews/add.html", title=_("Open a review"), form=form), (
            400 if form.errors else 200
        )

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        """The review page: its stage, materials, picked activities, surveyors, findings,
        comments and history, with the steps the user may take now."""
        review = self._review(pk)
        space = review_workspace.workspace(db.session, g.user, review)
        can = self._abilities(review, space)
        return self.render_template(
            "pars/reviews/show.html",
            title=str(review),
            space=space,
            can=can,
            stages=v.REVIEW_STAGES.values,
            forms=self._forms(review, can, space),
            missing_materials=(
                review_materials.missing_materials(db.session, review)
                if review.stage in review_materials.PICK_STAGES
                else []
            ),
            missing_findings=(
                findings.missing_findings(db.session, review)
                if review.stage == v.REVIEW_UNDER_REVIEW
                else []
            ),
        )

    def _review(self, pk: Any) -> Review:
        """The review of the URL within the user's scope (404 otherwise), read once per
        request: the scope check before the request has already loaded it."""
        cached = g.get("pars_review")
        if cached is not None and str(cached.id) == str(pk):
            return cast(Review, cached)
        try:
            g.pars_review = review_for(db.session, g.user, pk)
        except NotInScopeError:
            abort(404)
        return cast(Review, g.pars_review)

    def _abilities(self, review: Review, space: review_workspace.Workspace) -> dict[str, bool]:
        """Which steps the page offers to this user at this stage (the services check
        the same rules again when the step is taken)."""
        sm, stage = self.appbuilder.sm, review.stage
        staff = scoping.sees_everything(g.user)
        provider_side = sm.has_access("can_provide", self.class_permission_name) and (
            scoping.can_act_for_provider(db.session, g.user, review.provider_id)
        )
        assignment = next(
            (a for a in space.assignments if a.user_id == g.user.id and not a.recused), None
        )
        declared = assignment is not None and assignment.declared_at is not None
        reviewer = staff or declared
        return {
            "staff": staff,
            "confirm_intent": provider_side and stage == v.REVIEW_INTENT,
            "upload": provider_side and stage in review_materials.editing_stages(g.user),
            "submit": provider_side and stage == v.REVIEW_MATERIALS_DUE,
            "pick": staff and stage in review_materials.PICK_STAGES,
            "assign": staff and stage != v.REVIEW_DECIDED,
            "start": staff and stage == v.REVIEW_SUBMITTED,
            "return": staff and stage == v.REVIEW_SUBMITTED,
            "interview": staff and stage in (v.REVIEW_SUBMITTED, v.REVIEW_UNDER_REVIEW),
            "committee": staff and stage == v.REVIEW_UNDER_REVIEW,
            "decide": staff and stage == v.REVIEW_COMMITTEE,
            "declare": assignment is not None and not declared,
            "findings": reviewer and stage in findings.finding_stages(g.user),
            "comment": reviewer and stage != v.REVIEW_DECIDED,
            "see_comments": reviewer or assignment is not None,
        }

    def _forms(
        self, review: Review, can: dict[str, bool], space: review_workspace.Workspace
    ) -> dict[str, Any]:
        step = forms.StepForm(formdata=None)
        built: dict[str, Any] = {"step": step}
        if can["upload"]:
            material = forms.MaterialForm(formdata=None)
            material.review_activity_id.choices = [("", "—")] + [
                (str(p.pick.id), f"{p.pick.activity.provider_activity_id} {p.pick.activity.title}")
                for p in space.picks
            ]
            built["material"] = material
        if can["pick"]:
            pick = forms.PickForm(formdata=None)
            search = request.args.get("activity_search", "")[:100]
            pick.activity_ids.choices = [
                (a.id, f"{a.provider_activity_id} {a.title} ({a.start_date:%m/%d/%Y})")
                for a in review_materials.activities_of_term(db.session, review, search)
            ]
            built["pick"], built["activity_search"] = pick, search
        if can["assign"]:
            assign = forms.AssignForm(formdata=None)
            assign.user_id.choices = [
                (str(u.id), f"{u.first_name or ''} {u.last_name or ''} ({u.email})".strip())
                for u in review_team.surveyor_choices(db.session, review)
            ]
            built["assign"] = assign
        built["intent"] = forms.IntentForm(formdata=None)
        built["interview"] = forms.InterviewForm(formdata=None, interview_on=review.interview_on)
        built["return"] = forms.ReturnForm(formdata=None)
        built["declare"] = forms.DeclareForm(formdata=None)
        built["comment"] = forms.CommentForm(formdata=None)
        return built

    @expose("/material/<pk>/<int:material_id>", methods=["GET"])
    @has_access
    def material(self, pk: Any, material_id: int) -> Any:
        """Download a review material (only within scope; named by its id)."""
        review = self._review(pk)
        settings = review_materials.settings_from(current_app.config)
        try:
            item, path = review_materials.material_file(db.session, g.user, material_id, settings)
        except NotInScopeError:
            abort(404)
        except PARSError as error:
            flash(error.message, "danger")
            return redirect(url_for(".show", pk=review.id))
        if item.review_id != review.id:
            abort(404)
        return send_file(
            path,
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=f"review-{review.id}-material-{item.id}.{item.extension}",
            max_age=0,
        )

    # ---- steps -------------------------------------------------------------------------

    def _step(self, pk: Any, action: Callable[[Review], Any], done: str) -> Any:
        """Take one step: 404 outside the scope, 403 for a role that does not take it,
        the rule's message in plain words otherwise; back to the review page."""
        review = self._review(pk)
        if not forms.StepForm().validate_on_submit():
            abort(400)

        def take() -> bool:
            action(review)
            return True

        if run_form(None, take):
            flash(done, "success")
        return redirect(url_for(".show", pk=review.id))

    @expose("/intent/<pk>", methods=["POST"])
    @has_access
    def intent(self, pk: Any) -> Any:
        form = forms.IntentForm()
        return self._step(
            pk,
            lambda r: reviews.confirm_intent(db.session, g.user, r.id, bool(form.attests.data)),
            _("Your intent is confirmed: the materials are due next."),
        )

    @expose("/upload/<pk>", methods=["POST"])
    @has_access
    def upload(self, pk: Any) -> Any:
        form = forms.MaterialForm()
        file = request.files.get("file")

        def add(review: Review) -> Any:
            if file is None or not file.filename:
                raise InputError("file", "Choose a file to upload.")
            pick = form.review_activity_id.data or ""
            return review_materials.add_material(
                db.session, g.user, review.id, form.kind.data or "", file.filename,
                file.read(), review_materials.settings_from(current_app.config),
                review_activity_id=int(pick) if pick.isdigit() else None,
                description=form.description.data,
            )  # fmt: skip

        return self._step(pk, add, _("The file is added to the review."))

    @expose("/remove-material/<pk>/<int:material_id>", methods=["POST"])
    @has_access
    def remove_material(self, pk: Any, material_id: int) -> Any:
        return self._step(
            pk,
            lambda r: review_materials.remove_material(
                db.session,
                g.user,
                material_id,
                settings=review_materials.settings_from(current_app.config),
            ),
            _("The file is removed."),
        )

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    def submit(self, pk: Any) -> Any:
        return self._step(
            pk,
            lambda r: reviews.submit(db.session, g.user, r.id),
            _("Your materials are submitted. A receipt is on its way to the primary contact."),
        )

    @expose("/pick/<pk>", methods=["POST"])
    @has_access
    def pick(self, pk: Any) -> Any:
        ids = [int(x) for x in request.form.getlist("activity_ids") if x.isdigit()]
        return self._step(
            pk,
            lambda r: review_materials.pick_activities(db.session, g.user, r.id, ids),
            _("The activities are picked for performance-in-practice review."),
        )

    @expose("/unpick/<pk>/<int:pick_id>", methods=["POST"])
    @has_access
    def unpick(self, pk: Any, pick_id: int) -> Any:
        return self._step(
            pk,
            lambda r: review_materials.unpick_activity(
                db.session,
                g.user,
                pick_id,
                settings=review_materials.settings_from(current_app.config),
            ),
            _("The activity is no longer picked."),
        )

    @expose("/assign/<pk>", methods=["POST"])
    @has_access
    def assign(self, pk: Any) -> Any:
        user_id = request.form.get("user_id", "")
        return self._step(
            pk,
            lambda r: review_team.assign_surveyor(db.session, g.user, r.id, user_id),
            _("The surveyor is assigned and told by email."),
        )

    @expose("/unassign/<pk>/<int:assignment_id>", methods=["POST"])
    @has_access
    def unassign(self, pk: Any, assignment_id: int) -> Any:
        return self._step(
            pk,
            lambda r: review_team.unassign_surveyor(db.session, g.user, assignment_id),
            _("The surveyor is unassigned."),
        )

    @expose("/start/<pk>", methods=["POST"])
    @has_access
    def start(self, pk: Any) -> Any:
        return self._step(
            pk,
            lambda r: reviews.start_review(db.session, g.user, r.id),
            _("The review has started."),
        )

    @expose("/return/<pk>", methods=["POST"])
    @has_access
    def return_materials(self, pk: Any) -> Any:
        reason = request.form.get("reason", "")
        return self._step(
            pk,
            lambda r: reviews.return_materials(db.session, g.user, r.id, reason),
            _("The materials are returned; the primary contact is told what is needed."),
        )

    @expose("/interview/<pk>", methods=["POST"])
    @has_access
    def interview(self, pk: Any) -> Any:
        form = forms.InterviewForm()
        form.validate()
        return self._step(
            pk,
            lambda r: reviews.schedule_interview(db.session, g.user, r.id, form.interview_on.data),
            _("The interview is scheduled."),
        )

    @expose("/committee/<pk>", methods=["POST"])
    @has_access
    def committee(self, pk: Any) -> Any:
        return self._step(
            pk,
            lambda r: reviews.send_to_committee(db.session, g.user, r.id),
            _("The review is with the committee."),
        )

    @expose("/finding/<pk>", methods=["POST"])
    @has_access
    def finding(self, pk: Any) -> Any:
        form = forms.FindingForm()
        form.validate()
        return self._step(
            pk,
            lambda r: findings.record_finding(
                db.session,
                g.user,
                r.id,
                form.criterion_id.data,
                form.finding.data or "",
                form.rationale.data or "",
                form.version_id.data,
            ),
            _("The finding is recorded."),
        )

    @expose("/comment/<pk>", methods=["POST"])
    @has_access
    def comment(self, pk: Any) -> Any:
        body = request.form.get("body", "")
        return self._step(
            pk,
            lambda r: findings.add_comment(db.session, g.user, r.id, body),
            _("Your comment is added."),
        )

    @expose("/declare/<pk>", methods=["POST"])
    @has_access
    def declare(self, pk: Any) -> Any:
        conflict = request.form.get("has_conflict") == "yes"
        note_text = request.form.get("conflict_note", "")
        review = self._review(pk)
        if not forms.StepForm().validate_on_submit():
            abort(400)
        declared = run_form(
            None, lambda: review_team.declare(db.session, g.user, review.id, conflict, note_text)
        )
        if declared is None:
            return redirect(url_for(".show", pk=review.id))
        if conflict:  # the review is no longer theirs
            flash(_("You are recused from this review; ACCME staff will reassign it."), "info")
            return redirect(url_for(".list"))
        flash(_("Thank you: you can now record findings."), "success")
        return redirect(url_for(".show", pk=review.id))

    @expose("/decide/<pk>", methods=["GET", "POST"])
    @has_access
    def decide(self, pk: Any) -> Any:
        """The committee's decision on the review: outcome and date."""
        review = self._review(pk)
        form = forms.ReviewDecisionForm()
        if form.validate_on_submit():
            decision = run_form(
                form,
                lambda: reviews.decide(
                    db.session, g.user, review.id, form.outcome.data, form.decided_on.data,
                    form.notes.data,
                ),
            )  # fmt: skip
            if decision is not None:
                flash(_("The decision is recorded."), "success")
                return redirect(url_for("AccreditationDecisionModelView.show", pk=decision.id))
        return self.render_template(
            "pars/reviews/decide.html",
            title=_("Record the decision"),
            form=form,
            review=review,
            noncompliant=findings.noncompliant_codes(db.session, review),
        ), (400 if form.errors else 200)
