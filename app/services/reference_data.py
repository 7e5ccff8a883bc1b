"""Reference data of the PARS world, declared once: the accreditors and the name parts that
the demo loader and the synthetic-data generator draw on (domain.md §6.1, §7, §8).

The accreditors are the real ones: ACCME, Joint Accreditation and the 41 state
Recognized Accreditors (state medical societies). Everything else here only makes
generated providers, people and activities look like PARS data: provider, supporter and
joint-provider names are fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Accreditor


def _rows(text: str) -> tuple[tuple[str, ...], ...]:
    """The ``|``-separated cells of each non-blank line of ``text``."""
    lines = (line.strip() for line in text.strip().splitlines())
    return tuple(tuple(cell.strip() for cell in line.split("|")) for line in lines if line)


def _words(text: str) -> tuple[str, ...]:
    """The comma-separated items of ``text``, trimmed."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


@dataclass(frozen=True)
class AccreditorSpec:
    """One accreditor as PARS knows it; ``state`` is set for Recognized Accreditors only."""

    code: str
    name: str
    kind: str
    state: str | None = None


#: The password of every demo and synthetic login (they are for trying PARS out only).
DEMO_PASSWORD = "pars-demo-2026"  # noqa: S105 (published demo credential)
ACCME_CODE = "ACCME"
JA_CODE = "JA"

_STATE_ACCREDITORS = _rows("""
    AL | AL-MASA | Medical Association of the State of Alabama
    AZ | AZ-ARMA | Arizona Medical Association
    AR | AR-AMS | Arkansas Medical Society
    CA | CA-CMA | California Medical Association
    CO | CO-CMS | Colorado Medical Society
    CT | CT-CSMS | Connecticut State Medical Society
    DE | DE-MSD | Medical Society of Delaware
    FL | FL-FMA | Florida Medical Association
    GA | GA-MAG | Medical Association of Georgia
    HI | HI-HMA | Hawaii Medical Association
    IL | IL-ISMS | Illinois State Medical Society
    IN | IN-ISMA | Indiana State Medical Association
    IA | IA-IMS | Iowa Medical Society
    KS | KS-KMS | Kansas Medical Society
    KY | KY-KMA | Kentucky Medical Association
    LA | LA-LSMS | Louisiana State Medical Society
    ME | ME-MMA | Maine Medical Association
    MD | MD-MEDCHI | MedChi, The Maryland State Medical Society
    MA | MA-MMS | Massachusetts Medical Society
    MI | MI-MSMS | Michigan State Medical Society
    MN | MN-MMA | Minnesota Medical Association
    MS | MS-MSMA | Mississippi State Medical Association
    MO | MO-MSMA | Missouri State Medical Association
    NE | NE-NMA | Nebraska Medical Association
    NV | NV-NSMA | Nevada State Medical Association
    NJ | NJ-MSNJ | Medical Society of New Jersey
    NM | NM-NMMS | New Mexico Medical Society
    NY | NY-MSSNY | Medical Society of the State of New York
    NC | NC-NCMS | North Carolina Medical Society
    OH | OH-OSMA | Ohio State Medical Association
    OK | OK-OSMA | Oklahoma State Medical Association
    OR | OR-OMA | Oregon Medical Association
    PA | PA-PAMED | Pennsylvania Medical Society
    RI | RI-RIMS | Rhode Island Medical Society
    SC | SC-SCMA | South Carolina Medical Association
    TN | TN-TMA | Tennessee Medical Association
    TX | TX-TMA | Texas Medical Association
    UT | UT-UMA | Utah Medical Association
    VA | VA-MSV | Medical Society of Virginia
    WA | WA-WSMA | Washington State Medical Association
    WI | WI-WMS | Wisconsin Medical Society
""")

#: The 43 accreditors: ACCME, Joint Accreditation, then the Recognized Accreditors.
ACCREDITORS: tuple[AccreditorSpec, ...] = (
    AccreditorSpec(
        ACCME_CODE, "Accreditation Council for Continuing Medical Education", "ACCME"
    ),
    AccreditorSpec(JA_CODE, "Joint Accreditation for Interprofessional Continuing Education",
                   "Joint Accreditation"),
    *(AccreditorSpec(code, name, "State", state) for state, code, name in _STATE_ACCREDITORS),
)  # fmt: skip
#: Recognized Accreditor code per state.
STATE_ACCREDITOR_CODES: dict[str, str] = {s.state: s.code for s in ACCREDITORS if s.state}


