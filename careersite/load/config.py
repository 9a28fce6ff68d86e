"""site.toml -> a frozen SiteConfig: each of its tables checked against a table of keys and defaults."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problems
from ..i18n import DEFAULT_LANGUAGE, available_languages, load_locale
from .fields import DEFAULTABLE, INVALID, Located, forbidden_character, unknown_key, validate_field, wrong_type
from .textfile import decode, read_file
from .tomllines import key_lines

CONFIG_FILE = "site.toml"
TEMPLATES_DIR = "templates"  # the site\'s Jinja templates
STATIC_DIR = "static"  # copied as they are, with a content hash in their URLs
SUBJECT_FIELDS = ("title", "code", "category", "company", "location")


# Each table's keys and their defaults; a value must have its default's type, and None marks a required text.
# Every key is documented in the README (a test checks the two agree).
SITE_SETTINGS: dict[str, Any] = {
    "title": None, "company": None, "base_url": None, "language": DEFAULT_LANGUAGE, "timezone": "Asia/Shanghai",
    "description": "", "intro": "", "company_url": "", "logo": "", "hr_phone": "", "icp": "",
    "anti_fraud": "",  # when absent, the language's line
    "country": "CN", "home_per_category": 20, "per_page": 50,
    "allow_empty": False,  # read by the publish job, not by the site
}
APPLY_SETTINGS: dict[str, Any] = {"email": None, "subject": "", "body": "", "instructions": "", "privacy": ""}
CATEGORY_SETTINGS: dict[str, Any] = {"key": None, "name": None, "description": ""}
TABLES = ("apply", "defaults", "categories", "ui", "compliance")
# [compliance]: each kind of wording careersite.model.compliance looks for, and how it is reported.
COMPLIANCE_KINDS = ("gender", "marriage", "ethnicity", "religion", "origin", "appearance", "health", "age")
COMPLIANCE_LEVELS = ("error", "warning", "off")
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CONFIG_BYTES = 1_000_000
MAX_URL = 300  # characters: a base URL longer than this cannot be a QR code a phone reads easily
_FIELD = re.compile(r"\{([^{}]*)\}")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-]{3,28}[0-9](?:\s*(?:转|ext\.?|x)\s*[0-9]{1,6})?$", re.I)
_EXTENSION = re.compile(r"\s*(?:转|ext\.?|x)\s*", re.I)
MAX_FOOTER_TEXT = 200  # characters of hr_phone, icp, anti_fraud: a footer line, not a paragraph


def url_problem(value: str) -> str | None:
    """Why VALUE is not an http(s) URL the site may publish, as a message id; None if it is fine."""
    if len(value) > MAX_URL:
        return "url_too_long"
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in value):
        return "url_invalid"
    try:
        parts = urlsplit(value)
        parts.port  # raises on a bad port
    except ValueError:
        return "url_invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "url_scheme"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "url_credentials"
    if parts.path.startswith("//") or parts.query or parts.fragment:
        return "url_path"
    return None


def phone_href(phone: str) -> str:
    """The tel: URL of a checked phone number: its digits with a leading +, an extension as ;ext= (RFC 3966)."""
    main, ext = (*_EXTENSION.split(phone, maxsplit=1), "")[:2]
    digits = ("+" if main.strip().startswith("+") else "") + re.sub(r"\D", "", main)
    extension = re.sub(r"\D", "", ext)
    return f"tel:{digits}" + (f";ext={extension}" if extension else "")


def _check_logo(root: Path, value: str, line: int, problems: Problems) -> str:
    """The logo as an http(s) URL or as "static/logo.png" (written with or without static/); "" if unset or wrong."""
    if not value:
        return ""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I):
        if reason := url_problem(value):
            problems.error(CONFIG_FILE, line, 1, reason, key="logo", value=value, limit=MAX_URL)
        return "" if reason else value
    rel = value.removeprefix("/").removeprefix(STATIC_DIR + "/")
    base = (root / STATIC_DIR).resolve()
    target = (base / rel).resolve()
    if any(part in ("", ".", "..") for part in rel.split("/")) or "\\" in rel or not target.is_relative_to(base) \
            or not target.is_file():
        problems.error(CONFIG_FILE, line, 1, "config_logo_missing", value=value[:80])
        return ""
    return f"{STATIC_DIR}/{rel}"


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ApplySettings:
    email: str
    subject: str
    body: str
    instructions: str
    privacy: str


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    title: str
    company: str
    base_url: str  # always ends with '/'
    language: str
    timezone: str
    description: str
    intro: str
    company_url: str
    country: str
    home_per_category: int
    per_page: int
    apply: ApplySettings
    categories: tuple[Category, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    ui: dict[str, str] = field(default_factory=dict)
    compliance: dict[str, str] = field(default_factory=dict)  # kind -> "error" | "warning" | "off" (set ones)
    compliance_allow: tuple[str, ...] = ()  # phrases the compliance check lets through
    messages: dict[str, str] = field(default_factory=dict)
    logo: str = ""  # an absolute http(s) URL or a path under static/ ("static/logo.png")
    hr_phone: str = ""
    icp: str = ""
    anti_fraud: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # "intro", "apply.privacy" -> line

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. '/careers/'."""
        return urlsplit(self.base_url).path or "/"

    def category(self, key_or_name: str) -> Category | None:
        return next((cat for cat in self.categories if key_or_name in (cat.key, cat.name)), None)


