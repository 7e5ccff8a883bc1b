"""A user's own account (app.services.accounts): forgotten passwords, first sign-in,
password and email changes, name and telephone. Every change that proves or changes who
the user is ends their other sessions and retires their older links."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, PasswordLink, SignInLockout, SignInSession, User
from app.security import roles
from app.services import accounts, audit, password_links, signin_sessions
from app.services.accounts import LinkSettings
from app.services.errors import InputError, PARSError
from app.services.passwords import matches
from app.services.signin import address_key
from tests import factories as f
from tests.conftest import make_user
from tests.smtp import Inbox

SETTINGS = LinkSettings(base_url="https://pars.example.org/")
EMAIL = "contact.a@example.test"
OTHER = "contact.b@example.test"
NEW_PASSWORD = "glacier orbit lantern"
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def user(app_ctx) -> User:
    account = make_user(EMAIL, roles.CONTACT, first_name="Ada", last_name="Lovelace")
    db.session.commit()
    return account


@pytest.fixture
def other(user: User) -> User:
    account = make_user(OTHER, roles.CONTACT, first_name="Grace", last_name="Hopper")
    db.session.commit()
    return account


def audit_mark() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(mark: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id))
    )


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def links_of(user: User) -> list[PasswordLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(PasswordLink).where(PasswordLink.user_id == user.id)))


def token_in(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def issue(user: User, purpose: str, **kwargs) -> str:
    token = password_links.issue(
        db.session, user_id=user.id, purpose=purpose, lifetime=dt.timedelta(hours=1), **kwargs
    )
    db.session.commit()
    return token


def start_session(user: User) -> str:
    key = signin_sessions.start(db.session, user_id=user.id, ip="10.0.0.1")
    db.session.commit()
    return key


def session_state(key: str) -> tuple[bool, str | None]:
    """(ended?, why) of a signed-in session."""
    db.session.expire_all()
    row = db.session.scalars(
        select(SignInSession).where(SignInSession.key_hash == signin_sessions.key_hash(key))
    ).one()
    return row.ended_at is not None, row.end_reason


def lock_address(email: str) -> None:
    db.session.add(
        SignInLockout(
            email=address_key(email),
            failures=5,
            first_failure_at=dt.datetime(2026, 1, 1),
            locked_until=dt.datetime(2099, 1, 1),
        )
    )
    db.session.commit()


def lockout_exists(email: str) -> bool:
    db.session.expire_all()
    query = select(SignInLockout).where(SignInLockout.email == address_key(email))
    return db.session.scalars(query).first() is not None


def no_more_mail(inbox: Inbox, barrier_user: User, expected: int = 1) -> None:
    """Send one message we expect and wait for it: any message the code under test had
    started to send before would have arrived by then."""
    accounts.request_password_reset(db.session, barrier_user.email, SETTINGS)
    inbox.wait_for(expected)
    time.sleep(0.3)


# --- "Can't log in or forgot your password?" ---------------------------------------------


@pytest.mark.parametrize("typed", [EMAIL, f"  {EMAIL.upper()} "])
def test_reset_request_for_an_active_account_emails_a_link(
    user: User, inbox: Inbox, typed: str
) -> None:
    """The account with that address (any case, spaces trimmed) gets one email with a
    set-password link on the configured site; the request is audited."""
    mark = audit_mark()
    accounts.request_password_reset(db.session, typed, SETTINGS)
    (message,) = inbox.wait_for(1)
    assert message.rcpt_tos == [EMAIL]
    text = Inbox.text(message)
    assert "PARS: set a new password" in text
    assert "60 minutes" in text
    (link,) = Inbox.links(message)
    assert link.startswith("https://pars.example.org/reset-password/")
    found = password_links.check(db.session, token_in(link), (password_links.RESET,))
    assert found.link is not None and found.link.user_id == user.id
    rows = audit_since(mark)
    assert [(r.action, r.actor, r.object_id, r.detail) for r in rows] == [
        (audit.RESET_REQUESTED, EMAIL, str(user.id), "email sent")
    ]


@pytest.mark.parametrize("case", ["unknown", "inactive"])
def test_reset_request_without_an_active_account_sends_nothing(
    user: User, other: User, inbox: Inbox, case: str
) -> None:
    """No account, or a deactivated one: no email and no link, but an audit row all the
    same (the page answers the same either way)."""
    typed = "Nobody.Here@example.test" if case == "unknown" else EMAIL
    if case == "inactive":
        user.active = False
        db.session.commit()
    mark = audit_mark()
    accounts.request_password_reset(db.session, typed, SETTINGS)
    rows = audit_since(mark)
    assert [(r.action, r.actor, r.object_id, r.detail) for r in rows] == [
        (audit.RESET_REQUESTED, address_key(typed), None, "no email sent")
    ]
    assert links_of(user) == []
    no_more_mail(inbox, other)
    assert [m.rcpt_tos for m in inbox.messages] == [[OTHER]]


def test_reset_request_over_the_per_account_limit_sends_nothing(
    user: User, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the per-account limit the request is audited and nothing is sent; the limit
    is counted per address."""
    calls = []

    def refuse(limit: str, *identifiers: str) -> bool:
        calls.append((limit, *identifiers))
        return False

    monkeypatch.setattr(accounts, "allow", refuse)
    mark = audit_mark()
    accounts.request_password_reset(db.session, EMAIL.upper(), SETTINGS)
    assert calls == [("5 per hour", "password-reset", accounts._limit_key(EMAIL))]
    assert [r.detail for r in audit_since(mark)] == ["no email sent"]
    assert links_of(user) == []
    time.sleep(0.3)
    assert inbox.messages == []


