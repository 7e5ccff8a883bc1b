"""The PARS XML reader (MEMS-based layout) and its writer: every element maps to its
column, the writer and the reader are inverses, and hostile or broken files are refused
with FileRejected only (security.md check 20)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.exporters.xml_mems import activity_xml
from app.importers import mems_layout as layout
from app.importers.base import ERROR, WARNING, FileRejected, Limits, SourceRow
from app.importers.open import open_batch
from app.importers.xml_mems import NO_DTD, open_xml
from app.schema import vocabularies as v
from app.schema.fields import FIELDS_BY_NAME, file_columns
from app.schema.values import ValueProblem, parse_value

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "samples" / "activities.xml"
MALFORMED = DATA / "malformed"
FIELDS_BY_LABEL = {spec.label: spec for spec in FIELDS_BY_NAME.values()}


def read(source: bytes | Path, limits: Limits | None = None) -> list[SourceRow]:
    return list(open_xml(source, limits or Limits()).rows())


def wrap(*records: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    body = "".join(f"<MedicalEducationMetrics>{r}</MedicalEducationMetrics>" for r in records)
    return f"{prolog}<ACCMEActivities>{body}</ACCMEActivities>".encode()


def titled(title: str, extra: str = "") -> str:
    return f"<Lom><general><title>{title}</title></general></Lom>{extra}"


def messages(row: SourceRow, severity: str) -> list[str]:
    return [p.message for p in row.problems if p.severity == severity]


FULL_RECORD = """
<ReportDescription><ReportingStartDate>2026</ReportingStartDate></ReportDescription>
<ActivityDescription>
  <commercialSupportAmount>
    <currency>USD</currency><supportSource>Acme Pharma</supportSource><value>5000</value>
  </commercialSupportAmount>
</ActivityDescription>
<Lom><general>
  <identifier><catalog>Provider Activity ID</catalog><entry>XML-001</entry></identifier>
  <identifier><catalog>ACCME Activity ID</catalog><entry>100000123</entry></identifier>
  <identifier><catalog>URL</catalog><entry>https://cme.example.org/a</entry></identifier>
  <title>  Cardiology Update  </title>
  <description>Line one.
Line two.</description>
</general></Lom>
<healthcareMetadata><healthcareEducation>
  <startDateTime>2026-03-12T00:00:00</startDateTime>
  <endDateTime>2026-03-13T08:30:00</endDateTime>
  <credits><activityCertification>AMA PRA Category 1</activityCertification>
    <numberOfCredits>12.5</numberOfCredits></credits>
  <activityLocation><city>Chicago</city><stateOrProvince>IL</stateOrProvince>
    <country>USA</country></activityLocation>
  <activitySponsorship>joint</activitySponsorship>
  <activityFormat>Live Course</activityFormat>
  <nonAccreditedProvider>Lakeside Hospital</nonAccreditedProvider>
  <nonAccreditedProvider>Acme Medical Society</nonAccreditedProvider>
  <commercialSupport>1</commercialSupport>
  <targetAudience><profession>Physician</profession><profession>Nurse</profession></targetAudience>
</healthcareEducation></healthcareMetadata>
<participationMetrics>
  <participantsByCategory><category>physician</category>
    <numberOfParticipants>140</numberOfParticipants></participantsByCategory>
  <participantsByCategory><category>non-physician</category>
    <numberOfParticipants>35</numberOfParticipants></participantsByCategory>
