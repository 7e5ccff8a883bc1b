"""Registration of every PARS view and menu entry: the one place the app lists them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from app.api import ActivityRestApi, ProviderRestApi
from app.views.accreditor import AccreditorMemberModelView, AccreditorModelView
from app.views.activity import ActivityModelView
from app.views.contact import ProviderContactModelView
from app.views.provider import ProviderModelView


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
    MenuEntry(AccreditorModelView, "Accreditors", "Accreditation", "fa-university"),
    MenuEntry(AccreditorMemberModelView, "Accreditor members", "Accreditation", "fa-users"),
)
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
    for api in APIS:
        appbuilder.add_api(api)
