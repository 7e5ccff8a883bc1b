"""The old PARS batch layout, "Template C" (reporting year 2014) and "Template D" (2015 on),
read onto the current activity fields (domain.md §1.5, "Modelling decisions" 2).

A legacy file is recognised by its first cell: a tab-delimited file has no header row and
each record starts with "Template C" or "Template D"; the Excel (or CSV) version has a
header row whose first heading is "Template (DO NOT ALTER OR DELETE THIS COLUMN)".
Columns are identified by position. Template D has 47 columns, Template C 58 (it also
has activity-level support, income and expense columns); both end with a block of 8
columns repeated for each commercial supporter.

Each legacy row is turned into the current columns: the old activity type code becomes
an activity format and a delivery method, the single Activity Date becomes both the start
and the end date, the "changes evaluated" flags become measured outcomes and the
supporter blocks become "Source: amount" / "Source: In-kind" items. A field that no longer
exists is reported once per file, as a warning, where it is first filled in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum

from app.importers.base import WARNING, Problem, SourceRow
from app.importers.columns import HeaderLayout, Layout, map_header, normalise_heading
from app.schema import vocabularies as v
from app.schema.fields import FIELDS_BY_NAME, file_columns
from app.schema.values import FALSE_WORDS, IN_KIND, TRUE_WORDS, parse_date

TEMPLATE_HEADING = "Template (DO NOT ALTER OR DELETE THIS COLUMN)"
TEMPLATE_C = "Template C"
TEMPLATE_D = "Template D"
TEMPLATES = (TEMPLATE_C, TEMPLATE_D)
SUPPORTER_BLOCK_SIZE = 8
_TEMPLATE_CELL = re.compile(r"template\s+[a-z]", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\d+\.\s*")


def _label(name: str) -> str:
    """The current heading of a field, from the schema (so a renamed label follows)."""
    return FIELDS_BY_NAME[name].label


ACCME_ID = _label("accme_activity_id")
PROVIDER_ID = _label("provider_activity_id")
START_DATE = _label("start_date")
END_DATE = _label("end_date")
FORMAT = _label("format")
DELIVERY = _label("delivery_methods")
OUTCOMES = _label("outcomes")
JOINT_PROVIDERS = _label("joint_providers")
SUPPORTS = _label("commercial_supports")


class Role(Enum):
    """What becomes of a legacy column."""

    TEMPLATE = "template"
    COPY = "copy"
    YEAR = "year"
    DATE = "date"
    TYPE = "type"
    OUTCOME = "outcome"
    JOINT = "joint"
    DROPPED = "dropped"


@dataclass(frozen=True)
class LegacyColumn:
    """One column of the old template: its heading, its role and, for a copied column or
    an outcome flag, the current heading or outcome it becomes."""

    heading: str
    role: Role
    target: str = ""
    only_c: bool = False
    #: For an old field spread over several columns (the competencies...): its name.
    group: str = ""


DESIGNED_TO_CHANGE = "'Designed to change' questions"


def _copy(heading: str, name: str) -> LegacyColumn:
    return LegacyColumn(heading, Role.COPY, _label(name))


def _dropped(*headings: str, only_c: bool = False, group: str = "") -> list[LegacyColumn]:
    return [LegacyColumn(heading, Role.DROPPED, only_c=only_c, group=group) for heading in headings]


LEGACY_COLUMNS: tuple[LegacyColumn, ...] = (
    LegacyColumn(TEMPLATE_HEADING, Role.TEMPLATE),
    _copy("ACCME Activity ID", "accme_activity_id"),
    _copy("Provider Activity ID", "provider_activity_id"),
    LegacyColumn("Reporting Year", Role.YEAR),
    _copy("Activity Title", "title"),
    LegacyColumn("Activity Date", Role.DATE),
    _copy("City", "city"),
    _copy("State", "state"),
    _copy("Country", "country"),
    _copy("Providership", "providership"),
    LegacyColumn("Activity Type", Role.TYPE),
    *_dropped("Hours of Instruction"),
    _copy("# of Physicians", "physician_learners"),
    _copy("# of Other Learners", "other_learners"),
    _copy("Commercial Support Received?", "commercial_support"),
    *_dropped(
        "# of Commercial Supporters",
        "Total Monetary Amount Received (Activity)",
        only_c=True,
    ),
    *_dropped(
        "In Kind Support Received - Durable equipment? (Activity)",
        "In Kind Support Received - Facilities / Space? (Activity)",
        "In Kind Support Received - Disposable supplies (Non-biological)? (Activity)",
        "In Kind Support Received - Animal parts or tissue? (Activity)",
        "In Kind Support Received - Human parts or tissue? (Activity)",
        "In Kind Support Received - Other? (Activity)",
        only_c=True,
        group="activity-level 'In Kind Support Received' questions",
    ),
    *_dropped("Designed to change Competence?", group=DESIGNED_TO_CHANGE),
    LegacyColumn("Changes in Competence evaluated?", Role.OUTCOME, "Learner Competence"),
    *_dropped("Designed to change Performance?", group=DESIGNED_TO_CHANGE),
    LegacyColumn("Changes in Performance evaluated?", Role.OUTCOME, "Learner Performance"),
    *_dropped("Designed to change Patient Outcomes?", group=DESIGNED_TO_CHANGE),
    LegacyColumn("Changes in Patient Outcomes evaluated?", Role.OUTCOME, "Patient Health"),
    *_dropped(
        "Sub-category: Case based discussion",
        "Sub-category: Lecture",
        "Sub-category: Panel",
        "Sub-category: Simulation",
        "Sub-category: Skill-based training",
        "Sub-category: Small group discussion",
        "Sub-category: Other",
        group="activity sub-categories",
    ),
    LegacyColumn("Joint Provider(s)", Role.JOINT),
    _copy("Number of AMA PRA Category 1 Credits™ Designated", "credits"),
    _copy("Description of Content", "description"),
    *_dropped(
        "Advertising & Exhibit Income (Activity)",
        "Other Income (Activity)",
        "Expenses (Activity)",
        only_c=True,
    ),
    *_dropped(
        "ABMS/ACGME - Patient Care and Procedural Skills",
        "ABMS/ACGME - Medical Knowledge",
        "ABMS/ACGME - Practice-based Learning and Improvement",
        "ABMS/ACGME - Interpersonal and Communication Skills",
        "ABMS/ACGME - Professionalism",
        "ABMS/ACGME - Systems-based Practice",
        "Institute of Medicine - Provide patient-centered care",
        "Institute of Medicine - Work in interdisciplinary teams",
        "Institute of Medicine - Employ evidence-based practice",
        "Institute of Medicine - Apply quality improvement",
        "Institute of Medicine - Utilize informatics",
        "Interprofessional Education Collaborative - Values/Ethics for Interprofessional Practice",
        "Interprofessional Education Collaborative - Roles/Responsibilities",
        "Interprofessional Education Collaborative - Interprofessional Communication",
        "Interprofessional Education Collaborative - Teams and Teamwork",
        "Other Competencies - Competencies other than those listed were addressed",
        group="competencies (ABMS/ACGME, Institute of Medicine, Interprofessional Education "
        "Collaborative and other competencies)",
    ),
)

#: The columns of each template, in file order, before the supporter blocks.
LAYOUTS: dict[str, tuple[LegacyColumn, ...]] = {
    TEMPLATE_C: LEGACY_COLUMNS,
    TEMPLATE_D: tuple(column for column in LEGACY_COLUMNS if not column.only_c),
}

SOURCE_HEADING = "Commercial Support Source"
AMOUNT_HEADING = "Monetary Amount Received (for Support Source)"
#: The in-kind flags of a supporter block: the kind of in-kind support is no longer kept.
IN_KIND_HEADINGS = (
    "In Kind - Durable equipment?",
    "In Kind - Facilities / Space?",
    "In Kind - Disposable supplies (Non-biological)?",
    "In Kind - Animal parts or tissue?",
    "In Kind - Human parts or tissue?",
    "In Kind - Other?",
)
SUPPORTER_HEADINGS = (SOURCE_HEADING, AMOUNT_HEADING, *IN_KIND_HEADINGS)

#: Old activity type code -> (current format, delivery method or '').
TYPE_CODES: dict[str, tuple[str, str]] = {
    "C": ("Live Course", "In-Person"),
    "IL": ("Live Course", "Live-Streamed"),
    "RSS": ("Regularly Scheduled Series", "In-Person"),
    "EM": ("Enduring Material", "Print/Other"),
    "IEM": ("Enduring Material", "Online"),
    "JN": ("Journal CME/CE", ""),
    "MR": ("Manuscript Review", ""),
    "TIW": ("Test-Item Writing", ""),
    "CML": ("Committee Learning", ""),
    "PI": ("Performance/Quality Improvement", ""),
    "ISL": ("Internet Searching and Learning", ""),
    "LFT": ("Learning from Teaching", ""),
}

#: Company-name endings that a comma separates from the name ("Acme, Inc.").
_NAME_SUFFIXES = frozenset(
    {"inc", "inc.", "llc", "l.l.c.", "ltd", "ltd.", "llp", "corp", "corp.", "co.", "pc", "p.c."}
)


def _provided_columns() -> list[str]:
    targets = {column.target for column in LEGACY_COLUMNS if column.role is Role.COPY}
    targets |= {START_DATE, END_DATE, FORMAT, DELIVERY, OUTCOMES, JOINT_PROVIDERS, SUPPORTS}
    return [column for column in file_columns() if column in targets]


#: The current columns every legacy row provides (a blank cell clears the stored value).
LEGACY_PROVIDED = _provided_columns()


def template_of(cell: str) -> str | None:
    """'Template C' or 'Template D' when the cell names one of them (any case), else None."""
    wanted = normalise_heading(cell)
    for template in TEMPLATES:
        if template.casefold() == wanted:
            return template
    return None


def is_legacy_record(values: Sequence[str]) -> bool:
    """A record of the headerless legacy layout: its first cell is 'Template <letter>'."""
    return bool(values) and _TEMPLATE_CELL.fullmatch(" ".join(values[0].split())) is not None


def is_legacy_header(headings: Sequence[str]) -> bool:
    """A header row of the legacy Excel template (its headings may be numbered '1. ...')."""
    if not headings:
        return False
    first = _NUMBERED.sub("", headings[0])
    return normalise_heading(first) == normalise_heading(TEMPLATE_HEADING)


def _header_template(headings: Sequence[str]) -> str:
    """Template C when the header has its 16th column, '# of Commercial Supporters'."""
    c_only = LEGACY_COLUMNS[15].heading
    if len(headings) > 15 and normalise_heading(_NUMBERED.sub("", headings[15])) == (
        normalise_heading(c_only)
    ):
        return TEMPLATE_C
    return TEMPLATE_D


def layout_for(values: Sequence[str], row: int) -> tuple[Layout, bool]:
    """The layout of a file from its first non-blank record, and whether that record is a
    header (True) or already an activity (False: the headerless legacy layout).

    Raises FileRejected (from :func:`map_header`) when a current-layout header is wrong.
    """
    if is_legacy_record(values):
        return LegacyLayout(template_of(values[0]) or TEMPLATE_D), False
    if is_legacy_header(values):
        return LegacyLayout(_header_template(values)), True
    return HeaderLayout(map_header(list(values), row)), True


def _file_warnings(template: str) -> list[Problem]:
    return [
        Problem(
            None,
            "",
            template,
            f"This file uses the old PARS layout ({template}). Its columns are read into the "
            "current activity fields; each old field that no longer exists is reported once "
            "and its values are not kept. The current template is recommended.",
            WARNING,
        ),
        Problem(
            None,
            END_DATE,
            "",
            "The old layout has a single Activity Date: it is used as both the Start Date and "
            "the End Date of each activity. Correct the End Date of activities that lasted "
            "longer than one day.",
            WARNING,
        ),
    ]


def _is_yes(value: str) -> bool:
    return value.strip().casefold() in TRUE_WORDS


def _is_no_or_blank(value: str) -> bool:
    return not value.strip() or value.strip().casefold() in FALSE_WORDS


def split_names(raw: str) -> list[str]:
    """The names in an old Joint Provider(s) cell, separated by semicolons or, when there
    is no semicolon, by commas ('Acme, Inc.' stays one name)."""
    separator = ";" if ";" in raw else ","
    names: list[str] = []
    for part in (piece.strip() for piece in raw.split(separator)):
        if not part:
            continue
        if names and separator == "," and part.casefold() in _NAME_SUFFIXES:
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def _money(raw: str) -> str:
    """An amount as written in the old template, without a currency sign."""
    return raw.strip().removeprefix("$").strip()


def _is_zero(amount: str) -> bool:
    try:
        return Decimal(amount.replace(",", "")) == 0
    except InvalidOperation:
        return False


@dataclass
class LegacyLayout:
    """Reads legacy rows onto the current columns; remembers which old fields have
    already been reported, so each is reported once per file."""

    template: str
    #: A spreadsheet row has no length of its own: missing trailing cells are blank.
    pad_short_rows: bool = False
    file_problems: list[Problem] = field(init=False)
    _reported: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.file_problems = _file_warnings(self.template)

    @property
    def columns(self) -> list[str]:
        """The current headings a legacy row provides."""
        return list(LEGACY_PROVIDED)

    def column_name(self, index: int) -> str:
        """The old heading of column ``index`` (0-based), for a problem report."""
        layout = LAYOUTS[self.template]
        if index < len(layout):
            return layout[index].heading
        return SUPPORTER_HEADINGS[(index - len(layout)) % SUPPORTER_BLOCK_SIZE]

    def restart(self) -> None:
        """A new pass over the file reports the old fields again."""
        self._reported.clear()

    def to_row(self, number: int, values: Sequence[str]) -> SourceRow:
        """The row as current columns, with its problems; a row whose first cell is not a
        known template, or whose length does not fit the template, is an error and only
        its activity identifiers are kept."""
        template = template_of(values[0]) if values else None
        if template is None:
            return _bad_template(number, values)
        layout = LAYOUTS[template]
        if self.pad_short_rows:
            values = [*values, *[""] * (len(layout) - len(values))]
        length_problem = _length_problem(number, template, values)
        if length_problem is not None:
            return SourceRow(number, _identifiers(values), [length_problem])
        row = SourceRow(number, dict.fromkeys(LEGACY_PROVIDED, ""))
        padded = list(values) + [""] * max(0, len(layout) - len(values))
        for column, value in zip(layout, padded, strict=False):
            self._read(row, column, value, padded, layout)
        self._read_supporters(row, padded[len(layout) :])
        return row

    def _warn_once(
        self, row: SourceRow, heading: str, value: str, message: str, key: str = ""
    ) -> None:
        """A warning at the first row where an old field is filled in, once per file."""
        if (key or heading) in self._reported:
            return
        self._reported.add(key or heading)
        row.problems.append(Problem(row.number, heading, value[:100], message, WARNING))

    def _read(
        self,
        row: SourceRow,
        column: LegacyColumn,
        value: str,
        values: Sequence[str],
        layout: Sequence[LegacyColumn],
    ) -> None:
        """One old column's value into the row."""
        if column.role is Role.COPY:
            row.cells[column.target] = value
        elif column.role is Role.DATE:
            row.cells[START_DATE] = value
            row.cells[END_DATE] = value
        elif column.role is Role.TYPE:
            _read_type(row, value)
        elif column.role is Role.OUTCOME:
            _read_outcome(row, column, value)
        elif column.role is Role.JOINT:
            row.cells[JOINT_PROVIDERS] = "; ".join(split_names(value))
        elif column.role is Role.YEAR:
            self._read_year(row, value, values[_date_index(layout)])
        elif column.role is Role.DROPPED and value.strip():
            self._warn_once(row, column.heading, value, _dropped_message(column), column.group)

    def _read_year(self, row: SourceRow, year: str, activity_date: str) -> None:
        """The reporting year now comes from the start date: warn when the old value says
        otherwise (once per file)."""
        if not year.strip():
            return
        date = parse_date(activity_date)
        if date is None or year.strip() == str(date.year):
            return
        self._warn_once(
            row,
            "Reporting Year",
            year,
            f"Reporting Year no longer exists in PARS: the year of an activity comes from its "
            f"Start Date ({date.year} here), so the Reporting Year {year.strip()} is not kept.",
        )

    def _read_supporters(self, row: SourceRow, cells: Sequence[str]) -> None:
        """The repeated supporter blocks as 'Source: amount' / 'Source: In-kind' items."""
        items: list[str] = []
        for start in range(0, len(cells), SUPPORTER_BLOCK_SIZE):
            block = list(cells[start : start + SUPPORTER_BLOCK_SIZE])
            block += [""] * (SUPPORTER_BLOCK_SIZE - len(block))
            items += self._supporter_items(row, start // SUPPORTER_BLOCK_SIZE + 1, block)
        row.cells[SUPPORTS] = "; ".join(items)

    def _supporter_items(self, row: SourceRow, ordinal: int, block: list[str]) -> list[str]:
        source, amount, flags = block[0].replace(";", ","), _money(block[1]), block[2:]
        if not any(cell.strip() for cell in block):
            return []
        in_kind = False
        for heading, flag in zip(IN_KIND_HEADINGS, flags, strict=True):
            if not _is_no_or_blank(flag):
                in_kind = True
                self._warn_once(
                    row,
                    heading,
                    flag,
                    f"The kind of in-kind support ('{heading}') is no longer recorded in "
                    "PARS; the support is kept as 'In-kind' without its kind.",
                    "in-kind kinds",
                )
        monetary = bool(amount) and not _is_zero(amount)
        if not source.strip():
            _supporter_error(row, ordinal, "", "has no Commercial Support Source (its name)")
        elif not monetary and not in_kind:
            _supporter_error(
                row, ordinal, source, "has neither a monetary amount nor in-kind support"
            )
        items = [f"{source}: {amount}"] if monetary else []
        return items + ([f"{source}: {IN_KIND}"] if in_kind else [])


def _dropped_message(column: LegacyColumn) -> str:
    if column.group:
        return (
            f"The {column.group} no longer exist in PARS; their values (first found in "
            f"'{column.heading}') are not kept."
        )
    return f"'{column.heading}' no longer exists in PARS; its values are not kept."


def _date_index(layout: Sequence[LegacyColumn]) -> int:
    return next(i for i, column in enumerate(layout) if column.role is Role.DATE)


def _identifiers(values: Sequence[str]) -> dict[str, str]:
    """The activity identifiers of a row that cannot be read, so the report can name it."""
    cells = {}
    if len(values) > 1:
        cells[ACCME_ID] = values[1]
    if len(values) > 2:
        cells[PROVIDER_ID] = values[2]
    return cells


def _bad_template(number: int, values: Sequence[str]) -> SourceRow:
    found = values[0] if values else ""
    problem = Problem(
        number,
        TEMPLATE_HEADING,
        found[:100],
        f"The first cell of an old-layout row must be '{TEMPLATE_C}' or '{TEMPLATE_D}'; "
        "other templates cannot be read. Use the current PARS template instead.",
    )
    return SourceRow(number, _identifiers(values), [problem])


def _length_problem(number: int, template: str, values: Sequence[str]) -> Problem | None:
    """An error when the row has fewer cells than its template, or filled cells beyond
    the last complete supporter block."""
    base = len(LAYOUTS[template])
    complete = base + (max(0, len(values) - base) // SUPPORTER_BLOCK_SIZE) * SUPPORTER_BLOCK_SIZE
    extra_filled = any(value.strip() for value in values[complete:])
    if len(values) >= base and not extra_filled:
        return None
    return Problem(
        number,
        "",
        "",
        f"This row has {len(values)} cells; a {template} row has {base} cells plus "
        f"{SUPPORTER_BLOCK_SIZE} for each commercial supporter. A cell was probably added "
        "or removed: compare the row with the template.",
    )


def _read_type(row: SourceRow, value: str) -> None:
    """An old activity type code becomes a format and a delivery method; a current format
    name is also accepted. An unknown code is an error on the row."""
    code = value.strip()
    if not code:
        return
    if code.upper() in TYPE_CODES:
        row.cells[FORMAT], row.cells[DELIVERY] = TYPE_CODES[code.upper()]
        return
    current = v.ACTIVITY_FORMATS.canonical(code)
    if current is not None:
        row.cells[FORMAT] = current
        return
    del row.cells[FORMAT], row.cells[DELIVERY]
    row.problems.append(
        Problem(
            row.number,
            FORMAT,
            code[:100],
            f"'{code[:40]}' is not an activity type code of the old template; use one of "
            f"{', '.join(TYPE_CODES)}.",
        )
    )


def _read_outcome(row: SourceRow, column: LegacyColumn, value: str) -> None:
    """'Changes in ... evaluated?' = Yes becomes a measured outcome."""
    if _is_yes(value):
        items = [item for item in row.cells[OUTCOMES].split("; ") if item]
        row.cells[OUTCOMES] = "; ".join([*items, column.target])
    elif not _is_no_or_blank(value):
        row.problems.append(
            Problem(
                row.number,
                OUTCOMES,
                value[:100],
                f"'{column.heading}' must be Yes or No, not '{value.strip()[:40]}'.",
            )
        )


def _supporter_error(row: SourceRow, ordinal: int, source: str, what: str) -> None:
    name = f" '{source.strip()}'" if source.strip() else ""
    row.problems.append(
        Problem(
            row.number,
            SUPPORTS,
            source.strip()[:100],
            f"Commercial supporter {ordinal}{name} {what}.",
        )
    )
