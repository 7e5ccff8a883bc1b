"""Rows written in one statement per table: ``COPY`` on PostgreSQL, one executemany on
SQLite. Shared by batch upload (:mod:`app.services.batch_write`) and the demo and
synthetic data writer (:mod:`app.services.bulk_rows`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from app.models.base import TextList
from app.schema.values import LIST_SEPARATOR


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: rows (all with the same keys) through ``COPY ... FROM STDIN`` (psycopg
    3); list columns are written ``;``-joined."""
    columns = list(rows[0])
    lists = _list_columns(table, columns)
    names = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(_driver_values(row, columns, lists))


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows (all with the same keys, values as the plans hold them: dates and decimals as
    text, lists as lists) into ``table`` in one statement: ``COPY`` on PostgreSQL (which
    reads every value as text), a driver-level executemany on SQLite (which stores dates
    as ISO text and numbers from their text, as SQLAlchemy would)."""
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, rows)
        return
    columns = list(rows[0])
    lists = _list_columns(table, columns)
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=columns)
    order = list(compiled.positiontup or columns)
    connection.exec_driver_sql(
        str(compiled), [tuple(_sqlite_values(row, order, lists)) for row in rows]
    )


def _driver_values(row: dict[str, Any], columns: list[str], lists: set[str]) -> list[Any]:
    return [LIST_SEPARATOR.join(row[name] or []) if name in lists else row[name]
            for name in columns]  # fmt: skip


def _sqlite_values(row: dict[str, Any], columns: list[str], lists: set[str]) -> list[Any]:
    values = _driver_values(row, columns, lists)
    return [f"{val:%Y-%m-%d %H:%M:%S.%f}" if isinstance(val, dt.datetime) else val
            for val in values]  # fmt: skip


def _list_columns(table: Table, columns: list[str]) -> set[str]:
    return {name for name in columns if isinstance(table.c[name].type, TextList)}
