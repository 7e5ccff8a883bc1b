"""Staff screens of sign-in security: the audit trail and locked sign-in addresses.

Both are visible to ACCME staff and administrators only (the default rule of
:mod:`app.security.scoping` for records that belong to no provider).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _

from app.models import AuditEvent, SignInLockout
from app.services import signin
from app.services.errors import PARSError
from app.views.base import ScopedModelView
from app.views.datamodel import ScopedInterface, acting_user


class AuditEventModelView(ScopedModelView):
    """The audit trail: read-only, newest first, filterable and exportable."""

    datamodel = ScopedInterface(AuditEvent)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Audit trail")
    show_title = _("Audit event")
    base_order = ("id", "desc")
    list_columns = [
        "occurred_at",
        "action",
        "actor",
        "provider_id",
        "object_type",
        "object_id",
        "ip",
    ]
    show_columns = [*list_columns, "actor_id", "request_id", "detail"]
    order_columns = ["occurred_at", "action", "actor"]
    search_columns = ["action", "actor", "provider_id", "occurred_at", "ip", "request_id"]
    label_columns = {
        "occurred_at": _("When (UTC)"),
        "action": _("Action"),
        "actor": _("Who"),
        "actor_id": _("User id"),
        "provider_id": _("Provider id"),
        "object_type": _("Record"),
        "object_id": _("Record id"),
        "request_id": _("Request id"),
        "ip": _("IP address"),
        "detail": _("Detail"),
    }


class SignInLockoutModelView(ScopedModelView):
    """Email addresses with failed sign-ins; staff unlock a locked one."""

    datamodel = ScopedInterface(SignInLockout)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Sign-in lockouts")
    show_title = _("Sign-in lockout")
    base_order = ("first_failure_at", "desc")
    list_columns = ["email", "failures", "first_failure_at", "locked_until"]
    show_columns = list_columns
    order_columns = ["email", "failures", "first_failure_at", "locked_until"]
    search_columns = ["email", "locked_until"]
    label_columns = {
        "email": _("Email address"),
        "failures": _("Failed attempts"),
        "first_failure_at": _("First failure (UTC)"),
        "locked_until": _("Locked until (UTC)"),
    }

    @action("unlock", _("Unlock sign-in"), _("Unlock the selected addresses?"), "fa-unlock")
    def unlock(self, items: Any) -> Any:
        rows = items if isinstance(items, list) else [items]
        try:
            count = signin.unlock(
                self.datamodel.session, actor=acting_user(), emails=[row.email for row in rows]
            )
            flash(str(_("Sign-in unlocked for %(n)s address(es).", n=count)), "success")
        except PARSError as error:
            flash(error.message, "danger")
        return redirect(self.get_redirect())
