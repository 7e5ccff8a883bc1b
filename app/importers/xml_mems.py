"""Reader of PARS XML activity files (MEMS-based, domain.md §1.6).

The layout (which element feeds which column) is declared in
:mod:`app.importers.mems_layout`, shared with the writer; this module only reads.

Business rules:

* One ``MedicalEducationMetrics`` element under the ``ACCMEActivities`` root is one
  activity; :attr:`SourceRow.number` is its position among them (1-based).
* A record's cells hold only the columns it has elements for: an absent element leaves
  the stored value alone. The file's columns are the union over all its records.
* ``activityRecordAction`` may be ``Add`` or ``Update``; ``Delete`` is refused on that
  record (activities are deleted on their page). ``closeActivityRecord`` true asks for
  the status "Closed".
* An element PARS does not know is ignored with one warning per element name (for the
  first :data:`MAX_UNKNOWN_NAMES` names).

Security (security.md check 20): parsing goes through defusedxml with DTDs, entity
declarations and external references forbidden, so nothing is ever fetched (no network,
no local file) and no entity can expand. Records are parsed as a stream and each one is
dropped once read, so memory stays bounded whatever the number of records. Any file that
cannot be read as a PARS XML file raises :class:`FileRejected`, and nothing else escapes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import Element  # the type only: parsing goes through defusedxml
from xml.parsers.expat import ErrorString
from xml.parsers.expat import errors as expat_errors

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from app.importers import mems_layout as layout
from app.importers.base import (
    ERROR,
    WARNING,
    FileRejected,
    Limits,
    Problem,
    Source,
    SourceRow,
    binary,
    too_many_rows,
)
from app.schema import vocabularies as v
from app.schema.fields import file_columns

NO_DTD = (
    "XML files with a DTD or entities are not accepted: remove the <!DOCTYPE ...> "
    "declaration (and any <!ENTITY ...>) and upload the file again."
)
UNREADABLE = "The file could not be read as a PARS XML file. Check that it is one and try again."

#: expat errors that mean the file stops before its elements are closed.
_TRUNCATED = frozenset(
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
)
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 4096
#: Element names warned about at most (a file of random names cannot flood the report).
MAX_UNKNOWN_NAMES = 50


# ---- the file ----------------------------------------------------------------------------


@dataclass
class XmlBatchFile:
    """An opened PARS XML file: its columns, found on a first pass, and its records,
    read again as a stream."""

    source: Source
    limits: Limits
    columns: list[str]
    file_problems: list[Problem]
    file_format: str = "xml"

    def rows(self) -> Iterator[SourceRow]:
        """Every activity record in file order (FileRejected past the row limit)."""
        return _guarded(lambda: _read_rows(self.source, self.limits, []))


def open_xml(source: Source, limits: Limits) -> XmlBatchFile:
    """The opened XML file; FileRejected when it is not a readable PARS XML file.

    The whole file is read once here, so a file that is not well-formed, is cut short,
    carries a DTD or has too many records is refused before any row is used.
    """
    file_problems: list[Problem] = []
    seen: set[str] = set()
    count = 0
    for row in _guarded(lambda: _read_rows(source, limits, file_problems)):
        seen.update(row.cells)
        count += 1
    if count == 0:
        raise FileRejected(f"The file has no activities: it holds no <{layout.RECORD}> records.")
    columns = [column for column in file_columns() if column in seen]
    return XmlBatchFile(source, limits, columns, file_problems)


def _guarded(read: Callable[[], Iterator[SourceRow]]) -> Iterator[SourceRow]:
    """The rows of ``read()``, with any failure turned into FileRejected in plain words."""
    try:
        yield from read()
    except FileRejected:
        raise
    except DefusedXmlException:
        raise FileRejected(NO_DTD) from None
    except ParseError as error:
        raise _not_well_formed(error) from None
    except (LookupError, ValueError) as error:
        if isinstance(error, LookupError) or "encoding" in str(error):
            raise FileRejected(
                "The XML declaration names an encoding PARS cannot read. Save the file as "
                "UTF-8 and upload it again."
            ) from None
        raise FileRejected(UNREADABLE) from None
    except OSError:
        raise FileRejected(UNREADABLE) from None
    except Exception:  # a reader never lets anything but FileRejected out
        raise FileRejected(UNREADABLE) from None


def _not_well_formed(error: ParseError) -> FileRejected:
    line, column = getattr(error, "position", (0, 0))
    if getattr(error, "code", None) in _TRUNCATED:
        return FileRejected(
            f"The XML file stops at line {line} before all its elements are closed: it looks "
            "cut short. Save or export it again and upload the whole file."
        )
    return FileRejected(
        f"The file is not well-formed XML ({_reason(error)} at line {line}, "
        f"column {column + 1}). Correct the XML and upload it again."
    )


def _reason(error: ParseError) -> str:
    """expat's description of the error, e.g. 'mismatched tag', 'invalid token'."""
    code = getattr(error, "code", None)
    reason = (ErrorString(code) or "") if isinstance(code, int) else ""
    reason = re.sub(r"^not well-formed \((.*)\)$", r"\1", reason)
    return reason or "syntax error"


