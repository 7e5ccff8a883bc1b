"""The PARS password policy (NIST SP 800-63B, OWASP ASVS 6.2): 12 to 128 characters as
typed, no composition rules, the most common passwords and the account's own email
address refused; passwords stored as salted scrypt hashes."""

from __future__ import annotations

import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.services import passwords
from app.services.passwords import fab_validator, hash_password, matches, password_problems

TOO_SHORT = "Use at least 12 characters."
TOO_LONG = "Use at most 128 characters."
COMMON = "This password is one of the most commonly used: choose another."
IS_EMAIL = "Do not use your email address as your password."
EMAIL = "contact.a@example.test"


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        pytest.param("k" * 6 + "q" * 5, [TOO_SHORT], id="11 characters"),
        pytest.param("k" * 6 + "q" * 6, [], id="12 characters"),
        pytest.param("k" * 64 + "q" * 64, [], id="128 characters"),
        pytest.param("k" * 64 + "q" * 65, [TOO_LONG], id="129 characters"),
        pytest.param("", [TOO_SHORT], id="empty"),
        # Characters, not bytes: 11 two-byte letters are still too short, 128 are fine.
        pytest.param("é" * 11, [TOO_SHORT], id="11 non-ASCII characters"),
        pytest.param("é" * 128, [], id="128 non-ASCII characters"),
        # Checked exactly as typed: the spaces count, nothing is trimmed.
        pytest.param(" quietfox42 ", [], id="spaces count towards the length"),
        pytest.param("  quietfox  ", [], id="leading and trailing spaces kept"),
        pytest.param("quietfox42 ", [TOO_SHORT], id="trailing space alone does not reach 12"),
    ],
)
def test_length_limits(password: str, problems: list[str]) -> None:
    """A password has 12 to 128 characters, counted as typed (no trimming, no bytes)."""
    assert password_problems(password) == problems


def test_long_common_list_entry_exists() -> None:
    """The examples below really are in zxcvbn's list of common passwords."""
    source = set(FREQUENCY_LISTS["passwords"])
    assert {"qwerty123456", "leavemealone", "1qaz2wsx3edc"} <= source


@pytest.mark.parametrize(
    "password",
    [
        "qwerty123456",
        "QWERTY123456",
        "LeaveMeAlone",
        "1QAZ2WSX3EDC",
        "123qweasdzxc",
    ],
)
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    """One of the 30,000 most common passwords is refused, compared without regard to
    case (each of these has at least 12 characters, so only this rule refuses it)."""
    assert len(password) >= 12
    assert password_problems(password) == [COMMON]


def test_common_list_is_lower_case_and_complete() -> None:
    """Every entry of zxcvbn's password frequency list is refused."""
    common = passwords.common_passwords()
    assert len(common) == len({w.lower() for w in FREQUENCY_LISTS["passwords"]})
    assert all(word == word.lower() for word in common)


@pytest.mark.parametrize(
    "password",
    [
        EMAIL,
        EMAIL.upper(),
        "Contact.A@Example.Test",
        f"  {EMAIL}  ",
    ],
)
def test_own_email_address_is_refused(password: str) -> None:
    """The account's own email address (any case, surrounding spaces) is not a password."""
    assert password_problems(password, email=EMAIL) == [IS_EMAIL]


def test_someone_elses_email_address_is_allowed() -> None:
    """Only the account's own address is refused: another address is just a long string."""
    assert password_problems("contact.b@example.test", email=EMAIL) == []
    assert password_problems(EMAIL) == []


@pytest.mark.parametrize(
    "password",
    [
        "glacierorbitlantern",
        "GLACIERORBITLANTERN",
        "839201746253",
        "glacier orbit lantern",
        "!!!!@@@@####$$$$",
        "ábçdéfghíjkl",
    ],
)
def test_no_composition_rules(password: str) -> None:
    """No "one digit, one capital, one symbol": only letters, only digits, only
    symbols or only lower case are all fine when long enough and not common."""
    assert password_problems(password) == []


def test_hash_and_matches_round_trip() -> None:
    """The stored hash is salted scrypt; only the exact password matches it."""
    password = "glacier orbit lantern"
    stored = hash_password(password)
    assert stored.startswith("scrypt:")
    assert password not in stored
    assert hash_password(password) != stored  # salted: a new hash every time
    assert matches(stored, password)
    for wrong in (password.upper(), password + " ", " " + password, password[:-1], ""):
        assert not matches(stored, wrong)


@pytest.mark.parametrize("stored", [None, ""])
def test_no_hash_matches_nothing(stored: str | None) -> None:
    """An account without a password hash never matches, not even an empty password."""
    assert matches(stored, "") is False
    assert matches(stored, "glacier orbit lantern") is False


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", TOO_SHORT),
        ("", TOO_SHORT),
        (None, TOO_SHORT),
        ("x" * 129, TOO_LONG),
        ("Qwerty123456", COMMON),
    ],
)
def test_fab_validator_raises_fab_error(password: str | None, message: str) -> None:
    """Flask-AppBuilder's own password forms apply the same policy, through the exception
    FAB expects from ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``."""
    with pytest.raises(PasswordComplexityValidationError) as raised:
        fab_validator(password)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_fab_validator_accepts_a_good_password() -> None:
    assert fab_validator("glacier orbit lantern") is None


def test_fab_validator_is_the_configured_one(app) -> None:
    """The app hands the PARS policy to Flask-AppBuilder."""
    assert app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] is fab_validator
    assert app.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] is True
