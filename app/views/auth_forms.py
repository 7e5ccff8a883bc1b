"""The forms of signing in and of one's own account. Rules on passwords and email
addresses live in the services; these forms only say what is required."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.services.passwords import password_problems

#: Long enough for any real password: the policy (12 to 128) is checked by the service,
#: on the password exactly as typed.
PASSWORD_INPUT_LIMIT = 1024


def _email_field(label: str = "Email address") -> StringField:
    return StringField(
        label,
        validators=[DataRequired("Enter your email address."), Length(max=320)],
        render_kw={"autocomplete": "username", "type": "email", "spellcheck": "false"},
    )


def meets_policy(form: FlaskForm, field: PasswordField) -> None:
    """The PARS password policy (app.services.passwords), shown next to the field at the
    same time as the form's other problems."""
    problems = password_problems(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


def _password_field(
    label: str, autocomplete: str, message: str, policy: bool = False
) -> PasswordField:
    validators: list[Any] = [DataRequired(message), Length(max=PASSWORD_INPUT_LIMIT)]
    if policy:
        validators.append(meets_policy)
    return PasswordField(label, validators=validators, render_kw={"autocomplete": autocomplete})


class SignInForm(FlaskForm):
    email = _email_field()
    password = _password_field("Password", "current-password", "Enter your password.")


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class SetPasswordForm(FlaskForm):
    password = _password_field(
        "New password", "new-password", "Choose a new password.", policy=True
    )
    confirm = _password_field("New password again", "new-password", "Type the new password again.")


class ChangePasswordForm(SetPasswordForm):
    current = _password_field(
        "Current password", "current-password", "Enter your current password."
    )


class ProfileForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired("Enter your first name.")])
    last_name = StringField("Last name", validators=[DataRequired("Enter your last name.")])
    phone = StringField("Telephone", render_kw={"autocomplete": "tel", "type": "tel"})


class EmailChangeForm(FlaskForm):
    email = StringField(
        "New email address",
        validators=[DataRequired("Enter the new email address."), Length(max=320)],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )


class ConfirmForm(FlaskForm):
    """A button only: confirming by POST, so that a mail scanner opening the link
    changes nothing."""


class SwitchProviderForm(FlaskForm):
    provider = SelectField("Current provider", coerce=int, validate_choice=True)
