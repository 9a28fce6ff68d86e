"""The notice readers and the rules for cells: every format and quirk `import` understands, and the
files it refuses with a message instead of a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile

import pytest

from careersite.errors import Problems
from careersite.notice import Cell, Paragraph, read_tables, text_cell
from careersite.notice.cells import cell_items, one_line
from careersite.notice.columns import find_header
from careersite.notice.htmltable import tables_from_html
from careersite.notice.text import parse as parse_text_export
from careersite.notice.values import closes, education, experience, headcount, recruitment_type
from tests.helpers import PROJECT
from tests.notices import (SEED_NOTICE, SEED_POSITIONS, by_title, empty_site, first_import_error, groups,
                           position_files, run_import, table_rows, word_positions)
from tests.tools import require_tool


def items(text: str) -> list[str]:
    return cell_items(text_cell(text)).items


# --- cells: numbering, continuation lines, cleaning --------------------------------------------------

@pytest.mark.parametrize("text", [
    "1.负责甲；\n2.负责乙。", "1. 负责甲；\n2. 负责乙。", "1、负责甲；\n2、负责乙。", "1．负责甲；\n2．负责乙。",
    "(1)负责甲；\n(2)负责乙。", "（1）负责甲；\n（2） 负责乙。", "①负责甲；\n②负责乙。", "一、负责甲；\n二、负责乙。",
    "1）负责甲；\n2）负责乙。", "• 负责甲；\n• 负责乙。", "1.负责甲；2.负责乙。", "1、负责甲；2、负责乙。",
    "（1）负责甲；（2）负责乙。", "1.负责甲；\n2负责乙。",
])
def test_every_way_of_numbering_gives_one_item_each_without_the_number(text):
    assert items(text) == ["负责甲；", "负责乙。"]


def test_the_seed_quirks():
    cell = "[bookmark: _GoBack]1.三年以上金融行业经验；\n2对互联网金融行业有较深理解；\n3.具备产品研发的基本技能，能够\n以用户为中心进行设计；\n\u3000\u3000\n"
    assert items(cell) == ["三年以上金融行业经验；", "对互联网金融行业有较深理解；", "具备产品研发的基本技能，能够以用户为中心进行设计；"]


def test_lines_that_continue_an_item_are_joined_and_sub_lists_stay_inside_it():
    assert items("1.熟悉：\n（1）SQL；\n（2）Python。\n2.善于沟通") == ["熟悉：（1）SQL；（2）Python。", "善于沟通"]
    assert items("1. Build risk\nmodels in Python\n2. Report") == ["Build risk models in Python", "Report"]


def test_numbers_that_are_text_stay_text():
    assert items("1.三年以上经验；\n3年以上更好\n2.熟悉 SQL") == ["三年以上经验；3年以上更好", "熟悉 SQL"]
    assert items("1.5倍工作量\n2026年入职") == ["1.5倍工作量", "2026年入职"]  # no numbering: one item a line


def test_a_cell_without_numbering_is_one_item_a_line():
    assert items("负责甲\n负责乙") == ["负责甲", "负责乙"]
    cell = Cell((Paragraph("负责甲\n负责乙"), Paragraph("负责丙")))  # <br> lines, as HR systems write cells
    assert cell_items(cell).items == ["负责甲", "负责乙", "负责丙"]


def test_word_numbering_wins_over_a_number_typed_as_well():
    cell = Cell((Paragraph("负责甲", True), Paragraph("2. 负责乙", True), Paragraph("接着乙")))
    assert cell_items(cell).items == ["负责甲", "负责乙接着乙"]


def test_numbering_that_skips_is_imported_and_reported():
    result = cell_items(text_cell("1.甲\n2.乙\n4.丁"))
    assert result.items == ["甲", "乙", "丁"]
    assert result.notes == [("import_numbering", {"previous": 2, "number": 4})]


def test_one_line_cleans_spaces_and_joins_lines():
    assert one_line(text_cell("网络金融\n业务类")) == "网络金融业务类"
    assert one_line(text_cell("\u3000综 合 岗\u00a0\u200b")) == "综合岗"
    assert one_line(text_cell(" DBA 数据库\n工程师 ")) == "DBA 数据库工程师"
    assert one_line(text_cell("Risk\nManager")) == "Risk Manager"


# --- headings and values -----------------------------------------------------------------------------

def test_the_heading_row_is_found_below_titles_with_spaces_and_notes():
    rows = tables_from_html("<table><tr><td colspan=4>附件1：招聘岗位及任职条件</td></tr><tr><td></td></tr>"
                            "<tr><td>招 聘<br>类 别</td><td>岗位名称：</td><td>主要职责</td><td>任职资格（必备）</td>"
                            "<td>招聘人数（人）</td><td>需求专业</td></tr></table>")[0][0].rows
    header = find_header(rows)
    assert header.row == 2
    assert list(header.fields.values()) == ["category", "title", "responsibilities", "requirements", "headcount"]
    assert header.unknown == ((5, "需求专业"),)


@pytest.mark.parametrize(("function", "text", "value"), [
    (education, "本科及以上", "本科"), (education, "全日制本科", "本科"), (education, "硕士研究生及以上", "硕士"),
    (education, "博士研究生", "博士"), (education, "大专以上", "大专"), (education, "学历不限", "不限"), (education, "中专", None),
    (experience, "三年以上", "3年以上"), (experience, "3年及以上", "3年以上"), (experience, "5年以上工作经验", "5年以上"),
    (experience, "十年以上", "10年以上"), (experience, "应届毕业生", "应届"), (experience, "经验不限", "不限"),
    (experience, "两年以上", None), (recruitment_type, "社会招聘", "社招"), (recruitment_type, "校园招聘", "校招"),
    (recruitment_type, "实习生", "实习"), (recruitment_type, "外包", None), (headcount, "3人", 3), (headcount, "两名", 2),
    (headcount, "若干", ""), (headcount, "0", None), (closes, "2027年1月31日", "2027-01-31"), (closes, "2027/1/31", "2027-01-31"),
    (closes, "2027-02-30", None),
])
def test_values_map_onto_the_fixed_ones(function, text, value):
    assert function(text) == value


# --- merged cells --------------------------------------------------------------------------------------

def test_html_rowspan_repeats_a_cell_below_and_colspan_leaves_the_columns_empty():
    (table,), _ = tables_from_html("<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr><tr><td>C</td><td>D</td></tr></table>")
    assert [[c.text for c in row.cells] for row in table.rows] == [["A", "B", ""], ["A", "C", "D"]]
    assert [c.merged for c in table.rows[1].cells] == [True, False, False]


def test_xlsx_merged_category_and_location_apply_to_every_row(make_site):
    import openpyxl

    site = empty_site(make_site)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["类别", "岗位", "工作地点", "职责"], ["风险管理类", "甲岗", "北京", "1.甲"], [None, "乙岗", None, "1.乙"],
                [None, "丙岗", "上海", "1.丙"]):
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("C2:C3")
    workbook.save(site.root / "n.xlsx")
    assert run_import(site, "n.xlsx").returncode == 0
    found = by_title(site)
    assert [(found[t]["category"], found[t]["location"]) for t in ("甲岗", "乙岗", "丙岗")] == \
        [("risk", "北京"), ("risk", "北京"), ("risk", "上海")]


def test_a_row_naming_only_a_category_heads_the_rows_below_it(make_site):
    site = empty_site(make_site)
    table_rows([["序号", "招聘类别", "招聘岗位", "岗位职责"], ["风险管理类"], ["1", "", "甲岗", "1.甲"],
                ["信息科技类"], ["2", "", "乙岗", "1.乙"]], site.root / "n.xlsx")
    assert run_import(site, "n.xlsx").returncode == 0
    assert {t: d["category"] for t, d in by_title(site).items()} == {"甲岗": "risk", "乙岗": "technology"}


# --- several tables, sheets; the text export -------------------------------------------------------

def test_a_word_file_with_several_tables_imports_each_table_of_positions(make_site):
    import docx

    site = empty_site(make_site)
    document = docx.Document()
    layout = document.add_table(rows=1, cols=2)
    layout.cell(0, 0).text, layout.cell(0, 1).text = "公司简介", "我们是……"
    for name, title in (("风险管理类", "甲岗"), ("信息科技类", "")):
        table = document.add_table(rows=2, cols=3)
        for c, heading in enumerate(("招聘类别", "招聘岗位", "岗位职责")):
            table.cell(0, c).text = heading
        table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = name, title, "1.负责"
    document.save(site.root / "n.docx")
    assert first_import_error(site, "n.docx") == ("n.docx（表格 3）:2:2: 错误: 这一行有内容，但没有岗位名称（“招聘岗位”列是空的）："
                                             "请填上岗位名称，或删掉这一行")


def test_sheets_are_named_in_messages(make_site):
    import openpyxl

    site = empty_site(make_site)
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请按下表填写"])
    sheet = workbook.create_sheet("岗位")
    sheet.append(["招聘类别", "招聘岗位", "岗位职责", "学历"])
    sheet.append(["风险管理类", "甲岗", "1.甲", "初中"])
    workbook.save(site.root / "n.xlsx")
    result = run_import(site, "n.xlsx")
    assert result.returncode == 0
    assert result.stderr.startswith("n.xlsx（工作表 岗位）:2:4: 警告: 岗位“甲岗”的“学历”写的是“初中”，无法识别")


def test_the_text_export_parser_reads_rows_cells_and_continuation_lines():
    rows = parse_text_export(SEED_NOTICE.read_text(encoding="utf-8"))
    assert rows[0] == (3, ["招聘类别", "招聘岗位", "岗位职责", "任职要求"])
    assert rows[1][0] == 8 and rows[1][1][0] == "网络金融\n业务类"
    assert sum(1 for _, cells in rows if cells[1].strip() and cells[1] != "招聘岗位") == 23


def test_the_text_export_saved_as_gbk_imports_the_same(make_site):
    site = empty_site(make_site)
    shutil.copy(SEED_NOTICE, site.root / "n.txt")
    assert run_import(site, "n.txt").returncode == 0
    expected = position_files(site)
    (site.root / "g.txt").write_bytes(SEED_NOTICE.read_text(encoding="utf-8").encode("gb18030"))
    shutil.rmtree(site.root / "content")
    result = run_import(site, "g.txt")
    assert result.returncode == 0, result.stderr
    assert position_files(site) == expected


# --- encodings -------------------------------------------------------------------------------------------

def test_csv_in_big5_or_shift_jis_is_named_not_guessed(make_site):
    site = empty_site(make_site)
    (site.root / "big5.csv").write_bytes("招聘類別,招聘崗位,崗位職責\n風險管理類,風控專員,1.負責風控\n".encode("big5"))
    assert first_import_error(site, "big5.csv") == (
        "big5.csv:1:1: 错误: 无法读取文件的文字：它看起来是 Big5 编码，不是 UTF-8 或 GBK。请在 Excel 中“另存为 → CSV UTF-8"
        "（逗号分隔）”，或在记事本中“另存为”并选择 UTF-8 编码，再导入")
    (site.root / "sjis.csv").write_bytes("職種,部門,業務内容\nエンジニア,開発,システム開発を担当する\n".encode("shift_jis") * 5)
    result = run_import(site, "sjis.csv")
    assert result.returncode == 1 and "它看起来是 Shift-JIS 编码" in result.stderr


def test_excel_unicode_text_is_utf16_and_tab_separated(make_site):
    site = empty_site(make_site)
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel-tab")
    writer.writerow(["招聘类别", "招聘岗位", "岗位职责"])
    writer.writerows([[p["category_name"], p["title"], "\n".join(p["responsibilities"])] for p in SEED_POSITIONS[:3]])
    (site.root / "n.csv").write_bytes(buffer.getvalue().encode("utf-16"))
    result = run_import(site, "n.csv")
    assert result.returncode == 0, result.stderr
    assert len(position_files(site)) == 3


# --- files that are refused, with a message and never a traceback --------------------------------------

def test_a_password_protected_word_file_says_so(make_site):
    site = empty_site(make_site)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + \
        "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    site.write("secret.docx", ole)
    result = run_import(site, "secret.docx")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("secret.docx:1:1: 错误: 文件设置了打开密码，无法读取")


@pytest.mark.parametrize(("name", "data"), [
    ("broken.docx", b"PK\x03\x04 not really a zip"),
    ("broken.xlsx", os.urandom(3000)),
    ("notword.docx", None),  # a zip without a Word document in it
])
def test_damaged_files_are_a_problem_not_a_traceback(make_site, name, data):
    site = empty_site(make_site)
    if data is None:
        with zipfile.ZipFile(site.root / name, "w") as archive:
            archive.writestr("hello.txt", "hello")
    else:
        site.write(name, data)
    result = run_import(site, name)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{name}:1:1: 错误: 无法读取这个文件，它可能已损坏")


def test_a_zip_bomb_is_refused_before_it_is_opened(make_site, monkeypatch, tmp_path):
    site = empty_site(make_site)
    with zipfile.ZipFile(site.root / "many.docx", "w") as archive:
        for n in range(2_001):
            archive.writestr(f"part{n}.xml", "")
    result = run_import(site, "many.docx")
    assert result.returncode == 1
    assert result.stderr.startswith("many.docx:1:1: 错误: 文件解压后过大（2001 个部分，0 MB，上限 150 MB）")
    from careersite.notice import archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_UNCOMPRESSED", 1_000_000)
    with zipfile.ZipFile(tmp_path / "big.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"\0" * 2_000_000)
    problems = Problems()
    assert read_tables(tmp_path / "big.xlsx", "big.xlsx", problems) is None
    assert [p.message for p in problems.items] == ["import_zip_bomb"]


def test_an_html_table_named_xls_is_read_without_libreoffice(make_site):
    site = empty_site(make_site)
    rows = "".join(f"<tr><td>{p['category_name']}</td><td>{p['title']}</td><td>{'<br>'.join(p['responsibilities'])}</td>"
                   f"<td>{'<br>'.join(p['requirements'])}</td></tr>" for p in SEED_POSITIONS[:4])
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table>'
            "<tr><th>招聘类别</th><th>招聘岗位</th><th>岗位职责</th><th>任职要求</th></tr>" + rows + "</table></body></html>")
    site.write("export.xls", html.encode("gb18030"))
    result = run_import(site, "export.xls")
    assert result.returncode == 0, result.stderr
    assert by_title(site)[SEED_POSITIONS[0]["title"]]["responsibilities"] == SEED_POSITIONS[0]["responsibilities"]


# --- legacy .doc / .xls through LibreOffice --------------------------------------------------------------

def _legacy_doc(folder, soffice: str):
    """A real Word 97 .doc written by LibreOffice, from an HTML table with merged categories and lists."""
    import html as html_module

    body = []
    for name, members in groups(SEED_POSITIONS):
        for n, position in enumerate(members):
            cells = [f'<td rowspan="{len(members)}">{html_module.escape(name)}</td>'] if n == 0 else []
            cells.append(f"<td>{html_module.escape(position['title'])}</td>")
            for kind in ("responsibilities", "requirements"):
                cells.append("<td><ol>" + "".join(f"<li>{html_module.escape(i)}</li>" for i in position[kind]) + "</ol></td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
    (folder / "notice.html").write_text(
        '<html><head><meta charset="utf-8"></head><body><p>附件1</p><table border="1"><tr><td>招聘类别</td>'
        "<td>招聘岗位</td><td>岗位职责</td><td>任职要求</td></tr>" + "".join(body) + "</table></body></html>", encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--infilter=HTML (StarWriter)", "--convert-to", "doc:MS Word 97", "--outdir", str(folder),
                    str(folder / "notice.html")], check=True, capture_output=True, timeout=180)
    return folder / "notice.doc"


def test_a_legacy_doc_is_converted_by_libreoffice(make_site, word_positions, tmp_path):
    soffice = shutil.which("soffice")
    require_tool("LibreOffice (soffice)", soffice is not None, "run scripts/install-test-tools")
    site = empty_site(make_site)
    result = run_import(site, str(_legacy_doc(tmp_path, soffice)))
    assert result.returncode == 0, result.stderr
    assert position_files(site) == word_positions


def test_without_libreoffice_a_legacy_file_says_how_to_save_it(make_site, tmp_path, monkeypatch):
    site = empty_site(make_site)
    site.write("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("python3") or "/usr/bin/python3", bin_dir / "python3")
    monkeypatch.setenv("PATH", str(bin_dir))
    result = run_import(site, "old.doc")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "old.doc:1:1: 错误: 这是旧版 .doc 文件，需要安装 LibreOffice 才能直接导入（没有找到 soffice 命令）：请在 Word 中打开它，"
        "“另存为” .docx 格式，再导入 .docx 文件")


def test_the_project_installs_libreoffice_for_the_tests():
    script = (PROJECT / "scripts/install-test-tools").read_text(encoding="utf-8")
    assert "libreoffice-writer-nogui" in script and "libreoffice-calc-nogui" in script


def test_a_heading_row_without_positions_and_an_unclosed_quote_are_errors(make_site):
    site = empty_site(make_site)
    site.write("empty.csv", "招聘类别,招聘岗位,岗位职责\n,,\n")
    assert first_import_error(site, "empty.csv") == ("empty.csv:1:1: 错误: 表头下面没有岗位：表格里只有表头这一行（或者下面的行都是空的）；"
                                             "请确认选对了文件或工作表")
    site.write("quote.csv", '招聘类别,招聘岗位,岗位职责\n风险管理类,"未闭合,1.甲\n')
    assert first_import_error(site, "quote.csv") == ("quote.csv:2:1: 错误: CSV 格式错误：unexpected end of data"
                                             "（常见原因：单元格里的英文引号 \" 没有成对）")


def test_a_word_file_that_is_really_a_web_page_is_read_as_one(make_site):
    site = empty_site(make_site)
    site.write("saved-as-web-page.doc", "<html><body><table><tr><td>招聘类别</td><td>招聘岗位</td><td>岗位职责</td></tr>"
               "<tr><td>风险管理类</td><td>甲岗</td><td><ol><li>负责甲</li><li>负责乙</li></ol></td></tr></table></body></html>")
    result = run_import(site, "saved-as-web-page.doc")
    assert result.returncode == 0, result.stderr
    assert by_title(site)["甲岗"]["responsibilities"] == ["负责甲", "负责乙"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(make_site):
    site = empty_site(make_site)
    with open(site.root / "huge.docx", "wb") as fh:
        fh.truncate(21_000_000)  # sparse: nothing to write, and nothing must be read
    assert first_import_error(site, "huge.docx") == ("huge.docx:1:1: 错误: 文件太大（21.0 MB，上限 20 MB）：招聘公告不会这么大，"
                                             "请检查是否选错了文件")
