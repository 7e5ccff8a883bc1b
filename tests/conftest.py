"""Test fixtures: one migrated database per run, the security fixture world, and one
signed-in client per role.

The database is SQLite in a temporary file unless ``TEST_DATABASE_URL`` names another
(CI runs the whole suite again on PostgreSQL). Tables come from the Alembic migrations,
exactly as in production; each test starts from empty data tables.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete

from app import create_app
from app.extensions import db
from app.models import (
    AccreditationDecision,
    Accreditor,
    AccreditorDeadline,
    AccreditorMember,
    Activity,
    ActivityCredit,
    CommercialSupport,
    Criterion,
    LearnerCount,
    MocRegistration,
    PasswordLink,
    ProgramSummary,
    Provider,
    ProviderContact,
    RateLimitCounter,
    ReportingYear,
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
    SignInLockout,
    SignInSession,
    Upload,
    UploadChange,
    UploadProblem,
    User,
)
from app.schema import vocabularies as v
from app.security import roles
from app.security.permissions import sync_roles
from app.services import audit, uploads
from app.services.clock import utcnow
from app.services.criteria import seed_criteria
from app.views import MENU
from tests import factories as f
from tests.smtp import Inbox, mail_to, smtp_server

DATA_TABLES = (
    AccreditationDecision,
    ReviewFinding,
    ReviewComment,
    ReviewMaterial,
    ReviewActivity,
    ReviewEvent,
    Criterion,
    UploadChange,
    UploadProblem,
    Upload,
    ProgramSummary,
    ReportingYear,
    AccreditorDeadline,
    SignInSession,
    PasswordLink,
    SignInLockout,
    RateLimitCounter,
    ReviewAssignment,
    Review,
    LearnerCount,
    ActivityCredit,
    MocRegistration,
    CommercialSupport,
    Activity,
    ProviderContact,
    AccreditorMember,
    Provider,
    Accreditor,
)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context.

    Tests hold an application context open to read the database, and Flask would reuse it
    for each request made inside it: ``g`` (the signed-in user, the per-request scope
    cache) and the SQLAlchemy session would then live across requests, which production
    never does. Running each request in an empty ``contextvars.Context`` gives it a fresh
    application context, torn down at the end of the request; responses are buffered so
    that streamed downloads are produced inside that context too.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def _database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/pars-test.db"


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    """The PARS app on a freshly migrated test database, roles synced."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        url = _database_url(tmp_dir)
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "PARS_UPLOAD_DIR": f"{tmp_dir}/uploads"}
        application = create_app("config.TestConfig", overrides)
        application.test_client_class = IsolatedClient
        with application.app_context():
            if url.startswith("postgresql"):
                _reset_postgres()
            upgrade(directory=str(application.extensions["migrate"].directory))
            sync_roles(application.appbuilder, MENU)
            seed_criteria(db.session)
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _reset_postgres() -> None:
    """Start the PostgreSQL test database from nothing, so migrations run whole."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def clear_data() -> None:
    """Remove every PARS row and every user (roles and permissions stay); the criteria
    catalogue starts again as seeded."""
    db.session.rollback()
    for model in DATA_TABLES:
        db.session.execute(delete(model))
    db.session.execute(delete(User.__table__.metadata.tables["ab_user_role"]))
    db.session.execute(delete(User))
    db.session.commit()
    seed_criteria(db.session)  # reference data every test starts with


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context with empty data tables before and after the test."""
    with app.app_context():
        clear_data()
        yield app
        clear_data()
        db.session.remove()


def make_user(email: str, role_name: str | None, **kwargs: Any) -> User:
    """A user with one role (or none)."""
    user = f.UserFactory(email=email, username=email, **kwargs)
    if role_name:
        user.roles = [
            db.session.query(User.roles.property.mapper.class_).filter_by(name=role_name).one()
        ]
    db.session.flush()
    return user


@dataclass
class World:
    """The security fixture world of security.md: A sees P1 and P2; B sees P3; RA-TX
    accredits P1 (Texas) and not P3; surveyor S is assigned to a review of P3 only.
    P1 is state-accredited; P2 and P3 are ACCME-accredited, P4 jointly accredited."""

    p1: Provider
    p2: Provider
    p3: Provider
    p4: Provider
    a1: Activity
    a2: Activity
    a3: Activity
    a4: Activity
    contact_a: User
    contact_b: User
    ja_contact: User
    accreditor_tx: User
    surveyor: User
    staff: User
    admin: User
    nobody: User
    review_p3: Review
    review_p2: Review