def test_new_reset_request_retires_the_previous_link(user: User, inbox: Inbox) -> None:
    accounts.request_password_reset(db.session, EMAIL, SETTINGS)
    first = token_in(inbox.last_link(EMAIL))
    accounts.request_password_reset(db.session, EMAIL, SETTINGS)
    inbox.wait_for(2)
    second = token_in(Inbox.links(inbox.messages[-1])[0])
    assert first != second
    checks = [
        password_links.check(db.session, t, password_links.PASSWORD_PURPOSES).problem
        for t in (first, second)
    ]
    assert checks == [password_links.SUPERSEDED, None]


def test_reset_request_with_nul_in_the_address_is_an_ordinary_unknown(user: User) -> None:
    """The forgot-password form passes any text up to 320 characters: a NUL character
    must give the usual answer, not a database error."""
    try:
        accounts.request_password_reset(db.session, "contact.a\x00@example.test", SETTINGS)
    finally:
        db.session.rollback()
    assert links_of(user) == []


# --- Setting a password from a link --------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "action"),
    [(password_links.RESET, audit.RESET_USED), (password_links.WELCOME, audit.PASSWORD_SET)],
)
def test_password_from_link(user: User, purpose: str, action: str) -> None:
    """Following a reset (or access-granted) link sets the password, uses up the link,
    ends every session of the user and unlocks the address."""
    user.must_set_password = True
    db.session.commit()
    keys = [start_session(user), start_session(user)]
    lock_address(EMAIL)
    token = issue(user, purpose)
    mark = audit_mark()
    returned = accounts.set_password_from_link(db.session, token, NEW_PASSWORD, NEW_PASSWORD)
    assert returned.id == user.id
    account = reload(user)
    assert matches(account.password, NEW_PASSWORD)
    assert not matches(account.password, f.PASSWORD)
    assert account.must_set_password is False
    assert [session_state(k) for k in keys] == [(True, signin_sessions.PASSWORD_RESET)] * 2
    assert not lockout_exists(EMAIL)
    (link,) = links_of(user)
    assert link.used_at is not None
    assert password_links.check(db.session, token, (purpose,)).problem == password_links.USED
    assert [(r.action, r.actor_id, r.object_id) for r in audit_since(mark)] == [
        (action, user.id, str(user.id))
    ]


