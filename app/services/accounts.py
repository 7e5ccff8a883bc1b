"""A user's own account: forgotten passwords, first sign-in, password and email changes,
name and phone.

Every change that proves or changes who the user is ends their other sessions and retires
their older links: a password set from a link ends every session; a password changed
while signed in ends every session but the current one; a confirmed email change retires
every link sent to the old address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import SignInLockout, User
from app.security.ratelimit import allow
from app.services import audit, emails, password_links, signin_sessions
from app.services.audit import CONTROL_CHARACTERS
from app.services.clock import utcnow
from app.services.errors import InputError, PARSError
from app.services.mail import send_email
from app.services.passwords import hash_password, matches, password_problems
from app.services.signin import address_key, find_by_email

RESET_PATH = "/reset-password/{token}"
CONFIRM_EMAIL_PATH = "/confirm-email/{token}"
_ADDRESS_CHARACTER = r"[^@\s\x00-\x1f\x7f-\x9f]"
EMAIL_PATTERN = re.compile(rf"^{_ADDRESS_CHARACTER}+@{_ADDRESS_CHARACTER}+\.{_ADDRESS_CHARACTER}+$")
#: An email address is also the user name (ab_user.username holds 128 characters).
EMAIL_MAX_LENGTH = 128
#: A telephone number has at least this many digits.
PHONE_MIN_DIGITS = 7
PHONE_PATTERN = re.compile(r"^[0-9+().\- ]{7,25}( ?(x|ext\.?) ?[0-9]{1,6})?$", re.IGNORECASE)


@dataclass(frozen=True)
class LinkSettings:
    """Where links in emails point, and how long each kind stays valid."""

    base_url: str
    reset_lifetime: dt.timedelta = dt.timedelta(minutes=60)
    welcome_lifetime: dt.timedelta = dt.timedelta(hours=72)
    reset_limit_per_account: str = "5 per hour"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def reset_minutes(self) -> int:
        return int(self.reset_lifetime.total_seconds() // 60)


def _limit_key(address: str) -> str:
    """The per-account rate-limit key: a digest, so that its length is bounded."""
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def request_password_reset(session: Session, email: str, settings: LinkSettings) -> None:
    """ "Can't log in or forgot your password?": email a set-password link to the account
    with this address, if there is one and it is active.

    The caller shows the same answer whatever happens here (no account, inactive, more
    than the per-account limit of requests), and the email goes out in the background,
    so neither the answer nor its timing tells whether the account exists. Commits.
    """
    key = address_key(email)
    user = find_by_email(session, email)
    if (
        user is None
        or not user.is_active
        or not allow(settings.reset_limit_per_account, "password-reset", _limit_key(key))
    ):
        audit.record(session, audit.RESET_REQUESTED, actor_email=key, detail="no email sent")
        session.commit()
        return
    token = password_links.issue(
        session, user_id=user.id, purpose=password_links.RESET, lifetime=settings.reset_lifetime
    )
    audit.record(session, audit.RESET_REQUESTED, actor_email=key, obj=user, detail="email sent")
    session.commit()
    link = settings.url(RESET_PATH.format(token=token))
    send_email(emails.password_reset(user, link, settings.reset_minutes))


def check_new_password(password: str, confirm: str, email: str | None) -> None:
    """Raise InputError unless ``password`` meets the policy and ``confirm`` repeats it."""
    problems = password_problems(password, email=email)
    if problems:
        raise InputError("password", " ".join(problems))
    if password != confirm:
        raise InputError("confirm", "The two passwords are not the same.")


def _set_password(session: Session, user: Any, password: str) -> None:
    user.password = hash_password(password)
    user.must_set_password = False
    user.changed_on = utcnow()
    password_links.supersede(session, user.id, password_links.PASSWORD_PURPOSES)
    session.execute(delete(SignInLockout).where(SignInLockout.email == address_key(user.email)))


def set_password_from_link(session: Session, token: str, password: str, confirm: str) -> Any:
    """Set the password of the account a reset or access-granted link was sent to.

    The link works once; every session of the user ends, and the address is unlocked.
    Returns the user. Raises PARSError when the link cannot be used, InputError when the
    password breaks the policy. Commits.
    """
    found = password_links.check(session, token, password_links.PASSWORD_PURPOSES)
    if found.link is None:
        raise PARSError(found.problem or password_links.NOT_VALID)
    user = session.get(User, found.link.user_id)
    if user is None or not user.is_active:
        raise PARSError(password_links.NOT_VALID)
    check_new_password(password, confirm, user.email)
    _set_password(session, user, password)
    password_links.mark_used(found.link)
    signin_sessions.end_all(session, user.id, signin_sessions.PASSWORD_RESET)
    action = audit.RESET_USED if found.link.purpose == password_links.RESET else audit.PASSWORD_SET
    audit.record(session, action, actor=user, obj=user)
    session.commit()
    return user


def set_password_by_admin(session: Session, *, actor: Any, user: Any, password: str) -> None:
    """An administrator sets another user's password (policy already checked by the
    form): the user's sessions end, older links stop working. Commits."""
    _set_password(session, user, password)
    signin_sessions.end_all(session, user.id, signin_sessions.PASSWORD_CHANGED)
    audit.record(
        session, audit.PASSWORD_SET, actor=actor, obj=user, detail="set by an administrator"
    )
    session.commit()


