"""What kind of file this really is, and whether a .docx/.xlsx zip is safe to open (no zip bomb)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import Problems

# Word and Excel files unpack to a few MB of XML; a zip bomb claims gigabytes. Declared sizes bound
# what zipfile will ever decompress (it stops at a member's declared size), so checking them suffices.
MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 150_000_000

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc/.xls/.wps/.et, and of encrypted OOXML
_HTML = re.compile(rb"<(?:!doctype\s+html|html|table|meta)\b", re.I)


def sniff(head: bytes) -> str:
    """zip, ole, html or other, from the first bytes of a file."""
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if _HTML.search(head[:4096].replace(b"\x00", b"")) and text[:1] == b"<":
        return "html"
    return "other"


def is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .docx/.xlsx is an OLE file holding EncryptionInfo and EncryptedPackage."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


def has_member(path: Path, name: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return name in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def check_zip(path: Path, rel: str, problems: Problems) -> bool:
    """True when PATH is a zip that is safe to hand to a reader; else reports why not."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        problems.error(rel, 0, 0, "import_damaged", detail=str(exc) or type(exc).__name__)
        return False
    total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        problems.error(rel, 0, 0, "import_zip_bomb", members=len(members), size=round(total / 1e6),
                       limit=MAX_UNCOMPRESSED // 1_000_000)
        return False
    return True
