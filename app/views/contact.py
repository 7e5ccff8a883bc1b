"""Provider contacts: which users act for which provider, and as what (§7.1)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _

from app.models import ProviderContact
from app.schema import vocabularies as v
from app.services import contacts
from app.services.errors import PARSError
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface, acting_user
from app.views.forms import SchemaSelectField, provider_search_field


class ProviderContactModelView(ScopedModelView):
    """Users' links to providers: contacts of the providers in the user's scope."""

    datamodel = ScopedInterface(ProviderContact)
    list_title = _("Provider contacts")
    show_title = _("Provider contact")
    add_title = _("Add provider contact")
    edit_title = _("Edit provider contact")
    list_columns = ["provider", "user", "contact_type"]
    order_columns = ["contact_type"]
    search_columns = ["provider", "user", "contact_type"]
    choice_search_columns = {"contact_type": v.CONTACT_TYPES}
    search_form_extra_fields = {"provider": provider_search_field("Provider")}
    label_columns = {
        "provider": _("Provider"),
        "user": _("User"),
        "contact_type": _("Contact type"),
    }
    show_columns = ["provider", "user", "contact_type"]
    add_columns = ["provider", "user", "contact_type"]
    edit_columns = ["contact_type"]
    add_form_extra_fields = {
        "contact_type": SchemaSelectField(
            "Contact type", choices=v.CONTACT_TYPES.choices(), default="Staff"
        ),
    }
    edit_form_extra_fields = add_form_extra_fields

    def pre_add(self, item: ProviderContact) -> None:
        super().pre_add(item)
        contacts.check_contact_change(self.datamodel.session, actor=acting_user(), contact=item)

    def pre_update(self, item: ProviderContact) -> None:
        super().pre_update(item)
        contacts.check_contact_change(self.datamodel.session, actor=acting_user(), contact=item)

    def pre_delete(self, item: ProviderContact) -> None:
        contacts.check_contact_removal(self.datamodel.session, actor=acting_user(), contact=item)

    @action("make_primary", _("Make primary contact"), single=True, multiple=False)
    def make_primary(self, item: Any) -> Any:
        try:
            contacts.make_primary_contact(
                self.datamodel.session, actor=acting_user(), contact_id=item.id
            )
            flash(str(_("The Primary Contact was changed.")), "success")
        except PARSError as error:
            flash(error.message, "danger")
        return redirect(self.get_redirect())
