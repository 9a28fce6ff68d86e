"""What laying out the home page costs on Lighthouse's phone (412 x 823 CSS px, DPR 1.75), with the cards of the
second category on left unrendered until near the screen (site.css: content-visibility) and without it.

    .venv/bin/python bench/relayout.py      (Debian's chromium; the seed fixture site, built into a temporary folder)

Prints, for each way, the median time of REPEAT full layouts of the loaded page (the body's width changed each
time) and the number of cards the browser has rendered. A figure for docs/performance.md, not a test.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from search_browser import built_site  # noqa: E402
from tests.tools import CHROMIUM_ARGS, chromium_path, serve_directory  # noqa: E402

REPEAT, LOADS = 15, 5
RELAYOUT = """n => { const times = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    document.body.style.width = (410 + i % 2) + "px";
    document.body.offsetHeight;
    times.push(performance.now() - start);
  }
  return times; }"""
RENDERED = "[...document.querySelectorAll('.card-title')].filter(c => c.checkVisibility({contentVisibilityAuto: true})).length"


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        out = built_site(Path(work), 0)  # the seed fixture site (bench/synth.py: sized_site)
        with serve_directory(out, "/careers/") as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
            times: dict[str, list[float]] = {"as built": [], "every card rendered": []}
            cards = {}
            for _ in range(LOADS):  # the two ways alternate, so a busy machine slows both alike
                for way in times:
                    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75,
                                                  is_mobile=True, has_touch=True, bypass_csp=True)
                    page = context.new_page()
                    page.goto(base)
                    if way != "as built":
                        page.add_style_tag(content=".card { content-visibility: visible !important; }")
                    cards[way] = page.evaluate(RENDERED)
                    times[way] += page.evaluate(RELAYOUT, REPEAT)
                    context.close()
            browser.close()
    for way, values in times.items():
        print(f"{way}: {cards[way]} cards rendered, a full layout {statistics.median(values):.2f} ms "
              f"(median of {len(values)})")


if __name__ == "__main__":
    main()
