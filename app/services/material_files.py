"""Which files may be attached to an accreditation review: PDF, Word, Excel, PowerPoint,
text, CSV, PNG and JPEG, not empty, not over the size limit, and with content that is what
the extension says (a renamed executable or HTML page is refused)."""

from __future__ import annotations

import io
import zipfile

from app.services.errors import InputError

MB = 1024 * 1024

#: The files that can be attached: extension -> what the user calls it.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "pptx": "PowerPoint (.pptx)",
    "txt": "text",
    "csv": "CSV",
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
}
_SIGNATURES = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
}
#: Office Open XML files: a zip with [Content_Types].xml and its main part's folder.
_OFFICE_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def check_file(name: str, content: bytes, max_bytes: int) -> str:
    """The extension of a file that may be attached (lower case): not empty, not over
    the size limit, of an allowed type, with content matching its extension.
    InputError("file") otherwise."""
    if not content:
        raise InputError("file", "The file is empty.")
    if len(content) > max_bytes:
        raise InputError("file", f"The file is larger than {_size_text(max_bytes)}.")
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if extension not in ALLOWED_TYPES:
        kinds = list(dict.fromkeys(ALLOWED_TYPES.values()))
        listed = f"{', '.join(kinds[:-1])} and {kinds[-1]}"
        raise InputError("file", f"{name}: only {listed} files can be attached.")
    if not _content_matches(extension, content):
        raise InputError(
            "file",
            f"{name} is not a {ALLOWED_TYPES[extension]} file: its content does not match "
            "its extension.",
        )
    return extension


def _size_text(max_bytes: int) -> str:
    if max_bytes >= MB:
        return f"{max_bytes // MB} MB"
    return f"{max(1, max_bytes // 1024)} KB"


def _content_matches(extension: str, content: bytes) -> bool:
    """Whether the bytes are what the extension says (their signature; a text file is
    UTF-8, with or without a byte-order mark, and has no NUL)."""
    if extension in _SIGNATURES:
        return content.startswith(_SIGNATURES[extension])
    if extension in _OFFICE_FOLDERS:
        return _is_office(content, _OFFICE_FOLDERS[extension])
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _is_office(content: bytes, folder: str) -> bool:
    """A zip (from its first byte: nothing hidden before it) listing [Content_Types].xml
    and a part in the folder of the document's main part. Nothing is decompressed."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
