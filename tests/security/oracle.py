"""What each fixture user should see and may do: the suite's oracle.

Written from security.md's fixture world and ``app/security/permissions.py``, and
deliberately independent of ``app.security.scoping``: the scoping code is what is tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select

from app.extensions import db
from app.models import (
    AccreditorMember,
    Activity,
    AuditEvent,
    Criterion,
    PasswordLink,
    Provider,
    ProviderContact,
    RateLimitCounter,
    Review,
    SignInLockout,
    SignInSession,
    Upload,
)
from app.schema import vocabularies as v
from app.security import roles
from app.security.permissions import OWN_ACCOUNT, role_permissions
from tests.conftest import World

#: The roles of the matrix: attribute names of :class:`tests.conftest.World`, plus anonymous.
ROLES = (
    "contact_a",
    "contact_b",
    "accreditor_tx",
    "surveyor",
    "staff",
    "admin",
    "anonymous",
    "nobody",
)
#: Which providers each fixture user sees (security.md, "The fixture world"). ``None``:
#: every provider. This is the oracle; it deliberately does not call the scoping code.
SEES: dict[str, set[str] | None] = {
    "contact_a": {"p1", "p2"},
    "contact_b": {"p3"},
    "ja_contact": {"p4"},
    "accreditor_tx": {"p1"},
    "surveyor": {"p3"},
    "staff": None,
    "admin": None,
    "nobody": set(),
    "anonymous": set(),
}
#: For each role: an object it owns (its own provider's) and a foreign one.
OWN_AND_FOREIGN = {
    "contact_a": ("p1", "p3"),
    "contact_b": ("p3", "p1"),
    "accreditor_tx": ("p1", "p3"),
    "surveyor": ("p3", "p1"),
    "staff": ("p1", "p3"),
    "admin": ("p1", "p3"),
    "anonymous": ("p1", "p3"),
    "nobody": ("p1", "p3"),
}
P3_TITLE = "P3 Secret Oncology Board"
P3_NAME = "Columbus Community Hospital"
#: Text that must never reach contact A: P3's and P4's data.
FOREIGN_TO_A = (
    P3_TITLE,
    P3_NAME,
    "P4 Team Pharmacotherapy",
    "Interprofessional Health Partners",
    "contact.b@example.test",
    "ja.contact@example.test",
    "Ohio State Medical Association",
    "ra.oh@example.test",
    "colleague.b@example.test",
)
#: Text of any fixture row: an anonymous visitor sees none of it.
ALL_MARKERS = (
    *FOREIGN_TO_A,
    "P1 Sepsis Update",
    "P2 Heart Failure Summit",
    "Austin Heart Institute",
    "National Society of Cardiology",
    "contact.a@example.test",
)
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
#: Records that belong to no provider: ACCME staff and administrators see them, no one else.
STAFF_ONLY = (AuditEvent, PasswordLink, RateLimitCounter, SignInLockout, SignInSession)
#: Reference data that belongs to no provider and that every signed-in user reads.
EVERYONE = (Criterion,)


@dataclass
class Extras:
    """Rows added to the world so that each model has a row owned by P1 and one by P3."""

    ra_oh: Any
    surveyor_p1: Any
    colleague_a: Any
    colleague_b: Any


def user_of(world: World, role: str) -> Any:
    return None if role == "anonymous" else getattr(world, role)


def _reviewed_instead(provider: Provider) -> Provider:
    """State-accredited providers have no accreditation review: a review "of P1" is one
    of the ACCME-accredited provider that shares P1's contacts (P2, contact A's)."""
    if provider.kind != v.STATE_KIND:
        return provider
    contacts = select(ProviderContact.user_id).where(ProviderContact.provider_id == provider.id)
    sibling = select(ProviderContact.provider_id).where(ProviderContact.user_id.in_(contacts))
    query = select(Provider).where(Provider.id.in_(sibling), Provider.kind != v.STATE_KIND)
    return db.session.scalars(query.order_by(Provider.id)).first() or provider


def object_of(model: type, provider: Provider) -> Any:
    """A row of ``model`` that belongs to ``provider`` (None when no rule is known)."""
    session = db.session
    if model.__tablename__.startswith("review"):  # type: ignore[attr-defined]
        provider = _reviewed_instead(provider)
    if model is Review:
        return session.scalars(
            select(Review).where(Review.provider_id == provider.id).order_by(Review.id)
        ).first()
    if model is Provider:
        return provider
    if model in STAFF_ONLY or model in EVERYONE:
        return session.scalars(select(model).order_by(inspect(model).primary_key[0])).first()
    columns = inspect(model).columns
    if "provider_id" in columns:
        query = select(model).where(model.provider_id == provider.id)  # type: ignore[attr-defined]
    elif "activity_id" in columns:
        mine = select(Activity.id).where(Activity.provider_id == provider.id)
        query = select(model).where(model.activity_id.in_(mine))  # type: ignore[attr-defined]
    elif "upload_id" in columns:
        mine = select(Upload.id).where(Upload.provider_id == provider.id)
        query = select(model).where(model.upload_id.in_(mine))  # type: ignore[attr-defined]
    elif "review_id" in columns:
        mine = select(Review.id).where(Review.provider_id == provider.id)
        query = select(model).where(model.review_id.in_(mine))  # type: ignore[attr-defined]
    elif "accreditor_id" in columns:
        query = select(model).where(model.accreditor_id == provider.accreditor_id)  # type: ignore[attr-defined]
    elif model is type(provider.accreditor):
        return provider.accreditor
    else:
        return None
    return session.scalars(query.order_by(inspect(model).primary_key[0])).first()


def require_object(model: type, provider: Provider) -> Any:
    obj = object_of(model, provider)
    assert obj is not None, (
        f"No row of {model.__name__} owned by {provider.name}: teach "
        "tests/security/oracle.py object_of() and the extras fixture (conftest.py) about it."
    )
    return obj


def owner_ids(obj: Any) -> set[int]:
    """Ids of the providers whose data ``obj`` is."""
    if isinstance(obj, Provider):
        return {obj.id}
    if isinstance(obj, STAFF_ONLY + EVERYONE):
        return set()
    if hasattr(obj, "provider_id"):
        return {obj.provider_id}
    if hasattr(obj, "activity_id"):
        return {db.session.get(Activity, obj.activity_id).provider_id}
    if hasattr(obj, "upload_id"):
        return {db.session.get(Upload, obj.upload_id).provider_id}
    if hasattr(obj, "review_id"):
        return {db.session.get(Review, obj.review_id).provider_id}
    if hasattr(obj, "providers"):  # an accreditor
        return {p.id for p in obj.providers}
    if hasattr(obj, "accreditor"):  # an accreditor's member
        return {p.id for p in obj.accreditor.providers}
    raise AssertionError(f"no ownership rule for {type(obj).__name__}")


def visible(world: World, role: str, obj: Any) -> bool:
    """The oracle: may ``role`` see ``obj``? (security.md and domain.md decision 5)."""
    sees = SEES[role]
    if sees is None:
        return True
    user = user_of(world, role)
    if user is None:
        return False
    if isinstance(obj, EVERYONE):
        return True
    if isinstance(obj, AccreditorMember):
        return obj.user_id == user.id
    ids = {getattr(world, name).id for name in sees}
    if hasattr(obj, "providers"):  # an accreditor: its providers', and its members'
        members = db.session.scalars(
            select(AccreditorMember.user_id).where(AccreditorMember.accreditor_id == obj.id)
        ).all()
        return bool(owner_ids(obj) & ids) or user.id in members
    return bool(owner_ids(obj) & ids)


# ---- permissions as declared in app/security/permissions.py --------------------------


def granted(world: World, role: str) -> Callable[[str, str], bool]:
    """``allowed(permission, view_name)`` for the role, from ``role_permissions()``."""
    user = user_of(world, role)
    names = {r.name for r in user.roles} if user is not None else set()
    if roles.ADMIN in names:
        return lambda permission, view: True
    pairs = set(OWN_ACCOUNT) if names else set()
    declared = role_permissions()
    for name in names:
        pairs |= set(declared.get(name, []))
    return lambda permission, view: (permission, view) in pairs


def permission_of(view: Any, method: str) -> str:
    """The permission Flask-AppBuilder checks for ``view.method`` (``can_...``)."""
    func = getattr(type(view), method)
    name = getattr(func, "_permission_name", method)
    overrides = view.method_permission_name or {}
    return "can_" + overrides.get(method, name)


def may(world: World, role: str, view: Any, method: str) -> bool:
    permission = permission_of(view, method)
    if view.base_permissions and permission not in view.base_permissions:
        return False  # a permission the view does not have: refused to everyone
    return granted(world, role)(permission, view.class_permission_name)
