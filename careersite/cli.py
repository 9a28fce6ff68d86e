"""Command line: build | check | serve | new | import | export. Exit status 0 clean, 1 problems, 2 wrong usage."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import Problem, Problems, UsageError, did_you_mean, visible
from .load.config import site_messages, url_problem
from .load.fields import suggestion_hint

TODAY_ENV = "CAREERSITE_TODAY"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the site's language (PROBLEMS is set on the class _parser makes)."""

    problems: Problems

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {self.problems.text('error')}: {usage_message(message, self.problems)}\n")


# What argparse says (in English, in the wordings of Python 3.11 to 3.13) -> a message id and its values.
_ARGPARSE = (
    (re.compile(r"argument command: invalid choice: '?(?P<value>[^']*?)'? \(choose from (?P<choices>.*)\)"),
     "usage_command"),
    (re.compile(r"unrecognized arguments: (?P<value>.*)"), "usage_unrecognized"),
    (re.compile(r"the following arguments are required: (?P<value>.*)"), "usage_required"),
    (re.compile(r"argument (?P<arg>[^:]+): expected one argument"), "usage_no_value"),
    (re.compile(r"argument (?P<arg>[^:]+): (?P<value>.*)"), "usage_argument"),
)


def usage_message(message: str, problems: Problems) -> str:
    """Argparse's error MESSAGE in the site's language (unchanged when argparse says something new)."""
    for pattern, msg_id in _ARGPARSE:
        if match := pattern.fullmatch(message):
            values = match.groupdict()
            if msg_id == "usage_command":
                values["choices"] = values["choices"].replace("'", "")
                values["hint"] = suggestion_hint(problems, did_you_mean(values["value"], values["choices"].split(", ")))
            return problems.text(msg_id, **values)
    return message


def _parser(problems: Problems) -> argparse.ArgumentParser:
    def date(text: str) -> dt.date:  # --today, saying what is wrong in the site's language
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(problems.text("usage_date", value=text)) from None

    def port(text: str) -> int:
        if text.strip().isdecimal() and 0 < int(text) < 65536:
            return int(text)
        raise argparse.ArgumentTypeError(problems.text("usage_port", value=text))

    parser = type("Parser", (_Parser,), {"problems": problems})(
        prog="build.py", description="Build a static careers site from position files.")
    parser.add_argument("--version", action="version", version=f"careersite {__version__}")
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--site", type=Path, default=Path("."), help="site folder with site.toml (default: .)")
    site.add_argument("--today", type=date, help=f"fix 'today' as YYYY-MM-DD (or set {TODAY_ENV})")
    common = argparse.ArgumentParser(add_help=False, parents=[site])
    common.add_argument("--drafts", action="store_true", help="include positions marked draft: true")
    common.add_argument("--base-url", help="publish under this URL instead of site.toml's base_url")
    common.add_argument("--strict", action="store_true", help="treat warnings as failures (exit status 1)")
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", parents=[common], help="validate, then write the site (default)")
    build.add_argument("--out", type=Path, help="output folder (default: SITE/public)")
    build.add_argument("--no-cache", action="store_true", help="build everything, without .cache/careersite")
    check = sub.add_parser("check", parents=[common], help="validate everything, write nothing")
    check.add_argument("--fix", action="store_true", help="first rewrite the files with the repairs that are "
                       "certain (numbering, pasted Word/WeChat marks, colons, indentation, dates), showing a diff")
    check.add_argument("--dry-run", action="store_true", help="with --fix: show the diff, change nothing")
    check.add_argument("--force", action="store_true", help="with --fix: also files with changes not committed in git")
    new = sub.add_parser("new", parents=[site], help="create a position file from a commented skeleton")
    new.add_argument("title", help='the position title, e.g. "风险管理岗"')
    new.add_argument("--category", required=True, help="category key from site.toml, e.g. risk")
    new.add_argument("--slug", help="the URL name (default: from the title, 风险管理岗 -> feng-xian-guan-li-gang)")
    serve = sub.add_parser("serve", parents=[site], help="preview with live reload (drafts included)")
    serve.add_argument("--port", type=port, default=8000, help="port (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only)")
    notice = sub.add_parser("import", parents=[site],
                            help="write position files from a recruitment notice (.docx .xlsx .csv .txt)")
    notice.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="the notice(s): .docx .xlsx .csv .txt (.doc .xls .wps .et through LibreOffice)")
    notice.add_argument("--dry-run", action="store_true", help="show what would be written, write nothing")
    notice.add_argument("--update", action="store_true", help="rewrite positions that exist (the changes are shown)")
    notice.add_argument("--draft", action="store_true", help="mark the positions draft: true")
    notice.add_argument("--add-categories", action="store_true", help="add unknown categories to site.toml")
    notice.add_argument("--category", help="category key for a table that has no category column")
    table = sub.add_parser("export", parents=[site], help="write the positions as one table (.xlsx or .csv)")
    table.add_argument("file", type=Path, metavar="FILE", help="the table to write: .xlsx or .csv")
    table.add_argument("--drafts", action="store_true", help="include positions marked draft: true")
    table.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    return parser


def _today(args: argparse.Namespace, problems: Problems) -> dt.date | None:
    if args.today or not (env := os.environ.get(TODAY_ENV)):
        return args.today
    try:
        return dt.date.fromisoformat(env)
    except ValueError:
        raise UsageError(f"{TODAY_ENV}: " + problems.text("usage_date", value=env)) from None


