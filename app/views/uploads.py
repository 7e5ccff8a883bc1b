"""Batch upload screens (domain.md §3): choose a file → its validation report and a
preview of the changes → confirm (one transaction) or cancel; and the upload history of
the providers in the user's scope, with each upload's report (also as CSV) and its
original file.

The rules are in :mod:`app.services.uploads`; an upload outside the user's scope is not
found (404). Requests larger than ``MAX_CONTENT_LENGTH`` are refused (413) before they
are read.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import SelectField

from app.exporters.csv_stream import csv_chunks, csv_response, neutralise_row
from app.extensions import db
from app.models import Upload, UploadChange, UploadProblem
from app.queries import my_providers, providers
from app.security import scoping
from app.services import uploads
from app.services.errors import InputError, NotInScopeError, PARSError
from app.views import switcher
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from app.views.forms import provider_search_field

CHANGES_PER_PAGE = 100
PROBLEMS_PER_PAGE = 200
REPORT_HEADINGS = ["Row", "Column", "Value", "Message", "Severity"]


class UploadForm(FlaskForm):
    provider = SelectField(_("Provider"), coerce=int)
    file = FileField(
        _("Activity file (.xlsx, .csv, .txt or .xml)"),
        validators=[FileRequired(_("Choose a file to upload."))],
    )


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


def _provider_choices() -> list[tuple[int, str]]:
    """The providers the user may upload for: their own as a contact, all for staff."""
    if scoping.sees_everything(g.user):
        return [(pid, f"{name} ({accme_id})") for pid, name, accme_id in
                providers.provider_choices(db.session, g.user)]  # fmt: skip
    return my_providers.provider_choices(db.session, g.user)


class UploadModelView(ScopedModelView):
    """Batch uploads of activities: the history list, and the upload pages."""

    datamodel = ScopedInterface(Upload)
    route_base = "/uploads"
    base_permissions = ["can_list", "can_show", "can_add"]
    method_permission_name = {
        **ScopedModelView.method_permission_name,
        "confirm": "add",
        "cancel": "add",
        "report": "show",
        "original": "show",
    }
    list_title = _("Activity uploads")
    base_order = ("id", "desc")
    list_columns = [
        "uploaded_on",
        "provider",
        "original_name",
        "uploaded_by_email",
        "status",
        "received",
        "created",
        "updated",
        "unchanged",
        "rejected",
    ]
    search_columns = ["provider", "status", "uploaded_on", "original_name"]
    #: Light rows for the provider box (1,700 providers), as on the activity list.
    search_form_extra_fields = {"provider": provider_search_field(_("Provider"))}
    #: The upload page replaces Flask-AppBuilder's add form; nothing is edited afterwards.
    add_columns = edit_columns = ["original_name"]
    order_columns = ["uploaded_on", "status", "received"]
    label_columns = {
        "uploaded_on": _("Uploaded (UTC)"),
        "provider": _("Provider"),
        "original_name": _("File"),
        "uploaded_by_email": _("Uploaded by"),
        "status": _("Status"),
        "received": _("Received"),
        "created": _("Created"),
        "updated": _("Updated"),
        "unchanged": _("Unchanged"),
        "rejected": _("Rejected"),
    }

    def _settings(self) -> uploads.UploadSettings:
        return uploads.settings_from(current_app.config)

    def _upload(self, pk: Any) -> Upload:
        try:
            return uploads.upload_for(db.session, g.user, int(pk))
        except (NotInScopeError, ValueError):
            abort(404)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        """Choose a provider and a file; the file is checked and its report shown."""
        form = UploadForm()
        form.provider.choices = _provider_choices()
        if request.method == "GET":
            form.provider.data = switcher.current_provider_id()
        if not form.provider.choices:
            abort(404)
        if form.validate_on_submit():
            storage = form.file.data
            try:
                upload = uploads.receive(
                    db.session,
                    g.user,
                    form.provider.data,
                    storage.filename or "upload",
                    storage.read(),
                    self._settings(),
                )
            except NotInScopeError:
                abort(404)
            except InputError as error:
                form.file.errors = [error.message]
            else:
                return redirect(url_for(".show", pk=upload.id))
        return self.render_template(
            "pars/uploads/add.html", title=_("Upload activities"), form=form
        ), (400 if form.errors else 200)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        """The upload's report, its preview (or its outcome) and its actions."""
        upload = self._upload(pk)
        changes_page = _page_number("changes_page")
        problems_page = _page_number("problems_page")
        may_act = self.appbuilder.sm.has_access("can_add", "UploadModelView") and (
            scoping.can_act_for_provider(db.session, g.user, upload.provider_id)
        )
        return self.render_template(
            "pars/uploads/show.html",
            title=_("Upload %(name)s", name=upload.original_name),
            upload=upload,
            earlier=uploads.earlier_same_file(db.session, upload),
            changes=_changes(upload, changes_page),
            changes_page=changes_page,
            change_pages=_pages(_count(UploadChange, upload), CHANGES_PER_PAGE),
            problems=_problems(upload, problems_page),
            problems_page=problems_page,
            problem_pages=_pages(_count(UploadProblem, upload), PROBLEMS_PER_PAGE),
            action_form=ActionForm(formdata=None),
            may_act=may_act and upload.status == uploads.READY,
        )

    @expose("/confirm/<pk>", methods=["POST"])
    @has_access
    def confirm(self, pk: Any) -> Any:
        """Write the checked file in one transaction."""
        upload = self._upload(pk)
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            done = uploads.confirm(db.session, g.user, upload.id, self._settings())
        except NotInScopeError:
            abort(404)
        except PARSError as error:
            flash(error.message, "danger")
        else:
            flash(
                _(
                    "Saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                    created=done.created,
                    updated=done.updated,
                    unchanged=done.unchanged,
                ),
                "success",
            )
        return redirect(url_for(".show", pk=upload.id))

    @expose("/cancel/<pk>", methods=["POST"])
    @has_access
    def cancel(self, pk: Any) -> Any:
        """Drop a checked file without writing anything."""
        upload = self._upload(pk)
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            uploads.cancel(db.session, g.user, upload.id)
        except NotInScopeError:
            abort(404)
        except PARSError as error:
            flash(error.message, "danger")
        else:
            flash(_("The upload is cancelled; nothing was written."), "info")
        return redirect(url_for(".show", pk=upload.id))

    @expose("/report/<pk>", methods=["GET"])
    @has_access
    def report(self, pk: Any) -> Any:
        """The validation report as CSV: row, column, value, message, severity."""
        upload = self._upload(pk)
        query = (
            select(
                UploadProblem.row,
                UploadProblem.column,
                UploadProblem.value,
                UploadProblem.message,
                UploadProblem.severity,
            )
            .where(UploadProblem.upload_id == upload.id)
            .order_by(UploadProblem.id)
        )
        rows = [neutralise_row(["" if r[0] is None else r[0], *r[1:]]) for r in
                db.session.execute(query)]  # fmt: skip
        return csv_response(csv_chunks(REPORT_HEADINGS, [rows]), f"upload-{upload.id}-report.csv")

    @expose("/original/<pk>", methods=["GET"])
    @has_access
    def original(self, pk: Any) -> Any:
        """The file as it was uploaded (stored under a generated name)."""
        upload = self._upload(pk)
        path = uploads.stored_path(upload, self._settings())
        if not path.is_file():
            abort(404)
        return send_file(
            path,
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=_download_name(upload),
            max_age=0,
        )