# ---- the stream of records ---------------------------------------------------------------


def _read_rows(source: Source, limits: Limits, file_problems: list[Problem]) -> Iterator[SourceRow]:
    """One streaming pass over the file: each record as a row; problems outside the
    records go to ``file_problems``."""
    _sniff(source)
    seen_unknown: set[str] = set()
    with binary(source) as stream:
        for number, record in _records(stream, limits, file_problems):
            yield _row(number, record, seen_unknown)


def _sniff(source: Source) -> None:
    """Refuse at once what is plainly not an XML file: empty, binary, a web page."""
    with binary(source) as stream:
        head = stream.read(_SNIFF_BYTES)
    if not head.strip():
        raise FileRejected("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "This file is a zip archive or an Excel workbook, not XML. Upload a workbook with "
            "the .xlsx extension, or export your activities as XML."
        )
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"))
    if b"\x00" in head and not utf16:
        raise FileRejected("This file holds binary data, not XML text.")
    if _HTML_START.match(head):
        raise FileRejected(
            "This file is a web page (HTML), not a PARS XML file. Export your activities as "
            "XML and upload that file."
        )


def _records(
    stream: BinaryIO, limits: Limits, file_problems: list[Problem]
) -> Iterator[tuple[int, Element]]:
    """Each record with its number; every processed element is dropped from the tree."""
    events = iterparse(
        stream,
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    root: Element | None = None
    depth = number = 0
    warned: set[str] = set()
    for event, element in events:
        if event == "start":
            if root is None:
                root = _check_root(element)
            depth += 1
            continue
        depth -= 1
        if depth != 1 or root is None:
            continue
        if _local(element.tag) == layout.RECORD:
            number += 1
            if number > limits.max_rows:
                raise too_many_rows(limits)
            yield number, element
        else:
            _warn_outside(element, warned, file_problems)
        _drop(root, element)


def _check_root(element: Element) -> Element:
    """The root element, when it is the one of a PARS activity file."""
    name = _local(element.tag)
    if name == layout.ROOT:
        return element
    if name == "ACCMELearnerReports":
        raise FileRejected(
            "This is a learner report file; upload it on the learner upload page, not as "
            "activities."
        )
    raise FileRejected(
        f"The XML root element is <{name[:60]}>, but a PARS activity file starts with "
        f"<{layout.ROOT}> holding one <{layout.RECORD}> per activity."
    )


def _warn_outside(element: Element, warned: set[str], problems: list[Problem]) -> None:
    name = _local(element.tag)
    if name not in warned and len(warned) < MAX_UNKNOWN_NAMES:
        warned.add(name)
        problems.append(
            Problem(None, "", name, f"<{name}> is not a PARS element; ignored.", WARNING)
        )


def _drop(root: Element, element: Element) -> None:
    """Forget a processed top-level element so memory holds one record at a time."""
    element.clear()
    with contextlib.suppress(ValueError):
        root.remove(element)


def _local(tag: object) -> str:
    """An element's name without its namespace."""
    return str(tag).rpartition("}")[2]


# ---- one record ----------------------------------------------------------------------------


@dataclass
class _Record:
    """The record being read: its elements by path, and what it yields so far."""

    number: int
    index: dict[str, list[Element]]
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def at(self, path: str) -> list[Element]:
        return self.index.get(path, [])

    def error(self, column: str, value: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, value[:200], message, ERROR))

    def put_once(self, column: str, value: str, what: str) -> None:
        """Set a cell that one record may give only once."""
        if column in self.cells:
            self.error(column, value, f"{what} is given more than once; give it once.")
            return
        self.cells[column] = value


