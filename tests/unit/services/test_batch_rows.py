"""One batch row checked against the PARS rules and compared with the stored activity
(app.services.batch_rows): pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from app.importers.base import ERROR, WARNING, Problem, SourceRow
from app.models.activity import ACCME_ACTIVITY_ID_OFFSET
from app.schema import vocabularies as v
from app.schema.lifecycle import SupportEntry
from app.schema.repeated import part_name
from app.schema.values import Support
from app.services.batch_rows import (
    COLUMNS,
    NEW,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Existing,
    RowContext,
    accme_id_of,
    check_row,
    moc_entries,
    moc_part_names,
    read_cells,
    same_value,
)

TODAY = dt.date(2026, 1, 10)


def ctx(
    kind: str = v.STATE_KIND,
    *,
    staff: bool = False,
    locked: frozenset[int] = frozenset(),
    accme_id: str = "0000101",
) -> RowContext:
    return RowContext(
        provider_accme_id=accme_id,
        provider_kind=kind,
        staff=staff,
        today=TODAY,
        year_locked=lambda year: year in locked,
    )


#: A Draft activity as a file gives it (every Draft requirement met).
DRAFT_CELLS = {
    "Provider Activity ID": "NEW-1",
    "Activity Title": "Sepsis Update",
    "Activity Format": "Live Course",
    "Start Date": "02/01/2026",
    "End Date": "02/02/2026",
}

#: An Active activity as a file gives it (every Active requirement met on TODAY).
ACTIVE_CELLS = {
    **DRAFT_CELLS,
    "Status": "Active",
    "Delivery Methods": "Online",
    "AMA PRA Category 1 Credits": "6.5",
    "Activity Description": "Early recognition of sepsis.",
    "Providership": "Direct",
    "CME Finder": "No",
}


def stored(status: str = v.ACTIVE, **changes: Any) -> Existing:
    """A stored Active activity P1-001 (2025), in the terms of a batch file."""
    values: dict[str, Any] = {
        "provider_activity_id": "P1-001",
        "status": status,
        "title": "P1 Sepsis Update",
        "format": v.LIVE_COURSE,
        "delivery_methods": ["Online"],
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 3, 2),
        "city": None,
        "state": None,
        "country": None,
        "credits": Decimal("6.50"),
        "description": "Updates in sepsis care.",
        "providership": "Direct",
        "joint_providers": [],
        "commercial_support": None,
        "commercial_supports": [],
        "outcomes": [],
        "physician_learners": None,
        "other_learners": None,
        "moc_attestation": None,
        "rems_type": None,
        "rems_id": None,
        "cme_finder": False,
        "fee": None,
        "registration": None,
        "activity_url": None,
        "mips": None,
        "commendation_tags": [],
    }
    values.update(changes)
    return Existing(
        id=7,
        version_id=3,
        status=status,
        reporting_year=values["start_date"].year,
        values=values,
    )


def row(cells: dict[str, str], number: int = 2, problems: list[Problem] | None = None) -> SourceRow:
    return SourceRow(number, dict(cells), list(problems or []))


def checked(
    cells: dict[str, str], existing: Existing | None = None, context: RowContext | None = None
) -> Any:
    context = context or ctx()
    return check_row(read_cells(row(cells), context), existing, context)


def errors(result: Any) -> list[Problem]:
    return [p for p in result.problems if p.severity == ERROR]


def messages(result: Any) -> str:
    return "\n".join(p.message for p in result.problems)


# ---- identifiers ---------------------------------------------------------------------------


def test_accme_activity_id_is_the_row_id_plus_the_offset() -> None:
    assert accme_id_of(str(ACCME_ACTIVITY_ID_OFFSET + 42)) == 42
    assert accme_id_of(f" {ACCME_ACTIVITY_ID_OFFSET + 42} ") == 42
    for raw in ("", "42", "12345678", "1234567890", "10000004x", "100000000", "-10000000"):
        assert accme_id_of(raw) is None, raw


def test_part_names_follow_the_repeated_fields() -> None:
    assert part_name("moc", "ABPath", "points") == "moc__ABPath__points"
    assert part_name("credit", "AAPA Category 1") == "credit__AAPA_Category_1"
    assert part_name("learners", "Nurse") == "learners__Nurse"
    names = moc_part_names()
    assert names["moc__ABIM__credit_claim_date"] == ("ABIM", "credit_claim_date")
    assert len(names) == len(v.MOC_BOARDS.values) * 6
    for name in names:
        assert COLUMNS[f"{name.split('__')[1]} " + _moc_label(name)].name == name


def _moc_label(name: str) -> str:
    return {
        "points": "MOC Points",
        "credit_types": "MOC Credit Types",
        "practice_areas": "Practice Areas",
        "credit_claim_date": "Credit Claim Date",
        "content_area": "Content Area",
        "internal_id": "Internal ID",
    }[name.split("__")[2]]


# ---- reading the cells ----------------------------------------------------------------------


def test_cells_are_parsed_by_their_schema_fields() -> None:
    result = read_cells(
        row(
            {
                **ACTIVE_CELLS,
                "Delivery Methods": "online; In-Person; Online",
                "Joint Providers": "Acme Society; Lakeside Hospital",
                "Commercial Support Sources": "Pfizer: 5,000; Medline: In-kind",
                "Physician Learners": "120",
                "ABIM MOC Points": "6.5",
                "ABIM MOC Credit Types": "Medical Knowledge",
            }
        ),
        ctx(),
    )
    assert result.problems == []
    assert result.key == "NEW-1"
    assert result.values["start_date"] == dt.date(2026, 2, 1)
    assert result.values["credits"] == Decimal("6.5")
    assert result.values["delivery_methods"] == ["Online", "In-Person"]
    assert result.values["joint_providers"] == ["Acme Society", "Lakeside Hospital"]
    assert result.values["commercial_supports"] == [
        Support("Pfizer", "Monetary", Decimal("5000")),
        Support("Medline", "In-kind", None),
    ]
    assert result.values["physician_learners"] == 120
    assert result.values["cme_finder"] is False
    assert result.parts == {
        "moc__ABIM__points": Decimal("6.5"),
        "moc__ABIM__credit_types": ["Medical Knowledge"],
    }


def test_a_blank_cell_reads_as_no_value_and_an_absent_column_as_nothing() -> None:
    result = read_cells(row({**DRAFT_CELLS, "City": "", "Outcomes Measured": " "}), ctx())
    assert result.values["city"] is None
    assert result.values["outcomes"] == []
    assert "description" not in result.values


def test_a_value_the_field_refuses_is_reported_with_row_column_value_and_message() -> None:
    result = read_cells(
        row({**DRAFT_CELLS, "Start Date": "13/45/2026", "Activity Format": "Webinar"}, 5), ctx()
    )
    assert [(p.row, p.column, p.value, p.severity) for p in result.problems] == [
        (5, "Activity Format", "Webinar", ERROR),
        (5, "Start Date", "13/45/2026", ERROR),
    ]
    by_column = {p.column: p.message for p in result.problems}
    assert by_column["Start Date"].startswith("Start Date: ")
    assert "not a date" in by_column["Start Date"]
    assert "Webinar" in by_column["Activity Format"]
    assert "start_date" not in result.values and "format" not in result.values


def test_the_reader_s_own_problems_are_kept() -> None:
    own = Problem(2, "Activity Title", "=A1", "This cell contains a formula.", ERROR)
    warn = Problem(2, "Reporting Year", "2015", "no longer exists", WARNING)
    result = read_cells(row(DRAFT_CELLS, problems=[own, warn]), ctx())
    assert result.problems == [own, warn]


def test_ja_columns_are_refused_for_a_provider_that_is_not_jointly_accredited() -> None:
    cells = {**DRAFT_CELLS, "IPCE Credits": "2", "Nurse Learners": "4", "Interprofessional": "Yes"}
    for kind in (v.STATE_KIND, v.ACCME_KIND):
        result = read_cells(row(cells), ctx(kind))
        assert sorted(p.column for p in errors(result)) == [
            "IPCE Credits",
            "Interprofessional",
            "Nurse Learners",
        ]
        assert all("only jointly accredited providers" in p.message for p in result.problems)
        assert "credit__IPCE" not in result.parts
    joint = read_cells(row(cells), ctx(v.JOINT_KIND))
    assert joint.problems == []
    assert joint.parts == {"credit__IPCE": Decimal("2"), "learners__Nurse": 4}
    assert joint.values["is_interprofessional"] is True


def test_blank_ja_columns_are_ignored_for_other_providers() -> None:
    """A provider's own export has every column, the JA ones blank: no problem."""
    result = read_cells(row({**DRAFT_CELLS, "IPCE Credits": "", "Pharmacy UAN": " "}), ctx())
    assert result.problems == []
    assert "credit__IPCE" not in result.parts and "pharmacy_uan" not in result.values


