"""Provider contacts: which users act for which provider, and as what (§7.1)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.models import ProviderContact
from app.schema import vocabularies as v
from app.services import contact_access, contacts
from app.services.contact_access import NewContact
from app.services.errors import NotInScopeError, PARSError
from app.services.policy import link_settings
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
    add_columns = ["provider", "email", "first_name", "last_name", "contact_type"]
    edit_columns = ["contact_type"]
    description_columns = {
        "email": _(
            "The person signs in with this address. Someone new to PARS gets an "
            "email to set their password."
        ),
        "first_name": _("Needed only for a person new to PARS."),
    }
    edit_form_extra_fields = {
        "contact_type": SchemaSelectField(
            "Contact type", choices=v.CONTACT_TYPES.choices(), default="Staff"
        ),
    }
    add_form_extra_fields = {
        **edit_form_extra_fields,
        "email": StringField(
            _("Email address"),
            validators=[DataRequired(_("Enter the contact's email address.")), Length(max=254)],
            render_kw={"type": "email", "autocomplete": "off"},
        ),
        "first_name": StringField(_("First name"), validators=[Length(max=64)]),
        "last_name": StringField(_("Last name"), validators=[Length(max=64)]),
    }

    def _add(self) -> Any:
        """A valid new contact goes through the contact-access service (which creates the
        account if needed and sends the "access granted" email); the rest is FAB's form."""
        form = self.add_form.refresh()
        if request.method != "POST" or not form.validate():
            return super()._add()
        entry = NewContact(
            provider_id=getattr(form.provider.data, "id", None),
            email=form.email.data or "",
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            contact_type=form.contact_type.data or "",
        )
        try:
            contact = contact_access.add_contact(
                self.datamodel.session,
                actor=acting_user(),
                entry=entry,
                settings=link_settings(current_app.config),
            )
        except NotInScopeError:
            abort(404)
        except PARSError as error:
            self.datamodel.session.rollback()
            flash(error.message, "danger")
            return self._get_add_widget(form=form)
        flash(
            str(
                _(
                    "%(user)s is now %(type)s of %(provider)s.",
                    user=contact.user,
                    type=contact.contact_type,
                    provider=contact.provider.name,
                )
            ),
            "success",
        )
        return None

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
