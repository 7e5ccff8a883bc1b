"""Header rows of current-layout files: headings match ignoring case and spacing; unknown,
repeated or missing key headings refuse the file; cells are cleaned of the export's
formula guard."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.importers.base import FileRejected, SourceRow
from app.importers.columns import (
    HeaderLayout,
    _stray_value,
    clean_cell,
    clean_cells,
    column_label,
    map_header,
)


def test_headings_match_ignoring_case_and_spaces() -> None:
    mapping = map_header(["  provider   ACTIVITY id ", "Activity Title", "ACCME Provider ID"], 1)
    assert mapping == ["Provider Activity ID", "Activity Title", "ACCME Provider ID"]


def test_accme_activity_id_alone_is_a_key() -> None:
    assert map_header(["ACCME Activity ID", "Activity Title"], 1) == [
        "ACCME Activity ID",
        "Activity Title",
    ]


def test_trailing_blank_headings_are_ignored() -> None:
    assert map_header(["Provider Activity ID", "Activity Title", "", " "], 1) == [
        "Provider Activity ID",
        "Activity Title",
    ]


def test_blank_heading_in_the_middle_maps_to_none() -> None:
    assert map_header(["Provider Activity ID", "", "Activity Title"], 1) == [
        "Provider Activity ID",
        None,
        "Activity Title",
    ]


def test_unknown_heading_names_it_and_its_column() -> None:
    with pytest.raises(FileRejected) as caught:
        map_header(["Provider Activity ID", "Activity Title", "Hours of Instruction"], 1)
    message = caught.value.message
    assert "'Hours of Instruction'" in message
    assert "column 3 (C)" in message
    assert "template" in message
    assert caught.value.row == 1
    assert caught.value.column == "Hours of Instruction"


def test_duplicate_heading_refuses_the_file() -> None:
    with pytest.raises(FileRejected) as caught:
        map_header(["Provider Activity ID", "Activity Title", "activity title"], 1)
    assert "'Activity Title' appears twice" in caught.value.message
    assert "column 2 (B)" in caught.value.message and "column 3 (C)" in caught.value.message


def test_a_key_column_is_required() -> None:
    with pytest.raises(FileRejected) as caught:
        map_header(["Activity Title", "Start Date"], 1)
    assert "Provider Activity ID" in caught.value.message
    assert "ACCME Activity ID" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Title  ", "Title"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+1 555", "+1 555"),
        ("'-5", "-5"),
        ("'@handle", "@handle"),
        ("'\tTabbed", "Tabbed"),
        ("'quoted'", "'quoted'"),
        ("O'Brien", "O'Brien"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_clean_cell_undoes_the_export_guard(raw: str, clean: str) -> None:
    assert clean_cell(raw) == clean


def test_column_label_is_what_a_spreadsheet_shows() -> None:
    assert column_label(0) == "column 1 (A)"
    assert column_label(27) == "column 28 (AB)"


def test_header_layout_rows() -> None:
    layout = HeaderLayout(map_header(["Provider Activity ID", "", "Activity Title"], 1))
    assert layout.columns == ["Provider Activity ID", "Activity Title"]
    short = layout.to_row(2, ["CSV-001"])
    assert short.cells == {"Provider Activity ID": "CSV-001", "Activity Title": ""}
    assert short.problems == []
    under_blank = layout.to_row(3, ["CSV-002", "stray", "Title"])
    assert under_blank.cells["Activity Title"] == "Title"
    assert [p.row for p in under_blank.problems] == [3]
    assert "column 2 (B), which has no heading" in under_blank.problems[0].message
    beyond = layout.to_row(4, ["CSV-003", "", "Title", "", "extra"])
    assert "column 5 (E), after the last column heading" in beyond.problems[0].message
    assert beyond.problems[0].value == "extra"
    assert layout.to_row(5, ["CSV-004", "", "Title", " ", ""]).problems == []


_CELL_TEXT = st.text(alphabet=" \t\r\n'=+-@\x00aZ1\u00a0", max_size=6)


@given(st.lists(_CELL_TEXT, max_size=12))
def test_clean_cells_is_clean_cell_of_each(cells: list[str]) -> None:
    assert clean_cells(cells) == [clean_cell(cell) for cell in cells]


def _old_to_row(mapping: Sequence[str | None], number: int, values: Sequence[str]) -> SourceRow:
    """HeaderLayout.to_row before the per-file lists: the reference."""
    cells = {
        column: values[index] if index < len(values) else ""
        for index, column in enumerate(mapping)
        if column is not None
    }
    row = SourceRow(number, cells)
    stray = _stray_value(number, mapping, values)
    if stray is not None:
        row.problems.append(stray)
    return row


_HEADINGS = ["Provider Activity ID", "Activity Title", "Start Date", "", " "]


@given(
    st.lists(st.sampled_from(_HEADINGS), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(["", " ", "x", "'=1", " y "]), max_size=9),
)
def test_header_layout_rows_are_as_before(headings: list[str], values: list[str]) -> None:
    try:
        mapping = map_header(["Provider Activity ID", *headings], 1)
    except FileRejected:
        return
    assert HeaderLayout(mapping).to_row(7, values) == _old_to_row(mapping, 7, values)
