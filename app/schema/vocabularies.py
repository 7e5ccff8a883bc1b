"""Controlled vocabularies of PARS and JA-PARS (domain.md §1.2, §1.6-§1.9, §5, §6, §7).

Each vocabulary is declared once here; forms, filters, validation, templates, imports and
exports read it from here. Stored values are the PARS display names themselves, so a
database row, a CSV cell and a dropdown option say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Vocabulary:
    """A named list of allowed values, matched case-insensitively on input."""

    name: str
    values: tuple[str, ...]

    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a select box."""
        return [(value, value) for value in self.values]

    def canonical(self, raw: str) -> str | None:
        """The allowed value that ``raw`` names (ignoring case and outer spaces), or None."""
        return self._by_casefold.get(raw.strip().casefold())

    @cached_property
    def _by_casefold(self) -> dict[str, str]:
        """Each value by its casefolded form, built on first use (the first value wins
        when two differ only in case). Not a dataclass field: equality, hashing and repr
        are those of ``name`` and ``values``; the frozen dataclass has a ``__dict__``,
        where :class:`functools.cached_property` keeps it."""
        lookup: dict[str, str] = {}
        for value in self.values:
            lookup.setdefault(value.casefold(), value)
        return lookup

    def __contains__(self, value: object) -> bool:
        return value in self.values


def vocabulary(name: str, *values: str) -> Vocabulary:
    return Vocabulary(name, tuple(values))


ACTIVITY_FORMATS = vocabulary(
    "Activity format",
    "Live Course",
    "Regularly Scheduled Series",
    "Enduring Material",
    "Journal CME/CE",
    "Manuscript Review",
    "Test-Item Writing",
    "Committee Learning",
    "Performance/Quality Improvement",
    "Internet Searching and Learning",
    "Learning from Teaching",
    "Other/Blended Learning",
)
LIVE_COURSE, RSS, ENDURING = ACTIVITY_FORMATS.values[:3]

DELIVERY_METHODS = vocabulary(
    "Delivery method", "In-Person", "Live-Streamed", "Online", "Print/Other"
)
IN_PERSON = "In-Person"

ACTIVITY_STATUSES = vocabulary("Status", "Draft", "Active", "Ready to Close", "Closed")
DRAFT, ACTIVE, READY_TO_CLOSE, CLOSED = ACTIVITY_STATUSES.values

PROVIDERSHIP = vocabulary("Providership", "Direct", "Joint")
YES_NO = vocabulary("Yes/No", "Yes", "No")
FEE = vocabulary("Fee", "Yes", "No, it's free", "Variable")
REGISTRATION = vocabulary("Registration", "Open to all", "Limited")
OUTCOMES = vocabulary(
    "Outcome measured",
    "Learner Knowledge",
    "Learner Competence",
    "Learner Performance",
    "Patient Health",
    "Community Health",
)
SUPPORT_KINDS = vocabulary("Support kind", "Monetary", "In-kind")
REMS_TYPES = vocabulary("REMS type", "Opioid Analgesic", "Mycophenolate")

MOC_BOARDS = vocabulary(
    "MOC board", "ABA", "ABIM", "ABOHNS", "ABOS", "ABP", "ABPath", "ABS", "ABTS"
)
#: MOC credit types per board (domain.md §1.7; board strings beyond ABIM's are [I]).
MOC_CREDIT_TYPES = vocabulary(
    "MOC credit type",
    "Medical Knowledge",
    "Practice Assessment",
    "Patient Safety",
    "Lifelong Learning",
    "Self-Assessment",
    "Quality Improvement",
    "Accredited CME",
)
MOC_PRACTICE_AREAS = vocabulary(
    "MOC practice area",
    "Anesthesiology",
    "Cardiovascular Disease",
    "Critical Care Medicine",
    "Emergency Medicine",
    "Endocrinology",
    "Family Medicine",
    "Gastroenterology",
    "General Surgery",
    "Geriatric Medicine",
    "Hematology",
    "Infectious Disease",
    "Internal Medicine",
    "Nephrology",
    "Oncology",
    "Orthopaedic Surgery",
    "Otolaryngology",
    "Pain Medicine",
    "Pathology",
    "Pediatrics",
    "Pulmonary Disease",
    "Rheumatology",
    "Thoracic Surgery",
)

