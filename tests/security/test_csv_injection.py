"""Check 22, as properties: ``neutralise`` and ``csv_chunks`` never let a text cell start
with a formula trigger, apply RFC 4180 quoting, and keep numbers as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.exporters.csv_stream import FORMULA_TRIGGERS, csv_chunks, neutralise, neutralise_row

#: Text rich in the characters that matter: triggers, quotes, separators, line ends.
SPECIAL = "=+-@\t\r\n\0'\",;| "


def texts(with_cr: bool) -> st.SearchStrategy[str]:
    special = SPECIAL if with_cr else SPECIAL.replace("\r", "")
    alphabet = st.one_of(
        st.sampled_from(special),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    )
    return st.text(alphabet=alphabet, max_size=12)


NUMBERS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6
    ),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def round_trip(headings: list[str], rows: list[list[Any]]) -> list[list[str]]:
    text = "".join(csv_chunks(headings, [[neutralise_row(row) for row in rows]]))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def check_rows(rows: list[list[Any]], parsed: list[list[str]]) -> None:
    assert len(parsed) == len(rows)
    for original, cells in zip(rows, parsed, strict=True):
        assert len(cells) == len(original)
        for value, cell in zip(original, cells, strict=True):
            if isinstance(value, str):
                expected = "'" + value if value.startswith(FORMULA_TRIGGERS) else value
                assert cell == expected
                assert not cell.startswith(FORMULA_TRIGGERS)
            else:
                assert not cell.startswith("'")
                assert Decimal(cell) == Decimal(str(value))


@given(texts(with_cr=True))
def test_neutralise_text(value: str) -> None:
    out = neutralise(value)
    assert out in (value, "'" + value)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert (out != value) == value.startswith(FORMULA_TRIGGERS)
    assert neutralise(out) == out  # applying it twice changes nothing


@given(st.one_of(NUMBERS, st.none(), st.booleans()))
def test_neutralise_keeps_numbers_and_non_text(value: Any) -> None:
    assert neutralise(value) is value


@settings(max_examples=300)
@given(
    st.lists(texts(with_cr=False), min_size=1, max_size=4),
    st.lists(
        st.lists(st.one_of(texts(with_cr=False), NUMBERS), min_size=1, max_size=5), max_size=5
    ),
)
def test_csv_round_trip(headings: list[str], rows: list[list[Any]]) -> None:
    """Through ``csv.reader``: each text cell is the value or "'" + value, never a cell
    starting with a trigger; each number reads back as the same number."""
    rows = [row for row in rows if row != [""]]  # a lone empty cell is a blank line
    parsed = round_trip(headings, rows)
    check_rows([headings], parsed[:1])
    check_rows(rows, parsed[1:])


@given(st.lists(st.lists(texts(with_cr=True), min_size=1, max_size=3), min_size=1, max_size=3))
def test_csv_round_trip_with_carriage_returns(rows: list[list[str]]) -> None:
    rows = [row for row in rows if row != [""]]
    check_rows(rows, round_trip(["h"], rows)[1:])


def test_examples() -> None:
    parsed = round_trip(
        ["Title", "Credits"],
        [['=HYPERLINK("http://evil")', Decimal("-1.5")], ["@SUM(A1)", -2], ["Plain", 3]],
    )
    assert parsed[1] == ['\'=HYPERLINK("http://evil")', "-1.5"]
    assert parsed[2] == ["'@SUM(A1)", "-2"]
    assert parsed[3] == ["Plain", "3"]
