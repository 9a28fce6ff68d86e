"""N synthetic positions shaped like the seed's, generated deterministically into a site folder.

Titles, duties and requirements are recombined from the seed vocabulary (tests/data/seed_positions.json),
so the text is Chinese, 3-6 items a list, 6 categories, about 1.2 KB a file.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "tests" / "data" / "seed_positions.json"
CITIES = ("北京", "上海", "广州", "深圳", "成都", "重庆", "武汉", "南京", "杭州", "西安", "天津", "苏州")
LEVELS = ("", "高级", "资深", "初级", "")
TODAY = "2026-11-28"


def _vocabulary() -> dict:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    by_category: dict[str, dict] = {}
    for item in seed:
        entry = by_category.setdefault(item["category"], {"titles": [], "duties": [], "requirements": []})
        entry["titles"].append(item["title"])
        entry["duties"].extend(item["responsibilities"])
        entry["requirements"].extend(item["requirements"])
    return by_category


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def position_data(n: int, rng: random.Random, vocab: dict, keys: list[str]) -> dict:
    """The fields of synthetic position number N."""
    key = keys[n % len(keys)]
    words = vocab[key]
    city = rng.choice(CITIES)
    title = f"{rng.choice(LEVELS)}{rng.choice(words['titles'])}（{city}{n % 97 + 1}）"
    duties = rng.sample(words["duties"], k=min(len(words["duties"]), rng.randint(3, 6)))
    reqs = rng.sample(words["requirements"], k=min(len(words["requirements"]), rng.randint(3, 6)))
    month, day = rng.randint(9, 11), rng.randint(1, 28)
    closes_month = rng.choice((1, 2, 3, 3, 3, 3, 3, 3, 3, 3))  # about one in ten has closed by TODAY
    closes = f"2026-11-{rng.randint(1, 27):02d}" if closes_month == 1 and month < 11 else f"2027-{closes_month:02d}-28"
    return {
        "name": f"p{n:05d}-{key}", "title": title, "category": key, "code": f"{key[:2].upper()}-{n:05d}",
        "location": [city, rng.choice(CITIES)], "headcount": rng.randint(1, 5),
        "posted": f"2026-{month:02d}-{day:02d}", "closes": closes,
        "salary": f"{rng.randint(8, 30)}k-{rng.randint(31, 60)}k", "responsibilities": duties, "requirements": reqs,
    }


def yaml_text(data: dict) -> str:
    """A careersite position file (YAML)."""
    lines = [
        f"title: {_quote(data['title'])}",
        f"category: {data['category']}",
        f"code: {data['code']}",
        f"location: [{', '.join(data['location'])}]",
        f"headcount: {data['headcount']}",
        f"posted: {data['posted']}",
        f"closes: {data['closes']}",
        f"salary: {data['salary']}",
        "responsibilities:",
        *(f"  - {_quote(d)}" for d in data["responsibilities"]),
        "requirements:",
        *(f"  - {_quote(r)}" for r in data["requirements"]),
    ]
    return "\n".join(lines) + "\n"


def hugo_text(data: dict) -> str:
    """The same position as a Hugo content file: front matter only, lists as Markdown for markdownify."""
    def numbered(items: list[str]) -> str:
        return _quote("\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1)))

    lines = [
        "---",
        f"title: {_quote(data['title'])}",
        f"categories: [{data['category']}]",
        f"code: {data['code']}",
        f"location: [{', '.join(data['location'])}]",
        f"headcount: {data['headcount']}",
        f"posted: {data['posted']}",
        f"closes: {data['closes']}",
        f"open: {'true' if data['closes'] >= TODAY else 'false'}",
        f"salary: {data['salary']}",
        f"responsibilities_md: {numbered(data['responsibilities'])}",
        f"requirements_md: {numbered(data['requirements'])}",
        "---",
    ]
    return "\n".join(lines) + "\n"


def edit_title(text: str, tag: str) -> str:
    """TEXT (a position file from yaml_text) with TAG put before its title: the edit HR makes."""
    edited = text.replace('title: "', f'title: "{tag}', 1)
    if edited == text:
        raise ValueError("no quoted title to edit")
    return edited


def first_open(site: Path) -> Path:
    """The first position file of SITE still open on TODAY: the one the benchmarks edit, as HR edits
    open positions (a closed one is on no listing and in no search index, so editing it is cheap)."""
    for path in sorted((site / "content" / "positions").iterdir()):
        closes = next((line[len("closes: "):] for line in path.read_text(encoding="utf-8").splitlines()
                       if line.startswith("closes: ")), "")
        if not closes or closes >= TODAY:
            return path
    raise ValueError(f"no open position in {site}")


def positions(count: int, seed: int = 2026):
    vocab = _vocabulary()
    keys = sorted(vocab)
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield position_data(n, rng, vocab, keys)


def make_hugo_site(root: Path, count: int, seed: int = 2026) -> Path:
    """bench/hugo-site (config and layouts) with the same COUNT positions as make_site."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(Path(__file__).parent / "hugo-site", root)
    shutil.copytree(PROJECT / "static", root / "static" / "static")
    content = root / "content" / "positions"
    content.mkdir(parents=True)
    for data in positions(count, seed):
        (content / f"{data['name']}.md").write_text(hugo_text(data), encoding="utf-8")
    return root


def make_site(root: Path, count: int, seed: int = 2026) -> Path:
    """The seed site's config with the generator's templates and static files, and COUNT synthetic positions."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("templates", "static"):
        shutil.copytree(PROJECT / name, root / name)
    shutil.copy2(PROJECT / "tests/fixtures/seed/site.toml", root / "site.toml")  # (the seed site's categories)
    positions_dir = root / "content" / "positions"
    positions_dir.mkdir(parents=True)
    for data in positions(count, seed):
        (positions_dir / f"{data['name']}.yaml").write_text(yaml_text(data), encoding="utf-8")
    return root


def sized_site(work: Path, n: int) -> Path:
    """WORK/site-N: the seed fixture site (the 23 positions) for N = 0, else N synthetic positions."""
    site = work / f"site-{n}"
    if n == 0:
        from tests.conftest import SEED_FIXTURE, copy_site

        shutil.rmtree(site, ignore_errors=True)
        return copy_site(SEED_FIXTURE, site)
    return make_site(site, n)