def ensure_accreditors(session: Session) -> dict[str, Accreditor]:
    """Every accreditor of :data:`ACCREDITORS`, by code; the missing ones are added.

    Safe to call again: an accreditor whose code exists is left as it is. Flushes, does
    not commit (the caller owns the transaction).
    """
    existing = {a.code: a for a in session.scalars(select(Accreditor))}
    for spec in ACCREDITORS:
        if spec.code not in existing:
            accreditor = Accreditor(
                code=spec.code, name=spec.name, kind=spec.kind, state=spec.state
            )
            session.add(accreditor)
            existing[spec.code] = accreditor
    session.flush()
    return {spec.code: existing[spec.code] for spec in ACCREDITORS}


# --- Places -------------------------------------------------------------------------------

_STATES = _rows("""
    AL | Alabama | Birmingham 352, Montgomery 361, Mobile 366
    AZ | Arizona | Phoenix 850, Tucson 857, Scottsdale 852
    AR | Arkansas | Little Rock 722, Fayetteville 727, Jonesboro 724
    CA | California | Los Angeles 900, San Francisco 941, San Diego 921, Sacramento 958
    CO | Colorado | Denver 802, Aurora 800, Colorado Springs 809
    CT | Connecticut | Hartford 061, New Haven 065, Stamford 069
    DE | Delaware | Wilmington 198, Newark 197, Dover 199
    DC | District of Columbia | Washington 200
    FL | Florida | Miami 331, Tampa 336, Orlando 328, Jacksonville 322
    GA | Georgia | Atlanta 303, Savannah 314, Augusta 309
    HI | Hawaii | Honolulu 968, Hilo 967
    IL | Illinois | Chicago 606, Springfield 627, Peoria 616
    IN | Indiana | Indianapolis 462, Fort Wayne 468, Evansville 477
    IA | Iowa | Des Moines 503, Iowa City 522, Cedar Rapids 524
    KS | Kansas | Wichita 672, Kansas City 661, Topeka 666
    KY | Kentucky | Louisville 402, Lexington 405, Bowling Green 421
    LA | Louisiana | New Orleans 701, Baton Rouge 708, Shreveport 711
    ME | Maine | Portland 041, Bangor 044, Lewiston 042
    MD | Maryland | Baltimore 212, Bethesda 208, Annapolis 214
    MA | Massachusetts | Boston 021, Worcester 016, Springfield 011
    MI | Michigan | Detroit 482, Ann Arbor 481, Grand Rapids 495
    MN | Minnesota | Minneapolis 554, Rochester 559, Saint Paul 551
    MS | Mississippi | Jackson 392, Gulfport 395, Tupelo 388
    MO | Missouri | St. Louis 631, Kansas City 641, Columbia 652
    NE | Nebraska | Omaha 681, Lincoln 685
    NV | Nevada | Las Vegas 891, Reno 895
    NJ | New Jersey | Newark 071, Hackensack 076, New Brunswick 089
    NM | New Mexico | Albuquerque 871, Santa Fe 875, Las Cruces 880
    NY | New York | New York 100, Rochester 146, Buffalo 142, Albany 122
    NC | North Carolina | Charlotte 282, Durham 277, Raleigh 276, Chapel Hill 275
    OH | Ohio | Columbus 432, Cleveland 441, Cincinnati 452
    OK | Oklahoma | Oklahoma City 731, Tulsa 741
    OR | Oregon | Portland 972, Eugene 974, Salem 973
    PA | Pennsylvania | Philadelphia 191, Pittsburgh 152, Hershey 170
    RI | Rhode Island | Providence 029, Warwick 028
    SC | South Carolina | Charleston 294, Columbia 292, Greenville 296
    TN | Tennessee | Nashville 372, Memphis 381, Knoxville 379
    TX | Texas | Houston 770, Dallas 752, Austin 787, San Antonio 782
    UT | Utah | Salt Lake City 841, Provo 846, Ogden 844
    VA | Virginia | Richmond 232, Charlottesville 229, Norfolk 235
    WA | Washington | Seattle 981, Spokane 992, Tacoma 984
    WI | Wisconsin | Milwaukee 532, Madison 537, Green Bay 543
""")
#: Full name of each state used for generated addresses.
STATE_NAMES: dict[str, str] = {code: name for code, name, _ in _STATES}
#: (city, ZIP prefix) pairs per state.
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    code: tuple((c.rsplit(" ", 1)[0], c.rsplit(" ", 1)[1]) for c in _words(cities))
    for code, _, cities in _STATES
}
STATE_CODES: tuple[str, ...] = tuple(STATE_NAMES)
#: Places of in-person activities held outside the USA: (city, country).
FOREIGN_CITIES = (("Toronto", "CAN"), ("Vancouver", "CAN"), ("London", "GBR"),
                  ("Cancun", "MEX"), ("Vienna", "AUT"), ("Lisbon", "PRT"))  # fmt: skip
