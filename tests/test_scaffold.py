"""`build.py new`: a valid draft from a skeleton, pinyin slugs, never overwriting, helpful refusals."""

from __future__ import annotations

import re

import pytest
import yaml

from careersite.commands.build import new_problems
from careersite.commands.new import new_position
from careersite.load.frontmatter import split_front_matter
from tests.helpers import MINIMAL_TOML, POS, TODAY, MemorySite, run_in_process

TOML = MINIMAL_TOML.replace('key = "tech"', 'key = "risk"')


def new(site, *args: str):
    return site.run("new", *args)


def front(path) -> dict:
    return yaml.safe_load(split_front_matter(path.read_text(encoding="utf-8")).front_matter)


def test_new_writes_a_draft_that_check_accepts(make_site):
    site = make_site({"site.toml": TOML}, position=False)
    result = new(site, "风险管理岗", "--category", "risk")
    assert result.returncode == 0, result.stderr
    path = site.root / "content/positions/feng-xian-guan-li-gang.md"
    assert result.stdout.strip() == path.as_posix()
    assert "已创建" in result.stderr
    meta = front(path)
    assert meta["title"] == "风险管理岗" and meta["category"] == "risk"
    assert meta["posted"] == TODAY
    assert meta["draft"] is True
    assert "#" in path.read_text(encoding="utf-8")  # commented for HR
    check = site.run("check")
    assert check.returncode == 0, check.stderr
    assert ": 错误: " not in check.stderr
    # A draft is previewed, never published ...
    site.build()
    assert not (site.out / "positions/feng-xian-guan-li-gang").exists()
    site.build(drafts=True)
    assert (site.out / "positions/feng-xian-guan-li-gang/index.html").is_file()


