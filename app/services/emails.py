"""The texts of the emails PARS sends about accounts and accreditation reviews (in plain
words, with the link)."""

from __future__ import annotations

import datetime as dt
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


# Accreditation reviews (domain.md §6.3). Dates are written MM/DD/YYYY, as on every PARS page.


def _date(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


def _when(days_left: int) -> str:
    if days_left <= 0:
        return "today"
    return "tomorrow" if days_left == 1 else f"in {days_left} days"


def surveyor_assigned(user: Any, provider_name: str, cycle: str, link: str) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: you are assigned to the review of {provider_name}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"Thank you for serving as a surveyor: you have been assigned to the {cycle} "
            f"review of {provider_name}.\n"
            "Before you read the provider's materials, please open the review and tell us "
            f"whether you have a conflict of interest:\n\n{link}\n\n"
            "If you declare a conflict, you leave this review and ACCME staff assign "
            "another surveyor." + SIGNATURE
        ),
    )


def materials_submitted(user: Any, provider_name: str, cycle: str, link: str) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: we received the materials of {provider_name}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"Thank you: the materials of {provider_name} for its {cycle} review have "
            "been submitted and received. The surveyors and ACCME staff will now review "
            "them, and we will be in touch about the next steps.\n"
            f"You can follow the review in PARS:\n\n{link}" + SIGNATURE
        ),
    )


def materials_returned(user: Any, provider_name: str, cycle: str, reason: str, link: str) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: the materials of {provider_name} need more work",
        body=(
            f"Hello {_name(user)},\n\n"
            f"ACCME staff have returned the materials of {provider_name} for its {cycle} "
            "review, so that you can complete them. What is needed:\n\n"
            f"{reason}\n\n"
            "Add or replace the files, then submit again in PARS:\n\n"
            f"{link}" + SIGNATURE
        ),
    )


def review_submitted_to_surveyor(user: Any, provider_name: str, cycle: str, link: str) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: {provider_name} submitted its materials",
        body=(
            f"Hello {_name(user)},\n\n"
            f"{provider_name} has submitted its materials for the {cycle} review you are "
            f"assigned to. You can read them and record your findings in PARS:\n\n{link}"
            "\n\nThank you for your time and care." + SIGNATURE
        ),
    )


def accreditation_decided(
    user: Any,
    provider_name: str,
    outcome: str,
    decided_on: dt.date,
    term_end: dt.date | None,
    link: str,
    progress_due: dt.date | None = None,
) -> Email:
    term = f" The accreditation term runs until {_date(term_end)}." if term_end else ""
    progress = (
        f"\n\nA progress report is due by {_date(progress_due)}: you will find it with "
        "the review in PARS."
        if progress_due
        else ""
    )
    return Email(
        to=user.email,
        subject=f"PARS: accreditation decision for {provider_name}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"On {_date(decided_on)} ACCME decided on the accreditation of {provider_name}: "
            f"{outcome}.{term}{progress}\n\n"
            f"The decision and the findings of the review are in PARS:\n\n{link}\n\n"
            "Thank you for your work throughout the review." + SIGNATURE
        ),
    )


def review_due_soon(
    user: Any, provider_name: str, what: str, due: dt.date, days_left: int, link: str
) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: reminder, {what} for {provider_name} is due {_date(due)}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"A friendly reminder about the accreditation review of {provider_name}: "
            f"the due date for {what} is {_date(due)}, {_when(days_left)}.\n"
            f"You can submit it in PARS:\n\n{link}\n\n"
            "If you have a question about the due date, please contact ACCME staff." + SIGNATURE
        ),
    )


def interview_soon(
    user: Any, provider_name: str, interview_on: dt.date, days_left: int, link: str
) -> Email:
    return Email(
        to=user.email,
        subject=f"PARS: reminder, interview with {provider_name} on {_date(interview_on)}",
        body=(
            f"Hello {_name(user)},\n\n"
            f"A friendly reminder: the accreditation interview with {provider_name} is on "
            f"{_date(interview_on)}, {_when(days_left)}.\n"
            f"The provider's materials and your findings are in PARS:\n\n{link}" + SIGNATURE
        ),
    )