@pytest.mark.parametrize("cell", ["0000101", "101", " 0000101 ", ""])
def test_the_provider_column_must_name_the_provider_uploaded_for(cell: str) -> None:
    result = read_cells(row({**DRAFT_CELLS, "ACCME Provider ID": cell}), ctx())
    assert result.problems == []


def test_a_row_for_another_provider_is_an_error() -> None:
    result = read_cells(row({**DRAFT_CELLS, "ACCME Provider ID": "0000103"}, 4), ctx())
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (4, "ACCME Provider ID", "0000103")
    assert "provider 0000103" in problem.message and "0000101" in problem.message


def test_a_very_long_value_is_cut_in_the_report() -> None:
    result = read_cells(row({**DRAFT_CELLS, "Activity Title": "x" * 5000}), ctx())
    [problem] = result.problems
    assert len(problem.value) == 500
    assert "5000 characters" in problem.message


# ---- new activities -------------------------------------------------------------------------


def test_a_new_draft_activity() -> None:
    result = checked(DRAFT_CELLS)
    assert result.problems == []
    assert (result.action, result.status, result.key, result.title) == (
        NEW,
        v.DRAFT,
        "NEW-1",
        "Sepsis Update",
    )
    assert result.changes == []


def test_a_new_activity_without_provider_activity_id_is_rejected() -> None:
    result = checked({k: c for k, c in DRAFT_CELLS.items() if k != "Provider Activity ID"})
    assert result.action == REJECTED
    assert "Provider Activity ID" in [p.column for p in errors(result)]


