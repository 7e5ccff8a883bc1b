"""Reading and writing activity values as text, by their schema kind.

The same rules serve the web form, batch files and CSV export: a value that a user types,
uploads or downloads is checked and formatted in one place. Every problem is reported as
a :class:`ValueProblem` whose message names the field in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
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


# What ``strptime`` accepts for DATE_FORMATS, written for ASCII text: month 1-12 with or
# without a leading zero, day 1-31 with a leading zero, a leading space or neither, year
# four digits; ``datetime.date`` then refuses impossible dates as strptime does.
_US_DATE = re.compile(r"([0-9]{1,2})/( [1-9]|[0-9]{1,2})/([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-( [1-9]|[0-9]{1,2})")


def parse_date(raw: str) -> dt.date | None:
    """A date written MM/DD/YYYY or YYYY-MM-DD, or None when it is neither.

    Accepts exactly what ``datetime.strptime`` accepts for :data:`DATE_FORMATS` (single
    digit months and days too): ASCII text is read with two precompiled patterns, other
    text (digits of other scripts) by strptime itself."""
    text = raw.strip()
    match = _US_DATE.fullmatch(text)
    if match is not None:
        month, day, year = match.groups()
    else:
        match = _ISO_DATE.fullmatch(text)
        if match is None:
            return None if text.isascii() else _strptime_date(text)
        year, month, day = match.groups()
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _strptime_date(text: str) -> dt.date | None:
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


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled once (``re``'s own cache is smaller and slower to consult)."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


def _parse_text(spec: Field, raw: str) -> str:
    text = raw.strip()
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _problem(
            spec, raw, f"is {len(text)} characters long; the limit is {spec.max_length}."
        )
    if spec.pattern and not _compiled(spec.pattern).fullmatch(text):
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
    if raw is None:
        return blank_value(spec)
    if type(raw) is not str:
        raw = str(raw)
    if not raw.strip():
        return blank_value(spec)
    return _PARSERS.get(spec.kind, _parse_supports)(spec, raw)


def _parse_integer(spec: Field, raw: str) -> int:
    digits = raw.strip().replace(",", "")
    # Plain ASCII digits read as the Decimal path below reads them; longer texts take that
    # path, as int() refuses digit strings above its conversion limit.
    if len(digits) <= 18 and digits.isascii() and digits.isdigit():
        number = int(digits)
    else:
        parsed = _parse_decimal(spec, raw)
        if parsed != parsed.to_integral_value():
            raise _problem(spec, raw, f"'{raw.strip()}' must be a whole number.")
        number = int(parsed)
    _check_range(spec, raw, number)
    return number


def _parse_decimal_value(spec: Field, raw: str) -> Decimal:
    number = _parse_decimal(spec, raw)
    _check_range(spec, raw, number)
    return number


def _parse_date_value(spec: Field, raw: str) -> dt.date:
    date = parse_date(raw)
    if date is None:
        raise _problem(spec, raw, f"'{raw.strip()}' is not a date (use MM/DD/YYYY).")
    return date


def _parse_one_choice(spec: Field, raw: str) -> str:
    assert spec.vocabulary is not None
    return _parse_choice(spec.vocabulary, spec, raw)


def _parse_choices(spec: Field, raw: str) -> list[str]:
    vocab = spec.vocabulary
    assert vocab is not None
    return list(dict.fromkeys(_parse_choice(vocab, spec, item) for item in split_list(raw)))


def _parse_names(spec: Field, raw: str) -> list[str]:
    _parse_text(spec, raw)
    return split_list(raw)


#: The reader of each kind (any other kind is read as a support list).
_PARSERS: dict[Kind, Callable[[Field, str], Any]] = {
    Kind.TEXT: _parse_text,
    Kind.LONG_TEXT: _parse_text,
    Kind.INTEGER: _parse_integer,
    Kind.DECIMAL: _parse_decimal_value,
    Kind.DATE: _parse_date_value,
    Kind.BOOLEAN: _parse_bool,
    Kind.CHOICE: _parse_one_choice,
    Kind.MULTI_CHOICE: _parse_choices,
    Kind.NAME_LIST: _parse_names,
    Kind.SUPPORT_LIST: _parse_supports,
}
_LIST_KINDS = frozenset({Kind.MULTI_CHOICE, Kind.NAME_LIST, Kind.SUPPORT_LIST})


def blank_value(spec: Field) -> Any:
    """What a blank cell means for the field: an empty list, or None."""
    return [] if spec.kind in _LIST_KINDS else None


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
