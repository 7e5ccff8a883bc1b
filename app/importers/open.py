"""Choosing the reader for an uploaded file by its extension (the content must match)."""

from __future__ import annotations

from pathlib import PurePosixPath

from app.importers.base import BatchFile, FileRejected, Limits, Source

#: Extensions PARS accepts, and the format each one declares.
FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".txt": "txt", ".tsv": "txt", ".xml": "xml"}
ACCEPTED = "an Excel workbook (.xlsx), a text file (.csv, .txt) or an XML file (.xml)"


def file_format(filename: str) -> str:
    """The declared format of a file name; FileRejected for any other extension."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix == ".xls":
        raise FileRejected(
            "Old Excel files (.xls) cannot be read: open the file in Excel and save it as "
            "an Excel Workbook (.xlsx)."
        )
    if suffix not in FORMATS:
        raise FileRejected(f"This kind of file cannot be uploaded: choose {ACCEPTED}.")
    return FORMATS[suffix]


def open_batch(source: Source, filename: str, limits: Limits) -> BatchFile:
    """The opened batch file; FileRejected when it cannot be read as what it claims to be."""
    kind = file_format(filename)
    if kind == "xlsx":
        from app.importers.xlsx import open_xlsx

        return open_xlsx(source, limits)
    if kind == "xml":
        from app.importers.xml_mems import open_xml

        return open_xml(source, limits)
    from app.importers.delimited import open_delimited

    return open_delimited(source, kind, limits)