def test_a_new_activity_with_a_blank_provider_activity_id_is_rejected() -> None:
    result = checked({**DRAFT_CELLS, "Provider Activity ID": "", "ACCME Activity ID": ""})
    assert result.action == REJECTED
    assert "Provider Activity ID" in [p.column for p in errors(result)]


def test_a_new_activity_must_meet_its_status_requirements() -> None:
    result = checked({**DRAFT_CELLS, "Status": "Active"})
    assert result.action == REJECTED
    columns = {p.column for p in errors(result)}
    assert {
        "Delivery Methods",
        "AMA PRA Category 1 Credits",
        "Activity Description",
        "Providership",
        "CME Finder",
    } <= columns
    assert all(p.row == 2 and p.message.startswith(f"{p.column}: ") for p in errors(result))
    assert checked(ACTIVE_CELLS).problems == []


def test_an_active_activity_may_not_have_ended() -> None:
    result = checked({**ACTIVE_CELLS, "End Date": "01/09/2026", "Start Date": "01/08/2026"})
    assert result.action == REJECTED
    [problem] = errors(result)
    assert problem.column == "End Date" and "Ready to Close" in problem.message


def test_a_value_error_is_not_reported_twice() -> None:
    """A cell the field refuses is one problem, not also 'required ... enter it'."""
    result = checked({**DRAFT_CELLS, "Start Date": "next week", "Activity Format": "Webinar"})
    assert result.action == REJECTED
    assert sorted(p.column for p in result.problems) == ["Activity Format", "Start Date"]


def test_ja_rules_apply_to_a_joint_provider() -> None:
    cells = {**DRAFT_CELLS, "IPCE Credits": "2.3"}
    result = checked(cells, context=ctx(v.JOINT_KIND))
    assert result.action == REJECTED
    assert [p.column for p in result.problems] == ["IPCE Credits"]