def test_link_works_only_once(user: User) -> None:
    token = issue(user, password_links.RESET)
    accounts.set_password_from_link(db.session, token, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(PARSError, match="already been used"):
        accounts.set_password_from_link(
            db.session, token, "another fine passphrase", "another fine passphrase"
        )
    assert matches(reload(user).password, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("token_kind", "message"),
    [
        ("unknown", password_links.NOT_VALID),
        ("email link", password_links.NOT_VALID),
        ("superseded", password_links.SUPERSEDED),
    ],
)
def test_unusable_link_sets_nothing(user: User, token_kind: str, message: str) -> None:
    if token_kind == "unknown":
        token = "a" * 43
    elif token_kind == "email link":
        token = issue(user, password_links.EMAIL, new_email="new@example.test")
    else:
        token = issue(user, password_links.RESET)
        issue(user, password_links.RESET)
    with pytest.raises(PARSError) as raised:
        accounts.set_password_from_link(db.session, token, NEW_PASSWORD, NEW_PASSWORD)
    assert raised.value.message == message
    assert matches(reload(user).password, f.PASSWORD)


def test_link_of_a_deactivated_account_is_not_valid(user: User) -> None:
    token = issue(user, password_links.RESET)
    key = start_session(user)
    user.active = False
    db.session.commit()
    with pytest.raises(PARSError) as raised:
        accounts.set_password_from_link(db.session, token, NEW_PASSWORD, NEW_PASSWORD)
    assert raised.value.message == password_links.NOT_VALID
    assert matches(reload(user).password, f.PASSWORD)
    assert session_state(key) == (False, None)


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("too short", "too short", "password"),
        ("qwerty123456", "qwerty123456", "password"),
        (EMAIL.upper(), EMAIL.upper(), "password"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "confirm"),
    ],
)
def test_refused_password_leaves_the_link_usable(
    user: User, password: str, confirm: str, field: str
) -> None:
    """A password that breaks the policy (or is not typed twice the same) changes
    nothing: the link still works, the sessions stay."""
    token = issue(user, password_links.RESET)
    key = start_session(user)
    with pytest.raises(InputError) as raised:
        accounts.set_password_from_link(db.session, token, password, confirm)
    assert raised.value.field == field
    db.session.rollback()
    assert password_links.check(db.session, token, password_links.PASSWORD_PURPOSES).link
    assert session_state(key) == (False, None)
    assert matches(reload(user).password, f.PASSWORD)


# --- First sign-in of a legacy account ---------------------------------------------------


def test_first_password_must_differ_from_the_old_one(user: User) -> None:
    user.must_set_password = True
    db.session.commit()
    with pytest.raises(InputError) as raised:
        accounts.set_first_password(
            db.session, user=user, password=f.PASSWORD, confirm=f.PASSWORD, session_key=None
        )
    assert raised.value.field == "password"
    assert "different from the old one" in raised.value.message
    assert reload(user).must_set_password is True


def test_first_password_is_set_and_other_sessions_end(user: User) -> None:
    """A legacy account chooses a new password at its first sign-in: the flag clears,
    other sessions end, the current one stays, older set-password links stop working."""
    user.must_set_password = True
    db.session.commit()
    current, elsewhere = start_session(user), start_session(user)
    reset = issue(user, password_links.RESET)
    mark = audit_mark()
    accounts.set_first_password(
        db.session, user=user, password=NEW_PASSWORD, confirm=NEW_PASSWORD, session_key=current
    )
    account = reload(user)
    assert account.must_set_password is False
    assert matches(account.password, NEW_PASSWORD)
    assert session_state(current) == (False, None)
    assert session_state(elsewhere) == (True, signin_sessions.PASSWORD_CHANGED)
    problem = password_links.check(db.session, reset, password_links.PASSWORD_PURPOSES).problem
    assert problem == password_links.SUPERSEDED
    assert [(r.action, r.detail) for r in audit_since(mark)] == [
        (audit.PASSWORD_SET, "first sign-in")
    ]


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [("short", "short", "password"), (NEW_PASSWORD, "something else", "confirm")],
)
def test_first_password_follows_the_policy(
    user: User, password: str, confirm: str, field: str
) -> None:
    user.must_set_password = True
    db.session.commit()
    with pytest.raises(InputError) as raised:
        accounts.set_first_password(
            db.session, user=user, password=password, confirm=confirm, session_key=None
        )
    assert raised.value.field == field
    assert reload(user).must_set_password is True


# --- Changing one's password -------------------------------------------------------------


