"""Apply-by-email links: subject and body from templates, percent-encoded as RFC 6068 requires."""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import quote, unquote, urlencode

from ..load.fields import is_valid_email

_FIELD = re.compile(r"\{([a-z_]+)\}")
_EMPTY = "\x00"  # stands for an empty field while separators are tidied (never in user text)
_AROUND_EMPTY = re.compile(r"([-_/|·—])?\s*\x00\s*([-_/|·—])?")


def fill_template(template: str, values: dict[str, str], *, one_line: bool) -> str:
    """Fill {field}s; an empty field does not leave a doubled separator ('应聘A--姓名' -> '应聘A-姓名'), and only
    separators around an empty field are merged: a title such as 'C--税务' or a URL keeps its text."""

    def value(match: re.Match[str]) -> str:
        text = values.get(match[1], "")
        return (" ".join(text.split()) or _EMPTY) if one_line else text  # one line: no CR/LF can reach a header

    filled = _FIELD.sub(value, template)
    if one_line:
        filled = _AROUND_EMPTY.sub(lambda m: m[1] or m[2] or "", " ".join(filled.split()))
        filled = filled.replace(_EMPTY, "").strip(" -_/|·—")
    return filled


def build_mailto(address: str, subject: str = "", body: str = "") -> str:
    """A mailto: URI for exactly one recipient, with subject and body as the only header fields; ValueError for
    an address that could smuggle in recipients or headers."""
    if not is_valid_email(address):
        raise ValueError(f"not a single plain e-mail address: {address!r}")
    fields = {"subject": subject, "body": re.sub(r"\r\n|\r|\n", "\r\n", body)}  # RFC 6068: CRLF line breaks
    query = urlencode({name: value for name, value in fields.items() if value}, quote_via=quote, safe="")
    return f"mailto:{address}" + (f"?{query}" if query else "")


def mailto_problem(href: str, allowed: Iterable[str]) -> str | None:
    """Why a mailto: link written in a text must not be published (a message id), or None: it may only
    go to one of the ALLOWED addresses, and carry no header field (no cc, bcc, to, subject or body)."""
    if not href[:7].lower() == "mailto:":
        return None
    address, _, query = href[7:].partition("?")
    address = unquote(address).strip()
    if query or "," in address or ";" in address:
        return "mailto_headers"
    return None if address.lower() in {a.lower() for a in allowed} else "mailto_other_address"
