"""The position fields (one table of kind, rule and example) and their validators, for files and [defaults] alike."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import Problems, did_you_mean

EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER")
EMPLOYMENT_ALIASES = {
    "全职": "FULL_TIME", "兼职": "PART_TIME", "合同工": "CONTRACTOR", "外包": "CONTRACTOR",
    "临时": "TEMPORARY", "实习": "INTERN", "实习生": "INTERN", "志愿者": "VOLUNTEER",
}

# Fields with a fixed list of values, which listings show and filter by; aliases are other ways to write a value.
EDUCATION = ("不限", "大专", "本科", "硕士", "博士")
EXPERIENCE = ("不限", "应届", "1年以上", "3年以上", "5年以上", "10年以上")
RECRUITMENT_TYPES = ("社招", "校招", "实习")
SALARY_UNITS = ("月", "年", "天", "小时")
FILTER_FIELDS = ("recruitment_type", "education", "experience")  # fixed-value fields a seeker can filter by
CHOICES: dict[str, tuple[str, ...]] = {"recruitment_type": RECRUITMENT_TYPES, "education": EDUCATION,
                                       "experience": EXPERIENCE, "salary_unit": SALARY_UNITS}
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "recruitment_type": {"社会招聘": "社招", "校园招聘": "校招", "实习生": "实习"},
    "education": {"学历不限": "不限", "专科": "大专", "研究生": "硕士"},
    "experience": {"经验不限": "不限", "应届生": "应届", "应届毕业生": "应届"},
    "salary_unit": {"month": "月", "year": "年", "day": "天", "日": "天", "hour": "小时", "时": "小时"},
}


@dataclass(frozen=True)
class Located:
    """A YAML value and where it is; kind: str int float bool null date list map, or invalid (already reported)."""

    value: Any
    line: int
    col: int
    kind: str
    key_line: int = 0  # for a mapping entry: where its key is written
    key_col: int = 0
    raw: str = ""  # a scalar exactly as written (so messages can quote 'no', not False)


def in_choice_order(field: str, values) -> list[str]:
    """VALUES of a fixed-value FIELD in the order of its list (as a filter offers them)."""
    order = CHOICES[field]
    return sorted(set(values), key=lambda v: (order.index(v) if v in order else len(order), v))


# A mailto: recipient that cannot add recipients or headers: one address, no '?', '&', '%', ',', spaces or breaks.
_EMAIL = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"
)  # the top-level domain in letters or as punycode (xn--fiqs8s: .中国)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80
_LOOSE_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?\s*$")

# One-line fields end up in <title>, headings and the mailto subject: a pasted paragraph there is a mistake.
MAX_LENGTH = {"title": 200, "category": 100, "code": 100, "salary": 100, "location": 200, "summary": 1000}

INVALID = object()  # a field value that failed its rule (already reported)

# Characters no field may hold (feed.xml would not parse): C0 controls but tab, LF and CR, U+FFFE/U+FFFF, surrogates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and ".." not in value


def is_valid_slug(value: str) -> bool:
    return bool(_SLUG.match(value)) and len(value) <= MAX_SLUG


def slugify(text: str) -> str:
    """A kebab-case ASCII slug for any text. Chinese becomes pinyin (重庆 -> chong-qing)."""
    if any("\u3400" <= ch <= "\u9fff" for ch in text):
        from pypinyin import lazy_pinyin  # imported lazily: it loads a large dictionary

        text = " ".join(lazy_pinyin(text, errors=lambda chars: chars))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:MAX_SLUG].strip("-")


# Each field and its kind, the rule validate_field applies (documented with examples in docs/hr-guide.md).
POSITION_FIELDS: dict[str, str] = {
    "title": "text", "category": "text", "slug": "slug", "code": "text", "location": "text_or_list",
    "headcount": "positive_int", "employment_type": "employment_type", "posted": "date",
    "opens": "date",  # the day it appears; before it, like a draft
    "closes": "date", "salary": "text", "salary_unit": "choice", "apply_email": "email", "draft": "bool",
    "summary": "text", "description": "text", "responsibilities": "items", "requirements": "items",
    "recruitment_type": "choice", "education": "choice", "experience": "choice", "order": "positive_int",
}
# The fields every position must have, each with the line that sets one (for the message that it is missing).
REQUIRED_FIELDS = {"title": "title: 风险管理岗", "category": "category: risk"}

# Fields a site may set for every position in site.toml [defaults].
DEFAULTABLE = ("location", "headcount", "employment_type", "posted", "closes", "salary", "salary_unit", "apply_email",
               "recruitment_type", "education", "experience")


_CHINESE_BOOLS = {"是": True, "否": False, "真": True, "假": False}
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_count(text: str) -> int | None:
    """The number in a count as HR writes it: 2人, 两名, 十, 3 位; None when there is none."""
    text = unicodedata.normalize("NFKC", text).strip().rstrip("人名位个")
    if text.isdecimal():
        return int(text) if len(text) < 19 else None
    if not text or len(text) > 3 or any(ch not in _CHINESE_DIGITS for ch in text):
        return None
    digits = [_CHINESE_DIGITS[ch] for ch in text]
    if text[0] == "十":  # 十, 十二
        return 10 + (digits[1] if len(text) > 1 else 0)
    if len(text) > 1 and text[1] == "十":  # 二十, 二十三
        return digits[0] * 10 + (digits[2] if len(text) == 3 else 0)
    return digits[0] if len(text) == 1 else None


def _headcount_hint(problems: Problems, written: str) -> str:
    if written.strip() in ("若干", "若干名", "若干人", "不限", "多名"):
        return problems.text("headcount_hint_some")
    number = chinese_count(written)
    return problems.text("headcount_hint", number=number) if number else ""


def _shown(loc: Located | Any) -> str:
    """The value as the user wrote it, shortened for a message."""
    value = (loc.raw or loc.value) if isinstance(loc, Located) else loc
    if isinstance(value, (list, dict)):
        return "[…]" if isinstance(value, list) else "{…}"
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def wrong_type(name: str, loc: Located, path: str, problems: Problems, expected: str) -> Any:
    problems.error(path, loc.line, loc.col, "wrong_type", key=name, expected=problems.text(expected),
                   found=problems.text(f"kind_{loc.kind}"), value=_shown(loc))
    return INVALID


def suggestion_hint(problems: Problems, suggestion: str | None) -> str:
    """'Did you mean …?' for a SUGGESTION, or ""."""
    return problems.text("did_you_mean", suggestion=suggestion) if suggestion else ""


def forbidden_character(value: str) -> str | None:
    """The first character no field may hold in VALUE, as U+XXXX, else None."""
    found = _FORBIDDEN.search(value)
    return f"U+{ord(found[0]):04X}" if found else None


def _text(name: str, loc: Located, path: str, problems: Problems) -> Any:
    if loc.kind in ("int", "float") and name in ("code", "salary"):
        return loc.raw or str(loc.value)
    if loc.kind in ("list", "map"):  # "quote it" would be no help: the value has several parts
        return wrong_type(name, loc, path, problems, "expected_text")
    value = str(loc.value).strip()
    if loc.kind not in ("str", "date"):
        problems.error(path, loc.line, loc.col, "not_text", key=name, found=problems.text(f"kind_{loc.kind}"),
                       value=_shown(loc))
    elif not value:
        problems.error(path, loc.line, loc.col, "empty_text", key=name)
    elif bad := forbidden_character(value):
        problems.error(path, loc.line, loc.col, "control_character", key=name, code=bad)
    elif name == "title" and all(unicodedata.category(ch)[0] in "ZC" for ch in value):  # spaces, format characters
        problems.error(path, loc.line, loc.col, "title_invisible")
    elif name in MAX_LENGTH and len(value) > MAX_LENGTH[name]:
        problems.error(path, loc.line, loc.col, "text_too_long", key=name, length=len(value), limit=MAX_LENGTH[name])
    else:
        return value
    return INVALID


def parse_date(name: str, loc: Located, path: str, problems: Problems) -> Any:
    if loc.kind not in ("str", "date", "int"):
        return wrong_type(name, loc, path, problems, "kind_date")
    raw = str(loc.value).strip()
    loose = _LOOSE_DATE.match(raw) if len(raw) <= 40 else None  # short: the pattern is quadratic in spaces
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            return dt.date.fromisoformat(raw)
        suggestion = dt.date(int(loose[1]), int(loose[2]), int(loose[3])).isoformat() if loose else None
    except ValueError:
        problems.error(path, loc.line, loc.col, "date_invalid", key=name, value=_shown(raw))
        return INVALID
    hint = problems.text("date_suggest", suggestion=suggestion) if suggestion else ""
    problems.error(path, loc.line, loc.col, "date_format", key=name, value=_shown(raw), hint=hint)
    return INVALID


def _list_items(name: str, loc: Located, path: str, problems: Problems, kinds: tuple[str, ...]) -> Any:
    """The items of list LOC as text, or INVALID after reporting the first that is not text or holds a control."""
    for n, item in enumerate(loc.value, start=1):
        if item.kind not in kinds:
            problems.error(path, item.line, item.col, "list_item_not_text", key=name, n=n,
                           found=problems.text(f"kind_{item.kind}"))
            return INVALID
        if bad := forbidden_character(str(item.value)):
            problems.error(path, item.line, item.col, "control_character", key=name, code=bad)
            return INVALID
    return [str(item.value) for item in loc.value]


def validate_field(name: str, loc: Located, path: str, problems: Problems) -> Any:
    """The field's value in its Python form, or INVALID after reporting why."""
    kind = POSITION_FIELDS[name]
    if kind == "text":
        return _text(name, loc, path, problems)
    if kind == "date":
        return parse_date(name, loc, path, problems)
    if kind == "text_or_list":
        if loc.kind == "list":
            values = _list_items(name, loc, path, problems, ("str", "date", "int"))
            return INVALID if values is INVALID else tuple(v.strip() for v in values if v.strip())
        value = _text(name, loc, path, problems)
        # "北京、上海" and "北京/上海" are a common way to write several places in one line.
        return INVALID if value is INVALID else tuple(v.strip() for v in re.split(r"[、,，/；;]", value) if v.strip())
    if kind == "items":
        if loc.kind == "list":
            items = _list_items(name, loc, path, problems, ("str", "date", "int", "float"))
            return INVALID if items is INVALID else tuple(items)
        if loc.kind != "str":
            return wrong_type(name, loc, path, problems, "expected_list")
        if bad := forbidden_character(str(loc.value)):
            problems.error(path, loc.line, loc.col, "control_character", key=name, code=bad)
            return INVALID
        return str(loc.value)  # a Markdown block; rendered like a body section
    if kind == "bool":
        if loc.kind == "str" and str(loc.value).strip() in _CHINESE_BOOLS:  # draft: 是 / 否
            return _CHINESE_BOOLS[str(loc.value).strip()]
        return bool(loc.value) if loc.kind == "bool" else wrong_type(name, loc, path, problems, "expected_bool")
    if kind == "positive_int":
        text = str(loc.value).strip() if loc.kind == "str" else ""
        # Bounded: int() and str() refuse numbers of over 4,300 digits, and no count has 19.
        value = int(text) if text.isdecimal() and len(text) < 19 else loc.value if loc.kind == "int" else 0
        if 1 <= value < 10**18:
            return value
        if name == "headcount":
            problems.error(path, loc.line, loc.col, "headcount_positive", value=_shown(loc),
                           hint=_headcount_hint(problems, str(loc.value) if loc.kind == "str" else ""))
        else:
            problems.error(path, loc.line, loc.col, "positive_int", key=name, value=_shown(loc))
    elif kind == "email":
        if loc.kind == "str" and is_valid_email(str(loc.value).strip()):
            return str(loc.value).strip()
        problems.error(path, loc.line, loc.col, "email_invalid", key=name, value=_shown(loc))
    elif kind == "employment_type":
        raw = str(loc.value).strip() if loc.kind == "str" else ""
        value = EMPLOYMENT_ALIASES.get(raw, raw.upper().replace("-", "_").replace(" ", "_"))
        if value in EMPLOYMENT_TYPES:
            return value
        problems.error(path, loc.line, loc.col, "employment_type_unknown", value=_shown(loc),
                       hint=suggestion_hint(problems, did_you_mean(value, EMPLOYMENT_TYPES)),
                       allowed="、".join(EMPLOYMENT_ALIASES), codes=", ".join(EMPLOYMENT_TYPES))
    elif kind == "choice":
        raw = unicodedata.normalize("NFKC", str(loc.value)).strip() if loc.kind in ("str", "int") else ""
        raw = re.sub(r"\s+", "", raw)
        value = CHOICE_ALIASES[name].get(raw.lower(), raw)
        if value in CHOICES[name]:
            return value
        problems.error(path, loc.line, loc.col, "choice_unknown", key=name, value=_shown(loc),
                       hint=suggestion_hint(problems, did_you_mean(value, CHOICES[name]) if value else None),
                       allowed="、".join(CHOICES[name]))
    else:  # slug
        raw = str(loc.value).strip() if loc.kind in ("str", "int") else ""
        if is_valid_slug(raw):
            return raw
        problems.error(path, loc.line, loc.col, "slug_invalid", value=_shown(loc),
                       hint=suggestion_hint(problems, slugify(raw)))
    return INVALID


def unknown_key(problems: Problems, path: str, line: int, col: int, key: str, allowed: list[str] | tuple[str, ...],
                msg_id: str = "unknown_key") -> None:
    hint = suggestion_hint(problems, did_you_mean(key, allowed))
    hint = hint or problems.text("allowed_keys", keys=", ".join(allowed))
    problems.error(path, line, col, msg_id, key=key, hint=hint)

