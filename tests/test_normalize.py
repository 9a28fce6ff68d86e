"""The normaliser for pasted Chinese text: each pasted form becomes Markdown; everything else stays."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from careersite.model.markup import Renderer, items_to_markdown, normalize_text, pasted_number


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(Renderer().render(text), "html.parser")


def items(text: str) -> list[str]:
    return [li.get_text() for li in html(text).find_all("li")]


@pytest.mark.parametrize("pasted", [
    "1.负责信贷审批；\n2.负责贷后管理。",
    "1. 负责信贷审批；\n2. 负责贷后管理。",
    "1、负责信贷审批；\n2、负责贷后管理。",
    "1．负责信贷审批；\n2．负责贷后管理。",
    "（1）负责信贷审批；\n（2）负责贷后管理。",
    "(1)负责信贷审批；\n(2)负责贷后管理。",
    "1）负责信贷审批；\n2）负责贷后管理。",
    "1)负责信贷审批；\n2)负责贷后管理。",
    "①负责信贷审批；\n②负责贷后管理。",
    "１．负责信贷审批；\n２．负责贷后管理。",  # full-width digits from a Chinese input method
    "　　1、负责信贷审批；\n　　2、负责贷后管理。",  # Word's full-width paragraph indent
    "\u00a01、负责信贷审批；\n\u00a02、负责贷后管理。",
])
def test_pasted_numbering_becomes_an_ordered_list(pasted):
    soup = html(pasted)
    ol = soup.find("ol")
    assert ol is not None, normalize_text(pasted)
    assert [li.get_text() for li in ol.find_all("li")] == ["负责信贷审批；", "负责贷后管理。"]
    assert soup.find("p") is None


def test_numbering_right_after_a_paragraph_starts_a_list():
    soup = html("岗位职责如下：\n1、负责审批；\n2、负责管理。\n以上职责可能调整。")
    assert soup.find("p").get_text() == "岗位职责如下："
    assert items("岗位职责如下：\n1、负责审批；\n2、负责管理。") == ["负责审批；", "负责管理。"]
    # A pasted line after the list is a paragraph of its own, not part of the last item.
    assert soup.find_all("p")[-1].get_text() == "以上职责可能调整。"
    assert soup.find_all("li")[-1].get_text() == "负责管理。"


@pytest.mark.parametrize("bullet", ["•", "●", "·", "▪", "■", "◆", "○", "\uf0b7", "\uf0d8", "-"])
def test_pasted_bullets_become_an_unordered_list(bullet):
    soup = html(f"{bullet}负责审批；\n{bullet} 负责管理。")
    assert [li.get_text() for li in soup.find("ul").find_all("li")] == ["负责审批；", "负责管理。"]


@pytest.mark.parametrize("char", ["\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u202f", "&nbsp;"])
def test_odd_spaces_become_plain_spaces(char):
    out = normalize_text(f"负责{char}审批")
    assert out == "负责 审批"


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"])
def test_invisible_characters_are_removed(char):
    assert normalize_text(f"{char}负责{char}审批{char}") == "负责审批"


@pytest.mark.parametrize("artefact, expected", [
    ("[bookmark: _Toc12345]岗位职责", "岗位职责"),
    ("负责审批<o:p></o:p>", "负责审批"),
    ("<!--[if !supportLists]-->1、<!--[endif]-->负责审批", "1. 负责审批"),
    ("<!--StartFragment-->负责审批<!--EndFragment-->", "负责审批"),
    ("负责审批\u000b负责管理", "负责审批\n负责管理"),
    ("负责审批\u2028负责管理", "负责审批\n负责管理"),
    ("负责审批\r\n负责管理\r", "负责审批\n负责管理"),
])
def test_word_artefacts_are_removed(artefact, expected):
    assert normalize_text(artefact) == expected


def test_word_artefacts_never_reach_the_page():
    text = "[bookmark: _Toc1]\u3000\u3000负责<o:p></o:p>审批\u200b；<p class=\"MsoNormal\">管理</p>"
    page = Renderer().render(text)
    for leftover in ("bookmark", "o:p", "MsoNormal", "\u3000", "\u200b", "\u00a0"):
        assert leftover not in page


@pytest.mark.parametrize("text", [
    "1.5年以上相关工作经验",
    "2026年起负责华北区业务",
    "负责审批，包括1、2两类业务",
    "具有3年以上经验，熟悉1、2级风险分类",
    "10.1 版本说明",
    "12.5万元",
    "# 岗位职责",
    "## 任职要求",
    "**注意**：请用 PDF 格式",
    "*强调*的文字",
    "-5% 的波动",
    "请发送至 [招聘邮箱](mailto:hr@example.com)",
    "详见 [公司官网](https://example.com/1、about)",
    "| 项目 | 说明 |\n| --- | --- |\n| 1、 | 见上 |",
    "> 引用的文字",
    "---",
])
def test_text_that_is_not_pasted_numbering_stays_untouched(text):
    assert normalize_text(text) == text


@pytest.mark.parametrize("text", [
    "1. 负责审批\n2. 负责管理",
    "- 负责审批\n- 负责管理",
    "* 负责审批\n* 负责管理",
    "1. 负责审批\n    - 子项一\n    - 子项二\n2. 负责管理",
    "- 负责审批\n\n  第二段\n- 负责管理",
])
def test_markdown_lists_stay_untouched(text):
    assert normalize_text(text) == text


def test_nested_markdown_lists_keep_their_nesting():
    soup = html("1. 负责审批\n    - 子项一\n    - 子项二\n2. 负责管理")
    assert soup.find("ol").find("ul") is not None


def test_fenced_code_blocks_stay_untouched():
    text = "示例：\n\n```\n1.负责\n　　缩进\n- x\n[bookmark: a]\n```\n\n1、之后"
    out = normalize_text(text)
    assert "```\n1.负责\n　　缩进\n- x\n[bookmark: a]\n```" in out
    assert out.endswith("1. 之后")


@pytest.mark.parametrize("text, expected", [
    ("示例：\n\n    1.负责\n    2、管理", "示例：\n\n1. 负责\n2. 管理"),
    ("\t负责开发；\n\t负责维护。", "负责开发；\n负责维护。"),
    ("1. 一\n    1. 子一\n    2. 子二\n2. 二", "1. 一\n    1. 子一\n    2. 子二\n2. 二"),  # nested: kept
    ("```\n    代码\n```", "```\n    代码\n```"),  # a fenced block: exactly as written
])
def test_an_indented_line_is_text_not_a_code_block(text, expected):
    """Pasted with a tab or four spaces, a line used to become a code block; inside a list it stays nested."""
    assert normalize_text(text) == expected


def test_items_to_markdown_numbers_yaml_items():
    assert items_to_markdown(["1、负责审批", "（2）负责管理", "负责\u3000协调"]) == \
        "1. 负责审批\n2. 负责管理\n3. 负责 协调"


@pytest.mark.parametrize("line, number", [
    ("1、负责", 1), ("12.负责", 12), ("（3）负责", 3), ("4）负责", 4), ("⑤负责", 5), ("1.5年", None),
    ("2026年", None), ("负责1、", None),
])
def test_pasted_number(line, number):
    assert pasted_number(line) == number


SAMPLES = [
    "岗位职责：\n1.负责审批\n2、负责管理\n（3）负责协调\n以上",
    "　　公司介绍\u3000内容\u200b\n\n•一\n●二\n①三",
    "```\n1.代码\n```\n1、之后\n- 列表\n    缩进",
    "[bookmark: x]<o:p></o:p>\u000b1)负责\r\n2)负责",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_normalize_is_idempotent_on_samples(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


PIECES = ["1.", "1、", "（1）", "1）", "①", "•", "- ", "-", "　", "\u00a0", "\u200b", "\n", "\n\n", " ", "    ",
          "负责", "审批", "1.5年", "2026年", "#", "```", "[bookmark: a]", "<o:p>", "&nbsp;", "|", "*", "\t", "\u000b"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
