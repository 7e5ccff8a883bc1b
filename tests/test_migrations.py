"""The Alembic history creates exactly the tables the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app.extensions import db


def test_models_and_migrations_agree(app_ctx) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Model.metadata)
    assert differences == []


def test_activity_key_is_unique_in_the_database(app_ctx) -> None:
    from sqlalchemy import inspect

    uniques = inspect(db.engine).get_unique_constraints("activity")
    assert any(set(u["column_names"]) == {"provider_id", "provider_activity_id"} for u in uniques)
