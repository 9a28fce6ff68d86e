"""Encodings: UTF-8 with or without BOM and any line ending works identically; anything else gets
a message saying to save the file as UTF-8 (with the line for GBK/GB18030), never a traceback."""

from __future__ import annotations

import pytest

from tests.helpers import MINIMAL_POSITION, MINIMAL_TOML, POS, MemorySite, assert_problems, expect, msg, tree_digest

POSITION = MINIMAL_POSITION.replace("后端工程师", "风险管理岗") + "\n## 其他\n\n工作地点：北京　朝阳区\n"


@pytest.mark.parametrize("variant", ["lf", "crlf", "cr", "bom-lf", "bom-crlf"])
def test_utf8_variants_build_the_same_site(variant):
    text = POSITION
    if "crlf" in variant:
        text = text.replace("\n", "\r\n")
    elif variant.endswith("cr"):
        text = text.replace("\n", "\r")
    data = ("\ufeff" if variant.startswith("bom") else "").encode() + text.encode("utf-8")
    reference = MemorySite({POS + "risk.md": POSITION}).build()
    variant = MemorySite({POS + "risk.md": data}).build()  # same site, the one file saved differently
    assert tree_digest(variant.files) == tree_digest(reference.files)


def test_problem_lines_are_right_with_bom_and_crlf():
    text = "\ufeff---\r\ntitle: 后端\r\ncategory: tech\r\nheadcount: 两名\r\n---\r\n"
    site = MemorySite({POS + "x.md": text.encode("utf-8")})
    assert_problems(site.check(), [expect(POS + "x.md", 4, 12, "headcount_positive", value="两名",
                                          hint=msg("headcount_hint", number=2))])


def test_site_toml_with_bom_and_crlf():
    site = MemorySite({"site.toml": ("\ufeff" + MINIMAL_TOML.replace("\n", "\r\n")).encode("utf-8")})
    assert site.check().ok


GBK_TEXT = "---\ntitle: 风险管理岗\ncategory: tech\n---\n\n## 岗位职责\n\n1. 负责风险政策\n"


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_file_names_the_first_bad_line(codec):
    site = MemorySite({POS + "risk.md": GBK_TEXT.encode(codec)})
    assert_problems(site.check(), [
        expect(POS + "risk.md", 2, 1, "file_not_utf8_line", lineno=2, encoding="GBK/GB18030", text="title: 风险管理岗"),
    ])


def test_gbk_line_later_in_the_file():
    # only the body was pasted from a GBK source: the message points at that line
    data = "---\ntitle: x\ncategory: tech\n---\n\n".encode() + "任职要求\n".encode("gbk")
    site = MemorySite({POS + "x.md": data})
    assert_problems(site.check(), [
        expect(POS + "x.md", 6, 1, "file_not_utf8_line", lineno=6, encoding="GBK/GB18030", text="任职要求"),
    ])


@pytest.mark.parametrize("codec,bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-16-be", b""),
])
def test_utf16_with_and_without_bom(codec, bom):
    site = MemorySite({POS + "x.md": bom + GBK_TEXT.encode(codec),
                       POS + "y.yaml": bom + "title: a\ncategory: tech\n".encode(codec)})
    assert_problems(site.check(), [
        expect(POS + "x.md", 1, 1, "file_not_utf8", encoding="UTF-16"),
        expect(POS + "y.yaml", 1, 1, "file_not_utf8", encoding="UTF-16"),
    ])


def test_site_toml_in_gbk():
    site = MemorySite({"site.toml": MINIMAL_TOML.encode("gbk")})
    assert_problems(site.check(), [
        expect("site.toml", 1, 1, "file_not_utf8_line", lineno=1, encoding="GBK/GB18030", text='title = "测试招聘"'),
    ])


def test_site_toml_in_utf16():
    site = MemorySite({"site.toml": MINIMAL_TOML.encode("utf-16")})
    assert_problems(site.check(), [expect("site.toml", 1, 1, "file_not_utf8", encoding="UTF-16")])


def test_encoding_errors_come_through_the_cli_without_traceback(make_site):
    site = make_site({POS + "gbk.md": GBK_TEXT.encode("gbk"), POS + "u16.md": GBK_TEXT.encode("utf-16"),
                      POS + "bin.yaml": bytes(range(256))})
    result = site.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "UnicodeDecodeError" not in result.stderr
    assert f"{POS}gbk.md:2:1: 错误: " in result.stderr
    assert f"{POS}u16.md:1:1: 错误: " in result.stderr
    assert f"{POS}bin.yaml:1:1: 错误: " in result.stderr


@pytest.mark.parametrize("written, code", [
    ('"风险\\x01管理岗"', "U+0001"), ('"风险\\x1b[31m岗"', "U+001B"), ('"风险\\uFFFE岗"', "U+FFFE"),
    ('"风险\\uffff岗"', "U+FFFF"), ('"风险\\x0c岗"', "U+000C"),
])
def test_control_characters_in_a_field_are_refused_at_their_line(written, code):
    """Raw or as YAML escapes, they made feed.xml invalid XML: refused with the line, never published."""
    site = MemorySite({POS + "a.md": f"---\ntitle: {written}\ncategory: tech\n---\n"})
    assert_problems(site.check(), [expect(POS + "a.md", 2, 8, "control_character", key="title", code=code)])


def test_control_characters_in_list_items_and_summary():
    site = MemorySite({POS + "a.yaml": 'title: 岗位\ncategory: tech\nsummary: "x\\x02"\nresponsibilities:\n'
                                      '  - 负责\n  - "再\\x07负责"\n'})
    assert_problems(site.check(), [
        expect(POS + "a.yaml", 3, 10, "control_character", key="summary", code="U+0002"),
        expect(POS + "a.yaml", 6, 5, "control_character", key="responsibilities", code="U+0007"),
    ])


@pytest.mark.parametrize("title", ['"\\u200b"', '"\\u200b\\u200c\\u2060\\ufeff"', '"\\u00ad\\u200b"', '"\\u202e\\u200d"'])
def test_a_title_with_nothing_visible_is_refused(title):
    site = MemorySite({POS + "a.md": f"---\ntitle: {title}\ncategory: tech\n---\n"})
    assert_problems(site.check(), [expect(POS + "a.md", 2, 8, "title_invisible")])


def test_every_xml_output_stays_well_formed_whatever_a_text_holds():
    """Defence in depth: text that reaches the feeds from elsewhere (site.toml) is stripped of what XML cannot hold."""
    import xml.etree.ElementTree as ET

    from careersite.render.jobposting import xml_escape

    assert xml_escape("a\x01b\ufffec\x1b") == "abc"
    site = MemorySite({"site.toml": MINIMAL_TOML.replace('title = "测试招聘"', 'title = "测试\\u0085招聘"')})
    site.build()
    for name in ("feed.xml", "sitemap.xml"):
        ET.fromstring(site.made.files[name])
