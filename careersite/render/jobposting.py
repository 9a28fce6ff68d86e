"""An open position -> its schema.org JobPosting data (Google's required and recommended properties).

Data, not HTML: a dict the position page writes as JSON-LD (safejson), and the salary range parser
that positions.json shares.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape as html_escape
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..load.config import SiteConfig
from ..model.site import Position
from .safejson import safe_json_for_script

CURRENCIES = {"CN": "CNY", "HK": "HKD", "MO": "MOP", "TW": "TWD", "SG": "SGD", "US": "USD", "GB": "GBP"}

# --------------------------------------------------------------------------
# Salary: only a real range becomes baseSalary ("面议", "competitive" never do)
# --------------------------------------------------------------------------

_NUM = r"(\d+(?:\.\d+)?)\s*([kK千wW万])?"
_SALARY = re.compile(
    r"^\s*(?:[¥￥]|RMB|CNY)?\s*" + _NUM + r"\s*(?:元)?\s*[-~～—–至到]\s*(?:[¥￥])?\s*" + _NUM
    + r"\s*(?:元|RMB|CNY)?\s*(?:(?:/|每|一|per\s*)\s*(?P<unit>月|年|month|year|mo|yr|小时|hour|天|日|day))?"
    r"\s*(?:[·*xX×]\s*\d{1,2}\s*薪)?\s*$",
    re.I,
)
_MULTIPLIERS = {"k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000}
_UNITS = {"月": "MONTH", "month": "MONTH", "mo": "MONTH", "年": "YEAR", "year": "YEAR", "yr": "YEAR",
          "小时": "HOUR", "hour": "HOUR", "天": "DAY", "日": "DAY", "day": "DAY"}


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_escape(text: str, quote: bool = False) -> str:
    """&, < and > as entities, and " as well with QUOTE (attribute values): html.escape, without the
    &#x27; it would also write. Characters XML 1.0 cannot hold at all (controls, U+FFFE) are dropped:
    fields refuse them, and no text may make a feed unreadable."""
    text = html_escape(_NOT_XML.sub("", text), quote=False)
    return text.replace('"', "&quot;") if quote else text


def parse_salary(text: str) -> tuple[float, float, str] | None:
    """(min, max, unit) for a real range like 15k-25k, 15000-25000元/月, 1.5万-2.5万/月; else None.

    A multiplier written only on the upper bound applies to both (20-30万/年). Without a unit a
    range is per month, the way Chinese job ads state pay.
    """
    match = _SALARY.match(text or "")
    if not match:
        return None
    low_n, low_m, high_n, high_m = match.group(1, 2, 3, 4)
    low_m = low_m or high_m
    low = float(low_n) * _MULTIPLIERS.get((low_m or "").lower(), 1)
    high = float(high_n) * _MULTIPLIERS.get((high_m or "").lower(), 1)
    if low <= 0 or high < low:
        return None
    unit = _UNITS[(match["unit"] or "月").lower()]
    return low, high, unit


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


# --------------------------------------------------------------------------
# JobPosting
# --------------------------------------------------------------------------

def end_of_day(day: dt.date, timezone: str) -> str:
    """The last second of DAY in the site's time zone, with its offset (2027-01-31T23:59:59+08:00)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), ZoneInfo(timezone)).isoformat()


def description_html(position: Position, ui: Mapping[str, str]) -> str:
    """The position's text as HTML, as the page shows it: description, duties, requirements, other."""
    parts = []
    for section in position.sections:
        heading = ui[section.kind] if section.kind in ("responsibilities", "requirements") else section.heading
        if heading and section.html:
            parts.append(f"<h3>{xml_escape(heading)}</h3>")
        parts.append(section.html)
    return "\n".join(p for p in parts if p)


def fallback_description(position: Position, ui: Mapping[str, str]) -> str:
    """For a position with no text at all: its visible facts, so the markup stays valid (lint warns)."""
    places = ui["list_separator"].join(position.locations)
    facts = "，".join(x for x in (position.title, position.category.name, places) if x)
    return f"<p>{xml_escape(facts)}</p>"


def job_posting(config: SiteConfig, position: Position) -> dict[str, Any]:
    """The schema.org JobPosting of an open position (Google's required and recommended properties)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": position.title,
        "description": description_html(position, config.ui) or fallback_description(position, config.ui),
        "datePosted": position.posted.isoformat() if position.posted else None,
        "hiringOrganization": {
            "@type": "Organization",
            "name": config.company,
            "sameAs": config.company_url or config.base_url,
        },
        "jobLocation": [
            {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": place,
                                           "addressCountry": config.country}}
            for place in position.locations
        ],
        "url": config.base_url + position.url_path,
    }
    if position.closes:
        data["validThrough"] = end_of_day(position.closes, config.timezone)
    if position.employment_type:
        data["employmentType"] = position.employment_type
    if position.code:
        data["identifier"] = {"@type": "PropertyValue", "name": config.company, "value": position.code}
    if position.headcount:
        data["totalJobOpenings"] = position.headcount
    salary = parse_salary(position.salary)
    if salary:
        low, high, unit = salary
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": CURRENCIES.get(config.country.upper(), "CNY"),
            "value": {"@type": "QuantitativeValue", "minValue": _number(low), "maxValue": _number(high),
                      "unitText": unit},
        }
    return data


def json_ld(data: Mapping[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block that no value can break out of."""
    return safe_json_for_script(data)
