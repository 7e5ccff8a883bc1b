"""The sections of the activity page and form, from the schema (``Field.section``).

A section appears only where it applies: the Joint Accreditation and pharmacy section
only for a jointly accredited provider (the fields' ``applies_to``), MOC details in one
panel per board (open for the boards the activity is registered with), and an empty
section not at all.
"""

from __future__ import annotations

from typing import Any

from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, JOINT_ONLY, Field, Kind, Section
from app.schema.repeated import PARTS_BY_NAME, REPEATED_FIELDS

#: Hidden inputs rendered by the form itself, never as a row.
FORM_ONLY = {"expected_version"}
#: What the activity page shows besides the schema fields, and in which section.
DISPLAY_ONLY: tuple[Field, ...] = (
    Field("reporting_year", "Reporting year", Kind.INTEGER, Section.BASICS),
    Field("moc_summary", "MOC registrations", Kind.TEXT, Section.MOC),
    Field("ja_credits_summary", "JA credits", Kind.TEXT, Section.JA, applies_to=JOINT_ONLY),
    Field(
        "learners_by_profession",
        "Learners by profession",
        Kind.TEXT,
        Section.JA,
        applies_to=JOINT_ONLY,
    ),
)
ALL_FIELDS: tuple[Field, ...] = (*ACTIVITY_FIELDS, *DISPLAY_ONLY, *REPEATED_FIELDS)


def applies(spec: Field, provider_kind: str | None) -> bool:
    """Whether the field is asked of a provider of this kind (all fields when unknown)."""
    return provider_kind is None or provider_kind in spec.applies_to


def hidden_fields(provider_kind: str | None) -> set[str]:
    """Fields a provider of this kind never sees."""
    return {f.name for f in ALL_FIELDS if not applies(f, provider_kind)}


def _is_board_part(name: str) -> bool:
    part = PARTS_BY_NAME.get(name)
    return part is not None and part.group == "moc"


def _board_fieldsets(shown: list[str], boards: set[str] | None) -> list[tuple[str, dict[str, Any]]]:
    """One fieldset per MOC board, expanded for the boards the activity is registered
    with (``boards`` None: a new activity, all collapsed)."""
    result = []
    for board in v.MOC_BOARDS.values:
        names = [n for n in shown if _is_board_part(n) and PARTS_BY_NAME[n].key == board]
        if names:
            expanded = bool(boards and board in boards)
            result.append((f"MOC: {board}", {"fields": names, "expanded": expanded}))
    return result


def fieldsets(
    columns: list[str],
    provider_kind: str | None,
    leading: tuple[str, ...] = ("provider",),
    boards: set[str] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Flask-AppBuilder fieldsets: the leading columns, then one per schema section with
    the section's columns that apply to the provider's kind."""
    shown = [c for c in columns if c not in hidden_fields(provider_kind) | FORM_ONLY]
    result: list[tuple[str, dict[str, Any]]] = []
    first = [c for c in leading if c in shown]
    placed = set(first)
    for section in Section:
        names = [
            f.name
            for f in ALL_FIELDS
            if f.section is section and f.name in shown and not _is_board_part(f.name)
        ]
        if section is Section.BASICS:
            names = first + names
        placed |= set(names)
        if names:
            result.append((section.value, {"fields": names}))
        if section is Section.MOC:
            per_board = _board_fieldsets(shown, boards)
            placed |= {n for _, spec in per_board for n in spec["fields"]}
            result += per_board
    rest = [c for c in shown if c not in placed]
    if rest:
        result.append(("Other", {"fields": rest}))
    return result
