"""The ACCME accreditation criteria catalogue (domain.md §6.4, §6.5): the core
accreditation criteria, the Standards for Integrity and Independence in Accredited
Continuing Education, and the 16 criteria of the menu for Accreditation with Commendation.

Declared once here; ``flask pars seed-criteria`` adds the ones a database lacks (staff
then maintain the catalogue on the Criteria screen, and the seed never overwrites them).
The commendation criteria's names are the activity-level commendation tags.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.schema import vocabularies as v

CORE = "Core Accreditation Criterion"
STANDARD = "Standard for Integrity and Independence"
COMMENDATION = "Commendation Criterion"
CRITERION_KINDS = v.vocabulary("Criterion kind", CORE, STANDARD, COMMENDATION)


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of the catalogue: its code, name, kind and group."""

    code: str
    name: str
    kind: str
    group: str


_MISSION = "CME Mission and Program Improvement"
_PLANNING = "Educational Planning and Evaluation"
_CORE = (
    CriterionSpec("C1", "Mission", CORE, _MISSION),
    CriterionSpec("C2", "Educational Needs", CORE, _PLANNING),
    CriterionSpec("C3", "Designed to Change", CORE, _PLANNING),
    CriterionSpec("C5", "Appropriate Formats", CORE, _PLANNING),
    CriterionSpec("C6", "Competencies", CORE, _PLANNING),
    CriterionSpec("C11", "Analyzes Change", CORE, _PLANNING),
    CriterionSpec("C12", "Program Analysis", CORE, _MISSION),
    CriterionSpec("C13", "Program Improvements", CORE, _MISSION),
)
_SII = "Standards for Integrity and Independence"
_STANDARDS = (
    CriterionSpec("SII-E", "Eligibility", STANDARD, _SII),
    CriterionSpec("SII-1", "Ensure Content is Valid", STANDARD, _SII),
    CriterionSpec("SII-2", "Prevent Commercial Bias and Marketing", STANDARD, _SII),
    CriterionSpec(
        "SII-3",
        "Identify, Mitigate, and Disclose Relevant Financial Relationships",
        STANDARD,
        _SII,
    ),
    CriterionSpec("SII-4", "Manage Commercial Support Appropriately", STANDARD, _SII),
    CriterionSpec(
        "SII-5",
        "Manage Ancillary Activities Offered in Conjunction with Accredited Continuing Education",
        STANDARD,
        _SII,
    ),
)
#: The menu's five groups, by how many of the 16 commendation criteria (C23-C38) each has.
_COMMENDATION_GROUPS = (
    ("Promotes Team-Based Education", 3),
    ("Addresses Public Health Priorities", 3),
    ("Enhances Skills", 4),
    ("Demonstrates Educational Leadership", 3),
    ("Achieves Outcomes", 3),
)


def _commendation() -> tuple[CriterionSpec, ...]:
    groups = [group for group, size in _COMMENDATION_GROUPS for _ in range(size)]
    names = v.COMMENDATION_TAGS.values
    assert len(groups) == len(names) == 16
    return tuple(
        CriterionSpec(f"C{23 + index}", name, COMMENDATION, group)
        for index, (name, group) in enumerate(zip(names, groups, strict=True))
    )


CRITERIA: tuple[CriterionSpec, ...] = (*_CORE, *_STANDARDS, *_commendation())
