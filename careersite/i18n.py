"""UI strings and problem messages per language, from careersite/locales/<lang>.toml."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh-CN"


def available_languages() -> list[str]:
    return sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))


@lru_cache(maxsize=None)
def load_locale(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """(ui strings, problem messages) for a language; unknown languages fall back to the default."""
    known = language if language in available_languages() else DEFAULT_LANGUAGE
    data = tomllib.loads((LOCALES_DIR / f"{known}.toml").read_text(encoding="utf-8"))
    return dict(data["ui"]), dict(data["messages"])
