"""A git ref and the site folder -> what the change does to the positions, and its problems, as Markdown
(CI's pull-request job summary: python -m careersite.commands.diff --base REF, or scripts/site-diff)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..errors import Problems, UsageError
from ..load.config import CONFIG_FILE
from ..model.site import Position, Site
from .build import Options, load_site, new_problems

# What a visitor sees of a position, by the front-matter key HR knows it under: (label, value as shown).
FIELDS: dict[str, tuple[str, Callable[[Position, dict[str, str]], str]]] = {
    "title": ("diff_field_title", lambda p, ui: p.title),
    "category": ("ui:category", lambda p, ui: p.category.name),
    "code": ("ui:code", lambda p, ui: p.code),
    "location": ("ui:location", lambda p, ui: ui["list_separator"].join(p.locations)),
    "headcount": ("ui:headcount", lambda p, ui: str(p.headcount) if p.headcount else ui["headcount_unknown"]),
    "employment_type": ("ui:employment_type", lambda p, ui: ui.get(p.employment_type or "", "")),
    "posted": ("ui:posted", lambda p, ui: p.posted.isoformat() if p.posted else ""),
    "closes": ("ui:closes", lambda p, ui: p.closes.isoformat() if p.closes else ui["no_closing_date"]),
    "salary": ("ui:salary", lambda p, ui: p.salary),
    "summary": ("diff_field_summary", lambda p, ui: p.summary),
    "apply_email": ("diff_field_apply_email", lambda p, ui: p.apply_email),
    "apply_subject": ("ui:apply_subject", lambda p, ui: (p.apply_subject, p.apply_body)),  # the e-mail, not shown
}
KINDS = ("added", "changed", "closed", "reopened", "removed", "drafts")  # the summary's sections, in order
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


@dataclass(frozen=True)
class Change:
    position: Position
    fields: tuple[str, ...] = ()  # what changed, as HR reads it: "截止日期：2027-01-31 → 2027-02-28"
    note: str = ""


def changed_fields(old: Position, new: Position, problems: Problems, ui: dict[str, str]) -> tuple[str, ...]:
    """What a visitor sees differently, in the site's language, with old -> new for the short facts."""
    changes = []
    for name, (key, value) in FIELDS.items():
        before, after = value(old, ui), value(new, ui)
        if before == after:
            continue
        field = ui[key[3:]] if key.startswith("ui:") else problems.text(key)
        if name not in ("summary", "apply_subject"):  # short enough to show as old -> new
            field = problems.text("diff_value", field=field, old=before or "—", new=after or "—")
        changes.append(field)
    old_sections, new_sections = ({s.heading or s.kind: s.html for s in p.sections} for p in (old, new))
    for name in dict.fromkeys([*old_sections, *new_sections]):
        if old_sections.get(name) != new_sections.get(name):
            changes.append(ui.get(name, name) if name in ("responsibilities", "requirements", "description") else name)
    return tuple(changes)


def compare(base: Site | None, head: Site, today: dt.date, problems: Problems,
            broken: Iterable[str]) -> dict[str, list[Change]]:
    """Each of KINDS -> its changes: positions matched by slug, open or closed on TODAY; drafts apart; BROKEN
    files neither added nor removed."""
    old = {p.slug: p for p in base.positions} if base else {}
    new = {p.slug: p for p in head.positions}
    found: dict[str, list[Change]] = {kind: [] for kind in KINDS}
    for slug, position in new.items():
        before = old.get(slug)
        fields = () if before is None else changed_fields(before, position, problems, head.config.ui)
        was_closed, is_closed = before is not None and before.is_closed(today), position.is_closed(today)
        if position.draft and before is not None and not before.draft:
            found["removed"].append(Change(position, note=problems.text("diff_now_draft")))
        elif position.draft:
            found["drafts"].append(Change(position, fields))
        elif before is None or before.draft:
            found["added"].append(Change(position))
        elif is_closed and not was_closed:
            found["closed"].append(Change(position, fields))
        elif was_closed and not is_closed:
            found["reopened"].append(Change(position, fields))
        elif fields:
            found["changed"].append(Change(position, fields))
    found["removed"] += [Change(p) for slug, p in old.items()
                         if slug not in new and not p.draft and p.source not in broken]
    return found


