"""Apply at hand on a phone: a compact bar at the bottom of the screen while the seeker reads a position,
which gives way to the apply section; in WeChat (mailto: does nothing there) copying the address and
subject is the first action (in the bar and in the apply section), and a copy button never stays on "已复制".
WeChat on a desktop (it says MicroMessenger too) shows the QR code beside the note, not over it."""

from __future__ import annotations

import pytest

from tests.tools import WECHAT_DESKTOP_UA, WECHAT_UA, background

APPLY_TO = "hr@example.com"
APPLY_SUBJECT = "应聘DBA数据库工程师-IT-02-姓名"


@pytest.fixture
def wechat_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", user_agent=WECHAT_UA)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def bar_buttons(page) -> list[str]:
    """The bar's actions in the order a seeker sees them (left to right)."""
    items = page.locator(".apply-bar > *").all()
    shown = [(i.bounding_box(), i.inner_text().strip()) for i in items if i.is_visible()]
    return [text for box, text in sorted(shown, key=lambda s: s[0]["x"])]


def test_apply_is_on_screen_while_reading_on_a_phone(phone_page, served_site):
    page = phone_page
    page.goto(served_site + "positions/dba/")
    bar = page.locator(".apply-bar")
    box = bar.bounding_box()
    height = page.viewport_size["height"]
    assert bar.is_visible() and box["y"] + box["height"] <= height + 1 and box["y"] >= height - 80  # compact, at the bottom
    assert bar_buttons(page) == ["投递简历", "复制邮箱和主题"]
    mail = bar.get_by_role("link", name="投递简历")
    assert mail.get_attribute("href").startswith("mailto:" + APPLY_TO + "?subject=")
    # Halfway down the text it is still there ...
    page.evaluate("window.scrollTo(0, document.querySelector('#responsibilities').offsetTop)")
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= height + 1 and box["y"] >= height - 80
    # ... and at the end it sits above the apply section, covering nothing.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar_box, apply_box = bar.bounding_box(), page.locator("#apply").bounding_box()
    assert bar_box["y"] + bar_box["height"] <= apply_box["y"] + 1


def test_no_bar_on_a_desktop_but_a_button_beside_the_facts(desktop_page, served_site):
    desktop_page.goto(served_site + "positions/dba/")
    assert not desktop_page.locator(".apply-bar").is_visible()
    button = desktop_page.locator(".facts-apply").get_by_role("link", name="投递简历")
    assert button.is_visible()
    button.click()
    assert desktop_page.locator("#apply-title").is_visible()


def test_in_wechat_copying_comes_first_and_copies_address_and_subject(wechat_page, served_site):
    page = wechat_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.split("/careers/")[0])
    page.goto(served_site + "positions/dba/")
    assert bar_buttons(page) == ["复制邮箱和主题", "投递简历"]
    assert page.locator(".apply-wechat").is_visible()
    assert page.locator(".apply-bar").get_by_role("button", name="复制邮箱和主题").is_visible()
    copy = page.locator(".apply-bar-copy")  # not by its name: the name changes to "已复制" and back
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == APPLY_TO + "\n" + APPLY_SUBJECT
    page.wait_for_function("document.querySelector('.apply-bar-copy').textContent === '已复制'")
    copy.click()  # a second tap while it says "已复制"
    page.wait_for_timeout(2300)
    assert copy.inner_text() == "复制邮箱和主题"  # not stuck on "已复制"
    assert APPLY_TO in page.locator(".copy-status").inner_text()


def test_the_wechat_note_is_not_shown_in_other_browsers(phone_page, served_site):
    phone_page.goto(served_site + "positions/dba/")
    assert not phone_page.locator(".apply-wechat").is_visible()


def test_in_wechat_the_apply_sections_copy_button_is_the_filled_one(wechat_page, served_site):
    page = wechat_page
    page.goto(served_site + "positions/dba/")
    copy = page.locator(".apply-wechat").get_by_role("button", name="复制邮箱和主题")
    mail = page.locator("#apply").get_by_role("link", name="发邮件投递简历")
    filled = background(page.locator(".apply-bar-copy"))  # the bar's first action, filled in WeChat
    assert background(copy) == filled and background(mail) != filled


def test_in_wechat_on_a_desktop_the_note_stays_clear_of_the_qr_code(browser, served_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", user_agent=WECHAT_DESKTOP_UA)
    try:
        page = context.new_page()
        page.goto(served_site + "positions/dba/")
        note, code = page.locator(".apply-wechat").bounding_box(), page.locator(".share-qr").bounding_box()
        assert page.locator(".share-qr img").is_visible() and page.locator(".apply-wechat").is_visible()
        assert note["x"] + note["width"] <= code["x"], (note, code)  # beside it, not under it
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_in_wechat_on_a_desktop_the_filled_copy_button_answers_the_pointer(browser, served_site, scheme):
    """Under the pointer the filled copy button changes as every filled button does (it used to stay flat)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", user_agent=WECHAT_DESKTOP_UA,
                                  color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served_site + "positions/dba/")
        copy = page.locator(".apply-wechat").get_by_role("button", name="复制邮箱和主题")
        link = page.locator(".facts-apply").get_by_role("link", name="投递简历")  # a filled button that is a link
        copy.scroll_into_view_if_needed()
        still = background(copy)
        copy.hover()
        hovered = background(copy)
        link.hover()
        assert hovered != still and hovered == background(link)
        assert copy.evaluate("e => getComputedStyle(e).color") == link.evaluate("e => getComputedStyle(e).color")
    finally:
        context.close()