@pytest.mark.parametrize("current", ["wrong password", f.PASSWORD.upper(), ""])
def test_change_password_requires_the_current_one(user: User, current: str) -> None:
    key = start_session(user)
    other_key = start_session(user)
    with pytest.raises(InputError) as raised:
        accounts.change_password(
            db.session,
            user=user,
            current=current,
            password=NEW_PASSWORD,
            confirm=NEW_PASSWORD,
            session_key=key,
        )
    assert raised.value.field == "current"
    assert matches(reload(user).password, f.PASSWORD)
    assert session_state(other_key) == (False, None)


def test_change_password_ends_other_sessions_only(user: User, other: User) -> None:
    """The session in use stays; the user's other sessions end; another user's sessions
    are untouched; an outstanding reset link stops working; the change is audited."""
    current, elsewhere = start_session(user), start_session(user)
    theirs = start_session(other)
    reset = issue(user, password_links.RESET)
    mark = audit_mark()
    accounts.change_password(
        db.session,
        user=user,
        current=f.PASSWORD,
        password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
        session_key=current,
    )
    assert matches(reload(user).password, NEW_PASSWORD)
    assert session_state(current) == (False, None)
    assert session_state(elsewhere) == (True, signin_sessions.PASSWORD_CHANGED)
    assert session_state(theirs) == (False, None)
    problem = password_links.check(db.session, reset, password_links.PASSWORD_PURPOSES).problem
    assert problem == password_links.SUPERSEDED
    assert [(r.action, r.actor_id) for r in audit_since(mark)] == [
        (audit.PASSWORD_CHANGED, user.id)
    ]


def test_change_password_follows_the_policy(user: User) -> None:
    with pytest.raises(InputError) as raised:
        accounts.change_password(
            db.session,
            user=user,
            current=f.PASSWORD,
            password=EMAIL,
            confirm=EMAIL,
            session_key=None,
        )
    assert raised.value.field == "password"
    assert matches(reload(user).password, f.PASSWORD)


# --- Name and telephone ------------------------------------------------------------------


def profile(user: User, first: str = "Ada", last: str = "Lovelace", phone: str = "") -> None:
    accounts.update_profile(db.session, user=user, first_name=first, last_name=last, phone=phone)


def test_profile_is_saved_tidied(user: User) -> None:
    """Names and telephone are kept on one line with single spaces; no phone is NULL."""
    profile(user, "  Augusta   Ada ", "King\tLovelace ", " 312  555 0100 ")
    account = reload(user)
    assert (account.first_name, account.last_name, account.phone) == (
        "Augusta Ada",
        "King Lovelace",
        "312 555 0100",
    )
    profile(user, phone="   ")
    assert reload(user).phone is None


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        ("", "Lovelace", "first_name", "First name is required."),
        ("   ", "Lovelace", "first_name", "First name is required."),
        ("Ada", "", "last_name", "Last name is required."),
        ("Ada", "\t\n", "last_name", "Last name is required."),
        ("A" * 65, "Lovelace", "first_name", "First name has at most 64 characters."),
        ("Ada", "L" * 65, "last_name", "Last name has at most 64 characters."),
    ],
)
def test_profile_names_are_required_and_short(
    user: User, first: str, last: str, field: str, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        profile(user, first, last)
    assert (raised.value.field, raised.value.message) == (field, message)
    assert reload(user).first_name == "Ada"


def test_profile_names_of_64_characters_are_fine(user: User) -> None:
    profile(user, "A" * 64, "L" * 30 + "  " + "L" * 33)
    account = reload(user)
    assert (len(account.first_name), len(account.last_name)) == (64, 64)


@pytest.mark.parametrize(
    "phone",
    [
        "312-555-0100",
        "+1 312 555 0100",
        "+1 312 555 0100 x12",
        "(312) 555-0100",
        "312.555.0100",
        "312-555-0100 ext. 123456",
        "312-555-0100 EXT 4",
        "+44 20 7946 0958",
        "5550100",
    ],
)
def test_profile_accepts_telephone_numbers(user: User, phone: str) -> None:
    profile(user, phone=phone)
    assert reload(user).phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "call me",
        "555-01",
        "312-555-0100 x1234567",
        "312-555-0100; drop",
        "312/555/0100",
        "1" * 26,
        "+1 312 555 0100 ext 12 ext 3",
        "<script>312</script>",
    ],
)
def test_profile_refuses_what_is_not_a_telephone_number(user: User, phone: str) -> None:
    with pytest.raises(InputError) as raised:
        profile(user, phone=phone)
    assert raised.value.field == "phone"
    assert reload(user).phone is None


