"""Command line: build | check | serve | new. Parses arguments, runs the pipeline, maps results to exit codes.

Exit status: 0 clean, 1 problems in the site's files, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import __version__, pipeline
from .errors import Problems, UsageError

TODAY_ENV = "CAREERSITE_TODAY"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build a static careers site from position files.")
    parser.add_argument("--version", action="version", version=f"careersite {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--site", type=Path, default=Path("."), help="site folder with site.toml (default: .)")
    common.add_argument("--today", type=_date, help=f"fix 'today' as YYYY-MM-DD (or set {TODAY_ENV})")
    common.add_argument("--drafts", action="store_true", help="include positions marked draft: true")
    common.add_argument("--base-url", help="publish under this URL instead of site.toml's base_url")
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", parents=[common], help="validate, then write the site (default)")
    build.add_argument("--out", type=Path, help="output folder (default: SITE/public)")
    build.add_argument("--no-cache", action="store_true",
                       help="ignore and do not update SITE/.cache/careersite (build everything from scratch)")
    sub.add_parser("check", parents=[common], help="validate everything, write nothing")
    return parser


def _today(args: argparse.Namespace) -> dt.date | None:
    if args.today:
        return args.today
    env = os.environ.get(TODAY_ENV)
    if env:
        try:
            return dt.date.fromisoformat(env)
        except ValueError:
            raise UsageError(f"{TODAY_ENV} must be a date as YYYY-MM-DD, got {env!r}") from None
    return None


def print_problems(problems: Problems, stream=sys.stderr) -> None:
    words = {"error": problems.text("error"), "warning": problems.text("warning")}
    for problem in problems.sorted():
        print(problem.format(words), file=stream)


def _summary(problems: Problems) -> str:
    files = len({p.path for p in problems.items})
    return problems.text("summary_problems", errors=len(problems.errors), warnings=len(problems.warnings), files=files)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["build", *argv])
        options = pipeline.Options(
            root=args.site, out=getattr(args, "out", None), base_url=args.base_url, drafts=args.drafts,
            today=_today(args), cache=not getattr(args, "no_cache", False),
        )
    except UsageError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0) if exc.code in (0, None) else 2

    try:
        result = pipeline.check(options) if args.command == "check" else pipeline.build(options)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not a user mistake: say so briefly, keep the trace for reports
        if os.environ.get("CAREERSITE_DEBUG"):
            raise
        print(f"build.py: internal error ({type(exc).__name__}: {exc}); nothing was published. "
              "Run again with CAREERSITE_DEBUG=1 for details and report it.", file=sys.stderr)
        return 1
    problems = result.problems
    print_problems(problems)
    if problems.has_errors() or result.site is None:
        print(_summary(problems), file=sys.stderr)
        if args.command != "check":
            print(problems.text("build_failed", out=options.out_dir), file=sys.stderr)
        return 1
    site = result.site
    if problems.items:
        print(_summary(problems), file=sys.stderr)
    print(problems.text("summary_ok", positions=len(site.positions), categories=len(site.config.categories)))
    if result.written and result.stats:
        print(problems.text("built", pages=result.stats.files, out=options.out_dir, seconds=result.seconds))
    return 0
