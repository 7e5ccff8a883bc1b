"""Accreditors and the users who act for a Recognized Accreditor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _

from app.models import Accreditor, AccreditorMember
from app.schema import vocabularies as v
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
from app.views.forms import SchemaSelectField


class AccreditorModelView(ScopedModelView):
    """ACCME, Joint Accreditation and the state Recognized Accreditors."""

    datamodel = ScopedInterface(Accreditor)
    list_title = _("Accreditors")
    show_title = _("Accreditor")
    add_title = _("Add accreditor")
    edit_title = _("Edit accreditor")
    base_order = ("name", "asc")
    list_columns = ["code", "name", "kind", "state"]
    order_columns = ["code", "name", "kind", "state"]
    search_columns = ["code", "name", "kind", "state"]
    choice_search_columns = {"kind": v.ACCREDITOR_KINDS, "state": v.US_STATES}
    label_columns = {"code": _("Code"), "name": _("Name"), "kind": _("Kind"), "state": _("State")}
    show_columns = ["code", "name", "kind", "state"]
    add_columns = show_columns
    edit_columns = show_columns
    add_form_extra_fields = {
        "kind": SchemaSelectField("Kind", choices=v.ACCREDITOR_KINDS.choices()),
        "state": SchemaSelectField("State", choices=[("", "—"), *v.US_STATES.choices()]),
    }
    edit_form_extra_fields = add_form_extra_fields


class AccreditorMemberModelView(ScopedModelView):
    """Which users act for which Recognized Accreditor (and so see its providers)."""

    datamodel = ScopedInterface(AccreditorMember)
    list_title = _("Accreditor members")
    list_columns = ["accreditor", "user"]
    order_columns: list[str] = []
    search_columns = ["accreditor", "user"]
    label_columns = {"accreditor": _("Accreditor"), "user": _("User")}
    show_columns = ["accreditor", "user"]
    add_columns = ["accreditor", "user"]
    edit_columns = ["accreditor", "user"]
