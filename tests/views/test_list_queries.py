"""A list page runs a small, constant number of SQL statements whatever its page size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db
from tests import factories as f
from tests.conftest import World

LIST_PAGES = [
    ("/activitymodelview/list/", "ActivityModelView"),
    ("/providermodelview/list/", "ProviderModelView"),
    ("/providercontactmodelview/list/", "ProviderContactModelView"),
    ("/accreditormodelview/list/", "AccreditorModelView"),
]


@contextmanager
def count_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def add_rows(world: World, n: int) -> None:
    for i in range(n):
        f.ActivityFactory(provider=world.p1 if i % 2 else world.p2, title=f"Bulk {i}")
        f.ContactFactory(provider=world.p1 if i % 2 else world.p2)
    db.session.commit()


@pytest.mark.parametrize(("url", "view"), LIST_PAGES)
def test_statements_do_not_grow_with_page_size(
    client_for, world: World, url: str, view: str
) -> None:
    add_rows(world, 40)
    client = client_for(world.staff)
    counts = []
    for size in (5, 40):
        with count_statements() as statements:
            page = client.get(f"{url}?psize_{view}={size}")
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts


def test_list_shows_the_true_total(client_for, world: World) -> None:
    add_rows(world, 30)
    page = client_for(world.staff).get("/activitymodelview/list/?psize_ActivityModelView=5")
    assert "<strong>Record Count:</strong> 34" in page.get_data(as_text=True)


def test_impossible_ids_are_not_found(client_for, world: World) -> None:
    client = client_for(world.staff)
    for url in (
        "/activitymodelview/show/99999999999999999999",
        "/activitymodelview/edit/abc",
        "/providermodelview/show/-1",
        "/api/v1/activity/99999999999999999999",
    ):
        assert client.get(url).status_code == 404, url
