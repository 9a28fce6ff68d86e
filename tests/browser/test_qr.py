"""The QR code of a position's address is an image (WeChat's long-press "识别图中二维码" reads images): on a
desktop and on paper it is shown and scans as the page's address; on a phone, which cannot scan its own
screen, it is not shown."""

from __future__ import annotations

import io

import pytest

BASE = "https://example.github.io/careers/"


def scanned(png: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def test_on_a_desktop_the_code_is_an_image_that_scans_as_the_address(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + "positions/dba/")
    img = page.locator("#apply img.qr-code")
    assert img.is_visible()
    assert page.evaluate("document.querySelector('img.qr-code').naturalWidth") >= 200
    assert "DBA数据库工程师" in img.get_attribute("alt")
    assert scanned(img.screenshot()) == [BASE + "positions/dba/"]


def test_on_paper_the_code_is_printed(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + "positions/dba/")
    page.emulate_media(media="print")
    assert page.locator("img.qr-code").is_visible()


def test_on_a_phone_the_code_is_not_shown(phone_page, served_site):
    phone_page.goto(served_site + "positions/dba/")
    assert phone_page.locator("img.qr-code").count() == 1
    assert not phone_page.locator("img.qr-code").is_visible()
    assert not phone_page.locator(".share-qr").is_visible()
