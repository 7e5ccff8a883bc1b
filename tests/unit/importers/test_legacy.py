"""The old Template C/D layout is read onto the current columns: type codes become a format
and a delivery method, the Activity Date both dates, evaluated changes measured outcomes
and supporter blocks 'Source: amount' items; old fields give one warning each."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.importers.base import ERROR, WARNING
from app.importers.legacy import (
    LAYOUTS,
    LEGACY_PROVIDED,
    SUPPORTER_BLOCK_SIZE,
    TEMPLATE_C,
    TEMPLATE_D,
    TYPE_CODES,
    LegacyLayout,
    is_legacy_header,
    is_legacy_record,
    layout_for,
    split_names,
)
from app.schema import vocabularies as v
from app.schema.fields import file_columns

#: A Template D activity as the old Excel template filled it in.
BASE_VALUES = {
    "Provider Activity ID": "1001",
    "Reporting Year": "2026",
    "Activity Title": "Heart Failure Update",
    "Activity Date": "01/15/2026",
    "City": "Chicago",
    "State": "IL",
    "Country": "USA",
    "Providership": "Joint",
    "Activity Type": "C",
    "# of Physicians": "120",
    "# of Other Learners": "35",
    "Commercial Support Received?": "Yes",
    "Changes in Competence evaluated?": "Yes",
    "Changes in Performance evaluated?": "No",
    "Changes in Patient Outcomes evaluated?": "Yes",
    "Joint Provider(s)": "Acme Society, Inc., Lakeside Hospital",
    "Number of AMA PRA Category 1 Credits™ Designated": "6.5",
    "Description of Content": "Guideline-directed therapy.",
}


def legacy_row(
    template: str = TEMPLATE_D,
    supporters: Sequence[Sequence[str]] = (),
    **values: str,
) -> list[str]:
    """A legacy record: every column blank except BASE_VALUES and ``values`` (keyed by
    old heading, passed as ``**{"Heading": value}``), then one 8-cell block per supporter."""
    filled = {**BASE_VALUES, **values}
    row = [filled.get(column.heading, "") for column in LAYOUTS[template]]
    row[0] = template
    for supporter in supporters:
        row += list(supporter) + [""] * (SUPPORTER_BLOCK_SIZE - len(supporter))
    return row


def test_layout_sizes_follow_the_old_templates() -> None:
    assert len(LAYOUTS[TEMPLATE_D]) == 47
    assert len(LAYOUTS[TEMPLATE_C]) == 58
    assert LAYOUTS[TEMPLATE_C][15].heading == "# of Commercial Supporters"


def test_type_codes_map_onto_current_vocabularies() -> None:
    for activity_format, delivery in TYPE_CODES.values():
        assert activity_format in v.ACTIVITY_FORMATS
        assert delivery == "" or delivery in v.DELIVERY_METHODS
    assert set(LEGACY_PROVIDED) <= set(file_columns())


def test_detection() -> None:
    assert is_legacy_record(["Template D", "", "1"])
    assert is_legacy_record(["template  c"])
    assert not is_legacy_record(["Provider Activity ID"])
    assert is_legacy_header(["Template (DO NOT ALTER OR DELETE THIS COLUMN)", "x"])
    assert is_legacy_header(["1. Template (DO NOT ALTER OR DELETE THIS COLUMN)"])
    assert not is_legacy_header(["Template"])
    layout, is_header = layout_for(legacy_row(), 1)
    assert isinstance(layout, LegacyLayout) and not is_header
    layout, is_header = layout_for(["Template (DO NOT ALTER OR DELETE THIS COLUMN)"], 1)
    assert isinstance(layout, LegacyLayout) and is_header
    assert layout.template == TEMPLATE_D


def test_template_d_row_is_mapped() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    row = layout.to_row(
        1,
        legacy_row(
            supporters=[
                ["Pfizer", "$5,000", "No", "No", "No", "No", "No", "No"],
                ["Medline", "", "Yes", "No", "No", "No", "No", "No"],
            ]
        ),
    )
    assert row.number == 1
    assert row.cells == {
        "Provider Activity ID": "1001",
        "ACCME Activity ID": "",
        "Activity Title": "Heart Failure Update",
        "Activity Format": "Live Course",
        "Delivery Methods": "In-Person",
        "Start Date": "01/15/2026",
        "End Date": "01/15/2026",
        "City": "Chicago",
        "State": "IL",
        "Country": "USA",
        "AMA PRA Category 1 Credits": "6.5",
        "Activity Description": "Guideline-directed therapy.",
        "Providership": "Joint",
        "Joint Providers": "Acme Society, Inc.; Lakeside Hospital",
        "Commercial Support Received": "Yes",
        "Commercial Support Sources": "Pfizer: 5,000; Medline: In-kind",
        "Outcomes Measured": "Learner Competence; Patient Health",
        "Physician Learners": "120",
        "Other Learners": "35",
    }
    assert list(row.cells) == LEGACY_PROVIDED
    assert [p.severity for p in row.problems] == [WARNING]
    assert row.problems[0].column == "In Kind - Durable equipment?"


def test_file_warnings_name_the_layout_and_the_end_date() -> None:
    problems = LegacyLayout(TEMPLATE_D).file_problems
    assert all(p.severity == WARNING and p.row is None for p in problems)
    assert "Template D" in problems[0].message
    assert problems[1].column == "End Date"
    assert "Activity Date" in problems[1].message


@pytest.mark.parametrize(
    ("code", "activity_format", "delivery"),
    [
        ("C", "Live Course", "In-Person"),
        ("il", "Live Course", "Live-Streamed"),
        ("RSS", "Regularly Scheduled Series", "In-Person"),
        ("EM", "Enduring Material", "Print/Other"),
        ("iem", "Enduring Material", "Online"),
        ("JN", "Journal CME/CE", ""),
        ("MR", "Manuscript Review", ""),
        ("TIW", "Test-Item Writing", ""),
        ("CML", "Committee Learning", ""),
        ("PI", "Performance/Quality Improvement", ""),
        ("ISL", "Internet Searching and Learning", ""),
        ("LFT", "Learning from Teaching", ""),
        ("Other/Blended Learning", "Other/Blended Learning", ""),
        ("", "", ""),
    ],
)
def test_type_codes(code: str, activity_format: str, delivery: str) -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(3, legacy_row(**{"Activity Type": code}))
    assert row.cells["Activity Format"] == activity_format
    assert row.cells["Delivery Methods"] == delivery
    assert [p for p in row.problems if p.severity == ERROR] == []


def test_unknown_type_code_is_an_error_listing_the_codes() -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(4, legacy_row(**{"Activity Type": "WEB"}))
    errors = [p for p in row.problems if p.severity == ERROR]
    assert len(errors) == 1
    assert errors[0].row == 4
    assert errors[0].column == "Activity Format"
    assert errors[0].value == "WEB"
    assert "C, IL, RSS, EM, IEM, JN, MR, TIW, CML, PI, ISL, LFT" in errors[0].message
    assert "Activity Format" not in row.cells


def test_old_fields_warn_once_per_file_where_first_filled() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    first = layout.to_row(1, legacy_row())
    assert first.problems == []
    filled = {
        "Hours of Instruction": "6",
        "Designed to change Competence?": "Yes",
        "Designed to change Performance?": "No",
        "Sub-category: Lecture": "Yes",
        "ABMS/ACGME - Medical Knowledge": "Yes",
        "Institute of Medicine - Utilize informatics": "No",
    }
    second = layout.to_row(2, legacy_row(**filled))
    third = layout.to_row(3, legacy_row(**filled))
    assert third.problems == []
    assert {(p.row, p.column, p.severity) for p in second.problems} == {
        (2, "Hours of Instruction", WARNING),
        (2, "Designed to change Competence?", WARNING),
        (2, "Sub-category: Lecture", WARNING),
        (2, "ABMS/ACGME - Medical Knowledge", WARNING),
    }
    assert all("no longer exist" in p.message for p in second.problems)


def test_reporting_year_warns_only_when_it_differs() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    assert layout.to_row(1, legacy_row(**{"Reporting Year": "2026"})).problems == []
    row = layout.to_row(2, legacy_row(**{"Reporting Year": "2025"}))
    assert [(p.column, p.value, p.severity) for p in row.problems] == [
        ("Reporting Year", "2025", WARNING)
    ]
    assert "2026" in row.problems[0].message
    assert layout.to_row(3, legacy_row(**{"Reporting Year": "2024"})).problems == []


def test_template_c_columns_are_read_and_warned() -> None:
    layout = LegacyLayout(TEMPLATE_C)
    row = layout.to_row(
        1,
        legacy_row(
            TEMPLATE_C,
            supporters=[["Genentech", "2500"]],
            **{
                "# of Commercial Supporters": "1",
                "Total Monetary Amount Received (Activity)": "2500",
                "Expenses (Activity)": "9000",
            },
        ),
    )
    assert row.cells["Activity Title"] == "Heart Failure Update"
    assert row.cells["Commercial Support Sources"] == "Genentech: 2500"
    assert {p.column for p in row.problems} == {
        "# of Commercial Supporters",
        "Total Monetary Amount Received (Activity)",
        "Expenses (Activity)",
    }


def test_short_row_is_an_error_keeping_the_identifiers() -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(5, legacy_row()[:40])
    assert [(p.row, p.severity) for p in row.problems] == [(5, ERROR)]
    assert "40 cells" in row.problems[0].message and "47" in row.problems[0].message
    assert row.cells == {"ACCME Activity ID": "", "Provider Activity ID": "1001"}


def test_spreadsheet_rows_are_padded() -> None:
    layout = LegacyLayout(TEMPLATE_D, pad_short_rows=True)
    row = layout.to_row(5, legacy_row()[:40])
    assert row.problems == []
    assert row.cells["Activity Title"] == "Heart Failure Update"


def test_extra_cells_must_be_blank() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    assert layout.to_row(1, [*legacy_row(), "", " ", ""]).problems == []
    row = layout.to_row(2, [*legacy_row(), "", "", "stray"])
    assert [p.severity for p in row.problems] == [ERROR]


def test_template_d_row_labelled_template_c_does_not_fit() -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(1, [TEMPLATE_C, *legacy_row()[1:]])
    assert [p.severity for p in row.problems] == [ERROR]
    assert "Template C row has 58 cells" in row.problems[0].message


def test_unknown_template_letter_is_an_error() -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(2, ["Template E", *legacy_row()[1:]])
    assert row.problems[0].column == "Template (DO NOT ALTER OR DELETE THIS COLUMN)"
    assert row.problems[0].severity == ERROR


def test_supporter_without_source_or_support_is_an_error() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    nameless = layout.to_row(1, legacy_row(supporters=[["", "100"]]))
    assert [(p.column, p.severity) for p in nameless.problems] == [
        ("Commercial Support Sources", ERROR)
    ]
    empty = layout.to_row(2, legacy_row(supporters=[["Pfizer", "0", "No"]]))
    assert "'Pfizer' has neither a monetary amount nor in-kind support" in (
        empty.problems[0].message
    )


def test_outcome_flag_must_be_yes_or_no() -> None:
    row = LegacyLayout(TEMPLATE_D).to_row(
        1, legacy_row(**{"Changes in Performance evaluated?": "Maybe"})
    )
    assert [(p.column, p.value) for p in row.problems] == [("Outcomes Measured", "Maybe")]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Acme Society; Lakeside Hospital", ["Acme Society", "Lakeside Hospital"]),
        ("Acme Society, Lakeside Hospital", ["Acme Society", "Lakeside Hospital"]),
        ("Acme, Inc., Beta LLC", ["Acme, Inc.", "Beta LLC"]),
        ("Acme, Inc.; Beta, LLC", ["Acme, Inc.", "Beta, LLC"]),
        ("", []),
    ],
)
def test_joint_provider_names(raw: str, names: list[str]) -> None:
    assert split_names(raw) == names


def test_problem_columns_use_old_headings_for_old_fields() -> None:
    layout = LegacyLayout(TEMPLATE_D)
    assert layout.column_name(11) == "Hours of Instruction"
    assert layout.column_name(47) == "Commercial Support Source"
    assert layout.column_name(47 + 9) == "Monetary Amount Received (for Support Source)"