def _check_table(values: dict, settings: dict[str, Any], table: str, index: int, lines: dict,
                 problems: Problems) -> dict[str, Any]:
    """VALUES of one table checked against SETTINGS, with the defaults of the keys not set."""
    result: dict[str, Any] = {}
    table_line = lines.get((table, index, ""), 1)
    for key, value in values.items():
        line = lines.get((table, index, key), table_line)
        if key not in settings:
            if not (table == "" and key in TABLES):
                unknown_key(problems, CONFIG_FILE, line, 1, key, list(settings))
            continue
        kind = str if settings[key] is None else type(settings[key])
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            expected = {str: "expected_text", bool: "expected_bool"}.get(kind, "expected_positive_int")
            wrong_type(key, _as_located(value, line), CONFIG_FILE, problems, expected)
        elif settings[key] is None and not value.strip():  # as good as missing: say so
            problems.error(CONFIG_FILE, line, 1, "empty_text", key=f"{table}.{key}" if table else key)
        else:
            result[key] = value.strip() if isinstance(value, str) else value
    for key, default in settings.items():
        if default is None and key not in values:
            problems.error(CONFIG_FILE, table_line, 1, "config_required", key=f"{table}.{key}" if table else key)
        result.setdefault(key, default)
    return result


def _broken_braces(text: str) -> bool:
    """A lone { or } (not {{ or }}) that str.format would trip over."""
    rest = _FIELD.sub("", text.replace("{{", "").replace("}}", ""))
    return "{" in rest or "}" in rest


def _as_located(value: Any, line: int) -> Located:
    """Wrap a TOML value so the position-field validators can check [defaults]."""
    if isinstance(value, list):
        return Located([_as_located(v, line) for v in value], line, 1, "list")
    if hasattr(value, "isoformat"):  # a date, a time or both
        return Located(value.isoformat(), line, 1, "date", raw=value.isoformat())
    kind = {bool: "bool", int: "int", float: "float", dict: "map"}.get(type(value), "str")  # tomllib's types
    return Located(value, line, 1, kind, raw="" if kind == "map" else str(value))


def _table(data: dict, name: str) -> dict:
    value = data.get(name, {})
    return value if isinstance(value, dict) else {}


