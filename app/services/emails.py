"""The texts of the emails PARS sends about accounts (in plain words, with the link)."""

from __future__ import annotations

from typing import Any

from app.services.mail import Email

SIGNATURE = "\n\nPARS, the Program and Activity Reporting System\n"


def _name(user: Any) -> str:
    return " ".join(filter(None, [user.first_name, user.last_name])) or user.email


def password_reset(user: Any, link: str, minutes: int) -> Email:
    return Email(
        to=user.email,
        subject="PARS: set a new password",
        body=(
            f"Hello {_name(user)},\n\n"
            "Someone (we hope you) asked to set a new password for your PARS account.\n"
            f"Open this link within {minutes} minutes to choose it:\n\n{link}\n\n"
            "The link works once. If you did not ask, ignore this email: your password "
            "stays as it is." + SIGNATURE
        ),
    )


def access_granted(
    user: Any, provider_name: str, contact_type: str, link: str, hours: int
) -> Email:
    return Email(
        to=user.email,
        subject="PARS: system access granted",
        body=(
            f"Hello {_name(user)},\n\n"
            f"You have been added as {contact_type} of {provider_name} in PARS.\n"
            f"Open this link within {hours} hours to set your password:\n\n{link}\n\n"
            "You sign in with this email address. If the link has expired, use "
            '"Can\'t log in or forgot your password?" on the sign-in page.' + SIGNATURE
        ),
    )


def provider_added(user: Any, provider_name: str, contact_type: str, sign_in: str) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: access to {provider_name}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"You have been added as {contact_type} of {provider_name} in PARS. "
            "Sign in with your usual email address and password, then pick the provider "
            f"in the provider switcher:\n\n{sign_in}" + SIGNATURE
        ),
    )


def confirm_new_email(user: Any, new_email: str, link: str, minutes: int) -> Email:
    return Email(
        to=new_email,
        subject="PARS: confirm your new email address",
        body=(
            f"Hello {_name(user)},\n\n"
            f"Open this link within {minutes} minutes to use {new_email} to sign in to "
            f"PARS:\n\n{link}\n\nUntil you do, your email address stays {user.email}." + SIGNATURE
        ),
    )


def email_change_notice(user: Any, new_email: str) -> Email:
    return Email(
        to=user.email,
        subject="PARS: change of email address requested",
        body=(
            f"Hello {_name(user)},\n\n"
            f"A change of your PARS sign-in address to {new_email} was requested. It "
            "takes effect only when confirmed from that address. If you did not ask for "
            "it, change your password and tell ACCME staff." + SIGNATURE
        ),
    )