@pytest.mark.parametrize("phone", ["-------", "(((())))", "+++ ... +++"])
def test_profile_refuses_a_telephone_number_without_digits(user: User, phone: str) -> None:
    """A telephone number has digits: punctuation alone is not one."""
    with pytest.raises(InputError):
        profile(user, phone=phone)


def test_profile_with_nul_in_a_name_is_never_a_database_error(user: User) -> None:
    """Whatever is typed in a name, the answer is a saved profile or a plain-words
    refusal, never a database error."""
    try:
        profile(user, "Ada\x00", "Lovelace")
    except InputError:
        pass
    finally:
        db.session.rollback()


# --- Changing one's email address --------------------------------------------------------


def request_change(user: User, new_email: str) -> None:
    accounts.request_email_change(db.session, user=user, new_email=new_email, settings=SETTINGS)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "not-an-email",
        "a@b",
        "a b@example.test",
        "a@@example.test",
        "@example.test",
        "name@",
        "name@example.",
        "x" * 250 + "@example.test",
    ],
)
def test_new_email_must_look_like_an_address(user: User, inbox: Inbox, typed: str) -> None:
    with pytest.raises(InputError) as raised:
        request_change(user, typed)
    assert raised.value.field == "email"
    assert "such as name@example.org" in raised.value.message or "at most 128" in (
        raised.value.message
    )
    assert links_of(user) == []


@pytest.mark.parametrize("typed", ["new\x00@example.test", "new\x1b[31m@example.test"])
def test_new_email_with_a_control_character_is_refused(user: User, typed: str) -> None:
    """An address with a control character is not an email address."""
    try:
        with pytest.raises(InputError):
            request_change(user, typed)
    finally:
        db.session.rollback()


def test_a_long_new_address_is_refused_or_used_never_a_database_error(
    user: User, inbox: Inbox
) -> None:
    """An address the format check accepts (up to 254 characters) becomes the sign-in
    name when confirmed; if it cannot, the request says so in plain words."""
    new = "a" * 140 + "@example.test"
    try:
        request_change(user, new)
    except InputError:
        return
    token = token_in(inbox.last_link(new))
    try:
        accounts.confirm_email_change(db.session, token)
    finally:
        db.session.rollback()
    assert reload(user).email == new


@pytest.mark.parametrize("typed", [EMAIL, EMAIL.upper(), f"  {EMAIL} "])
def test_new_email_must_differ_from_the_current_one(user: User, typed: str) -> None:
    with pytest.raises(InputError, match="already your email address"):
        request_change(user, typed)


@pytest.mark.parametrize("typed", [OTHER, "Contact.B@EXAMPLE.test", f" {OTHER.upper()} "])
def test_new_email_must_be_free(user: User, other: User, typed: str) -> None:
    """An address another account uses (in any case) cannot be taken."""
    with pytest.raises(InputError) as raised:
        request_change(user, typed)
    assert (raised.value.field, raised.value.message) == (
        "email",
        "Another PARS account already uses this email address.",
    )
    assert links_of(user) == []


def test_email_change_sends_a_link_to_the_new_address_and_a_notice_to_the_old(
    user: User, inbox: Inbox
) -> None:
    """Nothing changes yet: the new address gets a confirmation link, the current one a
    notice (with no link), and the request is audited."""
    mark = audit_mark()
    request_change(user, "  Ada.New@Example.test ")
    inbox.wait_for(2)
    (confirmation,) = inbox.to("ada.new@example.test")
    (notice,) = inbox.to(EMAIL)
    assert confirmation.rcpt_tos == ["Ada.New@Example.test"]
    assert "confirm your new email address" in Inbox.text(confirmation)
    (link,) = Inbox.links(confirmation)
    assert link.startswith("https://pars.example.org/confirm-email/")
    assert "change of email address requested" in Inbox.text(notice)
    assert "Ada.New@Example.test" in Inbox.text(notice)
    assert Inbox.links(notice) == []
    assert reload(user).email == EMAIL
    found = password_links.check(db.session, token_in(link), (password_links.EMAIL,))
    assert found.link is not None and found.link.new_email == "Ada.New@Example.test"
    assert [(r.action, r.detail) for r in audit_since(mark)] == [
        (audit.EMAIL_CHANGE_REQUESTED, "Ada.New@Example.test")
    ]


