"""The accreditation criteria catalogue: staff maintain it; everyone who signs in reads
it (the criteria are public rules; findings are recorded against them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from wtforms import BooleanField

from app.models import Criterion
from app.schema.criteria import CRITERION_KINDS
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from app.views.forms import SchemaSelectField


class CriterionModelView(ScopedModelView):
    """Core criteria, Standards for Integrity and Independence, commendation criteria.
    A criterion is retired (Active: No), never deleted: findings keep their criterion."""

    datamodel = ScopedInterface(Criterion)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_title = _("Accreditation criteria")
    show_title = _("Criterion")
    add_title = _("Add criterion")
    edit_title = _("Edit criterion")
    base_order = ("position", "asc")
    list_columns = ["code", "name", "kind", "group", "active"]
    order_columns = ["code", "name", "kind", "group", "position"]
    search_columns = ["code", "name", "kind", "group", "active"]
    choice_search_columns = {"kind": CRITERION_KINDS}
    label_columns = {
        "code": _("Code"),
        "name": _("Name"),
        "kind": _("Kind"),
        "group": _("Group"),
        "description": _("Description"),
        "position": _("Order"),
        "active": _("Active"),
    }
    show_columns = ["code", "name", "kind", "group", "description", "position", "active"]
    add_columns = show_columns
    edit_columns = show_columns
    add_form_extra_fields = {
        "kind": SchemaSelectField("Kind", choices=CRITERION_KINDS.choices()),
        # Unticked retires the criterion (Flask-AppBuilder would require a ticked box).
        "active": BooleanField(_("Active"), default=True),
    }
    edit_form_extra_fields = add_form_extra_fields
