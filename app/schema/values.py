"""Reading and writing activity values as text, by their schema kind.

The same rules serve the web form, batch files and CSV export: a value that a user types,
uploads or downloads is checked and formatted in one place. Every problem is reported as
a :class:`ValueProblem` whose message names the field in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.schema.fields import Field, Kind
from app.schema.vocabularies import Vocabulary

LIST_SEPARATOR = ";"
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
IN_KIND = "In-kind"


@dataclass(frozen=True)
class ValueProblem(Exception):  # noqa: N818 (a reported problem, not a crash)
    """A value that PARS cannot accept for a field, with a message in plain words."""

    field: str
    label: str
    value: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Support:
    """One commercial support source: monetary with an amount, or in-kind."""

    source: str
    kind: str
    amount: Decimal | None


def split_list(raw: str) -> list[str]:
    """Items of a semicolon-separated cell, trimmed, blanks dropped."""
    return [item.strip() for item in raw.split(LIST_SEPARATOR) if item.strip()]


def _problem(spec: Field, raw: str, message: str) -> ValueProblem:
    return ValueProblem(spec.name, spec.label, raw, f"{spec.label}: {message}")


def parse_date(raw: str) -> dt.date | None:
    """A date written MM/DD/YYYY or YYYY-MM-DD, or None when it is neither."""
    text = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_choice(vocab: Vocabulary, spec: Field, raw: str) -> str:
    value = vocab.canonical(raw)
    if value is None:
        allowed = ", ".join(vocab.values[:12]) + (" ..." if len(vocab.values) > 12 else "")
        raise _problem(spec, raw, f"'{raw.strip()}' is not an allowed value ({allowed}).")
    return value


def _parse_decimal(spec: Field, raw: str) -> Decimal:
    try:
        number = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise _problem(spec, raw, f"'{raw.strip()}' is not a number.") from None
    if not number.is_finite():
        raise _problem(spec, raw, f"'{raw.strip()}' is not a number.")
    return number


def _check_range(spec: Field, raw: str, number: Decimal | int) -> None:
    if spec.minimum is not None and number < spec.minimum:
        raise _problem(spec, raw, f"must be at least {spec.minimum}.")
    if spec.maximum is not None and number > spec.maximum:
        raise _problem(spec, raw, f"must be at most {spec.maximum}.")
    if spec.step is not None and Decimal(number) % spec.step != 0:
        raise _problem(spec, raw, f"must be in steps of {spec.step} (e.g. 1.25, 1.5).")


def _parse_bool(spec: Field, raw: str) -> bool:
    word = raw.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _problem(spec, raw, f"'{raw.strip()}' must be Yes or No.")


def _parse_text(spec: Field, raw: str) -> str:
    text = raw.strip()
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _problem(
            spec, raw, f"is {len(text)} characters long; the limit is {spec.max_length}."
        )
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        raise _problem(spec, raw, f"'{text[:60]}' is not valid: use {spec.pattern_hint}.")
    return text


def _parse_supports(spec: Field, raw: str) -> list[Support]:
    supports = []
    for item in split_list(raw):
        source, _, amount = item.rpartition(":")
        if not source.strip():
            raise _problem(spec, raw, f"'{item}' must be 'Source: amount' or 'Source: In-kind'.")
        if amount.strip().casefold() == IN_KIND.casefold():
            supports.append(Support(source.strip(), "In-kind", None))
            continue
        value = _parse_decimal(spec, amount)
        if value <= 0:
            raise _problem(spec, raw, f"the amount from '{source.strip()}' must be more than 0.")
        supports.append(Support(source.strip(), "Monetary", value))
    return supports


def parse_value(spec: Field, raw: str | None) -> Any:
    """The typed value of ``raw`` for ``spec``; None for a blank cell.

    Raises :class:`ValueProblem` naming the field when the text is not acceptable.
    """
    if raw is None or not str(raw).strip():
        return [] if spec.kind in _LIST_KINDS else None
    raw = str(raw)
    if spec.kind in (Kind.TEXT, Kind.LONG_TEXT):
        return _parse_text(spec, raw)
    if spec.kind is Kind.INTEGER:
        number = _parse_decimal(spec, raw)
        if number != number.to_integral_value():
            raise _problem(spec, raw, f"'{raw.strip()}' must be a whole number.")
        _check_range(spec, raw, int(number))
        return int(number)
    if spec.kind is Kind.DECIMAL:
        number = _parse_decimal(spec, raw)
        _check_range(spec, raw, number)
        return number
    if spec.kind is Kind.DATE:
        date = parse_date(raw)
        if date is None:
            raise _problem(spec, raw, f"'{raw.strip()}' is not a date (use MM/DD/YYYY).")
        return date
    if spec.kind is Kind.BOOLEAN:
        return _parse_bool(spec, raw)
    if spec.kind is Kind.CHOICE:
        assert spec.vocabulary is not None
        return _parse_choice(spec.vocabulary, spec, raw)
    if spec.kind is Kind.MULTI_CHOICE:
        assert spec.vocabulary is not None
        vocab = spec.vocabulary
        return list(dict.fromkeys(_parse_choice(vocab, spec, item) for item in split_list(raw)))
    if spec.kind is Kind.NAME_LIST:
        _parse_text(spec, raw)
        return split_list(raw)
    return _parse_supports(spec, raw)


_LIST_KINDS = frozenset({Kind.MULTI_CHOICE, Kind.NAME_LIST, Kind.SUPPORT_LIST})


def format_value(kind: Kind, value: Any) -> str | int | Decimal:
    """The file form of a stored value: numbers stay numbers, the rest become text."""
    if value is None:
        return ""
    if kind is Kind.BOOLEAN:
        return "Yes" if value else "No"
    if kind is Kind.DATE:
        return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"
    if kind in (Kind.MULTI_CHOICE, Kind.NAME_LIST):
        return f"{LIST_SEPARATOR} ".join(value)
    if kind is Kind.SUPPORT_LIST:
        return f"{LIST_SEPARATOR} ".join(format_support(s) for s in value)
    if kind is Kind.DECIMAL:
        return plain_decimal(value)
    return value


def plain_decimal(value: Decimal | int | float) -> Decimal:
    """A decimal without trailing zeros or exponent: 1.50 -> 1.5, 100.00 -> 100."""
    return Decimal(format(Decimal(value).normalize(), "f"))


def format_support(support: Any) -> str:
    """'Source: 5000' for monetary support, 'Source: In-kind' otherwise."""
    if support.amount is None:
        return f"{support.source}: {IN_KIND}"
    return f"{support.source}: {plain_decimal(support.amount)}"


def display_value(value: Any) -> Any:
    """A stored value as PARS screens and list exports show it: blank when not given,
    dates as MM/DD/YYYY, numbers without trailing zeros, Yes/No, lists separated by
    semicolons; anything else (text, numbers, records) as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_value(Kind.BOOLEAN, value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_value(Kind.DATE, value)
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, list):
        return format_value(Kind.NAME_LIST, [str(item) for item in value])
    return value
