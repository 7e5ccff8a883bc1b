"""How a view answers a business-rule error of a service, the same on every PARS form
and step: a step the user's role does not take is 403, a record outside their scope 404,
a value they typed gets its message next to its field (or at the top when the page has
no such field), any other rule or a conflicting edit a message at the top."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash

from app.extensions import db
from app.services.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotInScopeError,
    PARSError,
    RuleError,
)

T = TypeVar("T")


def run_form(form: Any, action: Callable[[], T]) -> T | None:
    """The result of ``action``; None when a rule refused it (the form or the page then
    shows why; nothing was written)."""
    try:
        return action()
    except ForbiddenError:
        abort(403)
    except NotInScopeError:
        abort(404)
    except PARSError as error:
        db.session.rollback()
        _show(form, error)
    return None


def _show(form: Any, error: PARSError) -> None:
    field = getattr(form, error.field, None) if isinstance(error, InputError) else None
    if field is not None:
        field.errors = [error.message]
    elif isinstance(error, RuleError):
        flash(" ".join([error.message, *error.problems]), "danger")
    else:
        flash(error.message, "warning" if isinstance(error, ConflictError) else "danger")
