#!/bin/sh
# Lighthouse (mobile) on the home page, a category and a position of the seed fixture site, built and served
# locally as a project site under /careers/. Prints each page's four scores; exits 1 if any is below 100.
#
#   sh bench/lighthouse.sh            (needs node/npx and Debian's chromium; npx fetches lighthouse once)
#
# Not a timed test: a figure for the report and for docs, run by hand.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
port=${PORT:-8791}
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
cd "$here"
.venv/bin/python -c "
from pathlib import Path
from tests.conftest import SEED_FIXTURE, copy_site
copy_site(SEED_FIXTURE, Path('$work/site'))"
.venv/bin/python build.py build --site "$work/site" --today 2026-11-28 >/dev/null
mkdir -p "$work/root" && ln -s "$work/site/public" "$work/root/careers"
(cd "$work/root" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
sleep 1
status=0
for path in "" categories/technology/ positions/dba/; do
  url="http://127.0.0.1:$port/careers/$path"
  CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} npx --yes lighthouse@12 "$url" --form-factor=mobile --quiet \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output-path="$work/report.json" >/dev/null 2>&1
  python3 - "$work/report.json" "$url" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
cls = report["audits"]["cumulative-layout-shift"]["displayValue"]
print(sys.argv[2], " ".join(f"{k}={v}" for k, v in scores.items()), f"CLS={cls}")
sys.exit(0 if all(v == 100 for v in scores.values()) else 1)
PY
done
exit $status
