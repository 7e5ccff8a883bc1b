"""The PARS activity schema: every activity field declared once.

A :class:`Field` names the model attribute, the column heading used by CSV export and by
the batch-upload templates, its kind, its vocabulary and its limits, the form section it
belongs to, the status from which PARS requires it (domain.md §1.3) and the provider
kinds it applies to (JA-PARS fields only for jointly accredited providers).

Per-board MOC data, JA credit types and learner counts by profession are repeated blocks:
their columns are generated from the vocabularies, so adding a board or a credit type is
one line in ``vocabularies.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from app.schema import vocabularies as v


class Kind(StrEnum):
    """How a value is typed, stored, edited and written to a file."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    NAME_LIST = "name_list"
    SUPPORT_LIST = "support_list"


class Section(StrEnum):
    """Form sections of the activity page, in display order."""

    BASICS = "Basics"
    FORMAT = "Format, delivery and location"
    CREDITS = "Credits"
    PROVIDERSHIP = "Providership and commercial support"
    OUTCOMES = "Outcomes"
    LEARNERS = "Learners"
    MOC = "CME that Counts for MOC"
    REMS = "REMS"
    FINDER = "CME Finder"
    JA = "Joint Accreditation and pharmacy"


ALL_KINDS = frozenset(v.PROVIDER_KINDS.values)
JOINT_ONLY = frozenset({v.JOINT_KIND})


@dataclass(frozen=True)
class Field:
    """One activity field as PARS knows it."""

    name: str
    label: str
    kind: Kind
    section: Section
    vocabulary: v.Vocabulary | None = None
    max_length: int | None = None
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    step: Decimal | None = None
    pattern: str | None = None
    pattern_hint: str | None = None
    required_from: str | None = None
    applies_to: frozenset[str] = ALL_KINDS
    help: str = ""
    editable: bool = True
    filters: tuple[str, ...] = field(default=())


QUARTER = Decimal("0.25")
RPC_ID_PATTERN = r"^EG-\d{6}-\d{3}$"
UAN_PATTERN = r"^JA\d{7}-\d{4}-\d{2}-\d{3}-[LHE]\d{2}-[PT]$"


