"""make check-site: the site's own checks, on whatever content/ and site.toml hold now.

    python -m tests.sitecheck [--site DIR] [--base-url URL] [--out DIR] [--no-browser]

1. `build.py check`: every position file valid, every problem as `file:line:col` (and, on GitHub
   Actions, as an annotation on its line of the pull request);
2. `build.py build` into a temporary folder (or --out), as the publish job builds it;
3. the checks of tests/sitecheck/ on that output: the default pages, links and assets, JobPosting
   data, sitemap and feed, valid HTML (Nu), accessibility (axe), not published empty by accident.
Exit status 0 when everything passes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sitecheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--base-url", help="build for this URL (default: site.toml's base_url)")
    parser.add_argument("--out", type=Path, help="build into this folder (default: a temporary one)")
    parser.add_argument("--today", help="fix today (YYYY-MM-DD)")
    parser.add_argument("--no-browser", action="store_true", help="skip the checks that need chromium and java")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    build = [sys.executable, str(PROJECT / "build.py")]
    common = ["--site", str(site)] + (["--today", args.today] if args.today else [])
    print("check-site: 1/3 the position files and site.toml (build.py check)", flush=True)
    if subprocess.run([*build, "check", *common]).returncode != 0:
        print("check-site: the files above have errors; fix them first (each line says file:line:column).")
        return 1
    base_url = args.base_url or tomllib.loads((site / "site.toml").read_text(encoding="utf-8"))["base_url"]
    with tempfile.TemporaryDirectory(prefix="check-site-") as tmp:
        out = (args.out or Path(tmp) / "public").resolve()
        print(f"check-site: 2/3 building for {base_url} into {out}", flush=True)
        built = subprocess.run([*build, "build", *common, "--out", str(out), "--base-url", base_url])
        if built.returncode != 0:
            return 1
        print("check-site: 3/3 the built site (tests/sitecheck)", flush=True)
        import pytest

        options = ["-q", "-p", "no:cacheprovider", "--site-root", str(site), "--site-out", str(out),
                   "--site-base-url", base_url if base_url.endswith("/") else base_url + "/"]
        if args.no_browser:
            options += ["-m", "not slow"]
        return int(pytest.main([str(PROJECT / "tests" / "sitecheck"), *options]))


if __name__ == "__main__":
    raise SystemExit(main())
