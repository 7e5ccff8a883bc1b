"""Providers, with their contacts and activities as related lists."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_appbuilder.forms import GeneralModelConverter
from flask_babel import lazy_gettext as _
from wtforms.validators import Regexp

from app.models import Provider
from app.schema import vocabularies as v
from app.security import scoping
from app.views.activity import ActivityModelView
from app.views.base import ScopedModelView
from app.views.contact import ProviderContactModelView
from app.views.datamodel import ScopedInterface, acting_user
from app.views.forms import SchemaSelectField, safe_form

ADDRESS_COLUMNS = ["address_line1", "address_line2", "city", "state", "postal_code", "country"]


def _choice(label: str, vocab: v.Vocabulary, required: bool = True) -> SchemaSelectField:
    from wtforms.validators import InputRequired, Optional

    checks = (
        [InputRequired(message=f"{label}: this field is required.")] if required else [Optional()]
    )
    return SchemaSelectField(label, choices=[("", "—"), *vocab.choices()], validators=checks)


class ProviderModelView(ScopedModelView):
    """Accredited providers. Staff manage everything; a provider's own contacts may edit
    its name and address only (accreditation data is staff's)."""

    datamodel = ScopedInterface(Provider)
    list_title = _("Providers")
    show_title = _("Provider")
    add_title = _("Add provider")
    edit_title = _("Edit provider")
    base_order = ("name", "asc")
    list_columns = ["accme_id", "name", "kind", "accreditor", "accreditation_status", "term_end"]
    order_columns = ["accme_id", "name", "kind", "accreditation_status", "term_end"]
    search_columns = ["accme_id", "name", "kind", "accreditor", "accreditation_status", "state"]
    choice_search_columns = {
        "kind": v.PROVIDER_KINDS,
        "accreditation_status": v.ACCREDITATION_STATUSES,
    }
    label_columns = {
        "accme_id": _("ACCME Provider ID"),
        "name": _("Name"),
        "organization_type": _("Organization type"),
        "kind": _("Accreditation kind"),
        "accreditor": _("Accreditor"),
        "accreditation_status": _("Accreditation status"),
        "term_start": _("Term start"),
        "term_end": _("Term end"),
        "address_line1": _("Address"),
        "address_line2": _("Address (line 2)"),
        "city": _("City"),
        "state": _("State"),
        "postal_code": _("ZIP code"),
        "country": _("Country"),
    }
    show_columns = [
        "accme_id",
        "name",
        "organization_type",
        "kind",
        "accreditor",
        "accreditation_status",
        "term_start",
        "term_end",
        *ADDRESS_COLUMNS,
    ]
    add_columns = show_columns
    #: What a provider's own contact may change.
    contact_edit_columns = ["name", *ADDRESS_COLUMNS]
    add_form_extra_fields = {
        "organization_type": _choice("Organization type", v.ORGANIZATION_TYPES),
        "kind": _choice("Accreditation kind", v.PROVIDER_KINDS),
        "accreditation_status": _choice("Accreditation status", v.ACCREDITATION_STATUSES),
        "state": _choice("State", v.US_STATES, required=False),
        "country": _choice("Country", v.COUNTRIES),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns: dict[str, Any] = {
        "accme_id": [
            Regexp(r"^\d{7}$", message="ACCME Provider ID: use the 7 digits, e.g. 0001234.")
        ],
    }
    related_views = [ProviderContactModelView, ActivityModelView]

    # Staff edit the whole provider; the provider's own contacts only its name and address.
    # The form and its columns are chosen per request (never stored on the shared view).
    _staff_edit_form: Any = None
    _contact_edit_form: Any = None

    @property  # type: ignore[override]
    def edit_form(self) -> Any:
        return self._staff_edit_form if self._staff() else self._contact_edit_form

    @edit_form.setter
    def edit_form(self, form: Any) -> None:
        self._staff_edit_form = form

    @property  # type: ignore[override]
    def edit_columns(self) -> list[str]:
        return self.show_columns if self._staff() else self.contact_edit_columns

    @edit_columns.setter
    def edit_columns(self, columns: list[str]) -> None:
        """Flask-AppBuilder assigns the staff columns at start-up; they are show_columns."""

    def _init_forms(self) -> None:
        super()._init_forms()
        contact_fields = {
            k: f for k, f in self.edit_form_extra_fields.items() if k in self.contact_edit_columns
        }
        self._contact_edit_form = safe_form(
            GeneralModelConverter(self.datamodel).create_form(
                self.label_columns,
                self.contact_edit_columns,
                self.description_columns,
                self.validators_columns,
                contact_fields,
            )
        )

    def _staff(self) -> bool:
        """Staff (or start-up, when no one is signed in yet) get the whole form."""
        if not has_request_context():
            return True
        return scoping.sees_everything(acting_user())

    def pre_update(self, item: Provider) -> None:
        super().pre_update(item)
        if not self._staff():
            _refuse_staff_field_changes(item)


def _refuse_staff_field_changes(item: Provider) -> None:
    from sqlalchemy import inspect

    state = inspect(item)
    for name in (
        "accme_id",
        "kind",
        "accreditor_id",
        "accreditation_status",
        "term_start",
        "term_end",
    ):
        if state.attrs[name].history.has_changes():
            raise ValueError(str(_("Only ACCME staff can change accreditation data.")))