JA_CREDIT_TYPES = vocabulary(
    "JA credit type",
    "IPCE",
    "Nursing",
    "Pharmacy",
    "AAPA Category 1",
    "Psychologist",
    "Optometrist",
    "Social Worker",
    "Dentist",
    "Dietetic CPEU",
    "Athletic Training CEU",
)
#: Professions whose learners a jointly accredited provider counts separately (§1.6).
#: Physicians are the activity's physician count; these break down "other learners".
JA_PROFESSIONS = vocabulary(
    "Profession",
    "Nurse",
    "Pharmacist",
    "Pharmacy Technician",
    "Physician Assistant",
    "Psychologist",
    "Optometrist",
    "Social Worker",
    "Dentist",
    "Allied Dental Staff",
    "Registered Dietitian",
    "Dietetic Technician Registered",
    "Athletic Trainer",
    "Other Professions",
)
TARGET_PROFESSIONS = vocabulary("Target profession", "Physician", *JA_PROFESSIONS.values[:-1])
PHARMACY_ACTIVITY_TYPES = vocabulary(
    "Pharmacy activity type", "Knowledge", "Application", "Certificate Program"
)
PHARMACY_TOPICS = vocabulary(
    "Pharmacy topic",
    "01-Disease State Management/Drug Therapy",
    "02-AIDS Therapy",
    "03-Law Related to Pharmacy Practice",
    "04-Pharmacy Administration",
    "05-Patient Safety",
    "06-Immunizations",
    "07-Compounding",
    "08-Pain Management",
    "99-Additional Topic Areas",
)
COMMENDATION_TAGS = vocabulary(
    "Commendation tag",
    "Engages Teams",
    "Engages Patients/Public",
    "Engages Students",
    "Advances Data Use",
    "Addresses Population Health",
    "Collaborates Effectively",
    "Optimizes Communication Skills",
    "Optimizes Technical/Procedural Skills",
    "Creates Individualized Learning Plans",
    "Utilizes Support Strategies",
    "Engages in Research/Scholarship",
    "Supports CPD for CME Team",
    "Demonstrates Creativity/Innovation",
    "Improves Performance",
    "Improves Healthcare Quality",
    "Improves Patient/Community Health",
)

US_STATES = vocabulary(
    "US state",
    *[
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "UM",
        "VI",
    ],
)
#: ISO 3166 alpha-3 codes accepted for activity locations (the countries PARS users report).
COUNTRIES = vocabulary(
    "Country",
    *[
        "USA",
        "CAN",
        "MEX",
        "GBR",
        "IRL",
        "FRA",
        "DEU",
        "ITA",
        "ESP",
        "PRT",
        "NLD",
        "BEL",
        "CHE",
        "AUT",
        "SWE",
        "NOR",
        "DNK",
        "FIN",
        "ISL",
        "POL",
        "CZE",
        "GRC",
        "TUR",
        "ISR",
        "ARE",
        "SAU",
        "QAT",
        "EGY",
        "ZAF",
        "NGA",
        "KEN",
        "IND",
        "PAK",
        "CHN",
        "JPN",
        "KOR",
        "SGP",
        "THA",
        "VNM",
        "PHL",
        "IDN",
        "MYS",
        "AUS",
        "NZL",
        "BRA",
        "ARG",
        "CHL",
        "COL",
        "PER",
        "CRI",
        "PAN",
        "DOM",
        "JAM",
        "PRI",
        "BHS",
    ],
)

# Providers and accreditation (domain.md §4 "Modelling decisions", §6, §7).
PROVIDER_KINDS = vocabulary(
    "Accreditation kind", "ACCME-accredited", "State-accredited", "Jointly accredited"
)
ACCME_KIND, STATE_KIND, JOINT_KIND = PROVIDER_KINDS.values
ACCREDITOR_KINDS = vocabulary("Accreditor kind", "ACCME", "Joint Accreditation", "State")
ORGANIZATION_TYPES = vocabulary(
    "Organization type",
    "School of Medicine",
    "Nonprofit (Physician Membership Organization)",
    "Nonprofit (Other)",
    "Hospital/Healthcare Delivery System",
    "Publishing/Education Company",
    "Government or Military",
    "Insurance Company/Managed Care Company",
    "Other",
)
ACCREDITATION_STATUSES = vocabulary(
    "Accreditation status",
    "Provisional Accreditation",
    "Accreditation",
    "Accreditation with Commendation",
    "Probation",
    "Nonaccreditation",
)
CONTACT_TYPES = vocabulary(
    "Contact type",
    "Primary Contact",
    "Billing Contact",
    "CEO Contact",
    "Staff",
    "ACCME Website Contact",
    "Technical Contact",
    "Medical Director",
    "CME Accreditation Committee Chair",
)
PRIMARY_CONTACT = "Primary Contact"
REVIEW_CYCLES = vocabulary("Review cycle", "Initial", "Reaccreditation", "Progress Report")
REVIEW_INTENT = "Confirmation of Intent"
REVIEW_MATERIALS_DUE = "Materials Due"
REVIEW_SUBMITTED = "Submitted"
REVIEW_UNDER_REVIEW = "Under Review"
REVIEW_COMMITTEE = "Committee"
REVIEW_DECIDED = "Decided"
REVIEW_STAGES = vocabulary(
    "Review stage",
    REVIEW_INTENT,
    REVIEW_MATERIALS_DUE,
    REVIEW_SUBMITTED,
    REVIEW_UNDER_REVIEW,
    REVIEW_COMMITTEE,
    REVIEW_DECIDED,
)
#: A surveyor's finding on one criterion (domain.md §6.2).
FINDINGS = vocabulary("Finding", "Compliance", "Noncompliance", "Not applicable")
NONCOMPLIANCE = "Noncompliance"
#: The files a provider submits for a review.
MATERIAL_SELF_STUDY = "Self-study report"
MATERIAL_ATTACHMENT = "Attachment"
MATERIAL_PROGRESS_REPORT = "Progress report"
MATERIAL_EVIDENCE = "Performance-in-practice evidence"
MATERIAL_KINDS = vocabulary(
    "Material",
    MATERIAL_SELF_STUDY,
    MATERIAL_ATTACHMENT,
    MATERIAL_PROGRESS_REPORT,
    MATERIAL_EVIDENCE,
)
