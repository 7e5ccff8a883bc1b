"""Roles as data: what each PARS role may do, synced into the database idempotently.

``flask pars sync-roles`` creates every permission of the registered views, creates the
five roles and sets each role's permissions to exactly the set declared here (a
permission removed here is removed from the role). Rows within a permitted view are then
limited by :mod:`app.security.scoping`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.security import roles

READ = ("can_list", "can_show")
WRITE = ("can_add", "can_edit", "can_delete")
API_READ = ("can_get", "can_info")
#: What every signed-in user may do with their own account.
OWN_ACCOUNT = (("can_use", "Account"),)

PARS_VIEWS = {
    "ProviderModelView",
    "ProviderContactModelView",
    "ActivityModelView",
    "AccreditorModelView",
    "AccreditorMemberModelView",
    "ActivityRestApi",
    "ProviderRestApi",
    "AuditEventModelView",
    "SignInLockoutModelView",
    "AnnualReportView",
    "AnnualReportingView",
    "AccreditorDeadlineView",
    "UploadModelView",
    "CriterionModelView",
    "AccreditationDecisionModelView",
    "ReviewModelView",
    "ReviewDashboardView",
}
#: What each side of an accreditation review does on the review pages (the permission
#: names of :class:`app.views.reviews.ReviewModelView`'s steps).
REVIEW_READ = ("can_list", "can_show")
REVIEW_STAFF = (*REVIEW_READ, "can_add", "can_manage", "can_decide", "can_survey")
REVIEW_PROVIDER = (*REVIEW_READ, "can_provide")
REVIEW_SURVEYOR = (*REVIEW_READ, "can_survey", "can_declare")


def _grant(view: str, *permissions: str) -> list[tuple[str, str]]:
    return [(permission, view) for permission in permissions]


def _read_scope() -> list[tuple[str, str]]:
    """Reading providers, their contacts and activities, and the accreditors."""
    return [
        *_grant("ProviderModelView", *READ),
        *_grant("ProviderContactModelView", *READ),
        *_grant("ActivityModelView", *READ),
        *_grant("AccreditorModelView", *READ),
        *_grant("CriterionModelView", *READ),
        *_grant("ActivityRestApi", *API_READ),
        *_grant("ProviderRestApi", *API_READ),
    ]


def _annual_oversight() -> list[tuple[str, str]]:
    """The annual reporting list of the providers in scope, and the accreditors' deadlines."""
    return [
        *_grant("AnnualReportingView", "can_list"),
        *_grant("AccreditorDeadlineView", "can_list", "can_edit"),
    ]


def role_permissions() -> dict[str, list[tuple[str, str]]]:
    """(permission, view) pairs per role; Admin additionally gets every permission."""
    staff = [
        *_grant("ProviderModelView", *READ, *WRITE),
        *_grant("ProviderContactModelView", *READ, *WRITE, "make_primary"),
        *_grant("ActivityModelView", *READ, *WRITE),
        *_grant("AccreditorModelView", *READ, *WRITE),
        *_grant("AccreditorMemberModelView", *READ, *WRITE),
        *_grant("CriterionModelView", *READ, "can_add", "can_edit"),
        *_grant("AccreditationDecisionModelView", *READ, "can_add"),
        *_grant("ActivityRestApi", *API_READ),
        *_grant("ProviderRestApi", *API_READ),
        *_grant("AuditEventModelView", *READ),
        *_grant("SignInLockoutModelView", *READ, "unlock"),
        *_grant("AnnualReportView", "can_show", "can_edit", "can_reopen", "can_extend"),
        *_annual_oversight(),
        *_grant("UploadModelView", *READ, "can_add"),
        *_grant("ReviewModelView", *REVIEW_STAFF),
        *_grant("ReviewDashboardView", "can_list"),
    ]
    contact = [
        *_read_scope(),
        *_grant("ProviderModelView", "can_edit"),
        *_grant("ProviderContactModelView", *WRITE, "make_primary"),
        *_grant("ActivityModelView", *WRITE),
        *_grant("AnnualReportView", "can_list", "can_show", "can_edit"),
        *_grant("UploadModelView", *READ, "can_add"),
        *_grant("AccreditationDecisionModelView", *READ),
        *_grant("ReviewModelView", *REVIEW_PROVIDER),
    ]
    accreditor = [
        *_read_scope(),
        *_grant("AnnualReportView", "can_show"),
        *_annual_oversight(),
        *_grant("UploadModelView", *READ),
        *_grant("AccreditationDecisionModelView", *READ),
    ]
    return {
        roles.ADMIN: staff,
        roles.STAFF: staff,
        roles.ACCREDITOR: accreditor,
        roles.SURVEYOR: [
            *_read_scope(),
            *_grant("ReviewModelView", *REVIEW_SURVEYOR),
            *_grant("ReviewDashboardView", "can_list"),
        ],
        roles.CONTACT: contact,
    }


def menu_permissions(
    granted: Iterable[tuple[str, str]], menu: Iterable[Any]
) -> list[tuple[str, str]]:
    """``menu_access`` on each menu entry whose view the role may list, and its category."""
    listed = {view for permission, view in granted if permission in ("can_list", "can_get")}
    access: list[tuple[str, str]] = []
    for entry in menu:
        if entry.view.__name__ in listed:
            access += [("menu_access", entry.name), ("menu_access", entry.category)]
    return list(dict.fromkeys(access))


def sync_roles(appbuilder: Any, menu: Iterable[Any]) -> dict[str, int]:
    """Create the permissions and the five roles; set each role's permissions exactly.

    Idempotent: running it twice changes nothing the second time. Returns the number of
    permissions per role.
    """
    sm = appbuilder.sm
    for role_name in roles.ALL_ROLES:
        sm.find_role(role_name) or sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)
    menu = list(menu)
    counts = {}
    for role_name, granted in role_permissions().items():
        wanted = list(granted) + list(OWN_ACCOUNT) + menu_permissions(granted, menu)
        role = sm.find_role(role_name)
        pvs = _permission_views(sm, wanted)
        if role_name == roles.ADMIN:
            pvs = _all_permission_views(sm)
        role.permissions = pvs
        counts[role_name] = len(pvs)
    public = sm.find_role(sm.auth_role_public)
    if public is not None:
        public.permissions = []
    sm.session.commit()
    return counts


def _permission_views(sm: Any, wanted: Iterable[tuple[str, str]]) -> list[Any]:
    found = []
    for permission, view in dict.fromkeys(wanted):
        pv = sm.find_permission_view_menu(permission, view)
        if pv is None:
            pv = sm.add_permission_view_menu(permission, view)
        found.append(pv)
    return found


def _all_permission_views(sm: Any) -> list[Any]:
    return list(sm.session.query(sm.permissionview_model).all())