def test_moc_points_above_the_credits_are_refused() -> None:
    cells = {**ACTIVE_CELLS, "ABIM MOC Points": "8"}
    result = checked(cells)
    assert result.action == REJECTED
    assert [p.column for p in result.problems] == ["ABIM MOC Points"]
    assert "6.5" in result.problems[0].message


def test_a_new_activity_in_a_submitted_year_is_refused_for_a_contact_only() -> None:
    result = checked(DRAFT_CELLS, context=ctx(locked=frozenset({2026})))
    assert result.action == REJECTED
    assert "2026 annual report is submitted" in messages(result)
    assert checked(DRAFT_CELLS, context=ctx(staff=True, locked=frozenset({2026}))).action == NEW


# ---- updates --------------------------------------------------------------------------------


def test_the_same_values_are_unchanged() -> None:
    result = checked(
        {
            "Provider Activity ID": "P1-001",
            "Activity Title": " P1 Sepsis Update ",
            "AMA PRA Category 1 Credits": "6.5",
            "Start Date": "2026-03-01",
            "Delivery Methods": "online",
            "Joint Providers": "",
            "Status": "Active",
        },
        stored(),
    )
    assert (result.action, result.changes, result.problems) == (UNCHANGED, [], [])


def test_changed_columns_are_listed_as_the_file_shows_them() -> None:
    result = checked(
        {
            "Provider Activity ID": "P1-001",
            "Activity Title": "P1 Sepsis Update 2026",
            "AMA PRA Category 1 Credits": "7.25",
            "End Date": "03/03/2026",
            "Delivery Methods": "Online; Live-Streamed",
        },
        stored(),
    )
    assert result.action == UPDATED, result.problems
    assert result.changes == [
        ("Activity Title", "P1 Sepsis Update", "P1 Sepsis Update 2026"),
        ("AMA PRA Category 1 Credits", "6.5", "7.25"),
        ("End Date", "03/02/2026", "03/03/2026"),
        ("Delivery Methods", "Online", "Online; Live-Streamed"),
    ]
    assert result.title == "P1 Sepsis Update 2026"
    assert result.values["credits"] == Decimal("7.25")


def test_a_blank_cell_clears_and_an_absent_column_stays() -> None:
    result = checked(
        {"Provider Activity ID": "P1-001", "REMS Type": "", "MIPS": ""},
        stored(rems_type="Opioid Analgesic", mips=True),
    )
    assert result.action == UPDATED
    assert sorted(result.changes) == [("MIPS", "Yes", ""), ("REMS Type", "Opioid Analgesic", "")]
    assert result.values["rems_type"] is None and result.values["mips"] is None
    assert "title" not in result.values


def test_clearing_a_required_value_is_refused() -> None:
    result = checked({"Provider Activity ID": "P1-001", "Activity Description": ""}, stored())
    assert result.action == REJECTED
    assert [p.column for p in result.problems] == ["Activity Description"]
    assert "required for an activity to be Active" in result.problems[0].message


def test_only_the_file_s_columns_are_checked_against_the_stored_values() -> None:
    """The stored values complete the row: a row with only the key and the title of a
    complete Active activity is a valid update."""
    result = checked({"Provider Activity ID": "P1-001", "Activity Title": "New"}, stored())
    assert (result.action, result.problems) == (UPDATED, [])


def test_a_status_move_is_listed_first() -> None:
    existing = stored(v.DRAFT)
    result = checked({"Provider Activity ID": "P1-001", "Status": "Active"}, existing)
    assert result.action == UPDATED, result.problems
    assert result.changes == [("Status", "Draft", "Active")]
    assert result.status == v.ACTIVE


def test_a_blank_status_keeps_the_stored_one() -> None:
    result = checked(
        {"Provider Activity ID": "P1-001", "Status": ""},
        stored(v.READY_TO_CLOSE, end_date=dt.date(2026, 1, 2), start_date=dt.date(2026, 1, 1)),
    )
    assert (result.action, result.status) == (UNCHANGED, v.READY_TO_CLOSE)


