"""`build.py import` and `export` as HR uses them: the files written, `check` passing, the built pages,
the exact report lines; never overwriting, the diff of --update, categories added to site.toml."""

from __future__ import annotations

import shutil
import tomllib

import pytest
import yaml

from tests.helpers import FIXTURES, MemorySite, site_files
from tests.notices import (POSITIONS, SEED_NOTICE, SEED_POSITIONS, by_title, csv_text, empty_site, parse,
                           position_files, run_import, table_rows, word_positions, write_docx, write_xlsx)

def assert_seed_positions(site) -> None:
    found = by_title(site)
    assert len(found) == 23
    order: dict[str, int] = {}
    for position in SEED_POSITIONS:
        data = found[position["title"]]
        assert data["category"] == position["category"]
        assert data["responsibilities"] == position["responsibilities"], position["title"]
        assert data["requirements"] == position["requirements"], position["title"]
        order[position["category"]] = order.get(position["category"], 0) + 1
        assert data["order"] == order[position["category"]]


# --- the seed notice ------------------------------------------------------------------------------

def test_the_seed_text_export_imports_as_the_seed_positions(make_site):
    site = empty_site(make_site)
    shutil.copy(SEED_NOTICE, site.root / "附件1.txt")
    result = run_import(site, "附件1.txt")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "附件1.txt：读取了 23 个岗位"
    assert lines[1] == "新建 content/positions/xian-shang-chan-pin-yan-fa-gang.md（网络金融业务类：线上产品研发岗）"
    assert lines[-2] == ("导入 23 个岗位、6 个类别，岗位职责 94 项，任职要求 84 项：新建 23 个，更新 0 个，没有变化 0 个")
    assert lines[-1].startswith("下一步：运行 python build.py check --site ")
    assert_seed_positions(site)
    # the seed's quirks: "[bookmark: _GoBack]" gone, "2对…" an item of its own, "网络金融" / "业务类" one name
    first = parse((site.root / POSITIONS / "xian-shang-chan-pin-yan-fa-gang.md").read_text(encoding="utf-8"))
    assert first["requirements"][1].startswith("对互联网金融行业")
    assert "bookmark" not in "".join(position_files(site).values())
    check = site.run("check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "检查通过：23 个岗位，6 个类别"
    assert check.stderr == ""  # not even a warning


def test_the_written_file_is_what_new_writes_without_comments(make_site):
    site = empty_site(make_site)
    shutil.copy(SEED_NOTICE, site.root / "notice.txt")
    run_import(site, "notice.txt")
    seed = next(p for p in SEED_POSITIONS if p["title"] == "信息安全管理岗")
    expected = "\n".join([
        "---", "title: 信息安全管理岗", "category: technology", "order: 4", "---", "", "## 岗位职责", "",
        *[f"{n}. {item}" for n, item in enumerate(seed["responsibilities"], start=1)], "", "## 任职要求", "",
        *[f"{n}. {item}" for n, item in enumerate(seed["requirements"], start=1)]]) + "\n"
    assert (site.root / POSITIONS / "xin-xi-an-quan-guan-li-gang.md").read_text(encoding="utf-8") == expected


# --- Word, Excel and CSV notices: every position and item, in order, on the built site ------------------

def test_a_word_notice_with_merged_categories_and_automatic_numbering_builds_every_item_in_order(make_site):
    site = empty_site(make_site)
    write_docx(site.root / "招聘公告.docx")
    result = run_import(site, "招聘公告.docx")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "招聘公告.docx：读取了 23 个岗位"
    assert_seed_positions(site)
    built = MemorySite(site_files(site.root), position=False)
    built.build()
    home = built.page()
    assert [h.get_text(strip=True) for h in home.select("section.category-group h2")] == \
        ["网络金融业务类", "市场营销类", "风险管理类", "信息科技类", "财务会计类", "综合管理类"]
    cards = [a.get_text(strip=True) for a in home.select("section.category-group .card-title a")]
    assert cards == [p["title"] for p in SEED_POSITIONS]
    for link, position in zip(home.select("section.category-group .card-title a"), SEED_POSITIONS):
        page = built.page(link["href"].split("/careers/", 1)[1])
        for kind in ("responsibilities", "requirements"):
            items = [li.get_text() for li in page.select(f"section#{kind} li")]
            assert items == position[kind], (position["title"], kind)


@pytest.mark.parametrize("kind", ["xlsx", "csv-gbk", "csv-utf8-bom", "docx-typed"])
def test_excel_csv_and_typed_numbering_give_the_same_files_as_the_word_notice(make_site, word_positions, kind):
    site = empty_site(make_site)
    other = site.root
    if kind == "xlsx":
        name = write_xlsx(other / "notice.xlsx").name
    elif kind == "docx-typed":
        name = write_docx(other / "typed.docx", numbered=False).name
    else:
        name = "notice.csv"
        data = csv_text().encode("gb18030") if kind == "csv-gbk" else b"\xef\xbb\xbf" + csv_text().encode("utf-8")
        (other / name).write_bytes(data)
    result = run_import(site, name)
    assert result.returncode == 0, result.stderr
    assert position_files(site) == word_positions


# --- export, and import of the export ------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_import_of_an_export_gives_byte_identical_files(make_site, tmp_path, suffix):
    site = empty_site(make_site)
    extra = {"岗位编号": [f"P-{n:02d}" for n in range(1, 24)], "工作地点": ["北京、上海" if n % 3 else "深圳" for n in range(23)],
             "招聘人数": [str(n % 4 + 1) for n in range(23)], "学历": ["本科及以上"] * 23,
             "工作经验": ["三年以上"] * 23, "截止日期": ["2027年1月15日"] * 23}
    write_docx(site.root / "notice.docx", extra=extra)
    assert run_import(site, "notice.docx").returncode == 0
    before = position_files(site)
    assert parse(before["feng-xian-guan-li-gang.md"])["location"] == ["北京", "上海"]
    assert parse(before["xin-dai-shen-cha-gang.md"])["location"] == "深圳"
    exported = site.run("export", f"table{suffix}")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == f"已导出 23 个岗位（6 个类别）到 table{suffix}"
    shutil.rmtree(site.root / POSITIONS)
    again = run_import(site, f"table{suffix}")
    assert again.returncode == 0, again.stderr
    assert position_files(site) == before
    # and importing it over the same files changes nothing
    same = run_import(site, f"table{suffix}")
    assert same.returncode == 0
    assert "新建 0 个，更新 0 个，没有变化 23 个" in same.stdout


def test_export_numbers_items_one_a_line_with_categories_in_site_order(make_site):
    import openpyxl

    site = empty_site(make_site)
    write_docx(site.root / "notice.docx")
    run_import(site, "notice.docx")
    assert site.run("export", "out.xlsx").returncode == 0
    sheet = openpyxl.load_workbook(site.root / "out.xlsx").active
    assert [c.value for c in sheet[1]] == ["招聘类别", "招聘岗位", "岗位职责", "任职要求"]
    assert sheet["C2"].value.split("\n")[:2] == ["1. " + SEED_POSITIONS[0]["responsibilities"][0],
                                                 "2. " + SEED_POSITIONS[0]["responsibilities"][1]]
    assert "A2:A3" in {str(r) for r in sheet.merged_cells.ranges}  # 网络金融业务类 over its two positions
    again = site.run("export", "out.xlsx")
    assert again.returncode == 1
    assert again.stderr.startswith("out.xlsx:1:1: 错误: 文件 out.xlsx 已经存在，没有覆盖")
    assert site.run("export", "out.xlsx", "--force").returncode == 0
    usage = site.run("export", "out.pdf")
    assert usage.returncode == 2 and "只能导出为 .xlsx 或 .csv" in usage.stderr


def test_export_says_what_the_table_cannot_carry(make_site):
    site = make_site({"content/positions/a.md": "---\ntitle: 甲岗\ncategory: tech\nposted: 2026-11-02\n---\n\n"
                      "部门介绍。\n\n## 岗位职责\n\n1. 负责甲。\n"}, position=False)
    result = site.run("export", "out.csv")
    assert result.returncode == 0, result.stderr
    assert "out.csv:1:1: 警告: 表格中没有这些内容的列，导出的表格里不包含它们（括号里是岗位数）：posted（1）、description（1）" \
        in result.stderr


# --- never overwriting; --update, --dry-run, --draft --------------------------------------------

def small_notice(path, duties="1.负责甲；\n2.负责乙。", title="风控专员", code=""):
    rows = [["招聘类别", "招聘岗位", "岗位编号", "岗位职责", "任职要求"],
            ["风险管理类", title, code, duties, "1.三年以上经验。"]]
    return table_rows(rows, path)


def test_an_existing_position_is_never_overwritten_without_update(make_site):
    site = empty_site(make_site)
    small_notice(site.root / "n.xlsx")
    assert run_import(site, "n.xlsx").returncode == 0
    path = site.root / POSITIONS / "feng-kong-zhuan-yuan.md"
    original = path.read_text(encoding="utf-8")
    same = run_import(site, "n.xlsx")
    assert same.returncode == 0
    assert "没有变化 content/positions/feng-kong-zhuan-yuan.md（风险管理类：风控专员）" in same.stdout
    small_notice(site.root / "n.xlsx", duties="1.负责甲；\n2.负责丙。")
    refused = run_import(site, "n.xlsx")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        "n.xlsx:2:1: 错误: 岗位“风控专员”已经有文件 content/positions/feng-kong-zhuan-yuan.md，内容与表格不同，没有覆盖："
        "要用表格中的内容更新它，请重新运行并加上 --update（会显示每处改动）")
    assert "导入失败：1 个错误，没有写入任何文件" in refused.stderr
    assert path.read_text(encoding="utf-8") == original
    updated = run_import(site, "n.xlsx", "--update")
    assert updated.returncode == 0, updated.stderr
    assert "已更新 content/positions/feng-kong-zhuan-yuan.md（风险管理类：风控专员）：" in updated.stdout
    assert "-2. 负责乙。\n+2. 负责丙。" in updated.stdout
    assert "--- content/positions/feng-kong-zhuan-yuan.md" in updated.stdout
    assert parse(path.read_text(encoding="utf-8"))["responsibilities"] == ["负责甲；", "负责丙。"]