ACTIVITY_FIELDS: tuple[Field, ...] = (
    Field(
        "provider_activity_id",
        "Provider Activity ID",
        Kind.TEXT,
        Section.BASICS,
        max_length=50,
        required_from=v.DRAFT,
        pattern=r"^[A-Za-z0-9._\-]+$",
        pattern_hint="letters, digits, dots, dashes and underscores",
        help="Your own identifier for the activity; a re-upload with the same ID updates it.",
    ),
    Field(
        "accme_activity_id",
        "ACCME Activity ID",
        Kind.TEXT,
        Section.BASICS,
        editable=False,
        help="Issued by PARS when the activity is created.",
    ),
    Field(
        "status",
        "Status",
        Kind.CHOICE,
        Section.BASICS,
        vocabulary=v.ACTIVITY_STATUSES,
        required_from=v.DRAFT,
        editable=False,
    ),
    Field(
        "title", "Activity Title", Kind.TEXT, Section.BASICS, max_length=500, required_from=v.DRAFT
    ),
    Field(
        "format",
        "Activity Format",
        Kind.CHOICE,
        Section.FORMAT,
        vocabulary=v.ACTIVITY_FORMATS,
        required_from=v.DRAFT,
    ),
    Field(
        "delivery_methods",
        "Delivery Methods",
        Kind.MULTI_CHOICE,
        Section.FORMAT,
        vocabulary=v.DELIVERY_METHODS,
        required_from=v.ACTIVE,
    ),
    Field("start_date", "Start Date", Kind.DATE, Section.FORMAT, required_from=v.DRAFT),
    Field("end_date", "End Date", Kind.DATE, Section.FORMAT, required_from=v.DRAFT),
    Field("city", "City", Kind.TEXT, Section.FORMAT, max_length=100),
    Field(
        "state",
        "State",
        Kind.CHOICE,
        Section.FORMAT,
        vocabulary=v.US_STATES,
        help="Two-letter USPS code; required for in-person activities in the USA.",
    ),
    Field(
        "country",
        "Country",
        Kind.CHOICE,
        Section.FORMAT,
        vocabulary=v.COUNTRIES,
        help="ISO 3166 three-letter code, e.g. USA.",
    ),
    Field(
        "credits",
        "AMA PRA Category 1 Credits",
        Kind.DECIMAL,
        Section.CREDITS,
        minimum=QUARTER,
        maximum=Decimal("999.75"),
        step=QUARTER,
        required_from=v.ACTIVE,
    ),
    Field(
        "description",
        "Activity Description",
        Kind.LONG_TEXT,
        Section.BASICS,
        max_length=2500,
        required_from=v.ACTIVE,
    ),
    Field(
        "providership",
        "Providership",
        Kind.CHOICE,
        Section.PROVIDERSHIP,
        vocabulary=v.PROVIDERSHIP,
        required_from=v.ACTIVE,
    ),
    Field(
        "joint_providers",
        "Joint Providers",
        Kind.NAME_LIST,
        Section.PROVIDERSHIP,
        max_length=2000,
        help="Names separated by semicolons; required to close a joint activity.",
    ),
    Field(
        "commercial_support",
        "Commercial Support Received",
        Kind.BOOLEAN,
        Section.PROVIDERSHIP,
        required_from=v.CLOSED,
    ),
    Field(
        "commercial_supports",
        "Commercial Support Sources",
        Kind.SUPPORT_LIST,
        Section.PROVIDERSHIP,
        help="One per source, separated by semicolons: 'Source: 5000' or 'Source: In-kind'.",
    ),
    Field(
        "outcomes",
        "Outcomes Measured",
        Kind.MULTI_CHOICE,
        Section.OUTCOMES,
        vocabulary=v.OUTCOMES,
        required_from=v.CLOSED,
    ),
    Field(
        "physician_learners",
        "Physician Learners",
        Kind.INTEGER,
        Section.LEARNERS,
        minimum=0,
        maximum=10_000_000,
        required_from=v.CLOSED,
        help="MD/DO learners, residents included.",
    ),
    Field(
        "other_learners",
        "Other Learners",
        Kind.INTEGER,
        Section.LEARNERS,
        minimum=0,
        maximum=10_000_000,
        required_from=v.CLOSED,
    ),
    Field(
        "moc_attestation",
        "MOC Attestation",
        Kind.BOOLEAN,
        Section.MOC,
        help="The provider attests that the activity meets each registered board's requirements.",
    ),
    Field("rems_type", "REMS Type", Kind.CHOICE, Section.REMS, vocabulary=v.REMS_TYPES),
    Field(
        "rems_id",
        "REMS RPC ID",
        Kind.TEXT,
        Section.REMS,
        max_length=20,
        pattern=RPC_ID_PATTERN,
        pattern_hint="the RPC identifier, e.g. EG-123456-001",
    ),
    Field("cme_finder", "CME Finder", Kind.BOOLEAN, Section.FINDER, required_from=v.ACTIVE),
    Field("fee", "Fee", Kind.CHOICE, Section.FINDER, vocabulary=v.FEE),
    Field("registration", "Registration", Kind.CHOICE, Section.FINDER, vocabulary=v.REGISTRATION),
    Field(
        "activity_url",
        "Activity URL",
        Kind.TEXT,
        Section.FINDER,
        max_length=500,
        pattern=r"^https?://\S+$",
        pattern_hint="a web address starting with http:// or https://",
    ),
    Field(
        "mips",
        "MIPS",
        Kind.BOOLEAN,
        Section.FINDER,
        help="Counts toward the Merit-based Incentive Payment System.",
    ),
    Field(
        "commendation_tags",
        "Commendation Tags",
        Kind.MULTI_CHOICE,
        Section.OUTCOMES,
        vocabulary=v.COMMENDATION_TAGS,
    ),
    Field(
        "is_interprofessional", "Interprofessional", Kind.BOOLEAN, Section.JA, applies_to=JOINT_ONLY
    ),
    Field(
        "target_professions",
        "Target Professions",
        Kind.MULTI_CHOICE,
        Section.JA,
        vocabulary=v.TARGET_PROFESSIONS,
        applies_to=JOINT_ONLY,
    ),
    Field(
        "pharmacy_activity_type",
        "Pharmacy Activity Type",
        Kind.CHOICE,
        Section.JA,
        vocabulary=v.PHARMACY_ACTIVITY_TYPES,
        applies_to=JOINT_ONLY,
    ),
    Field(
        "pharmacy_topic",
        "Pharmacy Topic",
        Kind.CHOICE,
        Section.JA,
        vocabulary=v.PHARMACY_TOPICS,
        applies_to=JOINT_ONLY,
    ),
    Field(
        "pharmacy_uan",
        "Pharmacy UAN",
        Kind.TEXT,
        Section.JA,
        max_length=40,
        pattern=UAN_PATTERN,
        pattern_hint="e.g. JA0000123-0000-25-001-L01-P",
        applies_to=JOINT_ONLY,
    ),
    Field(
        "pharmacy_tech_uan",
        "Pharmacy Technician UAN",
        Kind.TEXT,
        Section.JA,
        max_length=40,
        pattern=UAN_PATTERN,
        pattern_hint="e.g. JA0000123-0000-25-001-L01-T",
        applies_to=JOINT_ONLY,
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in ACTIVITY_FIELDS}


@dataclass(frozen=True)
class MocField:
    """One per-board MOC attribute; its column is '<board> <label>' (e.g. 'ABIM MOC Points')."""

    name: str
    label: str
    kind: Kind
    vocabulary: v.Vocabulary | None = None
    max_length: int | None = None


MOC_FIELDS: tuple[MocField, ...] = (
    MocField("points", "MOC Points", Kind.DECIMAL),
    MocField("credit_types", "MOC Credit Types", Kind.MULTI_CHOICE, v.MOC_CREDIT_TYPES),
    MocField("practice_areas", "Practice Areas", Kind.MULTI_CHOICE, v.MOC_PRACTICE_AREAS),
    MocField("credit_claim_date", "Credit Claim Date", Kind.DATE),
    MocField("content_area", "Content Area", Kind.TEXT, max_length=200),
    MocField("internal_id", "Internal ID", Kind.TEXT, max_length=50),
)


def moc_column(board: str, moc_field: MocField) -> str:
    """Column heading of one per-board MOC attribute."""
    return f"{board} {moc_field.label}"


def ja_credit_column(credit_type: str) -> str:
    """Column heading of one JA credit type's amount."""
    return f"{credit_type} Credits"


def profession_column(profession: str) -> str:
    """Column heading of one profession's learner count (jointly accredited providers)."""
    return f"{profession} Learners"


#: Heading of the provider column in multi-provider files.
PROVIDER_COLUMN = "ACCME Provider ID"


def file_columns() -> list[str]:
    """Every column of an activity file, in order: export, templates and import agree."""
    columns = [PROVIDER_COLUMN]
    columns += [f.label for f in ACTIVITY_FIELDS]
    columns += [moc_column(b, m) for b in v.MOC_BOARDS.values for m in MOC_FIELDS]
    columns += [ja_credit_column(c) for c in v.JA_CREDIT_TYPES.values]
    columns += [profession_column(p) for p in v.JA_PROFESSIONS.values]
    return columns


def fields_for(provider_kind: str | None) -> tuple[Field, ...]:
    """The fields that apply to a provider of this accreditation kind (all when unknown)."""
    if provider_kind is None:
        return ACTIVITY_FIELDS
    return tuple(f for f in ACTIVITY_FIELDS if provider_kind in f.applies_to)