def build_world() -> World:
    accme = f.AccreditorFactory(code="ACCME", name="ACCME", kind="ACCME", state=None)
    joint = f.AccreditorFactory(
        code="JA", name="Joint Accreditation", kind="Joint Accreditation", state=None
    )
    texas = f.AccreditorFactory(code="TX-TMA", name="Texas Medical Association", state="TX")
    ohio = f.AccreditorFactory(code="OH-OSMA", name="Ohio State Medical Association", state="OH")
    p1 = f.ProviderFactory(
        name="Austin Heart Institute", accreditor=texas, kind=v.STATE_KIND, accme_id="0000101"
    )
    p2 = f.ProviderFactory(
        name="National Society of Cardiology",
        accreditor=accme,
        kind=v.ACCME_KIND,
        accme_id="0000102",
        state="IL",
        city="Chicago",
    )
    p3 = f.ProviderFactory(
        name="Columbus Community Hospital",
        # ACCME-accredited, so that it has an online accreditation review (surveyor S's);
        # its accreditor row is the matrix's foreign accreditor (contact A never sees it).
        accreditor=ohio,
        kind=v.ACCME_KIND,
        accme_id="0000103",
        state="OH",
        city="Columbus",
    )
    p4 = f.ProviderFactory(
        name="Interprofessional Health Partners",
        accreditor=joint,
        kind=v.JOINT_KIND,
        accme_id="0000104",
        state="MN",
        city="Minneapolis",
    )
    contact_a = make_user("contact.a@example.test", roles.CONTACT)
    contact_b = make_user("contact.b@example.test", roles.CONTACT)
    ja_contact = make_user("ja.contact@example.test", roles.CONTACT)
    for provider, user in ((p1, contact_a), (p2, contact_a), (p3, contact_b), (p4, ja_contact)):
        f.ContactFactory(provider=provider, user=user, contact_type=v.PRIMARY_CONTACT)
    accreditor_tx = make_user("ra.tx@example.test", roles.ACCREDITOR)
    f.MemberFactory(accreditor=texas, user=accreditor_tx)
    surveyor = make_user("surveyor@example.test", roles.SURVEYOR)
    review_p3 = f.ReviewFactory(provider=p3)
    f.AssignmentFactory(review=review_p3, user=surveyor)
    # Contact A's ACCME-accredited provider has a decided review (P1, state-accredited,
    # has none: state-accredited providers do not use online accreditation).
    review_p2 = f.ReviewFactory(provider=p2, stage=v.REVIEW_DECIDED)
    a1 = f.ActivityFactory(provider=p1, title="P1 Sepsis Update", provider_activity_id="P1-001")
    a2 = f.ActivityFactory(
        provider=p2,
        title="P2 Heart Failure Summit",
        provider_activity_id="P2-001",
        format=v.ENDURING,
        delivery_methods=["Online"],
        rems_type="Opioid Analgesic",
        rems_id="EG-123456-001",
    )
    a3 = f.ActivityFactory(
        provider=p3, title="P3 Secret Oncology Board", provider_activity_id="P3-001"
    )
    a4 = f.ActivityFactory(
        provider=p4, title="P4 Team Pharmacotherapy", provider_activity_id="P4-001"
    )
    f.MocFactory(activity_id=a2.id, board="ABIM")
    f.CreditFactory(activity_id=a4.id, credit_type="IPCE")
    world = World(
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        a1=a1,
        a2=a2,
        a3=a3,
        a4=a4,
        contact_a=contact_a,
        contact_b=contact_b,
        ja_contact=ja_contact,
        accreditor_tx=accreditor_tx,
        surveyor=surveyor,
        staff=make_user("staff@example.test", roles.STAFF),
        admin=make_user("admin@example.test", roles.ADMIN),
        nobody=make_user("nobody@example.test", None),
        review_p3=review_p3,
        review_p2=review_p2,
    )
    # Staff-only records: a failed sign-in of contact B and an audit row about P3.
    db.session.add(
        SignInLockout(email="contact.b@example.test", failures=2, first_failure_at=utcnow())
    )
    audit.record(db.session, "test event", actor=contact_b, provider_id=p3.id)
    db.session.commit()
    _add_uploads(world)
    _add_decisions(world)
    return world


def _add_decisions(world: World) -> None:
    """A past accreditation decision of P1 and of P3 (the history the matrix reads)."""
    for provider in (world.p1, world.p3):
        db.session.add(
            AccreditationDecision(
                provider_id=provider.id,
                outcome=provider.accreditation_status,
                decided_on=provider.term_start,
                term_start=provider.term_start,
                term_end=provider.term_end,
                notes=f"Decision for {provider.name}",
                recorded_at=utcnow(),
                recorded_by=None,
            )
        )
    db.session.commit()


def _add_uploads(world: World) -> None:
    """A checked, not yet confirmed batch upload for P1 and one for P3 (its preview names
    the provider, so a leak of P3's upload to contact A shows)."""
    settings = uploads.settings_from(current_app.config)
    for provider, contact in ((world.p1, world.contact_a), (world.p3, world.contact_b)):
        content = (
            "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date\n"
            f"UP-1,{provider.name} upload row,Live Course,01/15/2027,01/15/2027\n"
        )
        uploads.receive(db.session, contact, provider.id, "batch.csv", content.encode(), settings)


@pytest.fixture
def world(app_ctx: Flask) -> World:
    return build_world()


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for this client's session, for any user (even one who may open
    no page with a form), made exactly as Flask-WTF's ``generate_csrf`` makes it."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    app = client.application
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def login(client: FlaskClient, email: str, password: str = f.PASSWORD) -> Any:
    """Sign in through the login form, as a browser would."""
    token = csrf_token(client)
    return client.post("/login/", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def client_for(app: Flask, world: World) -> Any:
    """``client_for(user)``: a test client signed in as that user (None: anonymous)."""

    def make(user: User | None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = login(client, user.email)
            assert response.status_code == 302, "sign-in failed"
        return client

    return make


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """The app's email goes to a real SMTP server on loopback; returns its inbox."""
    with smtp_server() as (controller, received), mail_to(app, controller):
        yield received


@pytest.fixture
def limited_app(app: Flask) -> Flask:
    """The app with rate limiting switched on (the test config switches it off), on the
    same database, with the limiter's counters kept in that database (``pars-db://``)."""
    limited = create_app(
        "config.TestConfig",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "AUTH_RATE_LIMITED": True,
            "RATELIMIT_STORAGE_URI": "pars-db://",
        },
    )
    limited.test_client_class = IsolatedClient
    return limited


def post_form(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})
