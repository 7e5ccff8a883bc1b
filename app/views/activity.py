"""Activities: the list every role works from, and the web form generated from the schema."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _

from app.exporters.activity_rows import ActivityExport
from app.models import Activity
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS
from app.schema.rules import reporting_year
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface
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
    add_columns = ["provider", *[f.name for f in EDITABLE]]
    edit_columns = add_columns
    add_form_extra_fields = {f.name: form_field(f) for f in EDITABLE}
    edit_form_extra_fields = add_form_extra_fields

    form_mixins = (ActivityForm,)

    def exporter(self) -> Any:
        return ActivityExport()

    def export_filename(self) -> str:
        return "activities.csv"

    def pre_add(self, item: Activity) -> None:
        super().pre_add(item)
        item.status = v.DRAFT
        item.reporting_year = reporting_year(item.start_date)

    def pre_update(self, item: Activity) -> None:
        super().pre_update(item)
        item.reporting_year = reporting_year(item.start_date)
