"""Writer of PARS XML activity files (MEMS-based, domain.md §1.6).

It writes activities given as dicts keyed by the current column headings (the cells of
a CSV file) in the layout of :mod:`app.importers.mems_layout`, so that reading the result
back gives the same cells. Business rules:

* Only the columns a dict holds are written; a blank cell becomes an empty element (which
  blanks the stored value when the file is uploaded).
* "Status" is set by PARS: only "Closed" can be asked for (``closeActivityRecord``); other
  statuses are not written.
* Characters XML cannot carry (control characters) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Building and serialising only: nothing is parsed here.
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from app.importers import mems_layout as layout
from app.schema import vocabularies as v
from app.schema.fields import file_columns

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_KNOWN_COLUMNS = frozenset(file_columns())


def activity_xml(rows: Iterable[dict[str, str]]) -> bytes:
    """A PARS XML file holding one ``MedicalEducationMetrics`` record per dict.

    Raises ValueError for a key that is not a PARS column heading.
    """
    parts = [DECLARATION, f"<{layout.ROOT}>\n".encode()]
    for row in rows:
        record = record_element(row)
        indent(record, space="  ", level=1)
        parts.append(b"  " + tostring(record, encoding="utf-8", xml_declaration=False) + b"\n")
    parts.append(f"</{layout.ROOT}>\n".encode())
    return b"".join(parts)


def record_element(row: dict[str, str]) -> Element:
    """The ``MedicalEducationMetrics`` element of one activity."""
    unknown = [key for key in row if key not in _KNOWN_COLUMNS]
    if unknown:
        raise ValueError(f"not PARS column headings: {', '.join(sorted(unknown))}")
    cells = {column: _clean(str(value)) for column, value in row.items()}
    record = Element(layout.RECORD)
    for leaf in layout.LEAVES:
        if leaf.column in cells:
            _write_leaf(record, leaf, cells[leaf.column])
    for block in layout.KEYED_BLOCKS:
        _write_keyed(record, block, cells)
    _write_supports(record, cells)
    _write_moc(record, cells)
    if cells.get(layout.STATUS_COLUMN, "").strip().casefold() == layout.CLOSED.casefold():
        _ensure(record, layout.CLOSE).text = "true"
    _sort(record, "")
    return record


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _ensure(record: Element, path: str) -> Element:
    """The element at ``path``, created (with its parents) when missing."""
    element = record
    for name in path.split("/"):
        child = element.find(name)
        element = child if child is not None else SubElement(element, name)
    return element


def _add(record: Element, path: str) -> Element:
    """A new element at ``path`` (for repeated elements), its parents shared."""
    parent, _, name = path.rpartition("/")
    return SubElement(_ensure(record, parent) if parent else record, name)


def _write_leaf(record: Element, leaf: layout.Leaf, cell: str) -> None:
    if not leaf.repeated:
        _ensure(record, leaf.path).text = layout.write_value(leaf.conv, cell)
        return
    items = layout.split_items(cell)
    if not items and leaf.container:
        _ensure(record, leaf.parent)  # a blank list: an empty container
    elif not items:
        _add(record, leaf.path)  # a blank list: one empty item
    for item in items:
        _add(record, leaf.path).text = layout.write_value(leaf.conv, item)


def _write_keyed(record: Element, block: layout.KeyedBlock, cells: dict[str, str]) -> None:
    for column in block.columns():
        key = block.key_for(column)
        if column in cells and key is not None:
            element = _add(record, block.path)
            SubElement(element, block.key).text = key
            SubElement(element, block.value).text = cells[column].strip()


def _write_supports(record: Element, cells: dict[str, str]) -> None:
    """Monetary support under ActivityDescription, in-kind support under XtensibleInfo."""
    if layout.SUPPORT_COLUMN not in cells:
        return
    supports = [
        layout.split_support(item) for item in layout.split_items(cells[layout.SUPPORT_COLUMN])
    ]
    for source, amount in supports:
        if amount is None:
            _add(record, layout.IN_KIND).append(_named(layout.IN_KIND_SOURCE, source))
            continue
        element = _add(record, layout.MONETARY)
        element.append(_named(layout.MONETARY_CURRENCY, layout.CURRENCY))
        element.append(_named(layout.MONETARY_SOURCE, source))
        element.append(_named(layout.MONETARY_VALUE, amount))
    if not supports:
        _ensure(record, layout.IN_KIND_CONTAINER)  # a blank list: an empty container


def _named(name: str, text: str) -> Element:
    element = Element(name)
    element.text = text
    return element


def _write_moc(record: Element, cells: dict[str, str]) -> None:
    """One MOCRegistration per board that has any of its columns."""
    for board in v.MOC_BOARDS.values:
        given = {c: child for c, child in layout.moc_columns(board).items() if c in cells}
        if not given:
            continue
        registration = _add(record, layout.MOC_REGISTRATION)
        SubElement(registration, layout.MOC_BOARD).text = board
        for column, child in given.items():
            _write_moc_child(registration, child, cells[column])


def _write_moc_child(registration: Element, child: layout.MocChild, cell: str) -> None:
    if not child.repeated:
        SubElement(registration, child.name).text = layout.write_value(child.conv, cell)
        return
    items = layout.split_items(cell) or [""]
    for item in items:
        SubElement(registration, child.name).text = layout.write_value(child.conv, item)


def _sort(element: Element, path: str) -> None:
    """Children in the layout's order (repeated elements keep their own order)."""

    def position(child: Element) -> int:
        return layout.ELEMENT_ORDER.get(f"{path}/{child.tag}" if path else str(child.tag), 0)

    children = sorted(element, key=position)
    element[:] = children
    for child in children:
        _sort(child, f"{path}/{child.tag}" if path else str(child.tag))
