"""A position's salary text and unit -> its range (for JobPosting and positions.json) and the words a page
shows (20k-35k -> 2万–3.5万/月). Text that is not a range ("面议", "competitive") is shown as written."""

from __future__ import annotations

import re
from typing import Mapping

# The units a salary is paid by: the word site.toml and position files write (salary_unit) -> schema.org's.
UNIT_CODES = {"月": "MONTH", "年": "YEAR", "天": "DAY", "小时": "HOUR"}

_NUM = r"(\d+(?:\.\d+)?)\s*([kK千wW万])?"
_SALARY = re.compile(
    r"^\s*(?:[¥￥]|RMB|CNY)?\s*" + _NUM + r"\s*(?:元)?\s*[-~～—–至到]\s*(?:[¥￥])?\s*" + _NUM
    + r"\s*(?:元|RMB|CNY)?\s*(?:(?:/|每|一|per\s*)\s*(?P<unit>月|年|month|year|mo|yr|小时|hour|天|日|day))?"
    r"\s*(?:[·*xX×]\s*(?P<months>\d{1,2})\s*薪)?\s*$",
    re.I,
)
_MULTIPLIERS = {"k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000}
_UNITS = {"月": "MONTH", "month": "MONTH", "mo": "MONTH", "年": "YEAR", "year": "YEAR", "yr": "YEAR",
          "小时": "HOUR", "hour": "HOUR", "天": "DAY", "日": "DAY", "day": "DAY"}


def parse_salary(text: str, default_unit: str = "MONTH") -> tuple[float, float, str] | None:
    """(min, max, unit) for a real range like 15k-25k, 15000-25000元/月, 1.5万-2.5万/月; else None.

    A multiplier written only on the upper bound applies to both (20-30万/年). A unit written in the
    text wins; without one the range is per DEFAULT_UNIT (the position's salary_unit, else per month,
    the way Chinese job ads state pay).
    """
    found = _parse(text)
    if not found:
        return None
    low, high, unit, _months = found
    return low, high, unit or default_unit


def _parse(text: str) -> tuple[float, float, str | None, int | None] | None:
    match = _SALARY.match(text or "")
    if not match:
        return None
    low_n, low_m, high_n, high_m = match.group(1, 2, 3, 4)
    low_m = low_m or high_m
    low = float(low_n) * _MULTIPLIERS.get((low_m or "").lower(), 1)
    high = float(high_n) * _MULTIPLIERS.get((high_m or "").lower(), 1)
    if low <= 0 or high < low:
        return None
    unit = _UNITS[match["unit"].lower()] if match["unit"] else None
    return low, high, unit, int(match["months"]) if match["months"] else None


def unit_code(salary_unit: str | None) -> str:
    return UNIT_CODES.get(salary_unit or "月", "MONTH")


def number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _amount(value: float, ui: Mapping[str, str]) -> str:
    if ui["salary_ten_thousand"]:  # Chinese: 2万, 3.5万; below ten thousand as it is (8000)
        return f"{value / 10_000:g}{ui['salary_ten_thousand']}" if value >= 10_000 else f"{value:g}"
    return f"{value / 1_000:g}k" if value >= 1_000 else f"{value:g}"


def salary_text(text: str, salary_unit: str | None, ui: Mapping[str, str]) -> str:
    """What a page shows of a salary: a range in the language's words with its unit; other text as written."""
    found = _parse(text)
    if not found:
        return text.strip()
    low, high, unit, months = found
    unit = unit or unit_code(salary_unit)
    low_text, high_text = _amount(low, ui), _amount(high, ui)
    if ui["salary_ten_thousand"] and high < 10_000:
        high_text += ui["salary_yuan"]
    shown = ui["salary_range"].format(low=low_text, high=high_text, unit=ui[f"salary_per_{unit}"])
    return shown + (ui["salary_months"].format(n=months) if months else "")
