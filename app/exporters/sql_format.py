"""SQL expressions that write a value the way PARS files show it, on SQLite and PostgreSQL.

Exports format in the database: each cell leaves the database already as its file text,
so a large export costs the database's own time rather than Python's per cell.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, case, false, func, literal, true, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from app.exporters.csv_stream import FORMULA_TRIGGERS
from app.schema.fields import Kind
from app.schema.values import LIST_SEPARATOR


class us_date(FunctionElement[str]):  # noqa: N801  (reads like the SQL function it renders)
    """A date as MM/DD/YYYY."""

    type = String()
    inherit_cache = True


@compiles(us_date)
def _us_date_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%m/%d/%Y', {compiler.process(element.clauses, **kw)})"


@compiles(us_date, "postgresql")
def _us_date_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'MM/DD/YYYY')"


class plain_number(FunctionElement[Any]):  # noqa: N801
    """A number without trailing zeros (6.50 -> 6.5, 100.00 -> 100)."""

    type = NullType()
    inherit_cache = True


@compiles(plain_number)
def _plain_number_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    whole = f"CAST({value} AS INTEGER)"
    return f"(CASE WHEN {value} = {whole} THEN {whole} ELSE {value} END)"


@compiles(plain_number, "postgresql")
def _plain_number_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"trim_scale({compiler.process(element.clauses, **kw)})"


class joined_text(FunctionElement[str]):  # noqa: N801
    """The group's texts joined with '; ' (rows arrive in the order they are joined)."""

    type = String()
    inherit_cache = True


@compiles(joined_text)
def _joined_text_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, '; ')"


@compiles(joined_text, "postgresql")
def _joined_text_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, '; ')"


def triggers(dialect_name: str) -> list[str]:
    """Formula triggers; PostgreSQL text can never hold NUL, so it is not sent there."""
    return [t for t in FORMULA_TRIGGERS if t != "\0" or dialect_name != "postgresql"]


def safe_text(value: Any, dialect_name: str) -> Any:
    """Text with a leading apostrophe before a spreadsheet formula trigger; blank is NULL."""
    text = func.nullif(type_coerce(value, String()), "")
    starts = func.substr(text, 1, 1)
    return case((starts.in_(triggers(dialect_name)), literal("'") + text), else_=text)


def list_text(value: Any, dialect_name: str) -> Any:
    """A stored ``a;b`` list written as ``a; b``."""
    separated = func.replace(type_coerce(value, String()), LIST_SEPARATOR, LIST_SEPARATOR + " ")
    return safe_text(separated, dialect_name)


def yes_no(value: Any) -> Any:
    return case((value == true(), "Yes"), (value == false(), "No"), else_=None)


def cell(kind: Kind, value: Any, dialect_name: str) -> Any:
    """The file text of a column of this schema kind."""
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE):
        return safe_text(value, dialect_name)
    if kind in (Kind.MULTI_CHOICE, Kind.NAME_LIST):
        return list_text(value, dialect_name)
    if kind is Kind.DATE:
        return us_date(value)
    if kind is Kind.BOOLEAN:
        return yes_no(value)
    if kind is Kind.DECIMAL:
        return plain_number(value)
    return type_coerce(value, NullType())
