"""The page for a stale save (HTTP 409): someone else saved the record first, and
nothing of theirs was overwritten."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template


def conflict_response(message: str, back: str | None = None) -> Any:
    """A 409 answer with the plain-words reason and a link to the latest version."""
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]
    page = render_template(
        "pars/conflict.html",
        message=message,
        back=back,
        appbuilder=appbuilder,
        base_template=appbuilder.base_template,
    )
    return current_app.make_response((page, 409))