def site_messages(root: Path) -> dict[str, str]:
    """The messages in site.toml's language (the default one if it is missing or broken), before it is checked."""
    try:
        language = tomllib.loads((root / CONFIG_FILE).read_text(encoding="utf-8")).get("language")
    except (OSError, ValueError):
        language = None
    return dict(load_locale(language if language in available_languages() else DEFAULT_LANGUAGE)[1])


def load_config(root: Path, problems: Problems, data: bytes | None = None) -> SiteConfig | None:
    """Read and validate ROOT/site.toml (DATA: its bytes, when the caller holds them, as the unit tests do).
    Returns None when it cannot be used at all."""
    path = root / CONFIG_FILE
    if data is None and not path.exists():
        problems.error(CONFIG_FILE, 1, 1, "config_missing")
        return None
    data = read_file(path, CONFIG_FILE, problems, MAX_CONFIG_BYTES) if data is None else data
    text = None if data is None else decode(data, CONFIG_FILE, problems)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long for int()
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match[1]), int(match[2])) if match else (1, 1)
        problems.error(CONFIG_FILE, line, col, "config_syntax", detail=re.sub(r"\s*\(at line.*\)", "", str(exc)))
        return None
    lines = key_lines(text)

    def at(key: str, table: str = "") -> int:
        return lines.get((table, 0, key), 1)

    language = data.get("language", DEFAULT_LANGUAGE)
    if language not in available_languages():
        problems.error(CONFIG_FILE, at("language"), 1, "config_language", value=language,
                       allowed=", ".join(available_languages()))
        language = DEFAULT_LANGUAGE
    ui, messages = (dict(d) for d in load_locale(language))
    problems.messages = messages

    top = _check_table(data, SITE_SETTINGS, "", 0, lines, problems)
    for key in ("base_url", "company_url"):
        if top[key] and (reason := url_problem(top[key])):
            problems.error(CONFIG_FILE, at(key), 1, reason, key=key, value=top[key], limit=MAX_URL)
    top["logo"] = _check_logo(root, top["logo"], at("logo"), problems)
    for key in ("hr_phone", "icp", "anti_fraud"):
        value = top[key]
        if code := forbidden_character(value):
            problems.error(CONFIG_FILE, at(key), 1, "control_character", key=key, code=code)
        elif len(value) > MAX_FOOTER_TEXT:
            problems.error(CONFIG_FILE, at(key), 1, "text_too_long", key=key, length=len(value), limit=MAX_FOOTER_TEXT)
    if top["hr_phone"] and not _PHONE.match(top["hr_phone"]):
        problems.error(CONFIG_FILE, at("hr_phone"), 1, "config_phone", value=top["hr_phone"][:40])
    try:
        zoneinfo.ZoneInfo(top["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        problems.error(CONFIG_FILE, at("timezone"), 1, "config_timezone", value=top["timezone"])
    for key in ("home_per_category", "per_page"):
        if top[key] < 1:
            problems.error(CONFIG_FILE, at(key), 1, "headcount_positive", value=top[key])

    apply = _check_table(_table(data, "apply"), APPLY_SETTINGS, "apply", 0, lines, problems)
    if apply["email"]:
        email = Located(apply["email"], at("email", "apply"), 1, "str", raw=apply["email"])
        validate_field("apply_email", email, CONFIG_FILE, problems)
    apply["subject"] = apply["subject"] or ui["default_apply_subject"]
    for key in ("subject", "body"):
        for name in _FIELD.findall(apply[key]):
            if name not in SUBJECT_FIELDS:
                problems.error(CONFIG_FILE, at(key, "apply"), 1, "config_subject_field", field=name,
                               allowed=" ".join("{%s}" % f for f in SUBJECT_FIELDS))

    categories: list[Category] = []
    first_seen: dict[str, int] = {}
    raw_categories = data.get("categories", [])
    if not isinstance(raw_categories, list) or not raw_categories:
        problems.error(CONFIG_FILE, 1, 1, "config_no_categories")
        raw_categories = []
    for index, raw in enumerate(raw_categories):
        if not isinstance(raw, dict):
            continue
        cat = _check_table(raw, CATEGORY_SETTINGS, "categories", index, lines, problems)
        line = lines.get(("categories", index, "key"), lines.get(("categories", index, ""), 1))
        if cat["key"] and not _KEY.match(cat["key"]):
            problems.error(CONFIG_FILE, line, 1, "config_category_key", value=cat["key"])
        for ident in filter(None, (cat["key"], cat["name"])):
            if ident in first_seen:
                problems.error(CONFIG_FILE, line, 1, "config_category_duplicate", value=ident, first=first_seen[ident])
            else:
                first_seen[ident] = line
        if cat["key"] and cat["name"]:
            categories.append(Category(**cat))

    defaults: dict[str, Any] = {}
    for key, value in _table(data, "defaults").items():
        line = at(key, "defaults")
        if key not in DEFAULTABLE:
            unknown_key(problems, CONFIG_FILE, line, 1, key, DEFAULTABLE)
        elif (checked := validate_field(key, _as_located(value, line), CONFIG_FILE, problems)) is not INVALID:
            defaults[key] = checked

    for key, value in _table(data, "ui").items():
        line = at(key, "ui")
        if key not in ui:
            unknown_key(problems, CONFIG_FILE, line, 1, key, list(ui), "config_ui_unknown")
        elif not isinstance(value, str):
            wrong_type(f"ui.{key}", _as_located(value, line), CONFIG_FILE, problems, "expected_text")
        elif code := forbidden_character(value):
            problems.error(CONFIG_FILE, line, 1, "control_character", key=f"ui.{key}", code=code)
        else:
            allowed = set(_FIELD.findall(ui[key]))
            unknown = [name for name in _FIELD.findall(value) if name not in allowed]
            if unknown or _broken_braces(value):
                shown = " ".join("{%s}" % f for f in sorted(allowed)) or problems.text("config_ui_no_fields")
                problems.error(CONFIG_FILE, line, 1, "config_ui_field", key=key, field="{" + (unknown or [""])[0] + "}",
                               allowed=shown)
            else:
                ui[key] = value

    compliance, allow = _compliance(_table(data, "compliance"), lines, problems)

    if any(p.path == CONFIG_FILE and p.is_error for p in problems.items):
        return None
    del top["allow_empty"]
    if "anti_fraud" not in data:
        top["anti_fraud"] = ui["footer_anti_fraud"]
    top["base_url"] = top["base_url"].removesuffix("/") + "/"
    return SiteConfig(root=root, **top, apply=ApplySettings(**apply), categories=tuple(categories), defaults=defaults,
                      ui=ui, compliance=compliance, compliance_allow=allow, messages=messages,
                      lines={f"{table}.{key}" if table else key: line for (table, index, key), line in lines.items()
                             if not index})


def _compliance(raw: dict, lines: dict, problems: Problems) -> tuple[dict[str, str], tuple[str, ...]]:
    """[compliance]: gender = "warning", age = "off", allow = ["..."]: checked like the other tables."""
    levels: dict[str, str] = {}
    allow: tuple[str, ...] = ()
    for key, value in raw.items():
        line = lines.get(("compliance", 0, key), 1)
        if key == "allow":
            if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
                allow = tuple(v.strip() for v in value)
            else:
                wrong_type("compliance.allow", _as_located(value, line), CONFIG_FILE, problems, "expected_text_list")
        elif key not in COMPLIANCE_KINDS:
            unknown_key(problems, CONFIG_FILE, line, 1, key, [*COMPLIANCE_KINDS, "allow"])
        elif value not in COMPLIANCE_LEVELS:
            problems.error(CONFIG_FILE, line, 1, "config_compliance_level", key=key, value=str(value)[:40],
                           allowed=", ".join(COMPLIANCE_LEVELS))
        else:
            levels[key] = value
    return levels, allow


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()
