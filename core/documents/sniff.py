"""What an uploaded file really is: decided from its bytes, never from its name alone.

Accepted: PDF, PNG, JPEG, and the Office Open XML formats Word (.docx) and Excel (.xlsx), which
are zip packages recognised by their ``[Content_Types].xml`` and main part. Anything else, a
macro-enabled package, or a name whose extension says something other than the content, is
refused with a message that says what to upload instead. File names are sanitised here too.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from core.errors import InvalidInput

FIELD = ("input", "file")
ACCEPTED = "a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    #: Extensions a name may have for this content (lower case, with the dot).
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", ".pdf", (".pdf",), "a PDF")
PNG = FileType("image/png", ".png", (".png",), "a PNG image")
JPEG = FileType("image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe", ".jfif"), "a JPEG image")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    (".docx",),
    "a Word document",
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    (".xlsx",),
    "an Excel workbook",
)
TYPES = (PDF, PNG, JPEG, DOCX, XLSX)
_KNOWN_EXTENSIONS = {ext: t for t in TYPES for ext in t.extensions}

_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> FileType:
    """The type of ``data``, or INVALID on ``input.file`` saying what is accepted."""
    if not data:
        raise InvalidInput(f"The file is empty. Upload {ACCEPTED}.", field=FIELD)
    if data.startswith(b"%PDF-"):
        return _readable_pdf(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_package(data)
    if data.startswith(_OLE):
        raise InvalidInput(
            "The file is an older Office format (.doc or .xls) or is password-protected. "
            "Save it as .docx or .xlsx (or as a PDF) without a password and upload it again.",
            field=FIELD,
        )
    raise InvalidInput(f"This kind of file is not accepted. Upload {ACCEPTED}.", field=FIELD)


def _readable_pdf(data: bytes) -> FileType:
    """A PDF is one that starts with its header (offset 0: an HTML page with ``%PDF-`` in its
    first kilobyte is not one) and that a PDF reader opens, pages and all."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception:  # pypdf raises many types for a damaged or fake file
        raise InvalidInput(
            "The file starts like a PDF but cannot be read as one (it may be damaged, or not "
            f"a PDF at all). Save it again as a PDF and upload that, or upload {ACCEPTED}.",
            field=FIELD,
        ) from None
    return PDF


def _office_package(data: bytes) -> FileType:
    not_office = InvalidInput(
        f"The file is a zip archive, not a Word or Excel document. Upload {ACCEPTED}.",
        field=FIELD,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {info.filename for info in archive.infolist()}
            if "[Content_Types].xml" not in names:
                raise not_office
            if any(name.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for name in names):
                raise _macros()
            with archive.open("[Content_Types].xml") as manifest:
                content_types = manifest.read(MAX_CONTENT_TYPES_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError):
        raise InvalidInput(
            f"The file looks like a Word or Excel document but is damaged. Upload {ACCEPTED}.",
            field=FIELD,
        ) from None
    if len(content_types) > MAX_CONTENT_TYPES_BYTES:
        raise not_office
    if b"macroenabled" in content_types.lower():
        raise _macros()
    if _DOCX_MAIN in content_types and "word/document.xml" in names:
        return DOCX
    if _XLSX_MAIN in content_types and "xl/workbook.xml" in names:
        return XLSX
    raise not_office


def _macros() -> InvalidInput:
    return InvalidInput(
        "Documents with macros (.docm, .xlsm) are not accepted. Save it as a .docx or .xlsx "
        "without macros, or as a PDF, and upload it again.",
        field=FIELD,
    )


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)


def sanitise_name(raw: str | None) -> str:
    """A file name safe to show and to offer for download; never used as a path.

    The last path component only, Unicode NFC, no control or reserved characters, no leading
    dots, single spaces, at most 150 characters (the extension kept). Empty -> ``document``.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    extension = extension[:16]
    room = MAX_NAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "document"
    return f"{stem}.{extension}" if extension else stem


def named_for(name: str, file_type: FileType) -> str:
    """``name`` checked against the content: the right extension is added when there is none;
    an extension that says something else (``.exe``, or ``.pdf`` on a Word file) is refused."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"{name}{file_type.extension}"
    extension = f".{extension.lower()}"
    if extension in file_type.extensions:
        return name
    claimed = _KNOWN_EXTENSIONS.get(extension)
    found = f"the file's content is {file_type.label}"
    if claimed is not None:
        message = (
            f'The file name "{name}" says {claimed.label}, but {found}. Rename it to end in '
            f"{file_type.extension}, or upload the right file."
        )
    else:
        message = (
            f'The file name "{name}" ends in {extension}, but {found}. Rename it to end in '
            f"{file_type.extension}."
        )
    raise InvalidInput(message, field=FIELD)
