"""The plain-text fast paths produce exactly what Python-Markdown + nh3 (and normalize_text) produce."""

from __future__ import annotations


from hypothesis import example, given, settings
from hypothesis import strategies as st

from careersite.model import markup
from careersite.model.fastpath import markdown_plain, normalize_plain
from careersite.model.markup import UNIT_BUDGET, Renderer, items_to_markdown

# Chinese text, ASCII, digits, every Markdown/HTML syntax character and the pasted-text oddities,
# so generated inputs hit both the fast path and every reason to leave it.
ALPHABET = st.sampled_from(
    list("负责熟悉任职要求三年以上经验，。；：、（）“”《》？！【】…—～＃＊．０１")
    + list("abcXYZ019 .-+=#>*_`[]()<>&|~!:;'\"\\/%{}@$^")
    + ["\n", "\n\n", "  ", "\t", "\r", "\u3000", "\u00a0", "\u200b", "\u200e", "\u2003", "\u2028", "\x0b", "\x85",
       "\u00ad", "\uf0b7", "①", "•", "◦", "‣", "⁃", "▶", "►", "·", "1. ", "2. ", "- ", "10. ", "1、", "（1）", "1）",
       "０", "１．", "```", "~~~", "    ", "&nbsp;", "[bookmark: _Toc1]", "<!--[if gte mso 9]>", "<![endif]-->",
       "</o:p>", "{\\rtf1 x}", "careersiteplaintext0x", "# ", "> ", "---", "==="]
)
NOISY = st.lists(ALPHABET, max_size=40).map("".join)
# Mostly plain text, the shape HR writes, so the fast path is taken often.
PLAIN = st.lists(st.sampled_from(list("负责熟悉经验，。；、“”abc019 .-+#:%（）") + ["\n", "\n\n", "1. ", "2. ", "3年"]),
                 max_size=40).map("".join)
TEXT = st.one_of(NOISY, PLAIN)
LINE = st.lists(st.sampled_from(list("负责熟悉经验，。；、（）“”abc019 .-+#:%")), min_size=1, max_size=20).map("".join)


def slow_normalize(text: str) -> str:
    """normalize_text with every shortcut turned off."""
    original = markup.normalize_plain
    markup.normalize_plain = lambda _text: None
    try:
        return markup.normalize_text(text)
    finally:
        markup.normalize_plain = original


def slow_html(source: str) -> str:
    """What main's full path (defusing budgets, Python-Markdown, nh3) makes of normalised SOURCE."""
    original = markup.markdown_plain
    markup.markdown_plain = lambda _source: None
    try:
        return Renderer().render(source, normalize=False)
    finally:
        markup.markdown_plain = original


@settings(max_examples=1500, deadline=None)
@given(TEXT)
@example("负责风险政策；")
@example("3-5年经验，C++ 或 C#")
def test_normalize_fast_path_matches_slow_path(text: str) -> None:
    fast = normalize_plain(text)
    if fast is not None:
        assert fast == slow_normalize(text)
    assert markup.normalize_text(text) == slow_normalize(text)


@settings(max_examples=1500, deadline=None)
@given(TEXT)
@example("第一段\n第二行\n\n第二段")
@example("段落\n\n1. 甲\n2. 乙\n\n后文")
@example("3. 甲\n4. 乙")
@example("1. 甲\n\n1. 乙")
def test_markdown_fast_path_matches_python_markdown(text: str) -> None:
    source = slow_normalize(text)
    if not source.strip():
        return
    fast = markdown_plain(source)
    if fast is not None:
        assert fast == slow_html(source)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(LINE, TEXT), min_size=1, max_size=8))
def test_item_lists_render_the_same_either_way(items: list[str]) -> None:
    source = slow_normalize(items_to_markdown(items))
    if source.strip():
        assert Renderer().render(items_to_markdown(items)) == slow_html(source)


def test_plain_lists_and_paragraphs_take_the_fast_path() -> None:
    assert markdown_plain("1. 负责风险政策；\n2. 3-5年经验。") == "<ol>\n<li>负责风险政策；</li>\n<li>3-5年经验。</li>\n</ol>"
    assert markdown_plain("我们看重专业能力。") == "<p>我们看重专业能力。</p>"
    assert markdown_plain("负责**重点**工作") is None
    assert markdown_plain("1. 甲\n\n1. 乙") is None


def test_past_the_unit_budget_the_slow_path_decides() -> None:
    # 20,000 lines are past markup.UNIT_BUDGET: the defuser shows the rest as plain text, and the fast
    # path must not render it differently.
    text = "\n\n".join(f"第{n}段" for n in range(UNIT_BUDGET // 2 + 5))
    assert Renderer().render(text) == slow_html(slow_normalize(text))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalize_text_stays_idempotent_with_the_fast_path(text: str) -> None:
    once = markup.normalize_text(text)
    assert markup.normalize_text(once) == once
