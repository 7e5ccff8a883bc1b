"""Who sees which rows: the one definition of visibility in PARS (domain.md decision 5).

* Admin and ACCME Staff see everything.
* A Recognized Accreditor sees the providers it accredits.
* A Volunteer Surveyor sees the providers of the reviews assigned to them (until they
  declare a conflict), those reviews and nothing of other reviews, and of the provider's
  activities those of the term under review.
* A Provider Contact sees the providers they are a contact for, and the accreditation
  reviews of those that ACCME accredits (a state-accredited provider has none); the
  findings of a review once it is decided, never the surveyors' comments.
* Anyone else sees nothing.

A user with several roles sees the union. Every list, count, page, edit, delete, action,
dropdown, search filter, export, API and dashboard reads through :func:`restrict`, so a row
outside the user's scope is simply not there (the views answer 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, false, or_, select, true, union
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
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
    Upload,
    UploadChange,
    UploadProblem,
    User,
)
from app.schema import vocabularies as v
from app.security import roles

Q = TypeVar("Q")
T = TypeVar("T")
#: A review and the records that belong to it.
REVIEW_MODELS = (
    Review, ReviewAssignment, ReviewEvent, ReviewActivity, ReviewMaterial, ReviewFinding,
    ReviewComment,
)  # fmt: skip


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


def _provider_id_queries(user: Actor, *, surveys: bool = True) -> list[Any]:
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
    if surveys and roles.SURVEYOR in names:
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
    return _cached(("pars_visible_providers", user.id), lambda: _provider_ids(session, user))


def _provider_ids(session: Session, user: Actor, *, surveys: bool = True) -> frozenset[int]:
    queries = _provider_id_queries(user, surveys=surveys)
    return frozenset(session.scalars(union(*queries)).all()) if queries else frozenset()


def _cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """A value computed once per request (always afresh outside a request)."""
    cache = g.setdefault("pars_scope_cache", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = compute()
    return cast(T, cache[key])


class ReviewScope:
    """The reviews a user reads: ``provided`` (as the provider's contact) and
    ``surveyed`` (as an assigned surveyor who has not declared a conflict)."""

    def __init__(self, provided: frozenset[int], surveyed: frozenset[int]) -> None:
        self.provided = provided
        self.surveyed = surveyed

    @property
    def all(self) -> frozenset[int]:
        return self.provided | self.surveyed


def _reviews_provided(session: Session, user: Actor) -> frozenset[int]:
    """Reviews of the ACCME-accredited and jointly accredited providers the user is a
    contact for: state-accredited providers have no online accreditation."""
    mine = select(ProviderContact.provider_id).where(ProviderContact.user_id == user.id)
    query = (
        select(Review.id)
        .join(Provider, Provider.id == Review.provider_id)
        .where(Provider.id.in_(mine), Provider.kind != v.STATE_KIND)
    )
    return frozenset(session.scalars(query).all())


class Survey(NamedTuple):
    """A review a surveyor is active on (assigned, no conflict declared)."""

    review_id: int
    provider_id: int
    term_start: Any
    term_end: Any


def _surveys(session: Session, user: Actor) -> list[Survey]:
    """The surveyor's active reviews, read once per request: they give both the reviews
    the surveyor reads and the terms whose activities they see."""

    def read() -> list[Survey]:
        query = (
            select(Review.id, Review.provider_id, Review.term_start, Review.term_end)
            .join(ReviewAssignment, ReviewAssignment.review_id == Review.id)
            .where(ReviewAssignment.user_id == user.id, ReviewAssignment.recused.is_(False))
        )
        return [Survey(*row) for row in session.execute(query)]

    return _cached(("pars_surveys", user.id), read)


def visible_reviews(session: Session, user: Actor | None) -> ReviewScope | None:
    """The accreditation reviews ``user`` may read, or None for all of them (staff).

    Read once per request, like the providers: a surveyor who declares a conflict or is
    unassigned loses the review on the next request."""
    if sees_everything(user):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return ReviewScope(frozenset(), frozenset())
    names = role_names(user)

    def read() -> ReviewScope:
        provided = _reviews_provided(session, user) if roles.CONTACT in names else frozenset()
        surveyed = (
            frozenset(survey.review_id for survey in _surveys(session, user))
            if roles.SURVEYOR in names
            else frozenset()
        )
        return ReviewScope(provided, surveyed)

    return _cached(("pars_visible_reviews", user.id), read)


def uses_online_accreditation(session: Session, user: Actor | None) -> bool:
    """Whether the user has any part in online accreditation: staff, surveyors, and
    contacts of at least one ACCME-accredited or jointly accredited provider. Everyone
    else (a contact of state-accredited providers only, a Recognized Accreditor) has no
    review menu, and review pages answer 404."""
    names = role_names(user)
    if sees_everything(user) or roles.SURVEYOR in names:
        return True
    if roles.CONTACT not in names or user is None:
        return False
    query = (
        select(ProviderContact.id)
        .join(Provider, Provider.id == ProviderContact.provider_id)
        .where(ProviderContact.user_id == user.id, Provider.kind != v.STATE_KIND)
        .limit(1)
    )
    return _cached(
        ("pars_online_accreditation", user.id),
        lambda: session.scalars(query).first() is not None,
    )


def _in_ids(column: Any, ids: frozenset[int]) -> ColumnElement[bool]:
    return column.in_(sorted(ids)) if ids else false()


def _review_predicate(session: Session, model: Any, user: Actor) -> ColumnElement[bool]:
    """Reviews and their parts. Findings reach the provider once the review is decided;
    comments are for the surveyors and staff only."""
    scope = visible_reviews(session, user)
    if scope is None:
        return true()
    if model is Review:
        return _in_ids(Review.id, scope.all)
    if model is ReviewComment:
        return _in_ids(ReviewComment.review_id, scope.surveyed)
    if model is ReviewFinding:
        decided = select(Review.id).where(
            Review.id.in_(sorted(scope.provided)), Review.stage == v.REVIEW_DECIDED
        )
        return or_(
            _in_ids(ReviewFinding.review_id, scope.surveyed),
            ReviewFinding.review_id.in_(decided),
        )
    if model is ReviewEvent:  # the provider does not see the surveyors' steps
        return or_(
            _in_ids(ReviewEvent.review_id, scope.surveyed),
            and_(_in_ids(ReviewEvent.review_id, scope.provided), ReviewEvent.internal.is_(False)),
        )
    if model is ReviewAssignment:  # a surveyor their own; the provider its active team
        return or_(
            ReviewAssignment.user_id == user.id,
            and_(
                _in_ids(ReviewAssignment.review_id, scope.provided),
                ReviewAssignment.recused.is_(False),
            ),
        )
    return _in_ids(model.review_id, scope.all)


def _activity_predicate(
    session: Session, user: Actor, ids: frozenset[int] | None
) -> ColumnElement[bool]:
    """Activities of the providers in scope; for a surveyor, only those of the term under
    review (an activity overlapping it; all of them when the review has no term)."""
    if ids is None or roles.SURVEYOR not in role_names(user):
        return _by_provider(Activity.provider_id, ids)
    others = _cached(
        ("pars_non_survey_providers", user.id),
        lambda: _provider_ids(session, user, surveys=False),
    )
    clauses = [_in_ids(Activity.provider_id, others)]
    for survey in _surveys(session, user):
        conditions = [Activity.provider_id == survey.provider_id]
        if survey.term_end is not None:
            conditions.append(Activity.start_date <= survey.term_end)
        if survey.term_start is not None:
            conditions.append(Activity.end_date >= survey.term_start)
        clauses.append(and_(*conditions))
    return or_(*clauses)


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


def _activity_child(
    session: Session, model: Any, user: Actor, ids: frozenset[int] | None
) -> ColumnElement[bool]:
    if ids is None:
        return true()
    visible = select(Activity.id).where(_activity_predicate(session, user, ids))
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
    if model in REVIEW_MODELS:
        return _review_predicate(session, model, user)
    if model in (
        ProviderContact, ReportingYear, ProgramSummary, Upload,
        AccreditationDecision,
    ):  # fmt: skip
        return _by_provider(model.provider_id, ids)
    if model is Activity:
        return _activity_predicate(session, user, ids)
    if model in (CommercialSupport, MocRegistration, ActivityCredit, LearnerCount):
        return _activity_child(session, model, user, ids)
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