def _row(number: int, element: Element, seen_unknown: set[str]) -> SourceRow:
    """The raw cells of one ``MedicalEducationMetrics`` record."""
    warnings: list[Problem] = []
    record = _Record(number, _index(number, element, seen_unknown, warnings))
    for leaf in layout.LEAVES:
        _read_leaf(record, leaf)
    for block in layout.KEYED_BLOCKS:
        _read_keyed(record, block)
    _read_supports(record)
    _read_moc(record)
    _read_action(record)
    _read_close(record)
    return SourceRow(number, record.cells, warnings + record.problems)


def _index(
    number: int, record: Element, seen_unknown: set[str], warnings: list[Problem]
) -> dict[str, list[Element]]:
    """The record's elements by path, in document order; elements that are not part of
    the layout are left out with one warning per element name (for the whole file)."""
    index: dict[str, list[Element]] = {}
    stack = [(child, "") for child in reversed(record)]
    while stack:
        element, parent = stack.pop()
        name = _local(element.tag)
        element.tag = name
        path = f"{parent}/{name}" if parent else name
        if path in layout.SILENT:
            continue
        if path not in layout.KNOWN_PATHS:
            _warn_unknown(number, path, name, seen_unknown, warnings)
            continue
        index.setdefault(path, []).append(element)
        stack.extend((child, path) for child in reversed(element))
    return index


def _warn_unknown(
    number: int, path: str, name: str, seen: set[str], warnings: list[Problem]
) -> None:
    if name in seen or len(seen) >= MAX_UNKNOWN_NAMES:
        return
    seen.add(name)
    if path in layout.NOT_KEPT:
        message = f"<{name}> is not kept by PARS; ignored."
    else:
        message = f"<{name}> (in {path.rpartition('/')[0] or layout.RECORD}) is not a PARS "
        message += "element; ignored."
    warnings.append(Problem(number, "", path[:200], message, WARNING))


def _text(element: Element | None) -> str:
    """The text of an element (not of its children), trimmed; '' when absent."""
    if element is None:
        return ""
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts).strip()


def _child_texts(element: Element, name: str) -> list[str]:
    return [_text(child) for child in element if child.tag == name]


def _child_text(element: Element, name: str) -> str:
    return _text(element.find(name))


def _read_leaf(record: _Record, leaf: layout.Leaf) -> None:
    """A column fed by one element, or by a list of repeated elements."""
    elements = record.at(leaf.path)
    if leaf.repeated:
        if elements or (leaf.container and record.at(leaf.parent)):
            items = [layout.read_value(leaf.conv, _text(e)) for e in elements]
            record.cells[leaf.column] = layout.join_items(items)
        return
    if not elements:
        return
    if len(elements) > 1:
        name = leaf.path.rpartition("/")[2]
        record.error(leaf.column, "", f"<{name}> appears {len(elements)} times; give it once.")
    record.cells[leaf.column] = layout.read_value(leaf.conv, _text(elements[0]))


def _read_keyed(record: _Record, block: layout.KeyedBlock) -> None:
    """Identifiers, credits and learner counts: the key child names the column."""
    for element in record.at(block.path):
        key = _child_text(element, block.key)
        column = block.column_for(key)
        if column is None:
            record.error("", key, _unknown_key(block, key))
            continue
        record.put_once(column, _child_text(element, block.value), f"{block.what} '{key}'")