</participationMetrics>
<XtensibleInfo>
  <ProviderID>0001234</ProviderID>
  <isInterprofessional>No</isInterprofessional>
  <DeliveryMethods><DeliveryMethod>In-Person</DeliveryMethod>
    <DeliveryMethod>Live-Streamed</DeliveryMethod></DeliveryMethods>
  <MeasuredOutcomes><MeasuredOutcome>Learner Knowledge</MeasuredOutcome></MeasuredOutcomes>
  <MeasuredOutcomes><MeasuredOutcome>Patient Health</MeasuredOutcome></MeasuredOutcomes>
  <CommendationTags><CommendationTag>Engages Teams</CommendationTag>
    <CommendationTag>Improves Performance</CommendationTag></CommendationTags>
  <InKindSupports><InKindSupport><source>Medline</source></InKindSupport></InKindSupports>
  <ForPublicList>true</ForPublicList>
  <FeeForParticipation>No, it's free</FeeForParticipation>
  <ActivityRegistration>Limited</ActivityRegistration>
  <IsMeritBasedIncentivePaymentSystem>0</IsMeritBasedIncentivePaymentSystem>
  <REMS><REMSType>Opioid Analgesic</REMSType>
    <REMSRelatedIdentifier>EG-123456-001</REMSRelatedIdentifier></REMS>
  <activityRecordAction>Update</activityRecordAction>
  <closeActivityRecord>true</closeActivityRecord>
