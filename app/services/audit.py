"""The audit trail: security-relevant events, appended to ``audit_event``.

Each row records when (UTC), who (user id and email), for which provider, what happened,
to which object, the request id and the client's IP address. Passwords and tokens are
never passed here. Text that came from a user (an email address typed at sign-in, a file
name) has its line breaks and other control characters neutralised, so that a log line
cannot be forged. The row joins the caller's transaction: it is written when the event's
own change commits, and not at all if that change is rolled back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from app.models import AuditEvent
from app.services.clock import utcnow

#: C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Actions (short, stable names: staff filter on them).
SIGN_IN = "sign-in"
SIGN_IN_FAILED = "sign-in failed"
SIGN_OUT = "sign-out"
LOCKOUT = "lockout"
UNLOCK = "unlock"
RESET_REQUESTED = "reset requested"
RESET_USED = "reset used"
PASSWORD_SET = "password set"  # noqa: S105 (an event name)
PASSWORD_CHANGED = "password changed"  # noqa: S105 (an event name)
EMAIL_CHANGE_REQUESTED = "email change requested"
EMAIL_CHANGED = "email changed"
ACCESS_GRANTED = "access granted"
SESSION_ENDED = "sessions ended"
PASSWORD_RESET_REQUIRED = "new password required"  # noqa: S105 (an event name)


def neutralise(text: Any, limit: int = 320) -> str | None:
    """``text`` on one line: control characters (CR, LF, tab, NUL...) become spaces."""
    if text is None:
        return None
    return CONTROL_CHARACTERS.sub(" ", str(text))[:limit]


#: The request a background task works for (its IP address and request id), outside it.
_ORIGIN: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "audit_origin", default=(None, None)
)


@contextmanager
def on_behalf_of(ip: str | None, request_id: str | None) -> Iterator[None]:
    """Audit rows written inside (e.g. by a background task) name this IP and request."""
    token = _ORIGIN.set((ip, request_id))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def client_ip() -> str | None:
    """The client's address as the WSGI server (or a trusted proxy) reports it."""
    return request.remote_addr if has_request_context() else _ORIGIN.get()[0]


def request_id() -> str | None:
    """The id of the current request (also sent in the ``X-Request-ID`` header)."""
    return g.get("request_id") if has_request_context() else _ORIGIN.get()[1]


def record(
    session: Session,
    action: str,
    *,
    actor: Any = None,
    actor_email: str | None = None,
    provider_id: int | None = None,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit row for ``action`` to ``session`` (committed with the caller's work).

    ``actor`` is the user who acted (None for a visitor); ``actor_email`` names who a
    visitor claimed to be (the email typed at sign-in or in "forgot password").
    """
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        occurred_at=utcnow(),
        action=action,
        actor_id=getattr(actor, "id", None),
        actor=neutralise(actor_email or getattr(actor, "email", None)),
        provider_id=provider_id,
        object_type=object_type,
        object_id=neutralise(object_id, 40),
        request_id=request_id(),
        ip=client_ip(),
        detail=neutralise(detail, 2000),
    )
    session.add(event)
    return event


EXPORTED = "export"


def record_export(session: Session, actor: Any, what: str, filters: str = "") -> None:
    """One audit row for a CSV export (security check 24): who downloaded which list,
    with which filters. Committed at once: the file itself is written after the view
    returns."""
    detail = f"{what}; filters: {filters}" if filters else what
    record(session, EXPORTED, actor=actor, object_type=what, detail=detail)
    session.commit()