def _unknown_key(block: layout.KeyedBlock, key: str) -> str:
    if not key:
        return f"A <{block.path.rpartition('/')[2]}> has no <{block.key}>; it was ignored."
    allowed = ", ".join(list(dict.fromkeys(k for k, _ in block.keys))[:14])
    return f"'{key[:60]}' is not a known {block.what} ({allowed}...); it was ignored."


def _read_supports(record: _Record) -> None:
    """Monetary support (with amounts in US dollars) then in-kind support, as one list."""
    monetary = record.at(layout.MONETARY)
    in_kind = record.at(layout.IN_KIND)
    if not (monetary or in_kind or record.at(layout.IN_KIND_CONTAINER)):
        return
    items = []
    for element in monetary:
        currency = _child_text(element, layout.MONETARY_CURRENCY)
        if currency and currency.upper() != layout.CURRENCY:
            record.error(
                layout.SUPPORT_COLUMN, currency, "Support amounts must be in US dollars (USD)."
            )
        source = _child_text(element, layout.MONETARY_SOURCE)
        items.append(layout.support_item(source, _child_text(element, layout.MONETARY_VALUE)))
    for element in in_kind:
        items.append(layout.support_item(_child_text(element, layout.IN_KIND_SOURCE), None))
    record.cells[layout.SUPPORT_COLUMN] = layout.join_items(items)


def _read_moc(record: _Record) -> None:
    """Each MOC registration fills its board's columns."""
    boards: set[str] = set()
    for element in record.at(layout.MOC_REGISTRATION):
        name = _child_text(element, layout.MOC_BOARD)
        board = v.MOC_BOARDS.canonical(name)
        if board is None:
            record.error("", name, _unknown_board(name))
            continue
        if board in boards:
            record.error("", name, f"The {board} MOC registration is given twice; give it once.")
            continue
        boards.add(board)
        for column, child in layout.moc_columns(board).items():
            _read_moc_child(record, element, column, child)


def _unknown_board(name: str) -> str:
    if not name:
        return f"A <MOCRegistration> has no <{layout.MOC_BOARD}>; it was ignored."
    boards = ", ".join(v.MOC_BOARDS.values)
    return f"'{name[:60]}' is not a board PARS registers MOC with ({boards}); it was ignored."


def _read_moc_child(
    record: _Record, registration: Element, column: str, child: layout.MocChild
) -> None:
    texts = _child_texts(registration, child.name)
    if not texts:
        return
    values = [layout.read_value(child.conv, text) for text in texts]
    if child.repeated:
        record.cells[column] = layout.join_items(values)
        return
    if len(values) > 1:
        record.error(column, "", f"<{child.name}> appears {len(values)} times; give it once.")
    record.cells[column] = values[0]


def _read_action(record: _Record) -> None:
    """Add and Update are what an upload does anyway; Delete is not done by upload."""
    for element in record.at(layout.ACTION):
        action = _text(element)
        if action.casefold() == layout.ACTION_DELETE.casefold():
            record.error(
                "",
                action,
                "Deleting activities by upload is not supported; delete it on the activity page.",
            )
        elif action and action.casefold() not in {a.casefold() for a in layout.ACTIONS_ALLOWED}:
            record.error(
                "", action, f"<activityRecordAction> must be Add or Update, not '{action[:60]}'."
            )


def _read_close(record: _Record) -> None:
    """closeActivityRecord true asks PARS to close the activity."""
    for element in record.at(layout.CLOSE):
        answer = layout.read_value(layout.Conv.BOOLEAN, _text(element))
        if answer == "Yes":
            record.cells[layout.STATUS_COLUMN] = layout.CLOSED
        elif answer not in ("No", ""):
            record.error(
                layout.STATUS_COLUMN,
                answer,
                f"<closeActivityRecord> must be true or false, not '{answer[:60]}'.",
            )
