"""Activities: the list every role works from, and the web form generated from the schema."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _
from wtforms import HiddenField

from app.exporters import templates
from app.exporters.activity_rows import ActivityExport
from app.models import Activity, Provider
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.repeated import REPEATED_FIELDS
from app.schema.rules import reporting_year
from app.services import activities
from app.services.errors import ConflictError, NotInScopeError, RuleError
from app.views.activity_lifecycle import lifecycle_panel, remember_problems
from app.views.activity_sections import fieldsets, hidden_fields
from app.views.base import ScopedModelView
from app.views.conflict import conflict_response
from app.views.datamodel import ScopedInterface, acting_user
from app.views.filters import (
    FilterAccmeActivityId,
    FilterAccmeActivityIdFrom,
    FilterAccmeActivityIdUpTo,
    FilterJaCreditType,
    FilterMocBoard,
)
from app.views.forms import ActivityForm, form_field, provider_search_field

EDITABLE = [f for f in ACTIVITY_FIELDS if f.editable]
LABELS = {f.name: _(f.label) for f in ACTIVITY_FIELDS}
EDITABLE_NAMES = {f.name for f in EDITABLE}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _provider_id(item: Activity) -> int:
    """The activity's provider id (the form sets the relationship, not yet the column)."""
    return item.provider.id if item.provider is not None else item.provider_id


