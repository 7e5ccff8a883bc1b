"""The fast paths of value parsing and of the lifecycle rules give what their plain
definitions give: dates as ``strptime`` reads them, vocabulary values by a scan with
casefold, whole numbers as Decimal reads them, and each status's schema requirements
as ``requires`` over the provider's fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, FIELDS_BY_NAME, Field, Kind, fields_for
from app.schema.lifecycle import STATUS_ORDER, requires, status_problems
from app.schema.values import DATE_FORMATS, ValueProblem, parse_date, parse_value

VOCABULARIES = [value for value in vars(v).values() if isinstance(value, v.Vocabulary)]
TODAY = dt.date(2026, 6, 30)
PROPERTY = settings(max_examples=400, deadline=None)


def strptime_date(raw: str) -> dt.date | None:
    """parse_date as first written: each format through ``datetime.strptime``."""
    text = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def scanned(vocab: v.Vocabulary, raw: str) -> str | None:
    """Vocabulary.canonical as first written: a scan comparing casefolded values."""
    wanted = raw.strip().casefold()
    return next((value for value in vocab.values if value.casefold() == wanted), None)


# -- dates ---------------------------------------------------------------------------------

padded = st.sampled_from(["{}", "{:02d}", " {}", "{}", "{:02d}", " {}", "{:03d}", "{:+d}"])
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
blanks = st.sampled_from(["", "", "", " ", "  ", "\t", "\n", "\u00a0", "x", "0"])


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """Date-like text: numbers around and outside the valid ranges, padded in every way
    strptime may or may not accept, in either order, with spaces or junk around."""
    year = draw(st.one_of(st.integers(1900, 2100), st.integers(0, 10_000)))
    month = draw(st.integers(0, 14))
    day = draw(st.integers(0, 33))
    parts = [draw(padded).format(n) for n in (month, day, year)]
    script = draw(st.sampled_from([None, None, None, ARABIC_INDIC, FULLWIDTH]))
    if script is not None:  # strptime reads a year (and a day's second digit) in any script
        index = draw(st.sampled_from([1, 2, 2]))
        parts[index] = parts[index].translate(script)
    us = draw(st.booleans())
    text = "/".join(parts) if us else "-".join((parts[2], parts[0], parts[1]))
    return draw(blanks) + text + draw(blanks)


date_characters = st.text(st.sampled_from("0123456789/- \t\n\u0663\uff12\u00a0a"), max_size=14)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(date_texts(), date_characters))
def test_parse_date_reads_what_strptime_reads(raw: str) -> None:
    assert parse_date(raw) == strptime_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1/5/2026", dt.date(2026, 1, 5)),
        ("01/05/2026", dt.date(2026, 1, 5)),
        ("  12/31/2025\t", dt.date(2025, 12, 31)),
        ("2026-1-5", dt.date(2026, 1, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("03/ 1/2025", dt.date(2025, 3, 1)),
        ("03/01/\u0662\u0660\u0662\u0665", dt.date(2025, 3, 1)),
        ("\u0660\u0663/01/2025", None),
        ("2025-02-29", None),
        ("13/01/2025", None),
        ("00/10/2025", None),
        ("1/5/26", None),
        ("2026/01/05", None),
        ("01/05/2026 10:00", None),
        ("", None),
    ],
)
def test_parse_date_examples(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected == strptime_date(raw)


# -- vocabularies --------------------------------------------------------------------------


@st.composite
def cased(draw: st.DrawFn) -> tuple[v.Vocabulary, str]:
    """A vocabulary and one of its values in random casing with spaces around, or a
    value of it changed a little."""
    vocab = draw(st.sampled_from(VOCABULARIES))
    value = draw(st.sampled_from(vocab.values))
    flips = draw(st.lists(st.booleans(), min_size=len(value), max_size=len(value)))
    text = "".join(c.swapcase() if flip else c for c, flip in zip(value, flips, strict=True))
    change = draw(st.sampled_from(["", "x", "cut", "ß"]))
    if change == "cut":
        text = text[:-1]
    else:
        text += change
    return vocab, draw(blanks) + text + draw(blanks)


@PROPERTY
@given(cased())
def test_canonical_is_the_scan_with_casefold(case: tuple[v.Vocabulary, str]) -> None:
    vocab, raw = case
    assert vocab.canonical(raw) == scanned(vocab, raw)


@PROPERTY
@given(st.sampled_from(VOCABULARIES), st.text(max_size=12))
def test_canonical_of_any_text(vocab: v.Vocabulary, raw: str) -> None:
    assert vocab.canonical(raw) == scanned(vocab, raw)


def test_vocabulary_stays_a_plain_frozen_value() -> None:
    fee = v.FEE
    assert fee.canonical(" no, IT'S FREE ") == "No, it's free"
    assert fee == v.vocabulary("Fee", *fee.values) and hash(fee) == hash(("Fee", fee.values))
    assert repr(fee) == f"Vocabulary(name='Fee', values={fee.values!r})"


# -- whole numbers -------------------------------------------------------------------------

INTEGER_FIELDS = [spec for spec in ACTIVITY_FIELDS if spec.kind is Kind.INTEGER]


def decimal_integer(spec: Field, raw: str) -> Any:
    """parse_value of an integer cell as first written: read as a Decimal."""
    try:
        number = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        return "not a number"
    if not number.is_finite():
        return "not a number"
    if number != number.to_integral_value():
        return "not whole"
    value = int(number)
    if spec.minimum is not None and value < spec.minimum:
        return "below"
    if spec.maximum is not None and value > spec.maximum:
        return "above"
    return value


def outcome(spec: Field, raw: str) -> Any:
    try:
        return parse_value(spec, raw)
    except ValueProblem as problem:
        message = problem.message
        for words, result in (
            ("is not a number", "not a number"),
            ("whole number", "not whole"),
            ("at least", "below"),
            ("at most", "above"),
        ):
            if words in message:
                return result
        raise


integer_texts = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.integers(0, 999).map(lambda n: f" {n:05d} "),
    st.text(st.sampled_from("0123456789,.-+ e\u0663\u00b2_"), min_size=1, max_size=22),
)


@PROPERTY
@given(st.sampled_from(INTEGER_FIELDS), integer_texts)
def test_whole_numbers_read_as_decimal_reads_them(spec: Field, raw: str) -> None:
    if not raw.strip():
        return
    assert outcome(spec, raw) == decimal_integer(spec, raw)


# -- the requirements of each status -------------------------------------------------------


@pytest.mark.parametrize("kind", v.PROVIDER_KINDS.values)
@pytest.mark.parametrize("status", STATUS_ORDER)
def test_schema_requirements_are_requires_over_the_kinds_fields(kind: str, status: str) -> None:
    expected = [
        spec.name for spec in fields_for(kind) if spec.name != "status" and requires(spec, status)
    ]
    problems = status_problems({}, status, provider_kind=kind, today=TODAY)

    assert [p.field for p in problems] == expected
    assert all(p.message.startswith(f"{FIELDS_BY_NAME[p.field].label}: required") for p in problems)


def off_limits(name: str, value: int | Decimal) -> bool:
    spec = FIELDS_BY_NAME[name]
    return (
        (spec.minimum is not None and value < spec.minimum)
        or (spec.maximum is not None and value > spec.maximum)
        or (spec.step is not None and Decimal(value) % spec.step != 0)
    )


LIST_KINDS = (Kind.MULTI_CHOICE, Kind.NAME_LIST, Kind.SUPPORT_LIST)
SCALAR_FIELDS = [spec.name for spec in ACTIVITY_FIELDS if spec.kind not in LIST_KINDS]


@PROPERTY
@given(
    st.sampled_from(STATUS_ORDER),
    st.dictionaries(
        st.sampled_from(SCALAR_FIELDS),
        st.one_of(st.integers(-5, 2000), st.decimals("-1", "1000", places=2)),
    ),
)
def test_numbers_are_checked_in_every_field_with_limits(
    status: str, numbers: dict[str, Any]
) -> None:
    """A number in a (single-valued) field without limits is never a problem; one in a
    field with limits is checked against them (the lifecycle only looks at the fields that have some)."""
    expected = {name for name, value in numbers.items() if off_limits(name, value)}
    problems = status_problems(numbers, status, provider_kind=v.JOINT_KIND, today=TODAY)
    limits = ("must be at least", "must be at most", "must be in steps of")
    found = {p.field for p in problems if any(words in p.message for words in limits)}
    assert found == expected
