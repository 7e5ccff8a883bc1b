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
