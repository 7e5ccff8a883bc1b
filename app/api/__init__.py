"""Read-only REST API over the same scoped data as the screens (``/api/v1/...``).

Signed-in browsers and API clients see exactly the rows of their scope; a row outside
it answers 404. Writes go through the screens and the batch upload, where the PARS
rules run.
"""

from __future__ import annotations

from flask_appbuilder.api import ModelRestApi

from app.models import Activity, Provider
from app.views.datamodel import ScopedInterface

READ_ONLY = ["can_get", "can_info"]


class ScopedRestApi(ModelRestApi):
    """A read-only ModelRestApi over a scoped interface, CSRF-protected for browsers."""

    allow_browser_login = True
    csrf_exempt = False
    base_permissions = READ_ONLY
    #: Only the read routes exist: a write answers 405 to everyone (FAB would otherwise
    #: register POST/PUT/DELETE and answer 403 even to anonymous clients).
    include_route_methods = {"get", "get_list", "info"}
    max_page_size = 100
    page_size = 25
    # No add or edit routes exist, but ``_info`` still describes add and edit columns:
    # each API keeps them to one plain text field, so no related records are listed there.


class ActivityRestApi(ScopedRestApi):
    resource_name = "activity"
    datamodel = ScopedInterface(Activity)
    add_columns = edit_columns = ["title"]
    list_columns = [
        "id",
        "provider.id",
        "provider.name",
        "provider_activity_id",
        "title",
        "format",
        "start_date",
        "end_date",
        "status",
        "credits",
        "reporting_year",
    ]
    show_columns = [
        "id",
        "provider.id",
        "provider.name",
        "provider_activity_id",
        "title",
        "format",
        "start_date",
        "end_date",
        "status",
        "credits",
        "reporting_year",
        "city",
        "state",
        "country",
        "description",
        "providership",
        "physician_learners",
        "other_learners",
        "rems_type",
        "rems_id",
        "cme_finder",
        "fee",
        "registration",
        "activity_url",
    ]
    search_columns = [
        "provider",
        "title",
        "provider_activity_id",
        "format",
        "status",
        "reporting_year",
    ]
    order_columns = ["id", "title", "start_date", "end_date", "status", "reporting_year"]


class ProviderRestApi(ScopedRestApi):
    resource_name = "provider"
    datamodel = ScopedInterface(Provider)
    add_columns = edit_columns = ["name"]
    list_columns = ["id", "accme_id", "name", "kind", "accreditation_status", "term_end"]
    show_columns = [
        "id",
        "accme_id",
        "name",
        "organization_type",
        "kind",
        "accreditor.name",
        "accreditation_status",
        "term_start",
        "term_end",
        "city",
        "state",
        "country",
    ]
    search_columns = ["accme_id", "name", "kind", "accreditation_status"]
    order_columns = ["accme_id", "name", "kind", "term_end"]