STREETS = _words(
    "Medical Center Drive, University Avenue, Main Street, Health Sciences Boulevard, "
    "Park Avenue, Hospital Drive, Research Parkway, Commerce Street, Lakeshore Drive, "
    "Oak Street, Washington Avenue, Jefferson Street, Campus Drive, Market Street"
)


@dataclass(frozen=True)
class Address:
    """A US street address."""

    line1: str
    line2: str | None
    city: str
    state: str
    postal_code: str


def us_address(rng: random.Random, state: str) -> Address:
    """A plausible street address in one of the state's cities."""
    city, zip_prefix = rng.choice(CITIES[state])
    line2 = rng.choice((None, None, f"Suite {rng.randint(1, 9) * 100}",
                        "Office of Continuing Medical Education"))  # fmt: skip
    line1 = f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"
    return Address(line1, line2, city, state, f"{zip_prefix}{rng.randint(1, 99):02d}")


# --- People -------------------------------------------------------------------------------

FIRST_NAMES = _words(
    "James, Maria, Robert, Linda, Michael, Priya, David, Aisha, William, Elena, Daniel, "
    "Grace, Carlos, Hannah, Thomas, Mei, Joseph, Fatima, Kevin, Laura, Samuel, Olivia, "
    "Andre, Sofia, Brian, Naomi, Raj, Claire, Marcus, Julia, Ethan, Rosa, Nathan, Ingrid"
)
LAST_NAMES = _words(
    "Smith, Johnson, Garcia, Nguyen, Patel, Williams, Brown, Martinez, Chen, Davis, "
    "Rodriguez, Wilson, Anderson, Thomas, Kim, Taylor, Moore, Jackson, Lee, Harris, Clark, "
    "Lewis, Walker, Hall, Young, Allen, Wright, Lopez, Hill, Scott, Green, Adams, Baker, Shah"
)


# --- Provider names ---------------------------------------------------------------------------

SOCIETY_FIELDS = _words(
    "Cardiology, Clinical Oncology, Gastroenterology, Dermatology, Neurology, Anesthesiology, "
    "Pediatrics, Rheumatology, Endocrinology, Nephrology, Hospital Medicine, Sleep Medicine, "
    "Pain Medicine, Critical Care Medicine, Addiction Medicine, Geriatric Medicine, "
    "Emergency Medicine, Radiology, Otolaryngology, Ophthalmology, Psychiatry, Urology, "
    "Family Medicine, Internal Medicine, Pulmonary Medicine, Palliative Medicine"
)
COMPANY_WORDS = _words(
    "Meridian, Pinnacle, Clearview, Summit, Horizon, Keystone, Northstar, Bluewater, Crescent, "
    "Evergreen, Harbor, Lighthouse, Praxis, Vantage, Catalyst, Beacon, Cedar, Sterling"
)
SAINTS = _words("Luke, Mary, Joseph, Vincent, Francis, Elizabeth, Anne, Michael, Jude, Clare")
_NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "School of Medicine": ("{state_name} University School of Medicine",
                           "University of {city} College of Medicine",
                           "{last} School of Medicine at {state_name} University",
                           "{city} Medical College"),
    "Nonprofit (Physician Membership Organization)": (
        "American Society of {field}", "American Academy of {field}",
        "National Association of {field} Physicians", "{state_name} Medical Society"),
    "Nonprofit (Other)": ("{city} Area Health Education Center",
                          "{state_name} Hospital Association",
                          "{word} Foundation for Medical Education"),
    "Hospital/Healthcare Delivery System": (
        "{city} Regional Medical Center", "{city} General Hospital", "{last} Memorial Hospital",
        "St. {saint} Medical Center", "{word} Health System", "{city} Children's Hospital",
        "{city} Community Hospital"),
    "Publishing/Education Company": ("{word} Medical Education, LLC", "{word} Clinical Learning",
                                     "{word} CME Partners", "{word} Health Communications"),
    "Government or Military": ("{city} VA Medical Center", "{state_name} Department of Health"),
    "Insurance Company/Managed Care Company": ("{word} Health Plan", "{word} Managed Care"),
    "Other": ("{word} Institute for Clinical Excellence",),
}  # fmt: skip
#: Membership organizations of state-accredited providers are local societies.
_LOCAL_SOCIETY_PATTERNS = ("{state_name} Society of {field}", "{state_name} Academy of {field}",
                           "{city} County Medical Society")  # fmt: skip


