"""Every validation message, with its exact path:line:col, all problems in one run, exit status 1."""

from __future__ import annotations

import pytest

from tests.helpers import MemorySite, english, printed


def problems_of(result) -> list[str]:
    lines = result.stderr.splitlines() if hasattr(result, "stderr") else printed(result)
    return [line for line in lines if ": 错误: " in line or ": 警告: " in line]


CASES = [
    # (file name, content, expected line prefix, expected fragment)
    ("a.md", "---\ntitle: x\ncategory: tech\nheadcount: 两名\n---\n",
     "content/positions/a.md:4:12: 错误:", "'headcount' 必须是正整数（例如 3），这里是 '两名'：请写成 headcount: 2"),
    ("a.md", "---\ntitle: x\ncategory: tech\nheadcont: 2\n---\n",
     "content/positions/a.md:4:1: 错误:", "未知的键 'headcont'（您是不是想写 'headcount'？）"),
    ("a.md", "---\ntitle: x\ncategory: tech\ntitle: y\n---\n",
     "content/positions/a.md:4:1: 错误:", "重复的键 'title'（第一次出现在第 2 行）"),
    ("a.md", "---\ntitle: x\ncategory: tecch\n---\n",
     "content/positions/a.md:3:11: 错误:", "未知的岗位类别 'tecch'（您是不是想写 'tech'？）"),
    ("a.md", "---\ntitle: x\ncategory: tech\ncloses: 2026/3/1\n---\n",
     "content/positions/a.md:4:9: 错误:", "日期要写成 YYYY-MM-DD（年-月-日）：'2026/3/1' 请写成 closes: 2026-03-01"),
    ("a.md", "---\ntitle: x\ncategory: tech\nposted: 2026-02-30\n---\n",
     "content/positions/a.md:4:9: 错误:", "'posted' 的日期 '2026-02-30' 不存在"),
    ("a.md", "---\ntitle: no\ncategory: tech\n---\n",
     "content/positions/a.md:2:8: 错误:", "'title' 应该是文字，这里是是/否值 'no'"),
    ("a.md", "---\ntitle: x\ncategory: tech\ndraft: 草稿\n---\n",
     "content/positions/a.md:4:8: 错误:", "'draft' 应该是true 或 false（也可以写 是 或 否）"),
    ("a.md", "---\ntitle: x\ncategory: tech\napply_email: a@b.com?bcc=c@d.com\n---\n",
     "content/positions/a.md:4:14: 错误:", "'apply_email' 不是有效的邮箱地址"),
    ("a.md", "---\ntitle: x\ncategory: tech\nemployment_type: fulltime\n---\n",
     "content/positions/a.md:4:18: 错误:", "（您是不是想写 'FULL_TIME'？）"),
    ("a.md", "---\ntitle: x\ncategory: tech\nslug: ../etc\n---\n",
     "content/positions/a.md:4:7: 错误:", "'slug' 只能包含小写英文字母、数字和连字符"),
    ("a.md", "---\ncategory: tech\n---\n",
     "content/positions/a.md:2:1: 错误:", "缺少必填项 'title'，请添加一行，例如：title: 风险管理岗"),
    ("a.md", "---\ntitle: x\ncategory: tech\n",
     "content/positions/a.md:1:1: 错误:", "开头的 --- 没有对应的结束行 ---"),
    ("a.md", "title: x\n", "content/positions/a.md:1:1: 错误:", "Markdown 岗位文件必须以一行 --- 开始"),
    ("a.md", "---\n- title\n---\n", "content/positions/a.md:2:1: 错误:", "岗位信息必须是“键: 值”的形式"),
    ("a.yaml", "", "content/positions/a.yaml:1:1: 错误:", "文件是空的"),
    ("a.yaml", "title: x\ncategory: tech\nresponsibilities:\n\t- a\n", "content/positions/a.yaml:4:1: 错误:",
     "YAML 中不能用 Tab 键缩进"),
    ("a.yaml", "title: x\ncategory: tech\nresponsibilities: 3\n", "content/positions/a.yaml:3:19: 错误:",
     "'responsibilities' 应该是列表"),
    ("a.yaml", "a: &x [1]\nb: *x\n", "content/positions/a.yaml:2:4: 错误:", "不支持 YAML 锚点和别名"),
    ("a.yaml", "title: !!python/object/apply:os.system ['true']\ncategory: tech\n",
     "content/positions/a.yaml:1:8: 错误:", "不支持的 YAML 标签"),
    ("a.yaml", "title: x\ncategory: tech\nheadcount: 0\n", "content/positions/a.yaml:3:12: 错误:", "'headcount' 必须是正整数"),
    # a superscript is a digit to str.isdigit but not a number int() reads: a message, not a traceback
    ("a.yaml", "title: x\ncategory: tech\nheadcount: ²\n", "content/positions/a.yaml:3:12: 错误:", "这里是 '²'：请写成 headcount: 2"),
    ("a.yaml", "title: x\ncategory: tech\nposted: 2026-12-01\ncloses: 2026-11-01\n",
     "content/positions/a.yaml:4:9: 错误:", "'closes'（2026-11-01）早于 'posted'（2026-12-01）"),
]


