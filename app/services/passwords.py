"""The PARS password policy (NIST SP 800-63B, OWASP ASVS 6.2).

A password is 12 to 128 characters, checked exactly as typed: no truncation, no change of
case, no trimming, and no composition rules (no "one digit, one symbol"). The most common
passwords (the 30,000 of zxcvbn's password frequency list), compared without regard to
case, are refused, and so is the account's own email address.
"""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
HASH_METHOD = "scrypt"


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords, lower case, most common first in the source list."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Why ``password`` may not be used, in plain words; empty when it may."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    elif password.lower() in common_passwords():
        problems.append("This password is one of the most commonly used: choose another.")
    elif email and password.strip().lower() == email.strip().lower():
        problems.append("Do not use your email address as your password.")
    return problems


def hash_password(password: str) -> str:
    """The salted scrypt hash stored for ``password``."""
    return generate_password_hash(password, method=HASH_METHOD)


def matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    return bool(password_hash) and check_password_hash(password_hash or "", password)


def fab_validator(password: str) -> None:
    """The policy for Flask-AppBuilder's own password forms (an administrator adding a
    user or setting someone's password): ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    problems = password_problems(password or "")
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))