class ActivityModelView(ScopedModelView):
    """Activities of the providers in the user's scope."""

    datamodel = ScopedInterface(Activity)
    list_title = _("Activities")
    show_title = _("Activity")
    add_title = _("Add activity")
    edit_title = _("Edit activity")

    list_columns = [
        "provider",
        "provider_activity_id",
        "title",
        "format",
        "start_date",
        "end_date",
        "status",
        "credits",
    ]
    order_columns = [
        "provider_activity_id",
        "title",
        "format",
        "start_date",
        "end_date",
        "status",
        "credits",
        "reporting_year",
    ]
    search_columns = [
        "provider",
        "title",
        "provider_activity_id",
        "format",
        "status",
        "reporting_year",
        "rems_type",
    ]
    choice_search_columns = {
        "format": v.ACTIVITY_FORMATS,
        "status": v.ACTIVITY_STATUSES,
        "rems_type": v.REMS_TYPES,
    }
    search_form_extra_fields = {"provider": provider_search_field("Provider")}
    extra_search_filters = {
        "moc_board": ("MOC board", [FilterMocBoard], v.MOC_BOARDS),
        "ja_credit_type": ("JA credit type", [FilterJaCreditType], v.JA_CREDIT_TYPES),
        "accme_activity_id": (
            "ACCME Activity ID",
            [FilterAccmeActivityId, FilterAccmeActivityIdUpTo, FilterAccmeActivityIdFrom],
            None,
        ),
    }
    label_columns = {
        **LABELS,
        "moc_summary": _("MOC registrations"),
        "ja_credits_summary": _("JA credits"),
        "learners_by_profession": _("Learners by profession"),
        "provider": _("Provider"),
        "reporting_year": _("Reporting year"),
    }
    description_columns = {f.name: f.help for f in ACTIVITY_FIELDS if f.help}
    show_columns = [
        "provider",
        "accme_activity_id",
        "reporting_year",
        *[f.name for f in ACTIVITY_FIELDS if f.name != "accme_activity_id"],
        "moc_summary",
        "ja_credits_summary",
        "learners_by_profession",
    ]
    add_columns = ["provider", *[f.name for f in EDITABLE], *[f.name for f in REPEATED_FIELDS]]
    edit_columns = [*add_columns, "expected_version"]
    add_form_extra_fields = {f.name: form_field(f) for f in (*EDITABLE, *REPEATED_FIELDS)}
    #: The version the user opened: a save from an outdated copy answers 409.
    edit_form_extra_fields = {**add_form_extra_fields, "expected_version": HiddenField()}

    form_mixins = (ActivityForm,)

    def exporter(self) -> Any:
        return ActivityExport()

    def export_filename(self) -> str:
        return "activities.csv"

    add_row_message = _("The activity is saved as a Draft.")
    edit_row_message = _("The activity is saved.")
    show_template = "pars/activity/show.html"
    add_template = "pars/activity/add.html"
    edit_template = "pars/activity/edit.html"
    method_permission_name = {
        **ScopedModelView.method_permission_name,
        "status": "edit",
        "template": "list",
    }

    @expose("/template/<string:kind>")
    @has_access
    def template(self, kind: str) -> Any:
        """The batch-upload template (XLSX with allowed values, or CSV), from the schema."""
        if kind == "xlsx":
            content, mimetype = templates.xlsx_template(), XLSX_TYPE
        elif kind == "csv":
            content, mimetype = templates.csv_template(), "text/csv; charset=utf-8"
        else:
            abort(404)
        response = Response(content, mimetype=mimetype)
        response.headers["Content-Disposition"] = f"attachment; filename=pars-activities.{kind}"
        return response

    def pre_add(self, item: Activity) -> None:
        super().pre_add(item)
        item.status = v.DRAFT
        item.reporting_year = reporting_year(item.start_date)
        with self.datamodel.session.no_autoflush:
            activities.check_year_open(
                self.datamodel.session, acting_user(), _provider_id(item), item.reporting_year
            )
        self._drop_fields_that_do_not_apply(item)
        self._save_repeated_parts(item)

    def pre_update(self, item: Activity) -> None:
        super().pre_update(item)
        with self.datamodel.session.no_autoflush:  # one save is one UPDATE (one version)
            activities.check_editable(self.datamodel.session, acting_user(), item)
            item.reporting_year = reporting_year(item.start_date)
            activities.check_year_open(
                self.datamodel.session, acting_user(), _provider_id(item), item.reporting_year
            )
            self._drop_fields_that_do_not_apply(item)
            self._save_repeated_parts(item)

    def _save_repeated_parts(self, item: Activity) -> None:
        """MOC per board, JA credits and learners per profession, from the form."""
        values = {f.name: item.__dict__.get(f.name) for f in REPEATED_FIELDS}
        with self.datamodel.session.no_autoflush:
            if item.provider is None:
                item.provider = self.datamodel.session.get(Provider, item.provider_id)
            activities.apply_repeated_values(item, values)

    def pre_delete(self, item: Activity) -> None:
        activities.check_editable(self.datamodel.session, acting_user(), item)

    def _drop_fields_that_do_not_apply(self, item: Activity) -> None:
        """JA-PARS fields are kept only for a jointly accredited provider's activities."""
        provider = item.provider or self.datamodel.session.get(Provider, item.provider_id)
        for name in hidden_fields(provider.kind if provider else None) & EDITABLE_NAMES:
            empty: Any = [] if isinstance(getattr(item, name, None), list) else None
            setattr(item, name, empty)

    # ---- sections -------------------------------------------------------------------

    def _provider_kind(self, item: Activity | None = None, form: Any = None) -> str | None:
        provider = getattr(item, "provider", None)
        if provider is None and form is not None and getattr(form, "provider", None):
            provider = form.provider.data
        return getattr(provider, "kind", None)

    def _get_show_widget(self, pk: Any, item: Any, **kwargs: Any) -> Any:
        kwargs["show_fieldsets"] = fieldsets(self.show_columns, self._provider_kind(item))
        return super()._get_show_widget(pk, item, **kwargs)

    def _get_add_widget(self, form: Any, exclude_cols: Any = None, widgets: Any = None) -> Any:
        self._preset_provider(form)
        widgets = widgets or {}
        widgets["add"] = self.add_widget(
            form=form,
            include_cols=self.add_columns,
            exclude_cols=exclude_cols or [],
            fieldsets=fieldsets(self.add_columns, self._provider_kind(form=form)),
        )
        return widgets

    def _get_edit_widget(self, form: Any, exclude_cols: Any = None, widgets: Any = None) -> Any:
        item = self.datamodel.get((request.view_args or {}).get("pk"), self._base_filters)
        widgets = widgets or {}
        widgets["edit"] = self.edit_widget(
            form=form,
            include_cols=self.edit_columns,
            exclude_cols=exclude_cols or [],
            fieldsets=fieldsets(
                self.edit_columns,
                self._provider_kind(item),
                boards={m.board for m in item.moc_registrations} if item else None,
            ),
        )
        return widgets

    def prefill_form(self, form: Any, pk: Any) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            form.expected_version.data = str(item.version_id)
            for name, value in activities.repeated_values(item).items():
                form[name].data = value

    # ---- the lifecycle ---------------------------------------------------------------

    def _visible(self, pk: Any) -> Activity:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        item = self._visible(pk)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            lifecycle=lifecycle_panel(self.datamodel.session, acting_user(), item),
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        item = self._visible(pk)
        try:
            activities.check_editable(self.datamodel.session, acting_user(), item)
            if request.method == "POST":
                activities.check_version(item, request.form.get("expected_version"))
        except ConflictError as error:
            return conflict_response(error.message, url_for(".show", pk=pk))
        except RuleError as error:
            flash(error.message, "warning")
            return redirect(url_for(".show", pk=pk))
        return super().edit(pk)

    @expose("/status/<pk>", methods=["POST"])
    @has_access
    def status(self, pk: Any) -> Any:
        """Move the activity to another status; every missing field is named at once."""
        self._visible(pk)
        try:
            activities.change_status(
                self.datamodel.session,
                actor=acting_user(),
                activity_id=int(pk),
                target=request.form.get("target", ""),
                expected_version=request.form.get("expected_version"),
            )
        except NotInScopeError:
            abort(404)
        except ConflictError as error:
            self.datamodel.session.rollback()
            return conflict_response(error.message, url_for(".show", pk=pk))
        except RuleError as error:
            self.datamodel.session.rollback()
            remember_problems(int(pk), error.message, error.problems)
        else:
            flash(
                str(_("The activity is now %(status)s.", status=request.form["target"])), "success"
            )
        return redirect(url_for(".show", pk=pk))
