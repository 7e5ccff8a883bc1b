"""The repeated parts of an activity as form fields: MOC data per registered board, and,
for a jointly accredited provider, credit per JA credit type and learners per profession.

Each part is a :class:`~app.schema.fields.Field` (so the form, its checks and its section
come from the same declarations as every other field), named ``<group>__<key>...`` and
labelled with its file column heading (``ABIM MOC Points``, ``IPCE Credits``,
``Nurse Learners``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.schema import vocabularies as v
from app.schema.fields import (
    JOINT_ONLY,
    MOC_FIELDS,
    QUARTER,
    Field,
    Kind,
    Section,
    ja_credit_column,
    moc_column,
    profession_column,
)

MOC_BOARDS_FIELD = Field(
    "moc_boards",
    "MOC Boards",
    Kind.MULTI_CHOICE,
    Section.MOC,
    vocabulary=v.MOC_BOARDS,
    help="The boards the activity is registered with; give each board's details below.",
)


def slug(text: str) -> str:
    """A form-safe key for a board, credit type or profession."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def part_name(group: str, key: str, attribute: str | None = None) -> str:
    """The field name of a board's MOC attribute (``moc__ABIM__points``), a JA credit type
    (``credit__IPCE``) or a profession's learners (``learners__Nurse``)."""
    if group == "moc":
        return f"moc__{slug(key)}__{attribute}"
    return f"{group}__{slug(key)}"


@dataclass(frozen=True)
class Part:
    """One repeated-part field and what it stands for."""

    spec: Field
    group: str  # "moc", "credit" or "learners"
    key: str  # board, credit type or profession
    attribute: str | None = None  # the MOC attribute


def _moc_parts() -> list[Part]:
    parts = []
    for board in v.MOC_BOARDS.values:
        for moc in MOC_FIELDS:
            spec = Field(
                part_name("moc", board, moc.name),
                moc_column(board, moc),
                moc.kind,
                Section.MOC,
                vocabulary=moc.vocabulary,
                max_length=moc.max_length,
                minimum=QUARTER if moc.kind is Kind.DECIMAL else None,
                maximum=Decimal("999.75") if moc.kind is Kind.DECIMAL else None,
                step=QUARTER if moc.kind is Kind.DECIMAL else None,
            )
            parts.append(Part(spec, "moc", board, moc.name))
    return parts


def _ja_parts() -> list[Part]:
    credits = [
        Part(
            Field(
                part_name("credit", credit_type),
                ja_credit_column(credit_type),
                Kind.DECIMAL,
                Section.JA,
                minimum=QUARTER,
                maximum=Decimal("999.75"),
                step=QUARTER,
                applies_to=JOINT_ONLY,
            ),
            "credit",
            credit_type,
        )
        for credit_type in v.JA_CREDIT_TYPES.values
    ]
    learners = [
        Part(
            Field(
                part_name("learners", profession),
                profession_column(profession),
                Kind.INTEGER,
                Section.JA,
                minimum=0,
                maximum=10_000_000,
                applies_to=JOINT_ONLY,
            ),
            "learners",
            profession,
        )
        for profession in v.JA_PROFESSIONS.values
    ]
    return credits + learners


REPEATED_PARTS: tuple[Part, ...] = (*_moc_parts(), *_ja_parts())
PARTS_BY_NAME = {part.spec.name: part for part in REPEATED_PARTS}
#: Every extra form field, the board list first.
REPEATED_FIELDS: tuple[Field, ...] = (MOC_BOARDS_FIELD, *(p.spec for p in REPEATED_PARTS))
