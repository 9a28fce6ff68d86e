"""Channel and referral links: ?src=… and ?ref=… on a position's address go into the e-mail's subject and body,
the subject a seeker copies (WeChat) and a line on the page; anything but a short plain code is ignored, and never
markup."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.helpers import PROJECT
from tests.tools import WECHAT_UA


def mail_field(href: str, name: str) -> str:
    query = href.split("?", 1)[1]
    params = dict(part.split("=", 1) for part in query.split("&"))
    return unquote(params[name])


def mail_body(href: str) -> str:
    return mail_field(href, "body")


def test_the_referral_code_and_channel_go_into_the_mail(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + "positions/dba/?src=%E5%85%AC%E4%BC%97%E5%8F%B7&ref=ZHANG-2024")
    assert page.locator(".referral").inner_text() == "内推码：ZHANG-2024　来源：公众号"
    subject = "应聘DBA数据库工程师-IT-02-姓名（内推码：ZHANG-2024，来源：公众号）"
    for selector in (".apply-link", ".apply-bar-mail"):
        href = page.locator(selector).get_attribute("href")
        assert href.startswith("mailto:hr@example.com?subject=") and mail_field(href, "subject") == subject
        body = mail_body(href)
        assert body.startswith("您好：\r\n") and body.endswith("联系电话：\r\n\r\n内推码：ZHANG-2024\r\n来源：公众号")
    # The subject row a seeker copies (where mailto: does nothing) carries them too.
    assert page.locator("#apply-subject").inner_text() == subject


def test_without_them_the_page_and_mail_are_as_built(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + "positions/dba/")
    assert not page.locator(".referral").is_visible()
    href = page.locator(".apply-link").get_attribute("href")
    assert "内推码" not in mail_body(href) and mail_field(href, "subject") == "应聘DBA数据库工程师-IT-02-姓名"
    assert page.locator("#apply-subject").inner_text() == "应聘DBA数据库工程师-IT-02-姓名"


@pytest.mark.parametrize("query", [
    "ref=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "ref=" + "A" * 33, "ref=a%0Abcc%3Ax%40evil.example",
    "src=a%26cc%3Dx%40evil.example", "ref=%E2%80%AEabc",
])
def test_anything_but_a_short_plain_code_is_ignored(desktop_page, served_site, query):
    page = desktop_page
    page.goto(served_site + "positions/dba/?" + query)
    assert not page.locator(".referral").is_visible()
    href = page.locator(".apply-link").get_attribute("href")
    assert "evil" not in href and "%3C" not in href and "内推码" not in mail_body(href)
    assert mail_field(href, "subject") == "应聘DBA数据库工程师-IT-02-姓名"
    assert page.locator(".referral img").count() == 0


def test_in_wechat_the_copy_text_carries_them(browser, served_site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", user_agent=WECHAT_UA)
    try:
        page = context.new_page()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.split("/careers/")[0])
        page.goto(served_site + "positions/dba/?ref=LI01&src=campus")
        page.locator(".apply-bar").get_by_role("button", name="复制邮箱和主题").click()
        assert page.evaluate("navigator.clipboard.readText()") == \
            "hr@example.com\n应聘DBA数据库工程师-IT-02-姓名（内推码：LI01，来源：campus）"
    finally:
        context.close()


def test_the_hr_guides_example_links_do_what_it_says(desktop_page, served_site):
    guide = (PROJECT / "docs/hr-guide.md").read_text(encoding="utf-8")
    section = guide.split("## 渠道链接和内推码", 1)[1].split("\n## ", 1)[0]
    examples = re.search(r"```text\n(.*?)```", section, re.S)[1].split()
    assert len(examples) == 4 and re.search(r"投递区会显示“内推码：ZHANG-2024　来源：公众号”", section)
    for url in examples:
        desktop_page.goto(served_site + url.removeprefix("https://example.github.io/careers/"))
        query = parse_qs(urlsplit(url).query)
        shown = [f"{label}：{query[key][0]}" for key, label in (("ref", "内推码"), ("src", "来源")) if key in query]
        assert desktop_page.locator(".referral").inner_text() == "　".join(shown), url
        mail = desktop_page.locator("#apply").get_by_role("link", name="发邮件投递简历").get_attribute("href")
        assert mail_body(mail).endswith("\r\n".join(shown)), url
        assert mail_field(mail, "subject").endswith("（" + "，".join(shown) + "）"), url