def print_problems(problems: Problems, site: Path | None = None) -> None:
    """Every problem as 'path:line:col: error: message', on GitHub Actions also as an annotation of its line."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    ordered = problems.sorted()
    for problem, line in zip(ordered, problems.lines(ordered)):
        print(line, file=sys.stderr)
        if annotate:
            print(annotation(problem, site), file=sys.stdout)


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(problem: Problem, site: Path | None = None) -> str:
    """A GitHub workflow command (::error file=…,line=…,col=…::message) for one problem."""
    path = (site / problem.path).as_posix() if site is not None and site != Path(".") else problem.path
    where = f"file={_escape(path, prop=True)},line={max(problem.line, 1)},col={max(problem.col, 1)}"
    return f"::{problem.severity} {where},title=careersite::{_escape(visible(problem.message))}"


def _summary(problems: Problems) -> str:
    files = len({p.path for p in problems.items})
    return problems.text("summary_problems", errors=len(problems.errors), warnings=len(problems.warnings), files=files)


def _new(args: argparse.Namespace, problems: Problems) -> int:
    from .commands.new import new_position

    _ctrl_c_raises()
    path = new_position(args.site, args.title, args.category, problems, slug=args.slug, today=_today(args, problems))
    print_problems(problems)
    if path is None:
        return 1
    print(path.as_posix())
    print(problems.text("new_created", path=path.as_posix()), file=sys.stderr)
    return 0


def _table(args: argparse.Namespace, problems: Problems) -> int:
    """`import` and `export`: the problems, then the lines of their report."""
    if args.command == "import":
        from .commands.importer import ImportOptions, run_import

        _ctrl_c_raises()
        report = run_import(ImportOptions(
            root=args.site, files=tuple(args.files), dry_run=args.dry_run, update=args.update, draft=args.draft,
            add_categories=args.add_categories, category=args.category), problems)
    else:
        from .commands.exporter import ExportOptions, run_export

        _ctrl_c_raises()
        report = run_export(ExportOptions(root=args.site, file=args.file, drafts=args.drafts, force=args.force,
                                          today=_today(args, problems)), problems)
    print_problems(problems, site=args.site)
    if problems.items:
        print(_summary(problems), file=sys.stderr)
    sys.stderr.writelines(line + "\n" for line in getattr(report, "err", ()))
    sys.stdout.writelines(line + "\n" for line in report.out)
    return report.status


def _ctrl_c_raises() -> None:
    """From here on Ctrl+C raises KeyboardInterrupt (build.py leaves at once while modules are imported)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _serve(args: argparse.Namespace, problems: Problems) -> int:
    from .commands.serve import serve

    _ctrl_c_raises()
    return serve(args.site, today=_today(args, problems), host=args.host, port=args.port, problems=problems)


def _run(args: argparse.Namespace, problems: Problems) -> int:
    from .commands.build import Options, build, check

    if command := {"new": _new, "import": _table, "export": _table, "serve": _serve}.get(args.command):
        return command(args, problems)
    if args.base_url and (reason := url_problem(args.base_url)):
        raise UsageError("--base-url: " + problems.text(reason, key="--base-url", value=args.base_url, limit=300))
    options = Options(root=args.site, out=getattr(args, "out", None), base_url=args.base_url, drafts=args.drafts,
                      today=_today(args, problems), strict=args.strict, cache=not getattr(args, "no_cache", False))
    if args.command == "check" and (args.dry_run or args.force) and not args.fix:
        raise UsageError(problems.text("usage_fix_only"))
    if args.command == "check" and args.fix:
        from .commands.fix import run_fix

        report = run_fix(options.root, problems, dry_run=args.dry_run, force=args.force, colour=sys.stdout.isatty())
        sys.stdout.writelines(line + "\n" for line in report.out)
        sys.stderr.writelines(line + "\n" for line in report.err)
        if args.dry_run:
            return 0
    _ctrl_c_raises()
    result = check(options) if args.command == "check" else \
        build(options, say=lambda msg_id, values: print(problems.text(msg_id, **values), file=sys.stderr))
    problems = result.problems
    print_problems(problems, site=options.root)
    if not result.ok or problems.items:
        print(_summary(problems), file=sys.stderr)
    if not result.ok:
        if options.strict and problems.warnings and not problems.has_errors():
            print(problems.text("strict_failed", warnings=len(problems.warnings)), file=sys.stderr)
        if args.command != "check":
            print(problems.text("build_failed", out=options.out_dir), file=sys.stderr)
        return 1
    print(problems.text("summary_ok", positions=result.counts[0], categories=result.counts[1]))
    if result.stats is not None:
        print(problems.text("built", pages=result.stats.files, out=options.out_dir, seconds=result.seconds))
    return 0


def _site_folder(argv: list[str]) -> Path:
    """The --site folder of ARGV, read before argparse (whose errors are in that site's language)."""
    for at, arg in enumerate(argv):
        if arg == "--site" and at + 1 < len(argv):
            return Path(argv[at + 1])
        if arg.startswith("--site="):
            return Path(arg[len("--site="):])
    return Path(".")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    problems = Problems(messages=site_messages(_site_folder(argv)))
    parser = _parser(problems)
    try:
        return _run(parser.parse_args(argv), problems)
    except UsageError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse already printed the usage message
        return 0 if exc.code in (0, None) else 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not a user mistake: say so briefly, keep the trace for reports
        if os.environ.get("CAREERSITE_DEBUG"):
            raise
        print(f"build.py: internal error ({type(exc).__name__}: {exc}); nothing was published. "
              "Run again with CAREERSITE_DEBUG=1 for details and report it.", file=sys.stderr)
        return 1
