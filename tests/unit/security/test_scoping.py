"""Who sees which rows (domain.md decision 5), checked on the queries themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Accreditor, Activity, Provider, ProviderContact, User
from app.security import scoping
from tests.conftest import World


def visible(model, user) -> set:
    query = select(model).where(scoping.predicate(db.session, model, user))
    return set(db.session.scalars(query))


@pytest.mark.parametrize(
    ("who", "providers"),
    [
        ("contact_a", {"p1", "p2"}),
        ("contact_b", {"p3"}),
        ("ja_contact", {"p4"}),
        ("accreditor_tx", {"p1"}),
        ("surveyor", {"p3"}),
        ("staff", {"p1", "p2", "p3", "p4"}),
        ("admin", {"p1", "p2", "p3", "p4"}),
        ("nobody", set()),
    ],
)
def test_providers_and_their_rows(world: World, who: str, providers: set[str]) -> None:
    user = getattr(world, who)
    expected = {getattr(world, p) for p in providers}
    assert visible(Provider, user) == expected
    assert {a.provider for a in visible(Activity, user)} == expected
    assert {c.provider for c in visible(ProviderContact, user)} == expected


def test_anonymous_sees_nothing(world: World) -> None:
    assert visible(Provider, None) == set()
    assert visible(Activity, None) == set()


def test_recused_surveyor_loses_access(world: World) -> None:
    world.review_p3.assignments[0].recused = True
    db.session.commit()
    assert visible(Provider, world.surveyor) == set()


def test_accreditors_visible_are_those_of_the_scope(world: World) -> None:
    codes = {a.code for a in visible(Accreditor, world.contact_a)}
    assert codes == {"TX-TMA", "ACCME"}
    assert {a.code for a in visible(Accreditor, world.accreditor_tx)} == {"TX-TMA"}


def test_users_visible_to_a_contact_are_colleagues_only(world: World) -> None:
    assert visible(User, world.contact_a) == {world.contact_a}
    assert len(visible(User, world.staff)) == db.session.query(User).count()