def test_a_status_move_must_meet_the_target_s_requirements() -> None:
    result = checked({"Provider Activity ID": "P1-001", "Status": "Closed"}, stored())
    assert result.action == REJECTED
    columns = {p.column for p in result.problems}
    assert {"End Date", "Commercial Support Received", "Outcomes Measured"} <= columns


def test_a_contact_may_not_change_a_closed_activity() -> None:
    existing = stored(v.CLOSED)
    result = checked({"Provider Activity ID": "P1-001", "Activity Title": "Renamed"}, existing)
    assert result.action == REJECTED
    assert "P1-001 is Closed" in messages(result)
    reopen = checked({"Provider Activity ID": "P1-001", "Status": "Ready to Close"}, existing)
    assert reopen.action == REJECTED
    assert "reopened only to Ready to Close, by ACCME staff" in messages(reopen)
    assert all(p.column == "Provider Activity ID" or p.column == "Status" for p in reopen.problems)


def test_an_unchanged_closed_activity_is_fine_for_a_contact() -> None:
    result = checked(
        {
            "Provider Activity ID": "P1-001",
            "Status": "Closed",
            "Activity Title": "P1 Sepsis Update",
        },
        stored(v.CLOSED),
    )
    assert (result.action, result.problems) == (UNCHANGED, [])


def test_staff_reopen_a_closed_activity_to_ready_to_close_only() -> None:
    existing = stored(v.CLOSED, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2))
    staff = ctx(staff=True)
    result = checked(
        {"Provider Activity ID": "P1-001", "Status": "Ready to Close"}, existing, staff
    )
    assert (result.action, result.problems) == (UPDATED, [])
    assert result.changes == [("Status", "Closed", "Ready to Close")]
    active = checked({"Provider Activity ID": "P1-001", "Status": "Active"}, existing, staff)
    assert active.action == REJECTED
    assert f"to {v.READY_TO_CLOSE}" in messages(active)


def test_a_submitted_year_refuses_changes_from_a_contact() -> None:
    existing = stored(start_date=dt.date(2025, 3, 1), end_date=dt.date(2026, 3, 2))
    locked = ctx(locked=frozenset({2025}))
    result = checked({"Provider Activity ID": "P1-001", "Activity Title": "New"}, existing, locked)
    assert result.action == REJECTED
    assert "The 2025 annual report is submitted" in messages(result)
    moved = checked(
        {"Provider Activity ID": "P1-001", "Start Date": "03/01/2026"}, existing, locked
    )
    assert moved.action == REJECTED, "moving an activity out of a submitted year changes it"
    staff = ctx(staff=True, locked=frozenset({2025}))
    assert (
        checked({"Provider Activity ID": "P1-001", "Activity Title": "New"}, existing, staff).action
        == UPDATED
    )
    unchanged = checked({"Provider Activity ID": "P1-001"}, existing, locked)
    assert unchanged.action == UNCHANGED


def test_a_row_matched_by_its_accme_activity_id_takes_the_stored_key() -> None:
    existing = stored()
    result = checked({"ACCME Activity ID": "100000007", "Activity Title": "Renamed"}, existing)
    assert result.action == UPDATED
    assert result.key == "P1-001"
    assert result.values["provider_activity_id"] == "P1-001"
    assert result.changes == [("Activity Title", "P1 Sepsis Update", "Renamed")]


def test_learners_per_profession_cover_the_other_years() -> None:
    existing = stored(start_date=dt.date(2026, 3, 1))
    existing.parts["learners__Nurse"] = 42
    existing.learner_years["Nurse"] = {2026: 40, 2027: 2}
    joint = ctx(v.JOINT_KIND)
    ok = checked({"Provider Activity ID": "P1-001", "Nurse Learners": "50"}, existing, joint)
    assert (ok.action, ok.changes) == (UPDATED, [("Nurse Learners", "42", "50")])
    low = checked({"Provider Activity ID": "P1-001", "Nurse Learners": "1"}, existing, joint)
    assert low.action == REJECTED
    assert "other years of this activity already count 2" in messages(low)
    same = checked({"Provider Activity ID": "P1-001", "Nurse Learners": "42"}, existing, joint)
    assert same.action == UNCHANGED
    assert existing.learners_outside("Nurse", 2026) == 2
    assert existing.learners_outside("Nurse", 2027) == 40
    assert existing.learners_outside("Dentist", 2026) == 0
    moved = checked(
        {
            "Provider Activity ID": "P1-001",
            "Start Date": "01/05/2027",
            "End Date": "03/02/2027",
            "Nurse Learners": "30",
        },
        existing,
        joint,
    )
    assert moved.action == REJECTED, "2026 already counts 40 once 2027 is the reporting year"
    assert "other years of this activity already count 40" in messages(moved)


