"""An open position -> its schema.org JobPosting data (Google's required and recommended properties), and that
data as JSON-LD no text can break out of; the escaping of text in XML for the feeds."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import escape as html_escape
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..load.config import SiteConfig
from ..model.salary import number as _number, parse_salary, unit_code
from ..model.site import Position

CURRENCIES = {"CN": "CNY", "HK": "HKD", "MO": "MOP", "TW": "TWD", "SG": "SGD", "US": "USD", "GB": "GBP"}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What could end a <script> block, start a comment or an entity in it, or end a line for old JavaScript
# parsers; a JSON parser reads each escape as the same text.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def xml_escape(text: str, quote: bool = False) -> str:
    """&, < and > as entities, and " as well with QUOTE (attribute values): html.escape, without the
    &#x27; it would also write. Characters XML 1.0 cannot hold at all (controls, U+FFFE) are dropped:
    fields refuse them, and no text may make a feed unreadable."""
    text = html_escape(_NOT_XML.sub("", text), quote=False)
    return text.replace('"', "&quot;") if quote else text


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
    facts = (position.title, position.category.name, ui["list_separator"].join(position.locations))
    return f"<p>{xml_escape('，'.join(filter(None, facts)))}</p>"


def job_posting(config: SiteConfig, position: Position) -> dict[str, Any]:
    """The schema.org JobPosting of an open position (Google's required and recommended properties)."""
    places = [{"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": place,
                                              "addressCountry": config.country}} for place in position.locations]
    organization: dict[str, Any] = {"@type": "Organization", "name": config.company,
                                    "sameAs": config.company_url or config.base_url}
    if config.logo:
        organization["logo"] = config.logo if "://" in config.logo else config.base_url + config.logo
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": position.title,
        "description": description_html(position, config.ui) or fallback_description(position, config.ui),
        "datePosted": position.posted.isoformat() if position.posted else None,
        "hiringOrganization": organization,
        # One place as one object: strict validators refuse a one-element array.
        "jobLocation": places[0] if len(places) == 1 else places,
        "url": config.base_url + position.url_path,
        "directApply": True,  # the page's own apply link sends the application: no other site in between
    }
    if position.closes:
        data["validThrough"] = end_of_day(position.closes, config.timezone)
    if position.employment_type:
        data["employmentType"] = position.employment_type
    if position.code:
        data["identifier"] = {"@type": "PropertyValue", "name": config.company, "value": position.code}
    if position.headcount:
        data["totalJobOpenings"] = position.headcount
    if salary := parse_salary(position.salary, unit_code(position.salary_unit)):
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": CURRENCIES.get(config.country.upper(), "CNY"),
                              "value": {"@type": "QuantitativeValue", "minValue": _number(salary[0]),
                                        "maxValue": _number(salary[1]), "unitText": salary[2]}}
    return data


def json_ld(data: Any) -> str:
    """DATA as JSON for a <script type="application/ld+json"> block that no value can break out of (such as
    a title `</script><script>…`). Mark it safe in Jinja only after this; never pass it through |tojson."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    for char, escape in _SCRIPT_ESCAPES.items():  # str.replace: str.translate would look up every character
        text = text.replace(char, escape)
    return text