def provider_name(
    rng: random.Random, organization_type: str, state: str, city: str, *, local: bool = False
) -> str:
    """A realistic (fictional) provider name for an organization of this type and place;
    ``local`` (state-accredited) membership organizations are state or county societies."""
    patterns = _NAME_PATTERNS[organization_type]
    if local and organization_type == "Nonprofit (Physician Membership Organization)":
        patterns = _LOCAL_SOCIETY_PATTERNS
    pattern = rng.choice(patterns)
    return pattern.format(
        state_name=STATE_NAMES[state],
        city=city,
        field=rng.choice(SOCIETY_FIELDS),
        last=rng.choice(LAST_NAMES),
        saint=rng.choice(SAINTS),
        word=rng.choice(COMPANY_WORDS),
    )


def unique_name(used: set[str], name: str, city: str) -> str:
    """``name``, qualified by city and then by a number when another provider has it."""
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name} ({city})" if number == 2 else f"{name} ({city} {number})"
    used.add(candidate)
    return candidate


def web_domain(name: str) -> str:
    """A made-up web domain for a provider (example.org keeps it unroutable)."""
    letters = "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha())
    return f"{letters.lower() or 'cme'}.example.org"


PARTNER_PATTERNS = ("{city} Community Health Alliance", "{state_name} Rural Health Association",
                    "{city} Free Clinic Network", "{word} Patient Advocacy Network",
                    "{state_name} Chapter of Hospital Medicine")  # fmt: skip


def partner_names(rng: random.Random, state: str, city: str, count: int = 3) -> list[str]:
    """Non-accredited organizations a provider plans joint activities with."""
    names = (
        rng.choice(PARTNER_PATTERNS).format(
            city=city, state_name=STATE_NAMES[state], word=rng.choice(COMPANY_WORDS)
        )
        for _ in range(count)
    )
    return list(dict.fromkeys(names))


# --- Activities -------------------------------------------------------------------------------

TOPICS = _words(
    "Heart Failure, Atrial Fibrillation, Type 2 Diabetes, Hypertension, Sepsis, "
    "Opioid Use Disorder, Chronic Pain, Breast Cancer, Lung Cancer Screening, Colorectal Cancer, "
    "Asthma, COPD, Chronic Kidney Disease, Stroke, Migraine, Multiple Sclerosis, "
    "Alzheimer's Disease, Depression, Anxiety Disorders, Pediatric Obesity, Adult Immunization, "
    "Antimicrobial Stewardship, HIV Prevention, Hepatitis C, Rheumatoid Arthritis, Psoriasis, "
    "Osteoporosis, Thyroid Disorders, Obstructive Sleep Apnea, Prenatal Care, "
    "Postpartum Hemorrhage, Trauma Care, Point-of-Care Ultrasound, Cardiac Arrest, "
    "Venous Thromboembolism, Anticoagulation, Palliative Care, Advance Care Planning, "
    "Patient Safety, Health Equity, Implicit Bias, Physician Well-Being, Telehealth, "
    "Medical Ethics, Inflammatory Bowel Disease, Cirrhosis, Lipid Management, Obesity Medicine, "
    "Sickle Cell Disease, Lymphoma, Prostate Cancer, Melanoma, Concussion, Low Back Pain, "
    "Falls in Older Adults, Delirium, Suicide Prevention, Safe Opioid Prescribing"
)
SPECIALTIES = _words(
    "Cardiology, Oncology, Internal Medicine, Pediatrics, Family Medicine, Emergency Medicine, "
    "Neurology, Psychiatry, Surgery, Anesthesiology, Radiology, Obstetrics and Gynecology, "
    "Gastroenterology, Pulmonology, Nephrology, Dermatology, Endocrinology, Hospital Medicine"
)
TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "Live Course": ("{year} Update in {topic}", "Annual {specialty} Symposium {year}",
                    "{topic}: Advances in Diagnosis and Management", "{city} {topic} Summit",
                    "Best Practices in {topic}", "{specialty} Board Review Course {year}"),
    "Regularly Scheduled Series": ("{specialty} Grand Rounds {year}", "Tumor Board {year}",
                                   "Morbidity and Mortality Conference {year}",
                                   "{topic} Case Conference Series {year}"),
    "Enduring Material": ("{topic}: An Online Review", "Podcast: {topic} in Practice",
                          "Clinical Challenges in {topic}", "{topic} Self-Assessment Module"),
    "Journal CME/CE": ("Journal CME: {topic}",),
    "Manuscript Review": ("Manuscript Review: {topic}",),
    "Test-Item Writing": ("Item Writing for the {specialty} Board Examination {year}",),
    "Committee Learning": ("{topic} Guideline Committee {year}",),
    "Performance/Quality Improvement": ("Improving {topic} Outcomes: A QI Project",),
    "Internet Searching and Learning": ("Point-of-Care Learning: {topic}",),
    "Learning from Teaching": ("Learning from Teaching: {topic}",),
    "Other/Blended Learning": ("Blended Learning Program: {topic}",),
}  # fmt: skip
OBJECTIVES = (
    "apply updated screening and diagnostic recommendations",
    "select evidence-based therapies for individual patients",
    "recognize early warning signs and escalate care appropriately",
    "communicate risks and benefits with patients and families",
    "reduce unwarranted variation in practice",
    "coordinate care across the health care team",
)
#: Fictional commercial interests (ineligible companies) that support activities.
SUPPORTERS = _words(
    "Northwind Therapeutics, Bluepeak Biosciences, Cardiovance Medical, Helixor Pharmaceuticals, "
    "Veranta Pharma, Solano Biologics, Quillon Diagnostics, Arcturus MedTech, "
    "Lumera Health Sciences, Pallisade Pharmaceuticals, Corvane Devices, Thessaly Biopharma, "
    "Orinoco Medical Systems, Zephyra Oncology, Kestrel Vaccines, Brightwell Neuroscience"
)
#: The supporter of REMS-compliant education (domain.md §1.8).
REMS_SUPPORTER = "REMS Program Companies (RPC)"