def test_moc_columns_are_compared_board_by_board() -> None:
    existing = stored()
    existing.parts.update(
        {
            "moc__ABIM__points": Decimal("6.50"),
            "moc__ABIM__credit_types": ["Patient Safety", "Medical Knowledge"],
        }
    )
    same = checked(
        {
            "Provider Activity ID": "P1-001",
            "ABIM MOC Points": "6.5",
            "ABIM MOC Credit Types": "Medical Knowledge; Patient Safety",
        },
        existing,
    )
    assert same.action == UNCHANGED
    changed = checked({"Provider Activity ID": "P1-001", "ABA MOC Points": "2"}, existing)
    assert changed.action == UPDATED
    assert changed.changes == [("ABA MOC Points", "", "2")]


def test_supports_are_compared_by_source_and_amount() -> None:
    existing = stored(
        commercial_support=True,
        commercial_supports=[
            SupportEntry("Pfizer", Decimal("5000.00")),
            SupportEntry("Medline", None, True),
        ],
    )
    same = checked(
        {
            "Provider Activity ID": "P1-001",
            "Commercial Support Sources": "Pfizer: 5000; Medline: In-kind",
        },
        existing,
    )
    assert same.action == UNCHANGED, same.changes
    changed = checked(
        {"Provider Activity ID": "P1-001", "Commercial Support Sources": "Pfizer: 6000"}, existing
    )
    assert changed.action == UPDATED
    assert changed.changes == [
        ("Commercial Support Sources", "Pfizer: 5000; Medline: In-kind", "Pfizer: 6000")
    ]


# ---- comparisons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        (None, None, True),
        (None, "", True),
        ([], None, True),
        ((), [], True),
        (Decimal("1.50"), Decimal("1.5"), True),
        (Decimal("1.50"), Decimal("1.25"), False),
        (["b", "a"], ["a", "b"], True),
        (["a"], ["a", "b"], False),
        (True, False, False),
        (False, None, False),
        (0, None, False),
        ("x", "x", True),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), True),
        (
            [SupportEntry("A", Decimal("10.00")), SupportEntry("B", None, True)],
            [Support("A", "Monetary", Decimal("10")), Support("B", "In-kind", None)],
            True,
        ),
        (
            [SupportEntry("A", Decimal("10.00"))],
            [Support("A", "In-kind", None)],
            False,
        ),
    ],
)
def test_same_value(old: Any, new: Any, same: bool) -> None:
    assert same_value(old, new) is same


def test_moc_entries_skip_a_board_without_any_value() -> None:
    parts = {
        "moc__ABIM__points": Decimal("2"),
        "moc__ABIM__credit_types": ["Medical Knowledge"],
        "moc__ABA__points": None,
        "moc__ABA__credit_types": [],
        "moc__ABP__internal_id": "X-1",
    }
    entries = moc_entries(parts)
    assert [e.board for e in entries] == ["ABIM", "ABP"]
    assert entries[0].points == Decimal("2") and entries[0].credit_types == ("Medical Knowledge",)
    assert entries[1].internal_id == "X-1" and entries[1].points is None


def test_an_invalid_provider_activity_id_is_reported_once() -> None:
    result = checked({**DRAFT_CELLS, "Provider Activity ID": "P1 001"})
    assert result.action == REJECTED
    [problem] = result.problems
    assert (problem.column, problem.value) == ("Provider Activity ID", "P1 001")
    assert "letters, digits" in problem.message
