"""Who sees which rows: the one definition of visibility in PARS (domain.md decision 5).

* Admin and ACCME Staff see everything.
* A Recognized Accreditor sees the providers it accredits.
* A Volunteer Surveyor sees the providers of the reviews assigned to them (until they
  declare a conflict).
* A Provider Contact sees the providers they are a contact for.
* Anyone else sees nothing.

A user with several roles sees the union. Every list, count, page, edit, delete, action,
dropdown, search filter, export, API and dashboard reads through :func:`restrict`, so a row
outside the user's scope is simply not there (the views answer 404).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from flask import g, has_request_context
from sqlalchemy import ColumnElement, false, or_, select, true, union
from sqlalchemy.orm import Session

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
    ProgramSummary,
    Provider,
    ProviderContact,
    ReportingYear,
    Review,
    ReviewAssignment,
    Upload,
    UploadChange,
    UploadProblem,
    User,
)
from app.security import roles

Q = TypeVar("Q")


class Actor(Protocol):
    """The acting user as PARS needs it: an id and role names."""

    id: Any
    roles: Any
    is_authenticated: bool


def role_names(user: Actor | None) -> frozenset[str]:
    """Names of the user's roles; none for an anonymous visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(role.name for role in user.roles)


def sees_everything(user: Actor | None) -> bool:
    """Admin and ACCME Staff see every provider's data."""
    return bool(role_names(user) & roles.UNRESTRICTED_ROLES)


def _provider_id_queries(user: Actor) -> list[Any]:
    names = role_names(user)
    queries = []
    if roles.CONTACT in names:
        queries.append(
            select(ProviderContact.provider_id).where(ProviderContact.user_id == user.id)
        )
    if roles.ACCREDITOR in names:
        member_of = select(AccreditorMember.accreditor_id).where(
            AccreditorMember.user_id == user.id
        )
        queries.append(select(Provider.id).where(Provider.accreditor_id.in_(member_of)))
    if roles.SURVEYOR in names:
        queries.append(
            select(Review.provider_id)
            .join(ReviewAssignment, ReviewAssignment.review_id == Review.id)
            .where(ReviewAssignment.user_id == user.id, ReviewAssignment.recused.is_(False))
        )
    return queries


def visible_provider_ids(session: Session, user: Actor | None) -> frozenset[int] | None:
    """Ids of the providers ``user`` may see, or None when they may see all of them.

    Read once per request (a removed assignment takes effect on the next request).
    """
    if sees_everything(user):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache_key = ("pars_visible_providers", user.id)
    cache = g.setdefault("pars_scope_cache", {}) if has_request_context() else {}
    if cache_key not in cache:
        queries = _provider_id_queries(user)
        ids: frozenset[int] = frozenset()
        if queries:
            ids = frozenset(session.scalars(union(*queries)).all())
        cache[cache_key] = ids
    return cache[cache_key]


def _by_provider(column: Any, ids: frozenset[int] | None) -> ColumnElement[bool]:
    if ids is None:
        return true()
    return column.in_(sorted(ids)) if ids else false()


def _accreditor_predicate(user: Actor, ids: frozenset[int] | None) -> ColumnElement[bool]:
    if ids is None:
        return true()
    of_providers = select(Provider.accreditor_id).where(Provider.id.in_(sorted(ids)))
    of_membership = select(AccreditorMember.accreditor_id).where(
        AccreditorMember.user_id == user.id
    )
    return or_(Accreditor.id.in_(of_providers), Accreditor.id.in_(of_membership))


def _user_predicate(user: Actor, ids: frozenset[int] | None) -> ColumnElement[bool]:
    if ids is None:
        return true()
    colleagues = select(ProviderContact.user_id).where(ProviderContact.provider_id.in_(sorted(ids)))
    return or_(User.id == user.id, User.id.in_(colleagues))


def _activity_child(model: Any, ids: frozenset[int] | None) -> ColumnElement[bool]:
    if ids is None:
        return true()
    visible = select(Activity.id).where(_by_provider(Activity.provider_id, ids))
    return model.activity_id.in_(visible)


def predicate(session: Session, model: type, user: Actor | None) -> ColumnElement[bool]:
    """The SQL condition that keeps only the rows of ``model`` that ``user`` may see.

    A model with no rule here is visible to Admin and ACCME Staff only.
    """
    ids = visible_provider_ids(session, user)
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if model is Provider:
        return _by_provider(Provider.id, ids)
    if model is Criterion:  # the public accreditation rules: every signed-in user
        return true()
    if model in (
        Activity, ProviderContact, Review, ReportingYear, ProgramSummary, Upload,
        AccreditationDecision,
    ):  # fmt: skip
        return _by_provider(model.provider_id, ids)
    if model in (CommercialSupport, MocRegistration, ActivityCredit, LearnerCount):
        return _activity_child(model, ids)
    if model in (UploadProblem, UploadChange):
        if ids is None:
            return true()
        uploads = select(Upload.id).where(_by_provider(Upload.provider_id, ids))
        return model.upload_id.in_(uploads)
    if model is Accreditor:
        return _accreditor_predicate(user, ids)
    if model is AccreditorDeadline:  # seen by whoever sees the accreditor
        if ids is None:
            return true()
        seen = select(Accreditor.id).where(_accreditor_predicate(user, ids))
        return AccreditorDeadline.accreditor_id.in_(seen)
    if model is User:
        return _user_predicate(user, ids)
    if model is AccreditorMember:
        return true() if ids is None else AccreditorMember.user_id == user.id
    if model is ReviewAssignment:
        return true() if ids is None else ReviewAssignment.user_id == user.id
    return true() if ids is None else false()


def restrict(session: Session, query: Q, model: type, user: Actor | None) -> Q:
    """``query`` (an ORM ``Query`` or a ``Select``) limited to the rows ``user`` may see."""
    return query.filter(predicate(session, model, user))  # type: ignore[attr-defined]


def can_see_provider(session: Session, user: Actor | None, provider_id: int | None) -> bool:
    """Whether ``user`` may see (and so act for) the provider with this id."""
    if provider_id is None:
        return False
    ids = visible_provider_ids(session, user)
    return ids is None or provider_id in ids


def can_act_for_provider(session: Session, user: Actor | None, provider_id: int | None) -> bool:
    """Whether ``user`` may change the provider's own records (its contacts, its
    reports): ACCME staff and administrators, and the provider's contacts. Recognized
    Accreditors and surveyors see a provider's records but do not act for it."""
    if provider_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_everything(user):
        return True
    if roles.CONTACT not in role_names(user):
        return False
    query = select(ProviderContact.id).where(
        ProviderContact.provider_id == provider_id, ProviderContact.user_id == user.id
    )
    return session.scalars(query).first() is not None
