"""Generate a large site from the default one, build it, and report page weights and search index size.

    python -m tests.sitegen 1000 /tmp/site-1000      # generate, build, print the figures
    python -m tests.sitegen 0 /tmp/site-default      # the default site as it is

Positions are variations of the 23 seed positions (titles, codes, places), so the text is realistic.
"""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

from tests.helpers import SEED_FIXTURE, SiteDir, copy_site

PLACES = ["北京", "上海", "广州", "深圳", "成都", "武汉", "杭州", "南京", "西安", "重庆", "天津", "长沙"]
LEVELS = ["", "高级", "资深", "初级"]


def generate(root: Path, count: int, seed: int = 7) -> None:
    """A copy of the default site under ROOT with COUNT generated positions (0: the seed ones)."""
    if root.exists():
        shutil.rmtree(root)
    copy_site(SEED_FIXTURE, root)
    if not count:
        return
    rng = random.Random(seed)
    seeds = sorted((root / "content/positions").iterdir())
    texts = [(p.suffix, p.read_text(encoding="utf-8")) for p in seeds]
    for path in seeds:
        path.unlink()
    for n in range(count):
        suffix, text = texts[n % len(texts)]
        level = rng.choice(LEVELS)
        places = rng.sample(PLACES, rng.choice((1, 1, 1, 2)))
        text = re.sub(r"^title: (.+)$", lambda m: f"title: {level}{m[1]}（{n + 1:04d}）", text, count=1, flags=re.M)
        text = re.sub(r"^code: (.+)$", lambda m: f"code: {m[1]}-{n + 1:04d}", text, count=1, flags=re.M)
        text = re.sub(r"^(title: .+)$", lambda m: f"{m[1]}\nlocation: [{', '.join(places)}]", text, count=1,
                      flags=re.M)
        (root / "content/positions" / f"gen-{n + 1:04d}{suffix}").write_text(text, encoding="utf-8")


def measure(out: Path) -> dict[str, int]:
    """Heaviest position page (HTML, its QR code file, CSS, JS) and the search index size, in bytes."""
    from bs4 import BeautifulSoup

    heaviest: dict[str, int] = {}
    for path in (out / "positions").glob("*/index.html"):
        html = path.read_bytes()
        if len(html) <= heaviest.get("html", 0):
            continue
        page = BeautifulSoup(html, "html.parser")
        css = sum((out / l["href"].split("?")[0].split("/", 2)[2]).stat().st_size
                  for l in page.find_all("link", rel="stylesheet"))
        js = sum((out / s["src"].split("?")[0].split("/", 2)[2]).stat().st_size for s in page.find_all("script", src=True))
        qr = sum(len(img["src"]) for img in page.select("img.qr-code"))  # its data: URI, in the HTML
        heaviest = {"html": len(html), "qr": qr, "css": css, "js": js, "total": len(html) + css + js}
    index = out / "search"
    files = [p for p in index.rglob("*") if p.is_file()] if index.is_dir() else []
    home = (out / "index.html").stat().st_size
    search_js = (out / "static/search.js").stat().st_size
    return {**{f"position_{k}": v for k, v in heaviest.items()}, "home_html": home, "search_js": search_js,
            "positions": len(list((out / "positions").glob("*/index.html"))),
            "index_total": sum(p.stat().st_size for p in files),
            "index_shards": len([p for p in files if p.suffix == ".bin" and p.parent.name in ("c", "p")]),
            "index_shard_bytes": sum(p.stat().st_size for p in files if p.suffix == ".bin" and p.parent.name in ("c", "p")),
            "index_fragments": len([p for p in files if p.parent.name == "d"]),
            "index_fragment_bytes": sum(p.stat().st_size for p in files if p.parent.name == "d")}


def main(argv: list[str]) -> int:
    count, root = int(argv[0]), Path(argv[1])
    generate(root, count)
    site = SiteDir(root)
    site.build()
    out = site.out
    for key, value in measure(out).items():
        print(f"{key:18} {value:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