def activity_title(rng: random.Random, fmt: str, topic: str, year: int, city: str) -> str:
    """A realistic activity title for the format."""
    pattern = rng.choice(TITLE_PATTERNS[fmt])
    return pattern.format(topic=topic, year=year, city=city, specialty=rng.choice(SPECIALTIES))


def activity_description(rng: random.Random, title: str, fmt: str, topic: str, ja: bool) -> str:
    """A short activity description (PARS requires one from Active on; max 2,500 chars)."""
    audience = "the interprofessional care team" if ja else "physicians and their care teams"
    return (
        f"{title}. This {fmt.lower().replace('cme/ce', 'CME/CE')} activity for {audience} "
        f"reviews current evidence and guideline recommendations on {topic}. Participants "
        "will be able to "
        f"{rng.choice(OBJECTIVES)}."
    )


# --- CME that Counts for MOC (domain.md §1.7) -------------------------------------------------


@dataclass(frozen=True)
class BoardProfile:
    """What registrations with one certifying board usually carry."""

    board: str
    weight: int
    credit_types: tuple[str, ...]
    practice_areas: tuple[str, ...]


MOC_BOARD_PROFILES: tuple[BoardProfile, ...] = (
    BoardProfile("ABIM", 50, ("Medical Knowledge", "Practice Assessment", "Patient Safety"),
                 ("Internal Medicine", "Cardiovascular Disease", "Endocrinology", "Oncology",
                  "Gastroenterology", "Infectious Disease", "Nephrology", "Rheumatology",
                  "Pulmonary Disease", "Geriatric Medicine", "Hematology")),
    BoardProfile("ABA", 10, ("Lifelong Learning", "Patient Safety"),
                 ("Anesthesiology", "Critical Care Medicine", "Pain Medicine")),
    BoardProfile("ABP", 12, ("Lifelong Learning", "Quality Improvement"), ("Pediatrics",)),
    BoardProfile("ABPath", 5, ("Lifelong Learning", "Self-Assessment"),
                 ("Pathology", "Hematology")),
    BoardProfile("ABS", 8, ("Accredited CME", "Self-Assessment"), ("General Surgery",)),
    BoardProfile("ABOHNS", 5, ("Accredited CME", "Self-Assessment"), ("Otolaryngology",)),
    BoardProfile("ABOS", 5, ("Accredited CME", "Self-Assessment"), ("Orthopaedic Surgery",)),
    BoardProfile("ABTS", 5, ("Accredited CME", "Self-Assessment"), ("Thoracic Surgery",)),
)  # fmt: skip

#: The JA credit type that a target profession earns (domain.md §5).
PROFESSION_CREDIT_TYPES: dict[str, str] = {
    "Nurse": "Nursing",
    "Pharmacist": "Pharmacy",
    "Pharmacy Technician": "Pharmacy",
    "Physician Assistant": "AAPA Category 1",
    "Psychologist": "Psychologist",
    "Optometrist": "Optometrist",
    "Social Worker": "Social Worker",
    "Dentist": "Dentist",
    "Allied Dental Staff": "Dentist",
    "Registered Dietitian": "Dietetic CPEU",
    "Dietetic Technician Registered": "Dietetic CPEU",
    "Athletic Trainer": "Athletic Training CEU",
}
