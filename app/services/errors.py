"""Errors of PARS use cases: each carries a message a user can act on."""

from __future__ import annotations


class PARSError(Exception):
    """Base of every business-rule error; ``str(error)`` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotInScopeError(PARSError):
    """The record is outside the acting user's scope (views answer 404)."""

    def __init__(self) -> None:
        super().__init__("Not found.")


class PrimaryContactError(PARSError):
    """A change would leave a provider with no Primary Contact, or with two."""


class MissingRoleError(PARSError):
    """A PARS role does not exist yet: ``flask pars sync-roles`` creates the roles."""


class InputError(PARSError):
    """A value a user typed breaks a rule; ``field`` names the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(PARSError):
    """Someone else saved the record since it was opened: nothing was overwritten (409)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Someone else saved this record after you opened it. Nothing was overwritten: "
            "reload it to see their changes, then make yours again."
        )


class RuleError(PARSError):
    """A business rule refuses the change; ``problems`` lists every reason (each naming
    its field), so the user can fix them all at once."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ForbiddenError(PARSError):
    """The user's role may not take this step at all (views answer 403); nothing is
    written. Within the role, records outside the scope raise :class:`NotInScopeError`."""
