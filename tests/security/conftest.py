"""Fixtures of the security suite (security.md checks 1-8, 16, 22, 25, 26).

Everything under test is enumerated from the application itself: the PARS model views
and REST APIs are read from ``appbuilder.baseviews``, routes from ``app.url_map`` and
actions from each view's ``actions``, so a view added later is covered without anyone
editing these tests. What each role *should* see is in :mod:`tests.security.oracle`,
written independently of ``app.security.scoping``.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.security import roles
from tests import factories as f
from tests.conftest import World, make_user
from tests.security.helpers import action_endpoints, enumeration
from tests.security.oracle import ROLES, Extras


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``model_view_name``, ``api_name``, ``endpoint_owner`` and ``role`` parameters."""
    explicit = set()
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0]
        explicit |= set(argnames.split(",") if isinstance(argnames, str) else argnames)

    def wants(argument: str) -> bool:
        return argument in metafunc.fixturenames and argument not in explicit

    names = enumeration()
    for argument in ("model_view_name", "api_name"):
        if wants(argument):
            metafunc.parametrize(argument, names[argument])
    if wants("endpoint_owner"):
        metafunc.parametrize("endpoint_owner", names["model_view_name"] + names["api_name"])
    if wants("role"):
        metafunc.parametrize("role", ROLES)
    if wants("action_endpoint"):
        metafunc.parametrize("action_endpoint", action_endpoints())


@pytest.fixture
def extras(world: World) -> Extras:
    ohio = world.p3.accreditor
    ra_oh = make_user("ra.oh@example.test", roles.ACCREDITOR)
    f.MemberFactory(accreditor=ohio, user=ra_oh)
    surveyor_p1 = make_user("surveyor.p1@example.test", roles.SURVEYOR)
    f.AssignmentFactory(review=world.review_p2, user=surveyor_p1)
    for activity in (world.a1, world.a3):
        f.MocFactory(activity_id=activity.id, board="ABIM")
        f.CreditFactory(activity_id=activity.id, credit_type="IPCE")
    colleague_a = make_user("colleague.a@example.test", roles.CONTACT)
    colleague_b = make_user("colleague.b@example.test", roles.CONTACT)
    f.ContactFactory(provider=world.p1, user=colleague_a, contact_type="Staff")
    f.ContactFactory(provider=world.p3, user=colleague_b, contact_type="Staff")
    db.session.commit()
    return Extras(
        ra_oh=ra_oh,
        surveyor_p1=surveyor_p1,
        colleague_a=colleague_a,
        colleague_b=colleague_b,
    )
