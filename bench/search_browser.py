"""What a search costs a job seeker's phone: bytes fetched and the time to the results, in chromium.

    python bench/search_browser.py --sizes 0,1000,10000 [--cpu 4] [--repeat 3] [--work /dev/shm/search-browser]
    python bench/search_browser.py --site OUT      # an output folder built before (e.g. with Pagefind)

Size 0 is the seed fixture (23 positions); other sizes are bench/synth.py sites, built with this
generator, served over HTTP/1.1 on this machine (bench/static_server.js). Each query is run in a fresh phone-sized browser
context (nothing cached): the home page
is loaded, the query put in the box and submitted; the time is from the submit to the results shown
(the form's data-ready, search.js's own signal), measured in the page. Bytes: every file the search
fetched (search.js, the index's meta, shards and fragments), raw, and gzipped at level 6 as hosts
compress (the local server does not). A second query in the same page shows what a seeker pays once
the meta and common shards are in memory. --cpu N slows the CPU N times (DevTools), as on a phone.
Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import synth  # noqa: E402
from tests.tools import CHROMIUM_ARGS, chromium_path  # noqa: E402


@contextlib.contextmanager
def serve(root: Path, prefix: str):
    """ROOT at http://127.0.0.1:PORT/PREFIX by bench/static_server.js (Node: HTTP/1.1, keep-alive, as
    fast as a small host), or by tests.tools.serve_directory where there is no Node (a connection a
    request, one Python thread each: on this 2-core machine 20 fragments then took 150 ms more)."""
    node = shutil.which("node")
    if node is None:
        from tests.tools import serve_directory

        with serve_directory(root, prefix) as base:
            yield base
        return
    proc = subprocess.Popen([node, str(Path(__file__).with_name("static_server.js")), str(root), prefix],
                            stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}{prefix}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


QUERIES = ["风险", "催收", "营销策划", "客户经理", "数据分析", "互联网金融", "Java", "北京 信贷"]
SECOND = "审批"

# Milliseconds from the submit to the count said and the first card shown, and to the whole first page.
SUBMIT = """async q => {
  const form = document.querySelector("form.finder"), input = form.elements.q;
  const list = document.querySelector(".finder-results .cards"), status = document.querySelector(".finder-status");
  input.value = q;
  const started = performance.now();
  let first = null;
  const seen = new MutationObserver(() => {
    if (first === null && (list.children.length || /0|没有|No /.test(status.textContent))) { first = performance.now() - started; }
  });
  seen.observe(list, { childList: true });
  seen.observe(status, { childList: true, characterData: true, subtree: true });
  const ready = new Promise(resolve => {
    new MutationObserver((_, observer) => {
      if (form.dataset.ready === q) { observer.disconnect(); resolve(performance.now() - started); }
    }).observe(form, { attributes: true, attributeFilter: ["data-ready"] });
  });
  form.requestSubmit();
  const all = await ready;
  seen.disconnect();
  return [first === null ? all : first, all];
}"""


def built_site(work: Path, n: int) -> Path:
    site = synth.sized_site(work, n)
    subprocess.run([sys.executable, str(synth.PROJECT / "build.py"), "build", "--site", str(site), "--today", synth.TODAY],
                   cwd=site, check=True, capture_output=True)
    return site / "public"


def measure(out: Path, cpu: float, repeat: int = 1) -> list[dict]:
    """Each query REPEAT times, each in a fresh context; the times are the medians."""
    runs = [_measure(out, cpu) for _ in range(repeat)]
    rows = runs[0]
    for n, row in enumerate(rows):
        for key in ("ms", "first_ms", "second_ms"):
            row[key] = statistics.median(run[n][key] for run in runs)
    return rows


def _measure(out: Path, cpu: float) -> list[dict]:
    from playwright.sync_api import sync_playwright

    sizes: dict[str, tuple[int, int]] = {}

    def weight(url: str) -> tuple[int, int]:
        path = unquote(urlsplit(url).path)[len("/careers/"):]
        if path not in sizes:
            data = (out / path).read_bytes()
            sizes[path] = (len(data), len(gzip.compress(data, 6, mtime=0)))
        return sizes[path]

    rows = []
    with serve(out, "/careers/") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        for query in QUERIES:
            context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True, locale="zh-CN")
            page = context.new_page()
            if cpu > 1:
                context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": cpu})
            page.goto(base, wait_until="load")
            page.evaluate("() => new Promise(r => requestIdleCallback(r, { timeout: 2000 }))")  # as a seeker reads first
            fetched: list[str] = []
            page.on("requestfinished", lambda request: fetched.append(request.url))
            first_ms, ms = page.evaluate(SUBMIT, query)
            page.wait_for_timeout(50)
            files = list(fetched)  # everything the search fetched (Pagefind's script and WebAssembly too)
            said = page.locator(".finder-status").inner_text()
            fetched.clear()
            second_ms = page.evaluate(SUBMIT, SECOND)[1]
            page.wait_for_timeout(50)
            second = list(fetched)
            script = [u for u in page.eval_on_selector_all("script[src]", "s => s.map(e => e.src)") if "search.js" in u]
            rows.append({
                "query": query, "ms": ms, "first_ms": first_ms, "second_ms": second_ms,
                "results": said,
                "files": len(files), "raw": sum(weight(u)[0] for u in files), "gzip": sum(weight(u)[1] for u in files),
                "shards": len([u for u in files if "/search/c/" in u or "/search/p/" in u or ".pf_index" in u]),
                "fragments": len([u for u in files if "/search/d/" in u or ".pf_fragment" in u]),
                "second_gzip": sum(weight(u)[1] for u in second),
                "script_gzip": weight(script[0])[1] if script else 0})
            context.close()
        browser.close()
    return rows


def table(n: int, rows: list[dict]) -> str:
    lines = [f"\n{n or 'seed (23)'} positions",
             "| query | results | files (shards, fragments) | raw bytes | gzip bytes | ms to the first card | ms to 20 cards "
             "| next query: gzip bytes, ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['query']} | {r['results']} | {r['files']} ({r['shards']}, {r['fragments']}) | {r['raw']:,} | "
                     f"{r['gzip']:,} | {r['first_ms']:.0f} | {r['ms']:.0f} | {r['second_gzip']:,}, {r['second_ms']:.0f} |")
    lines.append(f"| median | | | {statistics.median(r['raw'] for r in rows):,.0f} | "
                 f"{statistics.median(r['gzip'] for r in rows):,.0f} | {statistics.median(r['first_ms'] for r in rows):.0f} | "
                 f"{statistics.median(r['ms'] for r in rows):.0f} | "
                 f"{statistics.median(r['second_gzip'] for r in rows):,.0f}, {statistics.median(r['second_ms'] for r in rows):.0f} |")
    lines.append(f"search.js: {rows[0]['script_gzip']:,} bytes gzipped (fetched with the home page)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,1000,10000")
    parser.add_argument("--cpu", type=float, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="run each query this many times (median time)")
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/search-browser"))
    parser.add_argument("--site", type=Path, help="a built output folder (served at /careers/) instead of --sizes")
    args = parser.parse_args()
    if args.site:
        print(table(0, measure(args.site, args.cpu, args.repeat)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",")):
        out = built_site(args.work, n)
        print(table(n, measure(out, args.cpu, args.repeat)), flush=True)
        shutil.rmtree(args.work / f"site-{n}", ignore_errors=True)


if __name__ == "__main__":
    main()