@pytest.mark.parametrize("name,text,prefix,fragment", CASES, ids=[c[3][:24] for c in CASES])
def test_each_problem_is_reported_with_its_place(name, text, prefix, fragment):
    result = MemorySite({f"content/positions/{name}": text}).check()
    assert not result.ok
    lines = problems_of(result)
    assert any(line.startswith(prefix) and fragment in line for line in lines), "\n".join(lines)


def test_all_problems_in_all_files_in_one_run_sorted_with_summary(make_site):
    site = make_site({
        "content/positions/b.md": "---\ntitle: x\ncategory: tech\nheadcount: 两名\ncloses: 明年\n---\n",
        "content/positions/a.yaml": "title: [1]\ncategory: nope\n",
    })
    result = site.run("build")
    assert result.returncode == 1
    lines = [line for line in problems_of(result) if ": 错误: " in line]
    assert lines == sorted(lines, key=lambda l: (l.split(":")[0], int(l.split(":")[1])))
    assert [l.split(": 错误")[0] for l in lines] == [
        "content/positions/a.yaml:1:8", "content/positions/a.yaml:2:11", "content/positions/b.md:4:12",
        "content/positions/b.md:5:9",
    ]
    assert "4 个错误，1 个警告，涉及 3 个文件" in result.stderr  # the warning: the valid position has no closing date
    assert "生成失败" in result.stderr
    assert not (site.root / "public").exists()


def test_duplicate_slug_names_both_files():
    result = MemorySite({"content/positions/backend-engineer.yaml": "title: y\ncategory: tech\n"}).check()
    assert not result.ok
    assert ("content/positions/backend-engineer.yaml:1:1: 错误: 网址 /positions/backend-engineer/ 与 "
            "content/positions/backend-engineer.md 重复") in "\n".join(printed(result))


@pytest.mark.parametrize("toml_edit,expected", [
    (("base_url", "base_ulr"), "site.toml:3:1: 错误: 未知的键 'base_ulr'（您是不是想写 'base_url'？）"),
    (('email = "jobs@example.com"', 'email = "a@b.com, c@d.com"'), "site.toml:6:1: 错误: 'apply_email' 不是有效的邮箱地址"),
    (('key = "ops"', 'key = "tech"'), "site.toml:13:1: 错误: 类别 'tech' 重复定义（第一次在第 9 行）"),
    (('company = "测试公司"', 'company = "测试公司"\ntimezone = "Mars/Olympus"'),
     "site.toml:3:1: 错误: 'timezone' 不是有效的时区：'Mars/Olympus'"),
    (('title = "测试招聘"', 'title = "测试招聘'), "site.toml:1:"),
])
def test_site_toml_problems(toml_edit, expected):
    site = MemorySite()
    site.edit("site.toml", *toml_edit)
    result = site.check()
    assert not result.ok
    assert expected in "\n".join(printed(result)), printed(result)


def test_unknown_category_suggests_by_name():
    result = MemorySite({"content/positions/a.md": "---\ntitle: x\ncategory: 技术\n---\n"}).check()
    assert "（site.toml 中定义的类别：tech（技术类）, ops（运营类））" in "\n".join(printed(result))


def test_english_site_speaks_english():
    site = english(MemorySite({"content/positions/a.md": "---\ntitle: x\ncategory: tech\nheadcount: two\n---\n"}))
    assert ("content/positions/a.md:4:12: error: 'headcount' must be a positive whole number "
            "(for example 3), got 'two'") in printed(site.check())
    site.write("content/positions/a.md", "---\ntitle: x\ncategory: tech\n---\n")
    site.build()
    page = site.page("positions/a/")
    assert page.html["lang"] == "en"
    assert page.select_one("a.apply-link").get_text(strip=True) == "Apply by e-mail"
