"""Search filters of the activity list that are not a plain column comparison."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _
from sqlalchemy import false, select

from app.models import ACCME_ACTIVITY_ID_OFFSET, Activity, ActivityCredit, MocRegistration


class FilterMocBoard(BaseFilter):
    """Activities registered for MOC with the chosen certifying board."""

    name = _("Registered with")
    arg_name = "mocb"

    def apply(self, query: Any, value: Any) -> Any:
        registered = select(MocRegistration.activity_id).where(MocRegistration.board == value)
        return query.filter(Activity.id.in_(registered))


class FilterJaCreditType(BaseFilter):
    """Activities that designate credit of the chosen Joint Accreditation credit type."""

    name = _("Designates")
    arg_name = "jact"

    def apply(self, query: Any, value: Any) -> Any:
        designated = select(ActivityCredit.activity_id).where(ActivityCredit.credit_type == value)
        return query.filter(Activity.id.in_(designated))


def _activity_id(value: Any) -> int | None:
    """The row id behind a 9-digit ACCME Activity ID, or None when it is not one."""
    text = str(value or "").strip()
    if not text.isdigit() or int(text) <= ACCME_ACTIVITY_ID_OFFSET:
        return None
    return int(text) - ACCME_ACTIVITY_ID_OFFSET


class FilterAccmeActivityId(BaseFilter):
    """The activity with this 9-digit ACCME Activity ID."""

    name = _("Equal to")
    arg_name = "aaid"

    def apply(self, query: Any, value: Any) -> Any:
        row_id = _activity_id(value)
        return query.filter(false() if row_id is None else Activity.id == row_id)


class FilterAccmeActivityIdUpTo(BaseFilter):
    """Activities issued up to this ACCME Activity ID (IDs are issued in order)."""

    name = _("Up to")
    arg_name = "aaidle"

    def apply(self, query: Any, value: Any) -> Any:
        row_id = _activity_id(value)
        return query.filter(false() if row_id is None else Activity.id <= row_id)


class FilterAccmeActivityIdFrom(BaseFilter):
    """Activities issued from this ACCME Activity ID on."""

    name = _("From")
    arg_name = "aaidge"

    def apply(self, query: Any, value: Any) -> Any:
        row_id = _activity_id(value)
        return query.filter(false() if row_id is None else Activity.id >= row_id)
