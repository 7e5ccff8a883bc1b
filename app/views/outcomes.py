"""How a view answers a business-rule error of a service, the same on every PARS form:
a step the user's role does not take is 403, a record outside their scope 404, a value
they typed gets its message next to its field, any other rule a message at the top."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash

from app.extensions import db
from app.services.errors import ForbiddenError, InputError, NotInScopeError, RuleError

T = TypeVar("T")


def run_form(form: Any, action: Callable[[], T]) -> T | None:
    """The result of ``action`` for a form that was filled in correctly; None when a rule
    refused it (the form or the page then shows why; nothing was written)."""
    try:
        return action()
    except ForbiddenError:
        abort(403)
    except NotInScopeError:
        abort(404)
    except InputError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [error.message]
    except RuleError as error:
        db.session.rollback()
        flash(" ".join([error.message, *error.problems]), "danger")
    return None
