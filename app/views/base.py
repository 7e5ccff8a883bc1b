"""The project base view: every PARS list, page, form and export builds on it.

It adds to Flask-AppBuilder's ModelView what a multi-tenant accreditation system needs:
rows limited to the user's scope (through :class:`ScopedInterface`), a capped page size,
a whitelist of sort columns, actions that cannot reach rows outside the scope, database
errors shown without their SQL, and a CSV export of exactly the
rows of the list with its current filters.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import abort, current_app, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterNotEqual
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from flask_babel import lazy_gettext as _
from wtforms import SelectField, StringField

from app.exporters.csv_stream import csv_response
from app.exporters.model_rows import ModelExport
from app.models import Provider
from app.schema.values import display_value
from app.schema.vocabularies import Vocabulary
from app.security import scoping
from app.services import audit
from app.views import switcher
from app.views.datamodel import acting_user
from app.views.forms import safe_form


def choice_search_field(label: str, vocab: Vocabulary) -> SelectField:
    """A search box value chosen from a vocabulary."""
    return SelectField(str(label), choices=vocab.choices(), widget=Select2Widget())


class ScopedModelView(ModelView):
    """A ModelView whose rows, dropdowns, actions and exports follow the user's scope."""

    list_template = "pars/list.html"
    page_size = 25
    base_order = ("id", "desc")
    method_permission_name: ClassVar[dict[str, str]] = {"export": "list"}
    #: (attribute, heading) pairs of the CSV export; the list columns when empty.
    export_columns: ClassVar[list[tuple[str, str]]] = []
    database_error_message = _("The record could not be saved. Please check it and try again.")

    #: Search entries that are not a plain column: name -> (label, filters, vocabulary).
    extra_search_filters: ClassVar[dict[str, tuple[str, list[type], Vocabulary | None]]] = {}
    #: Columns searched by an exact choice from a vocabulary.
    choice_search_columns: ClassVar[dict[str, Vocabulary]] = {}

    def _init_properties(self) -> None:
        super()._init_properties()
        self.formatters_columns = {
            **{name: display_value for name in {*self.list_columns, *self.show_columns}},
            **(self.formatters_columns or {}),
        }
        extra_fields = dict(self.search_form_extra_fields or {})
        for name, vocab in self.choice_search_columns.items():
            equal, not_equal = (
                FilterEqual(name, self.datamodel),
                FilterNotEqual(name, self.datamodel),
            )
            self._set_search_filters(name, [equal, not_equal])
            extra_fields[name] = choice_search_field(self.label_columns.get(name, name), vocab)
        for name, (label, classes, vocab) in self.extra_search_filters.items():
            if name not in self.search_columns:
                self.search_columns = [*self.search_columns, name]
            self.label_columns[name] = label
            self._set_search_filters(name, [cls(name, self.datamodel) for cls in classes])
            extra_fields[name] = (
                choice_search_field(label, vocab)
                if vocab
                else StringField(label, widget=BS3TextFieldWidget())
            )
        self.search_form_extra_fields = extra_fields

    #: Form behaviours added to the generated add and edit forms.
    form_mixins: ClassVar[tuple[type, ...]] = ()

    def _init_forms(self) -> None:
        super()._init_forms()
        self.add_form = safe_form(self.add_form, *self.form_mixins)
        self.edit_form = safe_form(self.edit_form, *self.form_mixins)

    def _set_search_filters(self, name: str, filters: list[Any]) -> None:
        """Offer exactly these filters for ``name``: the search form lists them and the
        request's ``_flt_<index>_<name>`` arguments pick from the same list."""
        self._filters._search_filters[name] = filters
        self._filters._all_filters[name] = filters

    # ---- lists: page size cap and sort whitelist -------------------------------------

    def max_page_size(self) -> int:
        return int(current_app.config.get("PARS_MAX_PAGE_SIZE", 100))

    def _get_list_widget(self, filters: Any, *args: Any, **kwargs: Any) -> Any:
        """Cap ``psize_<View>`` and ignore a sort column that is not in the whitelist."""
        size = kwargs.get("page_size") or current_app.config.get("PARS_PAGE_SIZE", self.page_size)
        kwargs["page_size"] = max(1, min(int(size), self.max_page_size()))
        if kwargs.get("order_column") and kwargs["order_column"] not in self.order_columns:
            kwargs["order_column"], kwargs["order_direction"] = "", ""
        return super()._get_list_widget(filters, *args, **kwargs)

    def _preset_provider(self, form: Any) -> None:
        """A new record's provider starts as the contact's current provider (the switcher)."""
        field = getattr(form, "provider", None)
        if request.method == "GET" and field is not None and field.data is None:
            current = switcher.current_provider_id()
            if current is not None:
                field.data = self.datamodel.session.get(Provider, current)

    def _get_add_widget(self, form: Any, *args: Any, **kwargs: Any) -> Any:
        self._preset_provider(form)
        return super()._get_add_widget(form, *args, **kwargs)

    # ---- writes: never for a provider outside the scope -------------------------------

    def check_provider_scope(self, item: Any) -> None:
        """Refuse a record attached to a provider the user may not act for."""
        provider_id = getattr(item, "provider_id", None)
        provider = getattr(item, "provider", None)
        if provider is not None:
            provider_id = provider.id
        session = self.datamodel.session
        with session.no_autoflush:  # one save is one UPDATE (one version step)
            allowed = scoping.can_see_provider(session, acting_user(), provider_id)
        if hasattr(item, "provider_id") and not allowed:
            raise ValueError(str(_("Provider: not a valid choice.")))

    def pre_add(self, item: Any) -> None:
        self.check_provider_scope(item)

    def pre_update(self, item: Any) -> None:
        self.check_provider_scope(item)

    # ---- routes Flask-AppBuilder adds that PARS closes or guards ----------------------

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: Any) -> Any:
        """An action on one row: 404 unless the row is in the user's scope."""
        if name not in self.actions:
            abort(404)
        if self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self) -> Any:
        """An action on several rows: 404 unless every row is in the user's scope."""
        if request.form.get("action") not in self.actions:
            abort(404)
        for pk in request.form.getlist("rowid"):
            if self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
                abort(404)
        return super().action_post()

    # ---- CSV export ------------------------------------------------------------------

    def export_query(self) -> Any:
        """The list's query with the request's filters and the user's scope, unordered."""
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        query = self.datamodel.session.query(self.datamodel.obj)
        return self.datamodel.apply_filters(query, filters)

    def export_filename(self) -> str:
        return f"{self.datamodel.obj.__tablename__}.csv"

    def exporter(self) -> Any:
        """The row writer of this list; activities override it with the schema's."""
        columns = self.export_columns or [
            (name, str(self.label_columns.get(name, name))) for name in self.list_columns
        ]
        return ModelExport(self.datamodel.obj, columns)

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        """Download the rows of this list, with its current filters, as CSV."""
        batch_size = int(current_app.config.get("PARS_EXPORT_BATCH_SIZE", 2000))
        query, exporter, sessions = self.export_query(), self.exporter(), self.datamodel.session
        filters = request.query_string.decode(errors="replace")
        audit.record_export(sessions, acting_user(), type(self).__name__, filters)

        def stream() -> Any:
            """The file is written after the view has returned: read it through the
            session of the streaming context (not the request's, already removed, which
            would hold a connection nobody returns), and close that session at the end."""
            session = sessions()
            try:
                yield from exporter.chunks(session, query.with_session(session), batch_size)
            finally:
                session.close()

        return csv_response(stream(), self.export_filename())
