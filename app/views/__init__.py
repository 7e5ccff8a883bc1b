"""Registration of every PARS view and menu entry: the one place the app lists them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from app.api import ActivityRestApi, ProviderRestApi
from app.views.account import AccountView
from app.views.accreditor import AccreditorMemberModelView, AccreditorModelView
from app.views.activity import ActivityModelView
from app.views.annual import AccreditorDeadlineView, AnnualReportingView, AnnualReportView
from app.views.auth import PasswordRecoveryView
from app.views.contact import ProviderContactModelView
from app.views.criteria import CriterionModelView
from app.views.decisions import AccreditationDecisionModelView
from app.views.provider import ProviderModelView
from app.views.review_dashboard import ReviewDashboardView
from app.views.reviews import ReviewModelView
from app.views.security_log import AuditEventModelView, SignInLockoutModelView
from app.views.uploads import UploadModelView


@dataclass(frozen=True)
class MenuEntry:
    view: type
    name: str
    category: str
    icon: str


MENU = (
    MenuEntry(ProviderModelView, "Providers", "Providers", "fa-hospital-o"),
    MenuEntry(ProviderContactModelView, "Provider contacts", "Providers", "fa-address-book"),
    MenuEntry(ActivityModelView, "Activities", "Activities", "fa-graduation-cap"),
    MenuEntry(UploadModelView, "Activity uploads", "Activities", "fa-upload"),
    MenuEntry(AnnualReportView, "Annual report", "Annual reporting", "fa-calendar-check-o"),
    MenuEntry(AnnualReportingView, "Reporting progress", "Annual reporting", "fa-tasks"),
    MenuEntry(AccreditorDeadlineView, "Reporting deadlines", "Annual reporting", "fa-calendar"),
    MenuEntry(ReviewModelView, "Reviews", "Accreditation", "fa-clipboard"),
    MenuEntry(AccreditorModelView, "Accreditors", "Accreditation", "fa-university"),
    MenuEntry(AccreditorMemberModelView, "Accreditor members", "Accreditation", "fa-users"),
    MenuEntry(
        AccreditationDecisionModelView, "Accreditation history", "Accreditation", "fa-history"
    ),
    MenuEntry(ReviewDashboardView, "Review dashboard", "Accreditation", "fa-tachometer"),
    MenuEntry(CriterionModelView, "Criteria", "Accreditation", "fa-check-square-o"),
    MenuEntry(AuditEventModelView, "Audit trail", "Sign-in security", "fa-list-alt"),
    MenuEntry(SignInLockoutModelView, "Sign-in lockouts", "Sign-in security", "fa-lock"),
)
#: Pages without a menu entry of their own (reached from the navbar and from emails).
PAGES = (AccountView, PasswordRecoveryView)
APIS = (ActivityRestApi, ProviderRestApi)


def register_views(appbuilder: AppBuilder) -> None:
    """Add every view, API and menu entry to ``appbuilder``."""
    for entry in MENU:
        appbuilder.add_view(
            entry.view,
            entry.name,
            label=_(entry.name),
            icon=entry.icon,
            category=entry.category,
            category_label=_(entry.category),
        )
    for page in PAGES:
        appbuilder.add_view_no_menu(page)
    for api in APIS:
        appbuilder.add_api(api)