def test_confirm_email_change(user: User, inbox: Inbox) -> None:
    """Following the link makes the new address the sign-in name (email and username),
    uses up the link and retires every other link sent before."""
    accounts.request_password_reset(db.session, EMAIL, SETTINGS)
    reset = token_in(inbox.last_link(EMAIL))
    welcome_link = issue(user, password_links.WELCOME)
    request_change(user, "ada.new@example.test")
    confirm = token_in(inbox.last_link("ada.new@example.test"))
    mark = audit_mark()
    returned = accounts.confirm_email_change(db.session, confirm)
    assert returned.id == user.id
    account = reload(user)
    assert (account.email, account.username) == ("ada.new@example.test", "ada.new@example.test")
    assert password_links.check(db.session, confirm, (password_links.EMAIL,)).problem == (
        password_links.USED
    )
    for token in (reset, welcome_link):
        problem = password_links.check(db.session, token, password_links.PASSWORD_PURPOSES)
        assert problem.problem == password_links.SUPERSEDED
    assert [(r.action, r.actor_id, r.detail) for r in audit_since(mark)] == [
        (audit.EMAIL_CHANGED, user.id, f"from {EMAIL}")
    ]


def test_confirm_supersedes_pending_reset_link_that_was_live(user: User) -> None:
    """A reset link still live when the email changes stops working."""
    reset = issue(user, password_links.RESET)
    confirm = issue(user, password_links.EMAIL, new_email="ada.new@example.test")
    assert password_links.check(db.session, reset, password_links.PASSWORD_PURPOSES).link
    accounts.confirm_email_change(db.session, confirm)
    problem = password_links.check(db.session, reset, password_links.PASSWORD_PURPOSES).problem
    assert problem == password_links.SUPERSEDED


def test_confirm_fails_when_the_address_was_taken_meanwhile(user: User) -> None:
    """Between the request and the confirmation another account took the address (in
    another case): nothing changes."""
    confirm = issue(user, password_links.EMAIL, new_email="ada.new@example.test")
    make_user("ADA.NEW@example.test", roles.CONTACT)
    db.session.commit()
    with pytest.raises(PARSError, match="now uses this email address: nothing changed"):
        accounts.confirm_email_change(db.session, confirm)
    db.session.rollback()
    account = reload(user)
    assert (account.email, account.username) == (EMAIL, EMAIL)
    (link,) = links_of(user)
    assert link.used_at is None


@pytest.mark.parametrize("kind", ["unknown", "password link", "used"])
def test_confirm_with_an_unusable_link(user: User, kind: str) -> None:
    if kind == "unknown":
        token = "b" * 43
    elif kind == "password link":
        token = issue(user, password_links.RESET)
    else:
        token = issue(user, password_links.EMAIL, new_email="ada.new@example.test")
        accounts.confirm_email_change(db.session, token)
        user.email = user.username = EMAIL
        db.session.commit()
    with pytest.raises(PARSError) as raised:
        accounts.confirm_email_change(db.session, token)
    expected = password_links.USED if kind == "used" else password_links.NOT_VALID
    assert raised.value.message == expected
    assert reload(user).email == EMAIL


def test_confirm_for_a_deactivated_account_is_not_valid(user: User) -> None:
    token = issue(user, password_links.EMAIL, new_email="ada.new@example.test")
    user.active = False
    db.session.commit()
    with pytest.raises(PARSError) as raised:
        accounts.confirm_email_change(db.session, token)
    assert raised.value.message == password_links.NOT_VALID
    assert reload(user).email == EMAIL