</XtensibleInfo>
"""

FULL_CELLS = {
    "Provider Activity ID": "XML-001",
    "ACCME Activity ID": "100000123",
    "Activity URL": "https://cme.example.org/a",
    "Activity Title": "Cardiology Update",
    "Activity Description": "Line one.\nLine two.",
    "Start Date": "2026-03-12",
    "End Date": "2026-03-13",
    "AMA PRA Category 1 Credits": "12.5",
    "City": "Chicago",
    "State": "IL",
    "Country": "USA",
    "Providership": "Joint",
    "Activity Format": "Live Course",
    "Joint Providers": "Lakeside Hospital; Acme Medical Society",
    "Commercial Support Received": "Yes",
    "Commercial Support Sources": "Acme Pharma: 5000; Medline: In-kind",
    "Target Professions": "Physician; Nurse",
    "Physician Learners": "140",
    "Other Learners": "35",
    "ACCME Provider ID": "0001234",
    "Interprofessional": "No",
    "Delivery Methods": "In-Person; Live-Streamed",
    "Outcomes Measured": "Learner Knowledge; Patient Health",
    "Commendation Tags": "Engages Teams; Improves Performance",
    "CME Finder": "Yes",
    "Fee": "No, it's free",
    "Registration": "Limited",
    "MIPS": "No",
    "REMS Type": "Opioid Analgesic",
    "REMS RPC ID": "EG-123456-001",
    "Status": "Closed",
}


# ---- mapping ---------------------------------------------------------------------------


def test_full_record_maps_every_element_to_its_column() -> None:
    opened = open_xml(wrap(FULL_RECORD), Limits())
    [row] = list(opened.rows())
    assert row.number == 1
    assert row.cells == FULL_CELLS
    assert row.problems == []
    assert opened.file_format == "xml"
    assert opened.file_problems == []
    assert opened.columns == [c for c in file_columns() if c in FULL_CELLS]


def test_ja_record_credits_professions_and_pharmacy() -> None:
    record = """
    <healthcareMetadata><healthcareEducation>
      <credits><activityCertification>IPCE</activityCertification>
        <numberOfCredits>10</numberOfCredits></credits>
      <credits><activityCertification>nursing</activityCertification>
        <numberOfCredits>10.25</numberOfCredits></credits>
      <credits><activityCertification>Pharmacy</activityCertification>
        <numberOfCredits>1.5</numberOfCredits></credits>
      <credits><activityCertification>Athletic Training CEU</activityCertification>
        <numberOfCredits>2</numberOfCredits></credits>
      <targetAudience><profession>Nurse</profession><profession>Pharmacist</profession>
      </targetAudience>
    </healthcareEducation></healthcareMetadata>
    <participationMetrics>
      <participantsByCategory><category>physician</category>
        <numberOfParticipants>48</numberOfParticipants></participantsByCategory>
      <participantsByCategory><category>nurse</category>
        <numberOfParticipants>61</numberOfParticipants></participantsByCategory>
      <participantsByCategory><category>pharmacy technician</category>
        <numberOfParticipants>7</numberOfParticipants></participantsByCategory>
      <participantsByCategory><category>registered dietitians</category>
        <numberOfParticipants>3</numberOfParticipants></participantsByCategory>
      <participantsByCategory><category>Athletic Trainer</category>
        <numberOfParticipants>2</numberOfParticipants></participantsByCategory>
      <participantsByCategory><category>other</category>
        <numberOfParticipants>5</numberOfParticipants></participantsByCategory>
    </participationMetrics>
    <XtensibleInfo>
      <isInterprofessional>true</isInterprofessional>
      <PharmacyActivityType>Knowledge</PharmacyActivityType>
      <PharmacyActivityTopic>08-Pain Management</PharmacyActivityTopic>
      <UANPharmacy>JA0001234-0000-26-001-L08-P</UANPharmacy>
      <UANPharmacyTech>JA0001234-0000-26-001-L08-T</UANPharmacyTech>
      <PharmacyLiveDate>2026-01-08</PharmacyLiveDate>
    </XtensibleInfo>
    """
    [row] = read(wrap(record))
    assert row.cells == {
        "IPCE Credits": "10",
        "Nursing Credits": "10.25",
        "Pharmacy Credits": "1.5",
        "Athletic Training CEU Credits": "2",
        "Target Professions": "Nurse; Pharmacist",
        "Physician Learners": "48",
        "Nurse Learners": "61",
        "Pharmacy Technician Learners": "7",
        "Registered Dietitian Learners": "3",
        "Athletic Trainer Learners": "2",
        "Other Professions Learners": "5",
        "Interprofessional": "Yes",
        "Pharmacy Activity Type": "Knowledge",
        "Pharmacy Topic": "08-Pain Management",
        "Pharmacy UAN": "JA0001234-0000-26-001-L08-P",
        "Pharmacy Technician UAN": "JA0001234-0000-26-001-L08-T",
    }
    assert messages(row, ERROR) == []
    assert messages(row, WARNING) == ["<PharmacyLiveDate> is not kept by PARS; ignored."]


def test_unknown_credit_type_and_category_are_errors_on_the_record() -> None:
    record = """
    <healthcareMetadata><healthcareEducation>
      <credits><activityCertification>Veterinary</activityCertification>
        <numberOfCredits>1</numberOfCredits></credits>
      <credits><activityCertification>IPCE</activityCertification>
        <numberOfCredits>1</numberOfCredits></credits>
      <credits><activityCertification>IPCE</activityCertification>
        <numberOfCredits>2</numberOfCredits></credits>
    </healthcareEducation></healthcareMetadata>
    <participationMetrics><participantsByCategory><category>astronaut</category>
      <numberOfParticipants>1</numberOfParticipants></participantsByCategory></participationMetrics>
    """
    [row] = read(wrap(record))
    assert row.cells == {"IPCE Credits": "1"}
    errors = messages(row, ERROR)
    assert len(errors) == 3
    assert "'Veterinary' is not a known credit certification" in errors[0]
    assert "more than once" in errors[1]
    assert "'astronaut' is not a known participant category" in errors[2]


def test_moc_registrations_fill_per_board_columns() -> None:
    record = """
    <XtensibleInfo><MOCRegistrations>
      <MOCAttestation>yes</MOCAttestation>
      <MOCRegistration>
        <boardName>ABIM</boardName><mocPoints>10</mocPoints>
        <MOCCreditType>Medical Knowledge</MOCCreditType>
        <MOCCreditType>Patient Safety</MOCCreditType>
        <PracticeArea>Internal Medicine</PracticeArea>
        <CreditClaimDate>2026-12-31T00:00:00</CreditClaimDate>
        <ContentArea>Cardiology</ContentArea><InternalID>ABIM-77</InternalID>
      </MOCRegistration>
      <MOCRegistration><boardName>abpath</boardName><mocPoints>4</mocPoints></MOCRegistration>
      <MOCRegistration><boardName>ABIM</boardName><mocPoints>99</mocPoints></MOCRegistration>
      <MOCRegistration><boardName>ABXYZ</boardName><mocPoints>1</mocPoints></MOCRegistration>
    </MOCRegistrations></XtensibleInfo>
    """
    [row] = read(wrap(record))
    assert row.cells == {
        "MOC Attestation": "Yes",
        "ABIM MOC Points": "10",
        "ABIM MOC Credit Types": "Medical Knowledge; Patient Safety",
        "ABIM Practice Areas": "Internal Medicine",
        "ABIM Credit Claim Date": "2026-12-31",
        "ABIM Content Area": "Cardiology",
        "ABIM Internal ID": "ABIM-77",
        "ABPath MOC Points": "4",
    }
    errors = messages(row, ERROR)
    assert len(errors) == 2
    assert "ABIM MOC registration is given twice" in errors[0]
    assert "'ABXYZ' is not a board" in errors[1]


def test_absent_elements_leave_columns_out_and_empty_ones_blank_them() -> None:
    rows = read(
        wrap(
            titled("First"),
            "<Lom><general><title/></general></Lom>"
            "<XtensibleInfo><DeliveryMethods/><InKindSupports/></XtensibleInfo>",
        )
    )
    assert rows[0].cells == {"Activity Title": "First"}
    assert rows[1].cells == {
        "Activity Title": "",
        "Delivery Methods": "",
        "Commercial Support Sources": "",
    }


def test_columns_are_the_union_of_the_records_in_file_order() -> None:
    opened = open_xml(
        wrap(
            titled("A"),
            "<XtensibleInfo><ProviderID>0001234</ProviderID></XtensibleInfo>",
            "<healthcareMetadata><healthcareEducation><activityFormat>Live Course"
            "</activityFormat></healthcareEducation></healthcareMetadata>",
        ),
        Limits(),
    )
    assert opened.columns == ["ACCME Provider ID", "Activity Title", "Activity Format"]


def test_values_are_kept_as_text_for_the_validator() -> None:
    record = """
    <healthcareMetadata><healthcareEducation>
      <startDateTime>03/12/2026</startDateTime><endDateTime>soon</endDateTime>
      <activitySponsorship>both</activitySponsorship><commercialSupport>maybe</commercialSupport>
    </healthcareEducation></healthcareMetadata>
    """
    [row] = read(wrap(record))
    assert row.cells == {
        "Start Date": "03/12/2026",
        "End Date": "soon",
        "Providership": "both",
        "Commercial Support Received": "maybe",
    }
    assert row.problems == []


def test_repeated_single_element_is_an_error() -> None:
    [row] = read(wrap("<Lom><general><title>A</title><title>B</title></general></Lom>"))
    assert row.cells == {"Activity Title": "A"}
    assert messages(row, ERROR) == ["<title> appears 2 times; give it once."]


def test_namespaces_are_ignored() -> None:
    data = (
        b'<?xml version="1.0"?><ACCMEActivities xmlns="http://ns.medbiq.org/mems">'
        b"<MedicalEducationMetrics><Lom><general><title>Namespaced</title></general></Lom>"
        b"</MedicalEducationMetrics></ACCMEActivities>"
    )
    assert read(data)[0].cells == {"Activity Title": "Namespaced"}


def test_foreign_currency_is_an_error() -> None:
    record = """<ActivityDescription><commercialSupportAmount><currency>EUR</currency>
      <supportSource>Acme</supportSource><value>10</value></commercialSupportAmount>
      </ActivityDescription>"""
    [row] = read(wrap(record))
    assert row.cells == {"Commercial Support Sources": "Acme: 10"}
    assert messages(row, ERROR) == ["Support amounts must be in US dollars (USD)."]


# ---- record actions ---------------------------------------------------------------------


def test_delete_action_is_an_error_on_that_record() -> None:
    rows = read(
        wrap(
            titled(
                "Keep",
                "<XtensibleInfo><activityRecordAction>Add</activityRecordAction></XtensibleInfo>",
            ),
            titled(
                "Gone",
                "<XtensibleInfo><activityRecordAction>Delete</activityRecordAction>"
                "</XtensibleInfo>",
            ),
            titled(
                "Odd",
                "<XtensibleInfo><activityRecordAction>Purge</activityRecordAction></XtensibleInfo>",
            ),
        )
    )
    assert rows[0].problems == []
    [problem] = rows[1].problems
    assert problem.row == 2
    assert problem.severity == ERROR
    assert problem.value == "Delete"
    assert "deleting activities by upload is not supported" in problem.message.lower()
    assert "delete it on the activity page" in problem.message
    assert "must be Add or Update" in messages(rows[2], ERROR)[0]


def test_close_activity_record() -> None:
    rows = read(
        wrap(
            titled(
                "A",
                "<XtensibleInfo><closeActivityRecord>true</closeActivityRecord></XtensibleInfo>",
            ),
            titled(
                "B",
                "<XtensibleInfo><closeActivityRecord>false</closeActivityRecord></XtensibleInfo>",
            ),
            titled(
                "C",
                "<XtensibleInfo><closeActivityRecord>later</closeActivityRecord></XtensibleInfo>",
            ),
        )
    )
    assert rows[0].cells == {"Activity Title": "A", "Status": "Closed"}
    assert rows[1].cells == {"Activity Title": "B"}
    assert "must be true or false" in messages(rows[2], ERROR)[0]


# ---- unknown elements --------------------------------------------------------------------


def test_unknown_element_warns_once_per_name() -> None:
    rows = read(
        wrap(
            titled("A", "<Colour>red</Colour><XtensibleInfo><Colour>x</Colour></XtensibleInfo>"),
            titled("B", "<Colour>blue</Colour><Lom><Extra/></Lom>"),
        )
    )
    assert rows[0].cells == {"Activity Title": "A"}
    assert [(p.row, p.severity, p.message) for p in rows[0].problems] == [
        (1, WARNING, "<Colour> (in MedicalEducationMetrics) is not a PARS element; ignored.")
    ]
    assert [p.message for p in rows[1].problems] == [
        "<Extra> (in Lom) is not a PARS element; ignored."
    ]


def test_report_description_is_silently_accepted() -> None:
    [row] = read(
        wrap(
            "<ReportDescription><ReportingStartDate>2026</ReportingStartDate>"
            "</ReportDescription>" + titled("A")
        )
    )
    assert row.problems == []


def test_unknown_top_level_element_is_a_file_warning() -> None:
    data = b"<ACCMEActivities><Header>x</Header><MedicalEducationMetrics/></ACCMEActivities>"
    opened = open_xml(data, Limits())
    assert [p.message for p in opened.file_problems] == ["<Header> is not a PARS element; ignored."]
    assert [row.cells for row in opened.rows()] == [{}]


# ---- the writer and the round trip --------------------------------------------------------


def full_row() -> dict[str, str]:
    """A value for every PARS column, in the form the reader gives back."""
    row: dict[str, str] = {}
    for i, column in enumerate(file_columns()):
        row[column] = f"Value {i}"
    for leaf in layout.LEAVES:
        row[leaf.column] = _sample(leaf.conv, leaf.repeated, leaf.column)
    for board in v.MOC_BOARDS.values:
        for column, child in layout.moc_columns(board).items():
            row[column] = _sample(child.conv, child.repeated, column)
    row[layout.SUPPORT_COLUMN] = "Acme: 5000; Beta Corp: 250.50; Medline: In-kind"
    row[layout.STATUS_COLUMN] = "Closed"
    return row


def _sample(conv: layout.Conv, repeated: bool, column: str) -> str:
    if conv is layout.Conv.BOOLEAN:
        return "No" if "MIPS" in column else "Yes"
    if conv in (layout.Conv.DATE, layout.Conv.DATETIME):
        return "2026-07-04"
    if conv is layout.Conv.SPONSORSHIP:
        return "Joint"
    if repeated:
        return f"{column} one; {column} two"
    return f"{column} <&> 'text'"


def test_round_trip_covers_every_column() -> None:
    rows = [full_row(), {"Activity Title": "Only a title"}, {}]
    data = activity_xml(rows)
    read_back = read(data)
    assert [r.cells for r in read_back] == rows
    assert all(r.problems == [] for r in read_back)
    assert set(rows[0]) == set(file_columns())


def test_round_trip_of_blank_cells() -> None:
    blank = dict.fromkeys(file_columns(), "")
    del blank[layout.STATUS_COLUMN]  # PARS sets the status; only "Closed" can be asked for
    [row] = read(activity_xml([blank]))
    assert row.cells == blank
    assert row.problems == []


def test_writer_uses_the_published_element_names() -> None:
    data = activity_xml(
        [
            {
                "Provider Activity ID": "XML-009",
                "Start Date": "07/04/2026",
                "Providership": "Direct",
                "CME Finder": "Yes",
                "Nurse Learners": "3",
                "Commercial Support Sources": "Acme: In-kind",
                "Status": "Closed",
            }
        ]
    ).decode()
    assert data.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    for fragment in (
        "<catalog>Provider Activity ID</catalog>",
        "<entry>XML-009</entry>",
        "<startDateTime>2026-07-04T00:00:00</startDateTime>",
        "<activitySponsorship>direct</activitySponsorship>",
        "<ForPublicList>true</ForPublicList>",
        "<category>nurse</category>",
        "<InKindSupport>",
        "<closeActivityRecord>true</closeActivityRecord>",
    ):
        assert fragment in data


def test_writer_refuses_unknown_columns_and_drops_control_characters() -> None:
    with pytest.raises(ValueError, match="Colour"):
        activity_xml([{"Colour": "red"}])
    [row] = read(activity_xml([{"Activity Title": "Bell\x07 and NUL\x00 gone"}]))
    assert row.cells == {"Activity Title": "Bell and NUL gone"}


def test_writer_leaves_out_statuses_pars_sets() -> None:
    [row] = read(activity_xml([{"Activity Title": "A", "Status": "Active"}]))
    assert row.cells == {"Activity Title": "A"}


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=0, max_size=40
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(title=TEXT, city=TEXT, internal_id=TEXT, entry=TEXT)
def test_text_round_trips(title: str, city: str, internal_id: str, entry: str) -> None:
    row = {
        "Activity Title": title,
        "City": city,
        "ABS Internal ID": internal_id,
        "IPCE Credits": entry,
    }
    [read_back] = read(activity_xml([row]))
    assert read_back.cells == row


# ---- the data files ------------------------------------------------------------------------


def test_sample_file_reads_three_clean_records() -> None:
    rows = list(open_batch(SAMPLE, SAMPLE.name, Limits()).rows())
    assert [r.cells["Provider Activity ID"] for r in rows] == ["XML-001", "XML-002", "XML-003"]
    assert [r.number for r in rows] == [1, 2, 3]
    assert all(r.problems == [] for r in rows)
    assert all(r.cells["Start Date"].startswith("2026-") for r in rows)
    for r in rows:
        for column, raw in r.cells.items():
            if column in FIELDS_BY_LABEL:
                parse_value(FIELDS_BY_LABEL[column], raw)


def test_sample_file_reads_the_same_from_bytes_and_twice() -> None:
    opened = open_xml(SAMPLE.read_bytes(), Limits())
    first = [r.cells for r in opened.rows()]
    assert first == [r.cells for r in opened.rows()] == [r.cells for r in read(SAMPLE)]


def test_delete_action_file() -> None:
    [row] = read(MALFORMED / "xml_delete_action.xml")
    assert row.cells["Provider Activity ID"] == "XML-001"
    assert "delete it on the activity page" in messages(row, ERROR)[0]


def test_bad_values_file_reads_and_fails_value_parsing() -> None:
    [row] = read(MALFORMED / "xml_bad_values.xml")
    assert row.problems == []
    failing = []
    for column in ("Start Date", "End Date", "Activity Format"):
        with pytest.raises(ValueProblem):
            parse_value(FIELDS_BY_LABEL[column], row.cells[column])
        failing.append(column)
    assert failing


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("entity_bomb.xml", NO_DTD),
        ("external_entity.xml", NO_DTD),
        ("dtd.xml", NO_DTD),
        ("not_well_formed.xml", "not well-formed XML (mismatched tag at line 10"),
        ("truncated.xml", "cut short"),
        ("wrong_root.xml", "root element is <Activities>"),
        ("html_page.xml", "web page (HTML)"),
    ],
)
def test_malformed_file_is_refused(name: str, words: str) -> None:
    with pytest.raises(FileRejected) as caught:
        read(MALFORMED / name)
    assert words in caught.value.message


# ---- hostile and broken files --------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records every attempt to open a connection (there must be none)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE ACCMEActivities [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b"]><ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&c;</title></general>"
    b"</Lom></MedicalEducationMetrics></ACCMEActivities>"
)
HOSTILE = {
    "dtd": b'<?xml version="1.0"?><!DOCTYPE ACCMEActivities><ACCMEActivities/>',
    "internal entity": BILLION_LAUGHS,
    "file entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&x;</title>"
        b"</general></Lom></MedicalEducationMetrics></ACCMEActivities>"
    ),
    "http entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b"<ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&x;</title>"
        b"</general></Lom></MedicalEducationMetrics></ACCMEActivities>"
    ),
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">'
        b"%p;]><ACCMEActivities/>"
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE ACCMEActivities PUBLIC "-//X//Y" '
        b'"http://127.0.0.1:9/a.dtd"><ACCMEActivities/>'
    ),
    "dtd after a comment": (
        b"<!-- hello --><!DOCTYPE ACCMEActivities [<!ENTITY x 'y'>]><ACCMEActivities/>"
    ),
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_dtds_and_entities_are_refused_without_network(data: bytes, no_network: list[Any]) -> None:
    with pytest.raises(FileRejected) as caught:
        open_xml(data, Limits())
    assert caught.value.message == NO_DTD
    assert "XML files with a DTD or entities are not accepted" in caught.value.message
    assert no_network == []


def test_xinclude_is_not_processed(no_network: list[Any]) -> None:
    data = (
        b'<ACCMEActivities xmlns:xi="http://www.w3.org/2001/XInclude"><MedicalEducationMetrics>'
        b'<Lom><general><title><xi:include href="file:///etc/passwd" parse="text"/></title>'
        b'</general></Lom><xi:include href="http://127.0.0.1:9/more.xml"/>'
        b"</MedicalEducationMetrics></ACCMEActivities>"
    )
    [row] = read(data)
    assert row.cells == {"Activity Title": ""}
    assert all("root:" not in value for value in row.cells.values())
    assert [p.severity for p in row.problems] == [WARNING]
    assert "<include>" in row.problems[0].message
    assert no_network == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"<ACCMEActivities><MedicalEducationMetrics>", "line 1 before all its elements"),
        (b"<ACCMEActivities>\n<MedicalEducationMetrics>\n<Lom>", "line 3"),
        (b"<ACCMEActivities><a></b></ACCMEActivities>", "mismatched tag at line 1"),
        (b"<ACCMEActivities>&undefined;</ACCMEActivities>", "undefined entity"),
        (b"<ACCMEActivities/>", "has no activities"),
        (b"<ACCMEActivities/><second/>", "not well-formed"),
        (b"just some text", "not well-formed"),
        (b"<Activities/>", "root element is <Activities>"),
        (b"<ACCMELearnerReports/>", "learner"),
        (b"<MedicalEducationMetrics/>", "starts with <ACCMEActivities>"),
        (b"<?xml version='1.0'?>\n<html><body>Hi</body></html>", "web page (HTML)"),
        (b"<!DOCTYPE HTML PUBLIC '-//W3C//DTD HTML 4.01//EN'><HTML></HTML>", "web page (HTML)"),
        (b"PK\x03\x04\x14\x00\x00\x00rest of a zip", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"<?xml version='1.0' encoding='klingon'?><ACCMEActivities/>", "encoding"),
        (
            b"<?xml version='1.0' encoding='UTF-8'?><ACCMEActivities>caf\xe9</ACCMEActivities>",
            "not well-formed",
        ),
    ],
)
def test_broken_files_are_refused_in_plain_words(data: bytes, words: str) -> None:
    with pytest.raises(FileRejected) as caught:
        open_xml(data, Limits())
    assert words in caught.value.message


def test_bom_and_encodings_are_honoured() -> None:
    title = "Caf\u00e9 \u2013 \u201cQuoted\u201d na\u00efve"
    utf8 = wrap(titled(title))
    assert read(b"\xef\xbb\xbf" + utf8)[0].cells == {"Activity Title": title}
    cp1252 = wrap(titled(title), prolog='<?xml version="1.0" encoding="windows-1252"?>')
    cp1252 = cp1252.decode().encode("cp1252")
    assert read(cp1252)[0].cells == {"Activity Title": title}
    utf16 = wrap(titled(title), prolog='<?xml version="1.0" encoding="UTF-16"?>')
    assert read(utf16.decode().encode("utf-16"))[0].cells == {"Activity Title": title}


def test_too_many_records() -> None:
    limits = Limits(max_rows=2)
    assert len(read(wrap(titled("A"), titled("B")), limits)) == 2
    with pytest.raises(FileRejected) as caught:
        open_xml(wrap(titled("A"), titled("B"), titled("C")), limits)
    assert "more than 2 activities" in caught.value.message


def test_rows_refuse_a_file_that_changed_between_passes(tmp_path: Path) -> None:
    path = tmp_path / "activities.xml"
    path.write_bytes(wrap(titled("A")))
    opened = open_xml(path, Limits(max_rows=1))
    path.write_bytes(wrap(titled("A"), titled("B")))
    with pytest.raises(FileRejected):
        list(opened.rows())
    path.write_bytes(b"<ACCMEActivities><MedicalEducationMetrics>")
    with pytest.raises(FileRejected):
        list(opened.rows())


def test_memory_holds_one_record_at_a_time() -> None:
    """Each processed record is dropped from the tree (no growth with the file)."""
    import tracemalloc

    def peak(records: int) -> int:
        data = wrap(
            *(titled(f"Activity {i}", "<Pad>" + "x" * 200 + "</Pad>") for i in range(records))
        )
        tracemalloc.start()
        for _ in open_xml(data, Limits()).rows():
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(4000) < 3 * peak(200)


# ---- property: mutated files give FileRejected or rows, nothing else --------------------------

VALID = SAMPLE.read_bytes()


def _text_positions(data: bytes) -> list[int]:
    """Offsets of bytes outside markup (element text), where a change keeps the file XML."""
    positions, inside = [], False
    for i, byte in enumerate(data):
        if byte in b"<>":
            inside = byte == ord("<")
        elif not inside and not chr(byte).isspace():
            positions.append(i)
    return positions


TEXT_POSITIONS = _text_positions(VALID)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The sample file truncated, with bytes flipped, inserted or dropped, a DOCTYPE put
    anywhere, or its element text changed."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["truncate", "flip", "doctype", "insert", "drop", "text"]))
        at = draw(st.integers(0, len(data)))
        if action == "truncate":
            data = data[:at]
        elif action == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif action == "doctype":
            data[at:at] = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "drop":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            position = draw(st.sampled_from(TEXT_POSITIONS))
            if position < len(data):
                data[position] = draw(st.sampled_from(b"a9 &;/'\"\xe9\x00\x7f"))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_files_give_rows_or_file_rejected(data: bytes) -> None:
    try:
        opened = open_xml(data, Limits())
        rows = list(opened.rows())
    except FileRejected as rejected:
        assert rejected.message
        return
    for row in rows:
        assert isinstance(row.number, int)
        assert all(isinstance(k, str) and isinstance(val, str) for k, val in row.cells.items())
        assert "root:" not in "".join(row.cells.values())
