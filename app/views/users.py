"""The administrator's user screens (Flask-AppBuilder's), with the PARS account columns.

Deactivating a user ends their sessions at once (the server-side check would refuse
them on the next request anyway); passwords typed here follow the PARS policy through
``FAB_PASSWORD_COMPLEXITY_VALIDATOR``.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _
from wtforms import BooleanField

from app.services import signin_sessions

PARS_COLUMNS = ["phone", "must_set_password"]


class PARSUserDBModelView(UserDBModelView):
    edit_columns = [*UserDBModelView.edit_columns, *PARS_COLUMNS]
    add_columns = [*UserDBModelView.add_columns, *PARS_COLUMNS]
    show_columns = [
        "first_name",
        "last_name",
        "username",
        "email",
        "phone",
        "active",
        "roles",
        "must_set_password",
        "login_count",
        "fail_login_count",
        "last_login",
        "created_on",
        "changed_on",
    ]
    label_columns = {
        **UserDBModelView.label_columns,
        "phone": _("Telephone"),
        "must_set_password": _("Must set a new password at next sign-in"),
    }

    #: A plain checkbox: FAB would make the non-null column a required one.
    edit_form_extra_fields = {
        "must_set_password": BooleanField(_("Must set a new password at next sign-in")),
    }
    add_form_extra_fields = {
        **UserDBModelView.add_form_extra_fields,
        **edit_form_extra_fields,
    }

    def post_update(self, item: Any) -> None:
        if not item.active:
            signin_sessions.end_all(self.datamodel.session, item.id, signin_sessions.DEACTIVATED)
            self.datamodel.session.commit()
