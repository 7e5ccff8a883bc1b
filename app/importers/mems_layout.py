"""The PARS XML activity layout (MEMS-based, domain.md §1.6), declared once.

This module is the published description of our XML layout. The reader
(:mod:`app.importers.xml_mems`) and the writer (:mod:`app.exporters.xml_mems`) both work
from the tables below, so an element and its column are named in one place only.

Layout
------
The root element is ``ACCMEActivities``; it holds one ``MedicalEducationMetrics`` element
per activity. Paths are relative to ``MedicalEducationMetrics``; ``HE`` stands for
``healthcareMetadata/healthcareEducation`` and ``XI`` for ``XtensibleInfo``. Elements are
matched by local name (a namespace, if any, is ignored); attributes are ignored; leading
and trailing white space of a value is dropped. "(rep.)" marks a repeatable element.

Activity:

- ``Lom/general/identifier`` (rep.) {``catalog``, ``entry``}: catalog "Provider Activity
  ID" -> Provider Activity ID, "ACCME Activity ID" -> ACCME Activity ID, "URL" -> Activity
  URL
- ``Lom/general/title`` -> Activity Title; ``Lom/general/description`` -> Activity
  Description
- ``HE/startDateTime``, ``HE/endDateTime`` -> Start Date, End Date (``2026-03-12T00:00:00``
  is read as 2026-03-12: the time is ignored)
- ``HE/activityLocation/city``, ``.../stateOrProvince``, ``.../country`` -> City, State,
  Country
- ``HE/activitySponsorship`` (``direct``/``joint``) -> Providership
- ``HE/activityFormat`` -> Activity Format
- ``HE/credits`` (rep.) {``activityCertification``, ``numberOfCredits``}: "AMA PRA Category
  1" -> AMA PRA Category 1 Credits; a JA credit type (IPCE, Nursing, Pharmacy, ...) ->
  "<type> Credits"
- ``HE/nonAccreditedProvider`` (rep.) -> Joint Providers (placed directly in
  ``healthcareEducation``, not inside ``credits``)
- ``HE/commercialSupport`` -> Commercial Support Received
- ``HE/targetAudience/profession`` (rep.) -> Target Professions

Commercial support (together -> Commercial Support Sources, monetary items first):

- ``ActivityDescription/commercialSupportAmount`` (rep.) {``supportSource``, ``value``,
  ``currency``} -> "Source: value" (a currency, when given, must be USD)
- ``XI/InKindSupports/InKindSupport`` (rep.) {``source``} -> "Source: In-kind"

Learners:

- ``participationMetrics/participantsByCategory`` (rep.) {``category``,
  ``numberOfParticipants``}: physician -> Physician Learners, non-physician -> Other
  Learners; a JA category (nurse, pharmacist, pharmacy technician, physician assistant,
  psychologist, optometrist, social worker, dentist, allied dental staff, registered
  dietitians, dietetic technicians registered, athletic trainers, other; the profession
  names themselves are accepted too) -> "<Profession> Learners"

ACCME extensions in ``XtensibleInfo``:

- ``XI/ProviderID`` -> ACCME Provider ID; ``XI/isInterprofessional`` -> Interprofessional
- ``XI/DeliveryMethods/DeliveryMethod`` (rep.) -> Delivery Methods
- ``XI/MeasuredOutcomes/MeasuredOutcome`` (rep.; ``MeasuredOutcomes`` may repeat too) ->
  Outcomes Measured
- ``XI/CommendationTags/CommendationTag`` (rep.) -> Commendation Tags
- ``XI/MOCRegistrations/MOCAttestation`` -> MOC Attestation (once for the activity)
- ``XI/MOCRegistrations/MOCRegistration`` (rep., one per board) {``boardName``,
  ``mocPoints``, ``MOCCreditType`` (rep.), ``PracticeArea`` (rep.), ``CreditClaimDate``,
  ``ContentArea``, ``InternalID``} -> "<board> MOC Points", "<board> MOC Credit Types",
  "<board> Practice Areas", "<board> Credit Claim Date", "<board> Content Area",
  "<board> Internal ID"
- ``XI/ForPublicList`` -> CME Finder; ``XI/FeeForParticipation`` -> Fee;
  ``XI/ActivityRegistration`` -> Registration; ``XI/IsMeritBasedIncentivePaymentSystem``
  -> MIPS
- ``XI/REMS/REMSType``, ``XI/REMS/REMSRelatedIdentifier`` -> REMS Type, REMS RPC ID
- ``XI/PharmacyActivityType``, ``XI/PharmacyActivityTopic``, ``XI/UANPharmacy``,
  ``XI/UANPharmacyTech`` -> Pharmacy Activity Type, Pharmacy Topic, Pharmacy UAN,
  Pharmacy Technician UAN
- ``XI/activityRecordAction``: ``Add`` or ``Update`` (what an upload does anyway);
  ``Delete`` is refused on that record
- ``XI/closeActivityRecord``: true -> Status "Closed"

Values
------
Booleans are ``true``/``false`` (``1``/``0`` and ``Yes``/``No`` are accepted too) and
become "Yes"/"No". A repeated element gives one list item per element; the items are
joined with "; ". An element that is present but empty blanks its column; an element
that is absent leaves the stored value alone. For a list, one empty item (or an empty
``DeliveryMethods``, ``MeasuredOutcomes``, ``CommendationTags`` or ``InKindSupports``
container) blanks it. Monetary support comes before in-kind support in the list.

``ReportDescription`` is accepted and ignored (the reporting year follows from the
dates). MEMS elements PARS does not keep (keywords, specialties of the target audience,
measurement types, content outlines, state content tags and the pharmacy elements
without a PARS column) are ignored with a warning; any other element is ignored with a
"not a PARS element" warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.schema import vocabularies as v
from app.schema.fields import (
    FIELDS_BY_NAME,
    MOC_FIELDS,
    PROVIDER_COLUMN,
    MocField,
    ja_credit_column,
    moc_column,
    profession_column,
)
from app.schema.values import FALSE_WORDS, LIST_SEPARATOR, TRUE_WORDS, parse_date
from app.schema.values import IN_KIND as IN_KIND_WORD

ROOT = "ACCMEActivities"
RECORD = "MedicalEducationMetrics"
#: Separator of list items in a cell.
ITEM_SEPARATOR = f"{LIST_SEPARATOR} "

HE = "healthcareMetadata/healthcareEducation"
XI = "XtensibleInfo"


def label(name: str) -> str:
    """The column heading of an activity field."""
    return FIELDS_BY_NAME[name].label


class Conv(StrEnum):
    """How an element's text and a cell's text correspond."""

    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # YYYY-MM-DDT00:00:00, the time ignored on reading
    BOOLEAN = "boolean"  # true/false <-> Yes/No
    SPONSORSHIP = "sponsorship"  # direct/joint <-> Direct/Joint


@dataclass(frozen=True)
class Leaf:
    """An element whose text is one column's cell (or one item of a list cell).

    ``container``: the parent element holds only these items, so an empty parent blanks
    the list.
    """

    path: str
    column: str
    conv: Conv = Conv.TEXT
    repeated: bool = False
    container: bool = False

    @property
    def parent(self) -> str:
        return self.path.rpartition("/")[0]


@dataclass(frozen=True)
class KeyedBlock:
    """A repeated element with a key child (which column) and a value child (its cell).

    ``keys`` pairs a key as written with its column; keys match ignoring case, and the
    writer writes the first key given for a column.
    """

    path: str
    key: str
    value: str
    keys: tuple[tuple[str, str], ...]
    what: str

    def column_for(self, key: str) -> str | None:
        wanted = key.strip().casefold()
        return next((column for k, column in self.keys if k.casefold() == wanted), None)

    def key_for(self, column: str) -> str | None:
        return next((k for k, c in self.keys if c == column), None)

    def columns(self) -> list[str]:
        return list(dict.fromkeys(column for _, column in self.keys))


@dataclass(frozen=True)
class MocChild:
    """One element of a ``MOCRegistration`` and the per-board attribute it carries."""

    name: str
    moc_field: MocField
    conv: Conv = Conv.TEXT
    repeated: bool = False


LEAVES: tuple[Leaf, ...] = (
    Leaf("Lom/general/title", label("title")),
    Leaf("Lom/general/description", label("description")),
    Leaf(f"{HE}/startDateTime", label("start_date"), Conv.DATETIME),
    Leaf(f"{HE}/endDateTime", label("end_date"), Conv.DATETIME),
    Leaf(f"{HE}/activityLocation/city", label("city")),
    Leaf(f"{HE}/activityLocation/stateOrProvince", label("state")),
    Leaf(f"{HE}/activityLocation/country", label("country")),
    Leaf(f"{HE}/activitySponsorship", label("providership"), Conv.SPONSORSHIP),
    Leaf(f"{HE}/activityFormat", label("format")),
    Leaf(f"{HE}/nonAccreditedProvider", label("joint_providers"), repeated=True),
    Leaf(f"{HE}/commercialSupport", label("commercial_support"), Conv.BOOLEAN),
    Leaf(f"{HE}/targetAudience/profession", label("target_professions"), repeated=True),
    Leaf(f"{XI}/ProviderID", PROVIDER_COLUMN),
    Leaf(f"{XI}/isInterprofessional", label("is_interprofessional"), Conv.BOOLEAN),
    Leaf(
        f"{XI}/DeliveryMethods/DeliveryMethod",
        label("delivery_methods"),
        repeated=True,
        container=True,
    ),
    Leaf(
        f"{XI}/MeasuredOutcomes/MeasuredOutcome", label("outcomes"), repeated=True, container=True
    ),
    Leaf(
        f"{XI}/CommendationTags/CommendationTag",
        label("commendation_tags"),
        repeated=True,
        container=True,
    ),
    Leaf(f"{XI}/MOCRegistrations/MOCAttestation", label("moc_attestation"), Conv.BOOLEAN),
    Leaf(f"{XI}/ForPublicList", label("cme_finder"), Conv.BOOLEAN),
    Leaf(f"{XI}/FeeForParticipation", label("fee")),
    Leaf(f"{XI}/ActivityRegistration", label("registration")),
    Leaf(f"{XI}/IsMeritBasedIncentivePaymentSystem", label("mips"), Conv.BOOLEAN),
    Leaf(f"{XI}/REMS/REMSType", label("rems_type")),
    Leaf(f"{XI}/REMS/REMSRelatedIdentifier", label("rems_id")),
    Leaf(f"{XI}/PharmacyActivityType", label("pharmacy_activity_type")),
    Leaf(f"{XI}/PharmacyActivityTopic", label("pharmacy_topic")),
    Leaf(f"{XI}/UANPharmacy", label("pharmacy_uan")),
    Leaf(f"{XI}/UANPharmacyTech", label("pharmacy_tech_uan")),
)

IDENTIFIERS = KeyedBlock(
    "Lom/general/identifier",
    "catalog",
    "entry",
    (
        ("Provider Activity ID", label("provider_activity_id")),
        ("ACCME Activity ID", label("accme_activity_id")),
        ("URL", label("activity_url")),
    ),
    "identifier catalog",
)

AMA_CERTIFICATION = "AMA PRA Category 1"
CREDITS = KeyedBlock(
    f"{HE}/credits",
    "activityCertification",
    "numberOfCredits",
    (
        (AMA_CERTIFICATION, label("credits")),
        *((credit_type, ja_credit_column(credit_type)) for credit_type in v.JA_CREDIT_TYPES.values),
    ),
    "credit certification",
)

#: MEMS participant categories whose name is not simply the profession in lower case.
_CATEGORY_NAMES = {
    "Registered Dietitian": "registered dietitians",
    "Dietetic Technician Registered": "dietetic technicians registered",
    "Athletic Trainer": "athletic trainers",
    "Other Professions": "other",
}
PARTICIPANTS = KeyedBlock(
    "participationMetrics/participantsByCategory",
    "category",
    "numberOfParticipants",
    (
        ("physician", label("physician_learners")),
        ("non-physician", label("other_learners")),
        *(
            (_CATEGORY_NAMES.get(p, p.lower()), profession_column(p))
            for p in v.JA_PROFESSIONS.values
        ),
        # The profession names themselves are accepted too ("Registered Dietitian").
        *((p, profession_column(p)) for p in v.JA_PROFESSIONS.values),
    ),
    "participant category",
)
KEYED_BLOCKS: tuple[KeyedBlock, ...] = (IDENTIFIERS, CREDITS, PARTICIPANTS)

SUPPORT_COLUMN = label("commercial_supports")
MONETARY = "ActivityDescription/commercialSupportAmount"
MONETARY_SOURCE, MONETARY_VALUE, MONETARY_CURRENCY = "supportSource", "value", "currency"
CURRENCY = "USD"
IN_KIND_CONTAINER = f"{XI}/InKindSupports"
IN_KIND = f"{IN_KIND_CONTAINER}/InKindSupport"
IN_KIND_SOURCE = "source"

MOC_REGISTRATION = f"{XI}/MOCRegistrations/MOCRegistration"
MOC_BOARD = "boardName"
_MOC = {moc.name: moc for moc in MOC_FIELDS}
MOC_CHILDREN: tuple[MocChild, ...] = (
    MocChild("mocPoints", _MOC["points"]),
    MocChild("MOCCreditType", _MOC["credit_types"], repeated=True),
    MocChild("PracticeArea", _MOC["practice_areas"], repeated=True),
    MocChild("CreditClaimDate", _MOC["credit_claim_date"], Conv.DATE),
    MocChild("ContentArea", _MOC["content_area"]),
    MocChild("InternalID", _MOC["internal_id"]),
)


def moc_columns(board: str) -> dict[str, MocChild]:
    """The per-board columns of ``board`` and the MOC element of each."""
    return {moc_column(board, child.moc_field): child for child in MOC_CHILDREN}


ACTION = f"{XI}/activityRecordAction"
ACTIONS_ALLOWED = ("Add", "Update")
ACTION_DELETE = "Delete"
CLOSE = f"{XI}/closeActivityRecord"
STATUS_COLUMN = label("status")
CLOSED = v.CLOSED

#: Accepted and ignored without a word.
SILENT = frozenset({"ReportDescription"})
#: MEMS elements PARS does not keep: ignored with a warning.
NOT_KEPT = frozenset(
    {
        "Lom/general/keyword",
        f"{HE}/targetAudience/specialty",
        f"{XI}/MeasuredOutcomes/MeasurementType",
        f"{XI}/ContentOutlines",
        f"{XI}/HasStateContentTags",
        f"{XI}/StateContentTags",
        f"{XI}/PharmacyLiveDate",
        f"{XI}/PharmacySequenceNumber",
        f"{XI}/HasPharmacyRecertifications",
        f"{XI}/PharmacyRecertificationRequirements",
        f"{XI}/HasPharmacyContentTags",
        f"{XI}/PharmacyContentTags",
    }
)

#: Top-level parts of a record, in MEMS order.
TOP_LEVEL = (
    "ReportDescription",
    "ActivityDescription",
    "Lom",
    "healthcareMetadata",
    "participationMetrics",
    XI,
)


def _children(path: str, *names: str) -> list[str]:
    return [f"{path}/{name}" for name in names]


def _element_paths() -> list[str]:
    """Every element path of the layout, in the order the writer writes siblings."""
    paths = _children(IDENTIFIERS.path, IDENTIFIERS.key, IDENTIFIERS.value)
    paths += [leaf.path for leaf in LEAVES[:4]]
    paths += _children(CREDITS.path, CREDITS.key, CREDITS.value)
    paths += [leaf.path for leaf in LEAVES[4:]]
    paths += _children(PARTICIPANTS.path, PARTICIPANTS.key, PARTICIPANTS.value)
    paths += _children(MONETARY, MONETARY_SOURCE, MONETARY_VALUE, MONETARY_CURRENCY)
    paths += _children(IN_KIND, IN_KIND_SOURCE)
    paths += _children(MOC_REGISTRATION, MOC_BOARD, *(child.name for child in MOC_CHILDREN))
    return [*paths, ACTION, CLOSE]


def _with_ancestors(paths: list[str]) -> dict[str, int]:
    """Each path and each of its ancestors, numbered by first appearance."""
    ordered: dict[str, int] = {name: i for i, name in enumerate(TOP_LEVEL)}
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            ordered.setdefault("/".join(parts[:depth]), len(ordered))
    return ordered


#: Every element path PARS reads, with its position among its siblings when written.
ELEMENT_ORDER: dict[str, int] = _with_ancestors(_element_paths())
KNOWN_PATHS = frozenset(ELEMENT_ORDER) - SILENT


# ---- values ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?")


def read_value(conv: Conv, text: str) -> str:
    """The cell for an element's text. Text that does not fit the element's type is kept
    as it is: the validator reports it in the user's own words."""
    text = text.strip()
    if conv in (Conv.DATE, Conv.DATETIME):
        match = _ISO_DATE.fullmatch(text)
        return match.group(1) if match else text
    if conv is Conv.BOOLEAN:
        word = text.casefold()
        if word in TRUE_WORDS:
            return "Yes"
        return "No" if word in FALSE_WORDS else text
    if conv is Conv.SPONSORSHIP:
        return text.capitalize() if text.casefold() in ("direct", "joint") else text
    return text


