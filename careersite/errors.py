"""Problems found in a user's files, and the collector every stage reports into: a problem is never an
exception; stages return problems, the CLI prints them sorted, then a summary."""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

MAX_VALUE = 300  # characters of one value quoted in a message


# Control characters from a file name or a quoted value must not move the cursor, clear the
# terminal or start a new, fake problem line: they are shown as escapes.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # and bidi overrides
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """TEXT with control characters written as escapes (\\n, \\x1b), safe to print on one line."""
    return _CONTROL.sub(lambda m: _NAMED.get(m[0]) or f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                        else f"\\u{ord(m[0]):04x}", text)


class Problem(NamedTuple):
    """One thing wrong in one file. Lines and columns are 1-based; 0 means "the whole file" (shown as 1:1).
    A tuple: made, compared, sorted and (in the build cache) unpickled in C; a big site has thousands."""

    path: str
    line: int
    col: int
    severity: str
    message: str

    def format(self, severity_words: dict[str, str] | None = None) -> str:
        """'path:line:col: error: message'; a problem of the whole file is at 1:1, so that editors and CI
        annotations can jump to it like to any other."""
        word = (severity_words or {}).get(self.severity, self.severity)
        return visible(f"{self.path}:{max(self.line, 1)}:{max(self.col, 1)}: {word}: {self.message}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class _Formatter(string.Formatter):
    """str.format, plus a plural form for English: {n:plural:error|errors} is "error" when N is 1, else "errors"
    (write "{n} {n:plural:error|errors}"; Chinese needs none)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            one, _, other = format_spec[len("plural:"):].partition("|")
            return one if value == 1 else other
        return super().format_field(value, format_spec)


def format_message(template: str, /, **values: object) -> str:
    """A locale's message (a template) with VALUES, plural forms included (str.format, in C, if it has none)."""
    return _Formatter().format(template, **values) if ":plural:" in template else template.format(**values)


@dataclass
class Problems:
    """Collects problems from every stage. `text` renders a message id from the site's language."""

    messages: dict[str, str] = field(default_factory=dict)
    items: list[Problem] = field(default_factory=list)

    def text(self, msg_id: str, **values: object) -> str:
        template = self.messages.get(msg_id, msg_id)
        # A hostile file can make any quoted value (a key, a path) a megabyte long: keep lines readable.
        values = {k: v[:MAX_VALUE] + "…" if isinstance(v, str) and len(v) > MAX_VALUE else v for k, v in values.items()}
        try:
            return format_message(template, **values)
        except (KeyError, IndexError, ValueError, AttributeError):  # a broken override must not hide the problem
            return f"{template} {values}"

    def error(self, path: str, line: int, col: int, msg_id: str, **values: object) -> None:
        self.items.append(Problem(path, line, col, "error", self.text(msg_id, **values)))

    def warning(self, path: str, line: int, col: int, msg_id: str, **values: object) -> None:
        self.items.append(Problem(path, line, col, "warning", self.text(msg_id, **values)))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def has_errors(self) -> bool:
        return any(p.is_error for p in self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))

    def lines(self, items: Iterable[Problem] | None = None) -> list[str]:
        """ITEMS (else every problem, sorted) as 'path:line:col: severity: message', in the site's language."""
        words = {"error": self.text("error"), "warning": self.text("warning")}
        return [problem.format(words) for problem in (self.sorted() if items is None else items)]


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, if one is close enough to suggest."""
    return next(iter(difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)), None)


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2), printed without a traceback."""