def set_first_password(
    session: Session, *, user: Any, password: str, confirm: str, session_key: str | None
) -> None:
    """An account brought over from a legacy system sets its own password at its first
    sign-in (it has just proved the old one). Other sessions end. Commits."""
    check_new_password(password, confirm, user.email)
    if matches(user.password, password):
        raise InputError("password", "Choose a password different from the old one.")
    _set_password(session, user, password)
    signin_sessions.end_all(session, user.id, signin_sessions.PASSWORD_CHANGED, keep=session_key)
    audit.record(session, audit.PASSWORD_SET, actor=user, obj=user, detail="first sign-in")
    session.commit()


def change_password(
    session: Session,
    *,
    user: Any,
    current: str,
    password: str,
    confirm: str,
    session_key: str | None,
) -> None:
    """Change one's own password, proving the current one; every other session of the
    user ends and older set-password links stop working. Commits."""
    if not matches(user.password, current):
        raise InputError("current", "Your current password is not correct.")
    check_new_password(password, confirm, user.email)
    _set_password(session, user, password)
    signin_sessions.end_all(session, user.id, signin_sessions.PASSWORD_CHANGED, keep=session_key)
    audit.record(session, audit.PASSWORD_CHANGED, actor=user, obj=user)
    session.commit()


def clean_text(value: str | None) -> str:
    """``value`` trimmed, control characters removed, runs of spaces and line breaks made
    one space."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value or "").split())


def update_profile(
    session: Session, *, user: Any, first_name: str, last_name: str, phone: str
) -> None:
    """Edit one's own name and telephone number. Commits."""
    first, last, phone = clean_text(first_name), clean_text(last_name), clean_text(phone)
    for field, value, label in (
        ("first_name", first, "First name"),
        ("last_name", last, "Last name"),
    ):
        if not value:
            raise InputError(field, f"{label} is required.")
        if len(value) > 64:
            raise InputError(field, f"{label} has at most 64 characters.")
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not PHONE_PATTERN.match(phone) or digits < PHONE_MIN_DIGITS):
        raise InputError(
            "phone", "Enter a telephone number such as 312-555-0100 or +1 312 555 0100 x12."
        )
    user.first_name, user.last_name, user.phone = first, last, phone or None
    user.changed_on = utcnow()
    session.commit()


def normalise_email(email: str | None) -> str:
    return (email or "").strip()


def check_email_format(field: str, email: str) -> None:
    if not EMAIL_PATTERN.match(email):
        raise InputError(field, "Enter an email address such as name@example.org.")
    if len(email) > EMAIL_MAX_LENGTH:
        raise InputError(field, f"An email address has at most {EMAIL_MAX_LENGTH} characters.")


def email_in_use(session: Session, email: str, *, other_than: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if other_than is not None:
        query = query.where(User.id != other_than)
    return session.scalars(query).first() is not None


def request_email_change(
    session: Session, *, user: Any, new_email: str, settings: LinkSettings
) -> None:
    """Ask to sign in with another address: a confirmation link goes to the new address
    (and a notice to the current one); nothing changes until the link is followed.
    Commits."""
    new_email = normalise_email(new_email)
    check_email_format("email", new_email)
    if new_email.lower() == (user.email or "").lower():
        raise InputError("email", "This is already your email address.")
    if email_in_use(session, new_email, other_than=user.id):
        raise InputError("email", "Another PARS account already uses this email address.")
    token = password_links.issue(
        session,
        user_id=user.id,
        purpose=password_links.EMAIL,
        lifetime=settings.reset_lifetime,
        new_email=new_email,
    )
    audit.record(session, audit.EMAIL_CHANGE_REQUESTED, actor=user, obj=user, detail=new_email)
    session.commit()
    link = settings.url(CONFIRM_EMAIL_PATH.format(token=token))
    send_email(emails.confirm_new_email(user, new_email, link, settings.reset_minutes))
    send_email(emails.email_change_notice(user, new_email))


def confirm_email_change(session: Session, token: str) -> Any:
    """Follow the confirmation link: the account signs in with the new address from now
    on, and every link sent to the old address stops working. Returns the user. Commits."""
    found = password_links.check(session, token, (password_links.EMAIL,))
    if found.link is None:
        raise PARSError(found.problem or password_links.NOT_VALID)
    user = session.get(User, found.link.user_id)
    new_email = found.link.new_email or ""
    if user is None or not user.is_active:
        raise PARSError(password_links.NOT_VALID)
    if email_in_use(session, new_email, other_than=user.id):
        raise PARSError("Another PARS account now uses this email address: nothing changed.")
    old = user.email
    user.email = new_email
    user.username = new_email
    user.changed_on = utcnow()
    password_links.mark_used(found.link)
    password_links.supersede(session, user.id, password_links.ALL_PURPOSES)
    audit.record(session, audit.EMAIL_CHANGED, actor=user, obj=user, detail=f"from {old}")
    session.commit()
    return user


def require_new_password(session: Session, emails: list[str]) -> tuple[int, list[str]]:
    """Mark accounts brought over from a legacy system: each chooses a new password at
    its next sign-in. Returns how many were marked and the addresses with no account.
    Commits."""
    marked, unknown = 0, []
    for email in emails:
        user = find_by_email(session, email)
        if user is None:
            unknown.append(email)
            continue
        user.must_set_password = True
        audit.record(session, audit.PASSWORD_RESET_REQUIRED, obj=user, actor_email=user.email)
        marked += 1
    session.commit()
    return marked, unknown
