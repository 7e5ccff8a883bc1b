"""The lifecycle panel of the activity page: its status, the statuses it can move to,
and, for each, what is still missing (so the contact can fix every named field)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import session
from sqlalchemy.orm import Session

from app.models import Activity
from app.schema import vocabularies as v
from app.schema.lifecycle import allowed_transitions
from app.security import scoping
from app.services import activities
from app.services.errors import RuleError

PROBLEMS_KEY = "pars_status_problems"
#: Button labels per target status.
ACTIONS = {
    v.DRAFT: "Back to Draft",
    v.ACTIVE: "Make Active",
    v.READY_TO_CLOSE: "Mark Ready to Close",
    v.CLOSED: "Close the activity",
}


@dataclass
class Move:
    target: str
    label: str
    missing: list[str] = field(default_factory=list)


@dataclass
class Panel:
    status: str
    version: int
    moves: list[Move]
    read_only: str | None
    attempt: dict[str, Any] | None


def remember_problems(activity_id: int, message: str, problems: list[str]) -> None:
    """Keep a refused status change's reasons for the next page of this activity."""
    session[PROBLEMS_KEY] = {"id": activity_id, "message": message, "problems": problems}


def _attempt(activity_id: int) -> dict[str, Any] | None:
    saved = session.pop(PROBLEMS_KEY, None)
    return saved if saved and saved.get("id") == activity_id else None


def lifecycle_panel(db_session: Session, actor: Any, item: Activity) -> Panel:
    """What the activity page shows about the lifecycle for ``actor``."""
    today = dt.date.today()
    read_only = None
    moves: list[Move] = []
    if scoping.can_act_for_provider(db_session, actor, item.provider_id):
        staff = scoping.sees_everything(actor)
        try:
            if item.status != v.CLOSED or not staff:
                activities.check_editable(db_session, actor, item)
        except RuleError as error:
            read_only = error.message
        else:
            for target in allowed_transitions(item.status, staff=staff):
                missing = activities.problems_for(item, target, today)
                moves.append(Move(target, ACTIONS.get(target, target), missing))
    return Panel(item.status, item.version_id, moves, read_only, _attempt(item.id))
