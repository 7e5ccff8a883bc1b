"""The PARS activity lifecycle (domain.md §1.3, §1.7, §1.9, §5): what each status requires,
table-driven over every status x format x provider kind, every message naming its field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from app.schema import vocabularies as v
from app.schema.fields import FIELDS_BY_NAME, MOC_FIELDS, Kind, moc_column
from app.schema.lifecycle import (
    STATUS_ORDER,
    MocEntry,
    SupportEntry,
    allowed_transitions,
    requires,
    status_problems,
)
from app.schema.values import Support, ValueProblem

D = dt.date
TODAY = D(2025, 6, 15)
STATUSES = v.ACTIVITY_STATUSES.values
FORMATS = v.ACTIVITY_FORMATS.values
KINDS = v.PROVIDER_KINDS.values
ACCME, STATE, JOINT = KINDS
DRAFT, ACTIVE, READY, CLOSED = STATUSES

ABIM = MocEntry(
    "ABIM",
    Decimal("2"),
    ("Medical Knowledge",),
    ("Internal Medicine",),
    D(2025, 12, 31),
    "Cardiology",
    "IM-77",
)
ABP = MocEntry("ABP", Decimal("2"), ("Lifelong Learning",), ("Pediatrics",), D(2025, 12, 31))
MOCS = (ABIM, ABP)

# What each status requires of the complete activity below (in person in the USA, listed in
# CME Finder, jointly provided, commercially supported, registered for MOC): domain.md §1.3.
DRAFT_FIELDS = ("provider_activity_id", "title", "format", "start_date", "end_date")
ACTIVE_FIELDS = (
    *DRAFT_FIELDS,
    "delivery_methods",
    "city",
    "state",
    "country",
    "credits",
    "description",
    "providership",
    "cme_finder",
    "fee",
    "registration",
    "activity_url",
)
CLOSED_FIELDS = (
    *ACTIVE_FIELDS,
    "joint_providers",
    "commercial_support",
    "commercial_supports",
    "outcomes",
    "physician_learners",
    "other_learners",
    "moc_attestation",
)
REQUIRED = {DRAFT: DRAFT_FIELDS, ACTIVE: ACTIVE_FIELDS, READY: ACTIVE_FIELDS, CLOSED: CLOSED_FIELDS}
JA_REQUIRED_TO_CLOSE = ("target_professions",)
MOC_REQUIRED_TO_CLOSE = ("points", "credit_types", "practice_areas", "credit_claim_date")


def activity(status: str = CLOSED, fmt: str = v.LIVE_COURSE, **changes: Any) -> dict[str, Any]:
    """A complete activity that may be in ``status``; ``changes`` replace values."""
    start = D(2025, 5, 1) if status in (READY, CLOSED) else D(2025, 6, 20)
    values: dict[str, Any] = {
        "provider_activity_id": "GR-2025-001",
        "title": "Cardiology Grand Rounds",
        "format": fmt,
        "delivery_methods": [v.IN_PERSON, "Online"],
        "start_date": start,
        "end_date": start + dt.timedelta(days=1),
        "city": "Chicago",
        "state": "IL",
        "country": "USA",
        "credits": Decimal("2"),
        "description": "Heart failure update for internists.",
        "providership": "Joint",
        "joint_providers": ["Lakeside Clinic"],
        "commercial_support": True,
        "commercial_supports": [
            Support("Acme Pharma", "Monetary", Decimal("5000")),
            Support("Device Co", "In-kind", None),
        ],
        "outcomes": ["Learner Competence"],
        "physician_learners": 40,
        "other_learners": 0,
        "moc_attestation": True,
        "rems_type": "Opioid Analgesic",
        "rems_id": "EG-123456-001",
        "cme_finder": True,
        "fee": "Yes",
        "registration": "Open to all",
        "activity_url": "https://cme.example.org/a/1",
        "mips": False,
        "commendation_tags": ["Engages Teams"],
        "is_interprofessional": True,
        "target_professions": ["Physician", "Nurse"],
        "pharmacy_activity_type": "Knowledge",
        "pharmacy_topic": "05-Patient Safety",
        "pharmacy_uan": "JA0000123-0000-25-001-L01-P",
        "pharmacy_tech_uan": "JA0000123-0000-25-001-L01-T",
    }
    values.update(changes)
    return values


def check(
    values: dict[str, Any],
    status: str = CLOSED,
    kind: str = ACCME,
    mocs: tuple[MocEntry, ...] = MOCS,
    supports: tuple[SupportEntry, ...] = (),
) -> list[ValueProblem]:
    return status_problems(
        values, status, provider_kind=kind, today=TODAY, mocs=mocs, supports=supports
    )


def only(problems: list[ValueProblem]) -> ValueProblem:
    assert len(problems) == 1, [p.message for p in problems]
    return problems[0]


def blank(name: str) -> Any:
    kinds = (Kind.MULTI_CHOICE, Kind.NAME_LIST, Kind.SUPPORT_LIST)
    return [] if FIELDS_BY_NAME[name].kind in kinds else None


def required(status: str, kind: str) -> set[str]:
    names = set(REQUIRED[status])
    if status == CLOSED and kind == JOINT:
        names |= set(JA_REQUIRED_TO_CLOSE)
    return names


# -- every status x format x provider kind ------------------------------------------------

COMBINATIONS = [(s, f, k) for s in STATUSES for f in FORMATS for k in KINDS]


@pytest.mark.parametrize(("status", "fmt", "kind"), COMBINATIONS)
def test_complete_activity_has_no_problems(status: str, fmt: str, kind: str) -> None:
    assert check(activity(status, fmt), status, kind) == []


@pytest.mark.parametrize(("status", "fmt", "kind"), COMBINATIONS)
def test_each_field_removed_is_named_only_when_required(status: str, fmt: str, kind: str) -> None:
    """Removing a required field gives exactly one problem, for that field, its message
    starting with the column name; removing any other field gives none."""
    wrong: dict[str, list[str]] = {}
    for name in activity(status, fmt):
        problems = check(activity(status, fmt, **{name: blank(name)}), status, kind)
        label = FIELDS_BY_NAME[name].label
        expected = [(name, label)] if name in required(status, kind) else []
        got = [(p.field, p.label) for p in problems]
        if got != expected or not all(p.message.startswith(f"{label}: ") for p in problems):
            wrong[name] = [p.message for p in problems]
    assert wrong == {}


@pytest.mark.parametrize(("status", "fmt", "kind"), COMBINATIONS)
def test_each_moc_board_field_removed_is_named_to_close(status: str, fmt: str, kind: str) -> None:
    wrong: dict[str, list[str]] = {}
    for entry in MOCS:
        for moc_field in MOC_FIELDS:
            empty = () if moc_field.kind is Kind.MULTI_CHOICE else None
            mocs = tuple(
                dataclasses.replace(m, **{moc_field.name: empty}) if m is entry else m for m in MOCS
            )
            problems = check(activity(status, fmt), status, kind, mocs=mocs)
            name, label = f"moc.{entry.board}.{moc_field.name}", moc_column(entry.board, moc_field)
            needed = status == CLOSED and moc_field.name in MOC_REQUIRED_TO_CLOSE
            got = [(p.field, p.label) for p in problems]
            if got != ([(name, label)] if needed else []) or not all(
                p.message.startswith(f"{label}: ") for p in problems
            ):
                wrong[name] = [p.message for p in problems]
    assert wrong == {}


# -- Draft: the four basics only -------------------------------------------------------------


def test_draft_asks_only_the_basics() -> None:
    values = {"provider_activity_id": "A1", "format": v.ENDURING}
    problems = check(values, DRAFT, mocs=())
    assert [p.field for p in problems] == ["title", "start_date", "end_date"]
    assert problems[0].message == (
        "Activity Title: required for an activity to be saved as a Draft; enter it."
    )
    assert problems[1].message == (
        "Start Date: required for an activity to be saved as a Draft; enter the date (MM/DD/YYYY)."
    )


@pytest.mark.parametrize("empty", [None, "", "   ", [], ()])
def test_blank_values_count_as_missing(empty: Any) -> None:
    assert only(check(activity(DRAFT, title=empty), DRAFT)).field == "title"


@pytest.mark.parametrize(("name", "answer"), [("cme_finder", False), ("other_learners", 0)])
def test_no_and_zero_are_answers(name: str, answer: Any) -> None:
    assert check(activity(CLOSED, **{name: answer}), CLOSED) == []


# -- location ---------------------------------------------------------------------------------

NO_PLACE = {"city": None, "state": None, "country": None}


@pytest.mark.parametrize("status", [ACTIVE, READY, CLOSED])
@pytest.mark.parametrize("fmt", FORMATS)
def test_in_person_needs_city_state_and_country(status: str, fmt: str) -> None:
    problems = check(activity(status, fmt, **NO_PLACE), status)
    assert [p.message for p in problems] == [
        f"City: required for an in-person activity to be {status}; enter it.",
        f"Country: required for an in-person activity to be {status}; choose one.",
    ]
    problems = check(activity(status, fmt, state=None), status)
    assert only(problems).message == (
        f"State: required for an in-person activity in the USA to be {status}; choose one."
    )


@pytest.mark.parametrize("methods", [["Online"], ["Live-Streamed"], ["Print/Other"]])
@pytest.mark.parametrize("status", STATUSES)
def test_no_location_unless_in_person(methods: list[str], status: str) -> None:
    values = activity(status, delivery_methods=methods, **NO_PLACE)
    assert check(values, status) == []


def test_no_state_outside_the_usa() -> None:
    assert check(activity(ACTIVE, country="CAN", state=None), ACTIVE) == []
    problem = only(check(activity(ACTIVE, country="CAN", state="TX"), ACTIVE))
    assert problem.message.startswith("State: ")


def test_draft_needs_no_location() -> None:
    assert check(activity(DRAFT, **NO_PLACE), DRAFT) == []


# -- CME Finder -------------------------------------------------------------------------------

NO_FINDER_DETAILS = {"fee": None, "registration": None, "activity_url": None}


@pytest.mark.parametrize("status", [ACTIVE, READY])
def test_cme_finder_yes_needs_fee_registration_and_url(status: str) -> None:
    problems = check(activity(status, **NO_FINDER_DETAILS), status)
    assert [p.message for p in problems] == [
        f"Fee: required for an activity listed in CME Finder to be {status}; choose one.",
        f"Registration: required for an activity listed in CME Finder to be {status}; choose one.",
        f"Activity URL: required for an activity listed in CME Finder to be {status}; enter it.",
    ]


@pytest.mark.parametrize("status", [ACTIVE, READY])
def test_cme_finder_no_needs_no_details(status: str) -> None:
    values = activity(status, cme_finder=False, **NO_FINDER_DETAILS)
    assert check(values, status) == []


def test_cme_finder_must_be_answered_from_active() -> None:
    assert only(check(activity(ACTIVE, cme_finder=None), ACTIVE)).message == (
        "CME Finder: required for an activity to be Active; answer Yes or No."
    )
    assert check(activity(DRAFT, cme_finder=None, **NO_FINDER_DETAILS), DRAFT) == []


# -- end date against today --------------------------------------------------------------------


def test_active_activity_must_not_have_ended() -> None:
    values = activity(ACTIVE, start_date=D(2025, 6, 1), end_date=D(2025, 6, 14))
    problem = only(check(values, ACTIVE))
    assert problem.field == "end_date"
    assert problem.message.startswith("End Date: 06/14/2025 has passed")
    assert "move it to Ready to Close" in problem.message


def test_active_activity_may_end_today() -> None:
    values = activity(ACTIVE, start_date=D(2025, 6, 1), end_date=TODAY)
    assert check(values, ACTIVE) == []


@pytest.mark.parametrize("status", [READY, CLOSED])
@pytest.mark.parametrize("end", [TODAY, D(2025, 7, 1)])
def test_ready_and_closed_activities_must_have_ended(status: str, end: dt.date) -> None:
    problem = only(check(activity(status, end_date=end), status))
    assert problem.field == "end_date"
    assert problem.message.startswith("End Date: ")
    assert f"cannot be {status}; keep it Active until it has ended" in problem.message


def test_ready_to_close_the_day_after_the_end() -> None:
    assert check(activity(READY, end_date=TODAY - dt.timedelta(days=1)), READY) == []


def test_a_draft_may_have_any_end_date() -> None:
    past = activity(DRAFT, start_date=D(2024, 1, 1), end_date=D(2024, 1, 2))
    assert check(past, DRAFT) == []


# -- providership -------------------------------------------------------------------------------


def test_joint_activity_names_a_joint_provider_to_close() -> None:
    problem = only(check(activity(CLOSED, joint_providers=[])))
    assert problem.message == (
        "Joint Providers: required for a jointly provided activity to be Closed; "
        "add at least one name."
    )
    assert check(activity(ACTIVE, joint_providers=[]), ACTIVE) == []


def test_direct_activity_needs_no_joint_provider() -> None:
    assert check(activity(CLOSED, providership="Direct", joint_providers=[])) == []


# -- commercial support -----------------------------------------------------------------------


def test_support_received_needs_a_source_to_close() -> None:
    problem = only(check(activity(CLOSED, commercial_supports=[])))
    assert problem.message == (
        "Commercial Support Sources: required for an activity that received commercial "
        "support to be Closed; add at least one source."
    )


@pytest.mark.parametrize("amount", [None, Decimal("0"), Decimal("-5")])
def test_monetary_source_needs_an_amount(amount: Decimal | None) -> None:
    supports = (SupportEntry("Acme Pharma", Decimal("10")), SupportEntry("Beta Labs", amount))
    problem = only(check(activity(CLOSED), supports=supports))
    assert problem.field == "commercial_supports"
    assert problem.message == (
        "Commercial Support Sources: give the amount received from 'Beta Labs' (more than 0), "
        "or mark it In-kind."
    )


def test_every_bad_source_is_named() -> None:
    supports = (SupportEntry("Acme Pharma"), SupportEntry("Beta Labs", Decimal("0")))
    messages = [p.message for p in check(activity(CLOSED), supports=supports)]
    assert len(messages) == 2
    assert "'Acme Pharma'" in messages[0] and "'Beta Labs'" in messages[1]


def test_a_source_has_a_name() -> None:
    problem = only(check(activity(CLOSED), supports=(SupportEntry(" ", Decimal("5")),)))
    assert problem.message == "Commercial Support Sources: give the name of every source."


def test_in_kind_source_needs_no_amount() -> None:
    assert check(activity(CLOSED), supports=(SupportEntry("Device Co", in_kind=True),)) == []


def test_sources_given_apart_replace_those_in_the_values() -> None:
    values = activity(CLOSED, commercial_supports=[Support("Acme", "Monetary", None)])
    assert check(values, supports=(SupportEntry("Acme", Decimal("1")),)) == []
    assert "'Acme'" in only(check(values)).message


def test_sources_with_no_support_received() -> None:
    problem = only(check(activity(CLOSED, commercial_support=False)))
    assert problem.message == (
        "Commercial Support Sources: sources are listed but Commercial Support Received is "
        "No; remove the sources or answer Yes."
    )
    assert check(activity(CLOSED, commercial_support=False, commercial_supports=[])) == []


def test_commercial_support_must_be_answered_to_close() -> None:
    values = activity(CLOSED, commercial_support=None, commercial_supports=[])
    assert only(check(values)).message == (
        "Commercial Support Received: required for an activity to be Closed; answer Yes or No."
    )


# -- outcomes and learners -------------------------------------------------------------------


def test_an_outcome_is_needed_to_close() -> None:
    assert only(check(activity(CLOSED, outcomes=[]))).message == (
        "Outcomes Measured: required for an activity to be Closed; choose at least one."
    )
    assert check(activity(READY, outcomes=[]), READY) == []


@pytest.mark.parametrize("name", ["physician_learners", "other_learners"])
def test_learner_counts(name: str) -> None:
    label = FIELDS_BY_NAME[name].label
    assert check(activity(CLOSED, **{name: 0})) == []
    assert only(check(activity(CLOSED, **{name: None}))).message == (
        f"{label}: required for an activity to be Closed; enter the number (0 if there were none)."
    )
    assert only(check(activity(CLOSED, **{name: -1}))).message == f"{label}: must be at least 0."
    assert check(activity(READY, **{name: None}), READY) == []


# -- CME that Counts for MOC -----------------------------------------------------------------


@pytest.mark.parametrize("attested", [None, False])
def test_registered_boards_need_the_attestation_to_close(attested: bool | None) -> None:
    problem = only(check(activity(CLOSED, moc_attestation=attested)))
    assert problem.field == "moc_attestation"
    assert problem.message.startswith("MOC Attestation: must be Yes for an activity registered")
    assert check(activity(ACTIVE, moc_attestation=attested), ACTIVE) == []


def test_no_board_no_attestation() -> None:
    assert check(activity(CLOSED, moc_attestation=None), mocs=()) == []
    assert check(activity(CLOSED, moc_attestation=False), mocs=()) == []


def test_attestation_without_a_board() -> None:
    problem = only(check(activity(CLOSED), mocs=()))
    assert problem.message == (
        "MOC Attestation: is Yes but no board is registered; add at least one board or answer No."
    )


@pytest.mark.parametrize(
    ("moc_name", "empty", "message"),
    [
        ("practice_areas", (), "ABIM Practice Areas: required for an activity registered for "
         "ABIM MOC to be Closed; choose at least one."),
        ("credit_types", (), "ABIM MOC Credit Types: required for an activity registered for "
         "ABIM MOC to be Closed; choose at least one."),
        ("points", None, "ABIM MOC Points: required for an activity registered for ABIM MOC "
         "to be Closed; enter the MOC points."),
        ("credit_claim_date", None, "ABIM Credit Claim Date: required for an activity "
         "registered for ABIM MOC to be Closed; enter the last date learners may claim credit "
         "(MM/DD/YYYY)."),
    ],
)  # fmt: skip
def test_each_board_field_to_close(moc_name: str, empty: Any, message: str) -> None:
    mocs = (dataclasses.replace(ABIM, **{moc_name: empty}), ABP)
    problem = only(check(activity(CLOSED), mocs=mocs))
    assert (problem.field, problem.label) == (f"moc.ABIM.{moc_name}", message.split(":")[0])
    assert problem.message == message


def test_content_area_and_internal_id_are_optional() -> None:
    assert check(activity(CLOSED), mocs=(ABP,)) == []


def test_moc_needs_fee_registration_and_url_to_close_once_each() -> None:
    values = activity(CLOSED, cme_finder=False, **NO_FINDER_DETAILS)
    problems = check(values)
    assert [p.field for p in problems] == ["fee", "registration", "activity_url"]
    assert "registered for MOC to be Closed" in problems[0].message
    both = check(activity(CLOSED, **NO_FINDER_DETAILS))
    assert [p.field for p in both] == ["fee", "registration", "activity_url"]
    assert "listed in CME Finder" in both[0].message


def test_no_moc_no_fee_needed_to_close() -> None:
    values = activity(CLOSED, cme_finder=False, moc_attestation=None, **NO_FINDER_DETAILS)
    assert check(values, mocs=()) == []


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("board", "points", "message"),
    [
        ("ABP", "1.5", "ABP MOC Points: the ABP accepts whole points only (e.g. 2)."),
        ("ABIM", "1.3", "ABIM MOC Points: must be in steps of 0.25 (e.g. 1.25)."),
        ("ABIM", "0", "ABIM MOC Points: must be more than 0."),
        ("ABA", "-1", "ABA MOC Points: must be more than 0."),
        (
            "ABIM",
            "2.25",
            "ABIM MOC Points: must not be more than the activity's AMA PRA Category 1 Credits "
            "(2); lower the points or correct the credits.",
        ),
    ],
)
def test_moc_points_in_any_status(status: str, board: str, points: str, message: str) -> None:
    mocs = (dataclasses.replace(ABIM, board=board, points=Decimal(points)),)
    problem = only(check(activity(status), status, mocs=mocs))
    assert (problem.field, problem.message) == (f"moc.{board}.points", message)


@pytest.mark.parametrize(("board", "points"), [("ABP", "1"), ("ABIM", "1.5"), ("ABS", "0.25")])
def test_good_moc_points(board: str, points: str) -> None:
    mocs = (dataclasses.replace(ABIM, board=board, points=Decimal(points)),)
    assert check(activity(CLOSED), mocs=mocs) == []


def test_points_not_compared_without_credits() -> None:
    mocs = (dataclasses.replace(ABIM, points=Decimal("40")),)
    assert check(activity(DRAFT, credits=None), DRAFT, mocs=mocs) == []


def test_points_above_credits_and_fractional_for_abp_both_reported() -> None:
    mocs = (dataclasses.replace(ABP, points=Decimal("2.5")),)
    messages = [p.message for p in check(activity(CLOSED), mocs=mocs)]
    assert len(messages) == 2
    assert all(m.startswith("ABP MOC Points: ") for m in messages)


# -- credits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("credits", "message"),
    [
        ("1.3", "AMA PRA Category 1 Credits: must be in steps of 0.25 (e.g. 1.25, 1.5)."),
        ("0", "AMA PRA Category 1 Credits: must be at least 0.25."),
    ],
)
def test_credits_in_quarter_steps(status: str, credits: str, message: str) -> None:
    values = activity(status, credits=Decimal(credits), moc_attestation=None)
    problems = check(values, status, mocs=())
    assert only(problems).message == message


# -- Joint Accreditation -----------------------------------------------------------------------

JA_FIELDS = [f.name for f in FIELDS_BY_NAME.values() if f.applies_to == {JOINT}]


@pytest.mark.parametrize("kind", [ACCME, STATE])
@pytest.mark.parametrize("status", STATUSES)
def test_ja_fields_never_asked_of_other_providers(kind: str, status: str) -> None:
    values = activity(status, **{name: blank(name) for name in JA_FIELDS})
    assert check(values, status, kind) == []
    values["is_interprofessional"] = True
    assert check(values, status, kind) == []


def test_interprofessional_activity_names_target_professions_to_close() -> None:
    values = activity(CLOSED, target_professions=[])
    assert only(check(values, CLOSED, JOINT)).message == (
        "Target Professions: required for an interprofessional activity to be Closed; "
        "choose at least one."
    )
    assert check(activity(READY, target_professions=[]), READY, JOINT) == []


@pytest.mark.parametrize("flag", [False, None])
def test_single_profession_activity_needs_no_target_professions(flag: bool | None) -> None:
    values = activity(CLOSED, is_interprofessional=flag, target_professions=[])
    assert check(values, CLOSED, JOINT) == []


# -- all problems at once, in order ------------------------------------------------------------


def test_problems_in_schema_order_then_board_by_board() -> None:
    values = activity(
        ACTIVE,
        title=None,
        city=None,
        credits=Decimal("1"),
        start_date=D(2025, 6, 1),
        end_date=D(2025, 5, 1),
    )
    mocs = (
        dataclasses.replace(ABP, points=Decimal("1.5")),
        dataclasses.replace(ABIM, points=Decimal("3")),
    )
    problems = check(values, ACTIVE, mocs=mocs)
    assert [p.field for p in problems] == [
        "title",
        "end_date",
        "end_date",
        "city",
        "moc.ABIM.points",
        "moc.ABP.points",
        "moc.ABP.points",
    ]
    assert problems[1].message.startswith("End Date: 05/01/2025 has passed")
    assert problems[2].message == "End Date: must not be before the start date."
    assert all(p.message.startswith(f"{p.label}: ") for p in problems)


def test_cross_field_rules_are_included() -> None:
    values = activity(DRAFT, fmt=v.RSS, start_date=D(2025, 6, 20), end_date=D(2026, 8, 1))
    assert "12 months" in only(check(values, DRAFT)).message


def test_unknown_status_or_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="status"):
        check(activity(), "Archived")
    with pytest.raises(ValueError, match="provider kind"):
        check(activity(), CLOSED, "Unaccredited")


# -- requires() ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_requires_follows_required_from(status: str) -> None:
    always = {name for name in REQUIRED[status] if FIELDS_BY_NAME[name].required_from}
    schema = {name for name in FIELDS_BY_NAME if name != "status" and requires(name, status)}
    assert schema == always
    assert requires(FIELDS_BY_NAME["title"], status)


def test_status_order() -> None:
    assert STATUS_ORDER == ("Draft", "Active", "Ready to Close", "Closed")


# -- transitions -----------------------------------------------------------------------------

PROVIDER_MOVES = {
    DRAFT: (ACTIVE, READY, CLOSED),
    ACTIVE: (DRAFT, READY, CLOSED),
    READY: (DRAFT, ACTIVE, CLOSED),
    CLOSED: (),
}


@pytest.mark.parametrize("current", STATUSES)
def test_provider_transitions(current: str) -> None:
    assert allowed_transitions(current, staff=False) == PROVIDER_MOVES[current]


@pytest.mark.parametrize("current", STATUSES)
def test_staff_transitions(current: str) -> None:
    expected = (READY,) if current == CLOSED else PROVIDER_MOVES[current]
    assert allowed_transitions(current, staff=True) == expected


def test_unknown_status_has_no_transitions() -> None:
    with pytest.raises(ValueError, match="Unknown activity status"):
        allowed_transitions("Archived", staff=True)