def test_new_honours_the_today_environment_variable(make_site, monkeypatch):
    site = make_site({"site.toml": TOML}, position=False)
    monkeypatch.setenv("CAREERSITE_TODAY", "2027-03-04")
    result = run_in_process("new", "数据库管理岗", "--category", "risk", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert str(front(site.root / "content/positions/shu-ju-ku-guan-li-gang.md")["posted"]) == "2027-03-04"


def test_new_with_a_chosen_slug_and_a_title_that_needs_quotes(make_site):
    site = make_site({"site.toml": TOML}, position=False)
    result = new(site, "Risk: Manager #1", "--category", "risk", "--slug", "risk-manager")
    assert result.returncode == 0, result.stderr
    path = site.root / "content/positions/risk-manager.md"
    assert front(path)["title"] == "Risk: Manager #1"
    assert site.run("check").returncode == 0


def test_new_accepts_the_category_name(make_site):
    site = make_site({"site.toml": TOML}, position=False)
    result = new(site, "运营专员", "--category", "运营类")
    assert result.returncode == 0, result.stderr
    assert front(site.root / "content/positions/yun-ying-zhuan-yuan.md")["category"] == "ops"


def test_new_never_overwrites(make_site):
    site = make_site({"site.toml": TOML}, position=False)
    assert new(site, "风险管理岗", "--category", "risk").returncode == 0
    path = site.root / "content/positions/feng-xian-guan-li-gang.md"
    path.write_text(path.read_text(encoding="utf-8").replace("负责……", "负责审批"), encoding="utf-8")
    before = path.read_bytes()
    again = new(site, "风险管理岗", "--category", "risk")
    assert again.returncode == 1
    assert again.stdout == ""
    assert "content/positions/feng-xian-guan-li-gang.md:1:1: 错误: 这个文件已经存在，没有覆盖它" in again.stderr
    assert "--slug feng-xian-guan-li-gang-2" in again.stderr
    assert path.read_bytes() == before


def test_new_refuses_a_slug_used_by_a_yaml_file(make_site):
    site = make_site({"site.toml": TOML, "content/positions/dba.yaml": "title: DBA\ncategory: risk\n"},
                     position=False)
    result = new(site, "数据库管理员", "--category", "risk", "--slug", "dba")
    assert result.returncode == 1
    assert "content/positions/dba.yaml:1:1: 错误: 这个文件已经存在" in result.stderr
    assert not (site.root / "content/positions/dba.md").exists()


@pytest.mark.parametrize("args, message", [
    (["风险管理岗", "--category", "rsik"], "未知的岗位类别 'rsik'（您是不是想写 'risk'？）"),
    (["风险管理岗", "--category", "risk", "--slug", "Risk Manager"], "'slug' 只能包含小写英文字母"),
    (["   ", "--category", "risk"], "岗位名称不能为空"),
    (["！？", "--category", "risk"], "无法从岗位名称“！？”生成网址"),
])
def test_new_wrong_arguments_exit_2(make_site, args, message):
    site = make_site({"site.toml": TOML}, position=False)
    result = new(site, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site.root / "content/positions").exists() or not any((site.root / "content/positions").iterdir())


def test_new_without_category_is_a_usage_error(make_site):
    site = make_site({"site.toml": TOML}, position=False)
    result = new(site, "风险管理岗")
    assert result.returncode == 2
    assert "--category" in result.stderr


def test_new_with_a_broken_site_toml_reports_it(make_site):
    site = make_site({"site.toml": "title = \n"}, position=False)
    result = new(site, "风险管理岗", "--category", "risk")
    assert result.returncode == 1
    assert result.stderr.startswith("site.toml:")


@pytest.mark.parametrize("title", ["2026", "1.5", "- 经理", "? 问号岗位", "<<", "#1 风控岗", "*急聘*", "是", "no", "[急聘] 客服",
                                   "风险: 高级", "@总部", "%招聘", "!重要", "null", "~", "'单引号'", '"双引号"', "岗位 #2",
                                   "{x}", "&锚", "风控岗"])
def test_new_writes_a_title_that_yaml_reads_back_as_typed(make_site, title):
    problems = new_problems()
    made = new_position(make_site().root, title, "tech", problems, slug="tricky")
    assert made is not None and not problems.errors
    text = made.read_text(encoding="utf-8").replace("draft: true", "draft: false")
    text = "\n".join("1. 负责风险模型。" if "……" in line else line for line in text.split("\n"))  # HR's own text
    site = MemorySite({POS + made.name: text})
    site.build()
    assert site.page("positions/tricky/").find("h1").get_text(strip=True) == title


@pytest.mark.parametrize("language, title, name, heading, placeholder", [
    ("zh-CN", "风险管理岗", "feng-xian-guan-li-gang.md", "## 岗位职责", "1. 负责……（请改成实际的职责，一行一项）"),
    ("en", "Risk Analyst", "risk-analyst.md", "## Responsibilities",
     "1. Responsible for … (replace with the real duties, one a line)"),
])
def test_new_writes_the_skeleton_in_the_sites_language(make_site, language, title, name, heading, placeholder):
    """The notes and the example text of the skeleton are in the site's language; left in a published file,
    the example text is an error in either language."""
    site = make_site({"site.toml": TOML.replace("base_url", f'language = "{language}"\nbase_url', 1)}, position=False)
    result = new(site, title, "--category", "risk")
    assert result.returncode == 0, result.stderr
    path = site.root / "content/positions" / name
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert heading in lines and placeholder in lines
    comments = [line for line in lines if line.startswith("#")]
    has_chinese = [bool(re.search("[\u4e00-\u9fff]", line)) for line in comments]
    assert all(has_chinese) if language == "zh-CN" else not any(has_chinese), comments
    assert site.run("check").returncode == 0
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    check = site.run("check")
    word = "错误" if language == "zh-CN" else "error"
    number = lines.index(placeholder) + 1
    assert check.returncode == 1
    assert f"content/positions/{name}:{number}:1: {word}: " in check.stderr
    assert check.stderr.count(f": {word}: ") == 1, check.stderr