def write_value(conv: Conv, cell: str) -> str:
    """The element text for a cell (the inverse of :func:`read_value`)."""
    cell = cell.strip()
    if conv in (Conv.DATE, Conv.DATETIME):
        date = parse_date(cell)
        if date is None:
            return cell
        return date.isoformat() + ("T00:00:00" if conv is Conv.DATETIME else "")
    if conv is Conv.BOOLEAN:
        word = cell.casefold()
        if word in TRUE_WORDS:
            return "true"
        return "false" if word in FALSE_WORDS else cell
    if conv is Conv.SPONSORSHIP:
        return cell.lower() if cell.casefold() in ("direct", "joint") else cell
    return cell


def join_items(items: list[str]) -> str:
    """A list cell from its items (blank items dropped)."""
    return ITEM_SEPARATOR.join(item for item in items if item)


def split_items(cell: str) -> list[str]:
    """The items of a list cell."""
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def support_item(source: str, amount: str | None) -> str:
    """One Commercial Support Sources item: 'Source: 5000', or 'Source: In-kind' (None)."""
    return f"{source}: {IN_KIND_WORD if amount is None else amount}"


def split_support(item: str) -> tuple[str, str | None]:
    """(source, amount) of one support item; amount None for in-kind support."""
    source, _, amount = item.rpartition(":")
    if not source.strip():
        return item.strip(), ""
    amount = amount.strip()
    if amount.casefold() == IN_KIND_WORD.casefold():
        return source.strip(), None
    return source.strip(), amount
