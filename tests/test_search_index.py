"""The Pagefind step: run on the staged output before the swap, byte-stable, optional on a dev machine."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from bench.search_compare import canonical, differences
from careersite import search
from careersite.errors import Problems
from careersite.search import has_pagefind
from tests.tools import require_tool

PROJECT = Path(__file__).resolve().parent.parent

POSITIONS = {
    f"content/positions/p{n}.yaml": f"title: 岗位{n}\ncategory: {cat}\nlocation: [{place}]\nposted: 2026-11-0{n}\n"
                                    f"responsibilities:\n  - 负责第{n}项信贷风险工作\n"
    for n, cat, place in ((1, "tech", "北京"), (2, "ops", "上海"), (3, "tech", "深圳, 北京"), (4, "ops", "广州"))
}
CLOSED = "title: 旧岗位\ncategory: tech\nlocation: 北京\nposted: 2026-01-01\ncloses: 2026-02-01\n" \
         "responsibilities:\n  - x\n"


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def env_with(tmp_path: Path, files: dict[str, str], **extra: str) -> dict[str, str]:
    """An environment whose Python sees FILES first on its path (to hide or break Pagefind)."""
    shim = tmp_path / "shim"
    for rel, text in files.items():
        (shim / rel).parent.mkdir(parents=True, exist_ok=True)
        (shim / rel).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "PYTHONPATH": str(shim), **extra}


HIDE_PAGEFIND = {"sitecustomize.py": "import sys\nsys.modules['pagefind'] = None\n"}
BROKEN_PAGEFIND = {"pagefind/__init__.py": "", "pagefind/__main__.py": "import sys\nprint('boom: disk full', "
                                                                       "file=sys.stderr)\nsys.exit(3)\n"}


def build(site, env=None, *args):
    from tests.conftest import run_cli

    return run_cli("build", "--site", str(site.root), "--today", "2026-11-28", *args, cwd=site.root, env=env)


@pytest.fixture
def needs_pagefind():
    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")


def test_index_holds_the_open_positions_and_is_byte_stable(make_site, tmp_path, needs_pagefind):
    site = make_site({**POSITIONS, "content/positions/old.yaml": CLOSED})
    outs = []
    for n in range(3):
        out = tmp_path / f"out{n}"
        result = build(site, None, "--out", str(out))
        assert result.returncode == 0, result.stderr
        outs.append(digest(out))
    assert outs[0] == outs[1] == outs[2]
    pagefind = tmp_path / "out0" / "pagefind"
    entry = json.loads((pagefind / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert [lang["page_count"] for lang in entry["languages"].values()] == [5]  # 4 + backend-engineer, not old
    assert (pagefind / "pagefind.js").is_file()
    assert not list(pagefind.glob("pagefind-ui.*")) and not list(pagefind.glob("*component-ui*"))


def test_an_index_built_in_shards_means_what_one_pagefind_run_writes(make_site, tmp_path, needs_pagefind,
                                                                      monkeypatch):
    """Pagefind indexes big sites in shards (memory); the merged index is the same index: same pages,
    same words at the same positions on the same pages, same filters; and byte-stable too."""
    coded = {f"content/positions/c{n}.yaml": text.replace("title:", f"code: RM-{n}\ntitle:", 1)
             for n, text in enumerate(POSITIONS.values())}  # some shards have a code field, some do not
    site = make_site({**POSITIONS, **coded, "content/positions/old.yaml": CLOSED})
    assert build(site, env_with(tmp_path, HIDE_PAGEFIND)).returncode == 0
    bundles = {}
    for name, size, workers in (("whole", 1000, 1), ("shards", 2, 1), ("shards-again", 2, 1), ("odd", 3, 1),
                                ("two-at-a-time", 2, 2)):
        copy = tmp_path / name
        shutil.copytree(site.out, copy)
        monkeypatch.setenv(search.SHARD_FILES_ENV, str(size))
        assert search.build_index(copy, Problems(), workers=workers)
        assert not (copy / search.WORK_DIR).exists()
        bundles[name] = copy / "pagefind"
    whole = canonical(bundles["whole"])
    assert whole["page_count"] == 9 and len(whole["words"]) > 50
    assert {"信贷", "北京"} <= set(whole["words"]) and whole["filters"]["category"]
    for name in ("shards", "odd"):
        assert differences(whole, canonical(bundles[name])) == [], name
    assert digest(bundles["shards"]) == digest(bundles["shards-again"]) == digest(bundles["two-at-a-time"])


def test_a_cache_indexes_again_only_the_shards_whose_pages_changed(make_site, tmp_path, needs_pagefind,
                                                                   monkeypatch):
    site = make_site({**POSITIONS, "content/positions/old.yaml": CLOSED})
    monkeypatch.setenv(search.SHARD_FILES_ENV, "3")
    runs: list[list[str]] = []
    real_run = search._run
    monkeypatch.setattr(search, "_run", lambda commands, workers: real_run(iter(runs.append(c) or c for c in commands), workers))
    cache = tmp_path / "cache"

    def index(name: str, cache_dir: Path | None = cache) -> dict[str, str]:
        assert build(site, env_with(tmp_path, HIDE_PAGEFIND)).returncode == 0
        copy = tmp_path / name
        shutil.copytree(site.out, copy)
        runs.clear()
        assert search.build_index(copy, Problems(), cache_dir=cache_dir)
        return digest(copy / "pagefind")

    first = index("first")
    shards = len(runs)
    assert shards > 1
    assert index("unchanged") == first and runs == []  # the whole index from the cache
    site.write("content/positions/p3.yaml", POSITIONS["content/positions/p3.yaml"].replace("信贷", "贷后"))
    edited = index("edited")
    assert len(runs) == 1  # the one shard with p3
    assert edited == index("edited-without-cache", None) and len(runs) == shards
    meaning = canonical(tmp_path / "edited" / "pagefind")
    assert "贷后" in meaning["pages"]["/positions/p3/"][0]["content"].replace("\u200b", "")
    assert "/positions/p3/" not in meaning["words"]["信贷"] and "/positions/p1/" in meaning["words"]["信贷"]
    (cache / sorted(p.name for p in cache.iterdir() if not p.name.startswith((".", "bundle")))[0] / "index").rename(
        cache / "damaged")  # a cache with a shard's files gone: built again without it
    assert index("after-damage") == edited


def test_without_pagefind_the_site_builds_with_a_warning(make_site, tmp_path):
    site = make_site(POSITIONS)
    result = build(site, env_with(tmp_path, HIDE_PAGEFIND))
    assert result.returncode == 0, result.stderr
    assert ("pagefind: 警告: 没有安装 Pagefind，网站已生成但不含搜索索引（搜索框只在首页已列出的岗位中查找）。"
            "请运行 pip install -r requirements.txt") in result.stderr
    assert not (site.out / "pagefind").exists()
    assert len(site.page().select(".card")) == 5


def test_ci_requires_pagefind(make_site, tmp_path):
    site = make_site(POSITIONS)
    result = build(site, env_with(tmp_path, HIDE_PAGEFIND, CI="true"))
    assert result.returncode == 1
    assert "pagefind: 错误: 没有安装 Pagefind" in result.stderr
    assert not site.out.exists()


def test_a_failing_indexer_leaves_the_published_site_untouched(make_site, tmp_path, needs_pagefind):
    site = make_site(POSITIONS)
    assert build(site).returncode == 0
    before = digest(site.out)
    site.write("content/positions/p1.yaml", POSITIONS["content/positions/p1.yaml"].replace("岗位1", "改名"))
    result = build(site, env_with(tmp_path, BROKEN_PAGEFIND))
    assert result.returncode == 1
    assert "pagefind: 错误: 生成搜索索引（Pagefind）失败：boom: disk full" in result.stderr
    assert digest(site.out) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".")] in ([], [".cache"])  # no staging left