def _download_name(upload: Upload) -> str:
    """A safe name for the download: the upload id and the original extension."""
    extension = {"xlsx": "xlsx", "csv": "csv", "txt": "txt", "xml": "xml"}
    return f"upload-{upload.id}.{extension.get(upload.file_format, 'bin')}"


def _page_number(name: str) -> int:
    try:
        return max(int(request.args.get(name, "1")), 1)
    except ValueError:
        return 1


def _count(model: Any, upload: Upload) -> int:
    query = select(func.count()).select_from(model).where(model.upload_id == upload.id)
    return int(db.session.scalar(query) or 0)


def _pages(total: int, per_page: int) -> int:
    return max((total + per_page - 1) // per_page, 1)


def _changes(upload: Upload, page: int) -> list[dict[str, Any]]:
    query = (
        select(UploadChange)
        .where(UploadChange.upload_id == upload.id)
        .order_by(UploadChange.row)
        .offset((page - 1) * CHANGES_PER_PAGE)
        .limit(CHANGES_PER_PAGE)
    )
    return [
        {
            "row": change.row,
            "key": change.provider_activity_id,
            "action": change.action,
            "title": change.title,
            "differences": json.loads(change.changes or "[]"),
        }
        for change in db.session.scalars(query)
    ]


def _problems(upload: Upload, page: int) -> list[UploadProblem]:
    query = (
        select(UploadProblem)
        .where(UploadProblem.upload_id == upload.id)
        .order_by(UploadProblem.id)
        .offset((page - 1) * PROBLEMS_PER_PAGE)
        .limit(PROBLEMS_PER_PAGE)
    )
    return list(db.session.scalars(query))