def md(text: str) -> str:
    """Plain text safe inside Markdown (GitHub job summaries also render HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code_block(lines: list[str]) -> str:
    fence = "`" * max(3, 1 + max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0))
    return "\n".join([fence + "text", *lines, fence])


def _line(change: Change, problems: Problems, today: dt.date, sep: str) -> str:
    p = change.position
    notes = [problems.text("diff_closes_on", date=p.closes.isoformat()) if p.closes else "",
             problems.text("diff_already_closed") if p.is_closed(today) else "", change.note]
    parts = [f"**{md(p.title)}**", md(p.category.name), *(md(note) for note in notes if note), f"`{p.url_path}`"]
    line = "- " + " · ".join(parts)
    if change.fields:
        line += " — " + md(problems.text("diff_fields", fields=sep.join(change.fields)))
    return line


def to_markdown(diff: dict[str, list[Change]], broken: list[str], head_problems: Problems, *, base_label: str,
                today: dt.date, note: str = "", separator: str = "；") -> str:
    text = head_problems.text
    out = [f"## {md(text('diff_title'))}", ""]
    counts = text("diff_counts", **{kind: len(changes) for kind, changes in diff.items()}, broken=len(broken),
                  warnings=len(head_problems.warnings), errors=len(head_problems.errors))
    out += [text("diff_against", base=md(base_label), counts=counts), ""]
    if note:
        out += [f"> {md(note)}", ""]
    if not any(diff.values()) and not broken:
        out += [md(text("diff_no_changes")), ""]
    def section(key: str, items: tuple | list, lines: list[str]) -> None:
        if items:
            out.extend([f"### {md(text(key))} ({len(items)})", "", *lines, ""])

    for kind, changes in diff.items():
        section(f"diff_{kind}", changes, [_line(c, head_problems, today, separator) for c in changes])
    section("diff_broken", broken, [f"- `{path}`" for path in broken])
    for key, items in (("diff_errors", head_problems.errors), ("diff_warnings", head_problems.warnings)):
        section(key, items, [code_block(head_problems.lines(sorted(set(items))))])
    return "\n".join(out).rstrip() + "\n"


def export_ref(root: Path, ref: str, dest: Path, problems: Problems) -> Path:
    """Write the site folder as it was at REF into DEST; return the site's folder inside DEST."""
    def git(*args: str, at: Path = root, binary: bool = False, check: bool = True) -> subprocess.CompletedProcess:
        try:
            result = subprocess.run(["git", "-C", str(at), *args], capture_output=True, text=not binary, check=False)
        except OSError as exc:
            raise UsageError(str(exc)) from None
        if check and result.returncode != 0:
            detail = result.stderr if isinstance(result.stderr, str) else result.stderr.decode("utf-8", "replace")
            detail = " ".join(detail.split()) or result.returncode
            raise UsageError(problems.text("diff_git_failed", ref=ref, detail=detail))
        return result

    prefix = git("rev-parse", "--show-prefix")
    commit = git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    top = git("rev-parse", "--show-toplevel", check=False).stdout.strip()
    archive = git("archive", "--format=tar", commit.stdout.strip(), at=Path(top), binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest / prefix.stdout.strip()


def run(root: Path, base_ref: str, today: dt.date | None = None) -> tuple[str, bool]:
    """(Markdown, head loaded without errors); both versions with drafts, files with errors left out."""
    head_problems = new_problems()
    head = load_site(Options(root=root, today=today, drafts=True), head_problems, partial=True)
    base_problems = new_problems()
    with tempfile.TemporaryDirectory(prefix="sitediff-") as tmp:
        base_root = export_ref(root, base_ref, Path(tmp), base_problems)
        if (base_root / CONFIG_FILE).is_file():
            base = load_site(Options(root=base_root, today=today, drafts=True), base_problems, partial=True)
            note = "" if base is not None else head_problems.text("diff_base_broken", base=base_ref)
        else:
            base, note = None, head_problems.text("diff_base_missing", base=base_ref)
    ok = not head_problems.has_errors()
    if head is None:  # site.toml itself cannot be used
        return to_markdown({kind: [] for kind in KINDS}, [], head_problems, base_label=base_ref,
                           today=today or dt.date.today(), note=note), False
    day = today or head.today
    published = {p.source for p in head.positions}
    broken = sorted({p.path for p in head_problems.errors if p.path.startswith("content/") and p.path not in published})
    diff = compare(base, head, day, head_problems, broken)
    return to_markdown(diff, broken, head_problems, base_label=base_ref, today=day, note=note), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/site-diff",
                                     description="Markdown summary of what a change does to the site's positions.")
    parser.add_argument("--base", required=True, help="git ref to compare with (e.g. origin/main or a commit)")
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder with site.toml (default: .)")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="judge open/closed on this day (YYYY-MM-DD)")
    try:
        args = parser.parse_args(argv)
        markdown, ok = run(args.site, args.base, args.today)
    except SystemExit as exc:  # argparse already printed the usage message
        return 0 if exc.code in (0, None) else 2
    except UsageError as exc:
        print(f"sitediff: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(markdown)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