def test_update_keeps_what_the_table_has_no_column_for(make_site):
    site = empty_site(make_site)
    site.position("risk.yaml", "title: 风控专员\ncategory: risk\ncode: R-1\nposted: 2026-11-02\nsalary: 面议\n"
                  "responsibilities:\n  - 旧职责\n")
    small_notice(site.root / "n.xlsx", code="R-1")
    result = run_import(site, "n.xlsx", "--update")
    assert result.returncode == 0, result.stderr
    assert not (site.root / POSITIONS / "feng-kong-zhuan-yuan.md").exists()  # matched by its code
    data = yaml.safe_load((site.root / POSITIONS / "risk.yaml").read_text(encoding="utf-8"))
    assert data["posted"].isoformat() == "2026-11-02" and data["salary"] == "面议"
    assert data["responsibilities"] == ["负责甲；", "负责乙。"] and data["code"] == "R-1"
    assert site.run("check").returncode == 0


def test_dry_run_writes_nothing_and_says_so(make_site):
    site = empty_site(make_site)
    small_notice(site.root / "n.xlsx")
    before = (site.root / "site.toml").read_bytes()
    result = run_import(site, "n.xlsx", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "将新建 content/positions/feng-kong-zhuan-yuan.md（风险管理类：风控专员）"
    assert result.stdout.splitlines()[-1].startswith("试运行（--dry-run）：以上是将会发生的改动，没有写入任何文件")
    assert position_files(site) == {}
    assert (site.root / "site.toml").read_bytes() == before


def test_draft_marks_every_position_a_draft(make_site):
    site = empty_site(make_site)
    small_notice(site.root / "n.xlsx")
    assert run_import(site, "n.xlsx", "--draft").returncode == 0
    assert parse(position_files(site)["feng-kong-zhuan-yuan.md"])["draft"] is True
    site.build()
    assert not (site.out / "positions/feng-kong-zhuan-yuan").exists()


# --- categories ------------------------------------------------------------------------------------

def test_unknown_categories_are_an_error_with_the_lines_to_add(make_site):
    site = empty_site(make_site)
    table_rows([["招聘类别", "招聘岗位", "岗位职责"], ["数据智能类", "数据分析师", "1.分析数据"],
                ["风险管理", "风控专员", "1.负责风控"]], site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 1
    assert result.stderr == (
        "n.xlsx:2:1: 错误: 未知的招聘类别“数据智能类”：site.toml 中没有这个类别；请按下面的提示把它加到 site.toml，"
        "或重新运行并加上 --add-categories 自动添加\n"
        "n.xlsx:3:1: 错误: 未知的招聘类别“风险管理”（您是不是想写 '风险管理类'？）：site.toml 中没有这个类别；"
        "请按下面的提示把它加到 site.toml，或重新运行并加上 --add-categories 自动添加\n"
        "2 个错误，0 个警告，涉及 1 个文件\n"
        "请把下面几行加到 site.toml 的最后一个 [[categories]] 之后（或者重新运行并加上 --add-categories，由程序添加）：\n"
        "\n[[categories]]\nkey = \"shu-ju-zhi-neng-lei\"\nname = \"数据智能类\"\n"
        "\n[[categories]]\nkey = \"feng-xian-guan-li\"\nname = \"风险管理\"\n\n"
        "导入失败：2 个错误，没有写入任何文件；改好后重新运行同一条命令\n")
    assert position_files(site) == {}


def test_add_categories_appends_them_to_site_toml_in_table_order_keeping_comments(make_site):
    site = empty_site(make_site)
    toml = (site.root / "site.toml").read_text(encoding="utf-8") + "\n# 界面文字（注释要保留）\n[ui]\napply_button = \"投递简历\"\n"
    site.write("site.toml", toml)
    table_rows([["类别", "岗位", "职责"], ["数据智能类", "数据分析师", "1.分析数据"], ["运营类", "运营专员", "1.运营"],
                ["数据智能类", "数据工程师", "1.建设数据平台"]], site.root / "n.xlsx")
    result = run_import(site, "n.xlsx", "--add-categories")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:3] == ["已在 site.toml 中添加类别 数据智能类（key = \"shu-ju-zhi-neng-lei\"）",
                                               "已在 site.toml 中添加类别 运营类（key = \"yun-ying-lei\"）"]
    after = (site.root / "site.toml").read_text(encoding="utf-8")
    assert after.startswith(toml.split("\n# 界面文字")[0])
    assert after.endswith('\n[[categories]]\nkey = "shu-ju-zhi-neng-lei"\nname = "数据智能类"\n\n'
                          '[[categories]]\nkey = "yun-ying-lei"\nname = "运营类"\n\n'
                          '# 界面文字（注释要保留）\n[ui]\napply_button = "投递简历"\n')
    keys = [c["key"] for c in tomllib.loads(after)["categories"]]
    assert keys[-2:] == ["shu-ju-zhi-neng-lei", "yun-ying-lei"]
    check = site.run("check")
    assert check.returncode == 0, check.stderr
    site.build()
    names = [h.get_text(strip=True) for h in site.page().select("section.category-group h2")]
    assert names[-2:] == ["数据智能类", "运营类"]


def test_categories_match_by_key_and_across_line_breaks(make_site):
    site = empty_site(make_site)
    table_rows([["招聘类别", "招聘岗位", "岗位职责"], ["网络金融\n业务类", "甲岗", "1.甲"], ["risk", "乙岗", "1.乙"],
                ["风险 管理类", "丙岗", "1.丙"]], site.root / "n.xlsx")
    assert run_import(site, "n.xlsx").returncode == 0
    assert {t: d["category"] for t, d in by_title(site).items()} == \
        {"甲岗": "internet-finance", "乙岗": "risk", "丙岗": "risk"}


def test_a_table_without_a_category_column_takes_the_category_option(make_site):
    site = empty_site(make_site)
    table_rows([["岗位名称", "工作职责"], ["甲岗", "1.甲"]], site.root / "n.xlsx")
    refused = run_import(site, "n.xlsx")
    assert refused.returncode == 1
    assert refused.stderr.startswith("n.xlsx:1:1: 错误: 表格没有“招聘类别”列（或 类别、部门、序列）")
    assert run_import(site, "n.xlsx", "--category", "risk").returncode == 0
    assert by_title(site)["甲岗"]["category"] == "risk"
    assert run_import(site, "n.xlsx", "--category", "nope").returncode == 2


# --- titles, slugs, values ---------------------------------------------------------------------------

TRICKY_TITLES = ["2026", "1.5", "- 经理", "? 问号岗位", "<<", "#1 风控岗", "*急聘*", "是", "no", "风控: 高级经理",
                 "'单引号'", "\"双引号\"", "[急] 客服", "{a}", "@招聘", "null", "~", "on"]


def test_titles_yaml_would_misread_are_quoted_and_published_as_written(make_site):
    site = empty_site(make_site)
    table_rows([["招聘类别", "招聘岗位", "岗位职责"], *[["风险管理类", t, f"1.负责{n}"] for n, t in enumerate(TRICKY_TITLES)]],
               site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 0, result.stderr
    texts = position_files(site)
    for text in texts.values():
        line = text.split("\n")[1]
        value = line[len("title: "):]
        assert yaml.safe_load(line)["title"] == (value if not value.startswith('"') else yaml.safe_load(value))
    assert sorted(by_title(site)) == sorted(TRICKY_TITLES)
    assert 'title: "是"' in "".join(texts.values()) and 'title: "2026"' in "".join(texts.values())
    check = site.run("check")
    assert check.returncode == 0, check.stderr
    site.build()
    shown = [a.get_text(strip=True) for a in site.page("categories/risk/").select(".card-title a")]
    assert shown == TRICKY_TITLES  # in table order too


def test_slug_collisions_get_numbers_in_table_order(make_site):
    site = empty_site(make_site)
    site.position("ke-hu-jing-li.md", "---\ntitle: 老岗位\ncategory: risk\n---\n\n## 岗位职责\n\n1. 甲\n")
    table_rows([["招聘类别", "招聘岗位", "岗位职责"], ["风险管理类", "客户经理", "1.甲"], ["市场营销类", "客户经理", "1.乙"]],
               site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 0, result.stderr
    assert "新建 content/positions/ke-hu-jing-li-2.md（风险管理类：客户经理）" in result.stdout
    assert "新建 content/positions/ke-hu-jing-li-3.md（市场营销类：客户经理）" in result.stdout
    assert site.run("check").returncode == 0


def test_education_experience_and_type_take_fixed_values_and_unknown_ones_are_reported(make_site):
    site = empty_site(make_site)
    table_rows([["附件2：2027年校园招聘岗位"], [],
                ["序号", "部门", "职位", "学历要求", "工作经验", "招聘类型", "招聘人数", "截止日期", "备注", "岗位职责"],
                ["1", "风险管理类", "甲岗", "全日制本科及以上", "三年以上", "社会招聘", "2人", "2027/1/31", "急", "1.甲"],
                ["2", "风险管理类", "乙岗", "研究生", "3年及以上", "校招", "若干", "2027年2月1日", "", "1.乙"],
                ["3", "风险管理类", "丙岗", "中专", "两年以上", "劳务派遣", "两名", "明年", "", "1.丙"]], site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert warnings[0].startswith("n.xlsx:3:9: 警告: 这些列没有导入（不认识的表头）：备注。")
    assert "n.xlsx:6:4: 警告: 岗位“丙岗”的“学历要求”写的是“中专”，无法识别，没有导入（可用的值：不限, 大专, 本科, 硕士, 博士）" in warnings
    assert "n.xlsx:6:5: 警告: 岗位“丙岗”的“工作经验”写的是“两年以上”，无法识别，没有导入" \
           "（可用的值：不限, 应届, 1年以上, 3年以上, 5年以上, 10年以上）" in warnings
    assert "n.xlsx:6:6: 警告: 岗位“丙岗”的“招聘类型”写的是“劳务派遣”，无法识别，没有导入（可用的值：社招, 校招, 实习）" in warnings
    assert "n.xlsx:6:8: 警告: 岗位“丙岗”的“截止日期”写的是“明年”，无法识别，没有导入" \
           "（可用的值：2026-12-31 或 2026年12月31日 这样的日期）" in warnings
    assert warnings[-1] == "0 个错误，5 个警告，涉及 1 个文件"
    found = by_title(site)
    assert {k: found["甲岗"][k] for k in ("education", "experience", "recruitment_type", "headcount")} == \
        {"education": "本科", "experience": "3年以上", "recruitment_type": "社招", "headcount": 2}
    assert found["甲岗"]["closes"].isoformat() == "2027-01-31"
    assert (found["乙岗"]["education"], found["乙岗"]["experience"], found["乙岗"]["recruitment_type"]) == \
        ("硕士", "3年以上", "校招")
    assert "headcount" not in found["乙岗"]  # 若干: the site shows 若干 when none is given
    assert found["丙岗"]["headcount"] == 2 and "education" not in found["丙岗"]
    check = site.run("check")
    assert check.returncode == 0, check.stderr


# --- rows that cannot be read ----------------------------------------------------------------------

def test_rows_that_cannot_become_positions_are_errors_and_nothing_is_written(make_site):
    site = empty_site(make_site)
    table_rows([["招聘类别", "招聘岗位", "岗位职责", "任职要求"], ["", "无类别岗", "1.甲", ""],
                ["风险管理类", "", "1.没有名称", ""], ["风险管理类", "空岗", "", ""],
                ["风险管理类", "甲岗", "1.甲", ""], ["风险管理类", "甲岗", "1.甲2", ""],
                ["风险管理类", "乙岗", "1.乙\n3.丙", "1.要求"]], site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "n.xlsx:2:1: 错误: 岗位“无类别岗”没有招聘类别（这一格和上面的行都是空的）：请填上类别",
        "n.xlsx:3:2: 错误: 这一行有内容，但没有岗位名称（“招聘岗位”列是空的）：请填上岗位名称，或删掉这一行",
        "n.xlsx:4:3: 错误: 岗位“空岗”的岗位职责和任职要求都是空的：请至少填写其中一项",
        "n.xlsx:6:1: 错误: 岗位“甲岗”与n.xlsx 第 5 行是同一个岗位（岗位名称和类别都相同）：同一个岗位只能有一行；"
        "不同的岗位请用不同的名称，或加上“岗位编号”列",
        "n.xlsx:7:3: 警告: 岗位“乙岗”的“岗位职责”中，编号 1 后面是 3：请检查是否漏了一项或编号写错（每个编号都已作为单独一项导入）",
        "4 个错误，1 个警告，涉及 1 个文件",
        "导入失败：4 个错误，没有写入任何文件；改好后重新运行同一条命令"]
    assert position_files(site) == {}


def test_usage_mistakes_exit_2(make_site):
    site = empty_site(make_site)
    site.write("notice.pdf", b"%PDF-1.4")
    pdf = run_import(site, "notice.pdf")
    assert pdf.returncode == 2
    assert pdf.stderr.strip().startswith("build.py: 不能导入 notice.pdf：不支持 '.pdf' 文件。")
    missing = run_import(site, "nowhere.docx")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "build.py: 找不到文件 nowhere.docx：请检查文件名和所在的文件夹"
    assert site.run("import").returncode == 2  # argparse: FILE is required


def test_an_english_site_reports_in_english(make_site):
    toml = (FIXTURES / "seed" / "site.toml").read_text(encoding="utf-8").replace('language = "zh-CN"', 'language = "en"')
    site = make_site({"site.toml": toml}, position=False)
    table_rows([["Category", "Title", "Responsibilities", "Requirements", "Education"],
                ["风险管理类", "Risk analyst", "1. Build models\n2. Report", "- SQL\n- Python", "Bachelor or above"],
                ["risk", "Collections", "1. Collect", "", "any"]], site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "n.xlsx: 2 positions read"
    assert result.stdout.splitlines()[1] == "created content/positions/risk-analyst.md (风险管理类: Risk analyst)"
    found = by_title(site)
    assert found["Risk analyst"]["requirements"] == ["SQL", "Python"]
    assert found["Risk analyst"]["education"] == "本科" and found["Collections"]["education"] == "不限"
    exported = site.run("export", "out.csv")
    assert exported.returncode == 0, exported.stderr
    header = (site.root / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "Category,Title,Responsibilities,Requirements,Education"
