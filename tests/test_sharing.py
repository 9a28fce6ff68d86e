"""Sharing and lightness: Open Graph tags, a QR code of each position's URL, the page weight, no third parties."""

from __future__ import annotations

import base64

import io
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from careersite.render.qr import QR_SCALE


BASE = "https://example.github.io/careers/"  # the default site's base_url
BUDGET = 50 * 1024


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def meta(page, attr: str, name: str) -> str | None:
    tag = page.find("meta", attrs={attr: name})
    return tag["content"] if tag else None


@pytest.mark.parametrize("rel, og_type", [("", "website"), ("categories/risk/", "website"),
                                          ("positions/risk-management/", "article")])
def test_open_graph_and_twitter_tags(seed_site, rel, og_type):
    page = seed_site.page(rel)
    title = page.title.get_text()
    assert meta(page, "property", "og:url") == BASE + rel == page.find("link", rel="canonical")["href"]
    assert meta(page, "property", "og:type") == og_type
    assert meta(page, "property", "og:locale") == "zh_CN"
    assert meta(page, "property", "og:site_name") == "示例消费金融有限公司 招聘"
    assert meta(page, "property", "og:description") == meta(page, "name", "description") != ""
    assert meta(page, "name", "twitter:card") == "summary_large_image"
    og_title = meta(page, "property", "og:title")
    if og_type == "article":
        assert og_title == "风险管理岗 · 示例消费金融有限公司 招聘"
    else:
        assert og_title == title


def qr_matrix_from_png(data: bytes) -> list[list[bool]]:
    """The dark modules of a QR code's PNG, quiet zone included: each module's middle pixel."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("L")
    side, middle = image.width // QR_SCALE, QR_SCALE // 2
    return [[image.getpixel((x * QR_SCALE + middle, y * QR_SCALE + middle)) < 128 for x in range(side)]
            for y in range(side)]


def decode_qr(grid: list[list[bool]]) -> str:
    """What a phone's scanner reads from the drawn modules: zxing-cpp's reader (the site's codes are
    written by its zint-based writer, a separate code base), from a picture 6 pixels a module."""
    import zxingcpp

    scale = 6
    rows = [bytes(0 if dark else 255 for dark in row for _ in range(scale)) for row in grid]
    pixels = b"".join(row for row in rows for _ in range(scale))
    size = len(grid) * scale
    [result] = zxingcpp.read_barcodes(memoryview(pixels).cast("B", (size, size)))
    return result.text


def finder_pattern(grid: list[list[bool]], top: int, left: int) -> bool:
    """The 7 x 7 square-in-a-square a scanner locks on to (dark ring, light ring, dark 3 x 3 centre)."""
    for y in range(7):
        for x in range(7):
            ring = max(abs(y - 3), abs(x - 3))
            if grid[top + y][left + x] != (ring != 2):
                return False
    return True


def png_of(src: str) -> bytes:
    """The PNG of an <img src> that is a data: URI (the QR code is in its page)."""
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:60]
    return base64.b64decode(src[len(prefix):], validate=True)


def test_every_position_has_a_qr_code_of_its_own_url(seed_site):
    pages = list((seed_site.out / "positions").glob("*/index.html"))
    assert len(pages) == 23
    for path in pages:
        rel = path.parent.relative_to(seed_site.out).as_posix() + "/"
        page = seed_site.page(rel)
        [img] = page.select("img.qr-code")
        title = page.select_one("h1#position-title").get_text(" ", strip=True)
        assert title in img["alt"] and "二维码" in img["alt"]
        data = png_of(img["src"])  # in the page: no file, no request of its own
        assert data.startswith(b"\x89PNG")
        assert not (seed_site.out / rel / "qr.png").exists()
        drawn = qr_matrix_from_png(data)
        border = 4  # the quiet zone scanners need: nothing dark in it
        assert not any(any(row) for row in drawn[:border] + drawn[-border:]), rel
        assert not any(any(row[:border] + row[-border:]) for row in drawn), rel
        inner = len(drawn) - 2 * border
        assert (inner - 17) % 4 == 0 and inner >= 21, f"{rel}: {inner} modules is no QR code version"
        for top, left in ((border, border), (border, border + inner - 7), (border + inner - 7, border)):
            assert finder_pattern(drawn, top, left), f"{rel}: no finder pattern at {top},{left}"
        assert decode_qr(drawn) == BASE + rel
        # the URL is printed under the code for people who cannot scan it
        assert page.select_one(".share-url").get_text() == BASE + rel


def page_weight(out: Path, html_path: Path) -> dict[str, int]:
    """Bytes of a page and of the same-origin CSS and JS it references (before compression)."""
    from bs4 import BeautifulSoup

    html = html_path.read_bytes()
    page = BeautifulSoup(html, "html.parser")
    page_url = BASE + html_path.parent.relative_to(out).as_posix() + "/"
    weights = {"html": len(html), "css": 0, "js": 0,
               "qr": sum(len(png_of(img["src"])) for img in page.select("img.qr-code"))}  # (in the HTML)
    refs = [("css", link["href"]) for link in page.find_all("link", rel="stylesheet")]
    refs += [("js", script["src"]) for script in page.find_all("script", src=True)]
    for kind, ref in refs:
        url = urljoin(page_url, ref)
        assert url.startswith(BASE), url
        weights[kind] += (out / urlsplit(url).path[len("/careers/"):]).stat().st_size
    return weights


def test_position_page_with_css_js_and_qr_is_under_50_kb(seed_site):
    heaviest = 0
    for path in (seed_site.out / "positions").glob("*/index.html"):
        w = page_weight(seed_site.out, path)
        total = w["html"] + w["css"] + w["js"]
        assert total < BUDGET, (path, w)
        assert w["qr"] > 0
        heaviest = max(heaviest, total)
    home = page_weight(seed_site.out, seed_site.out / "index.html")
    assert home["html"] + home["css"] + home["js"] < 2 * BUDGET, home


def test_no_third_party_requests(seed_site):
    """Every src/href is on the site itself (or mailto:, or data: for the QR code in the page), and no CSS or JS
    names another host."""
    for path in html_pages(seed_site.out):
        html = path.read_text(encoding="utf-8")
        for ref in re.findall(r'\s(?:src|href|action|srcset|poster|data)="([^"]*)"', html):
            if ref.startswith(("mailto:", "#", "data:image/png;base64,")):  # (data: requests nothing)
                continue
            absolute = urljoin(BASE, ref)
            assert absolute.startswith(BASE), (path, ref)
        assert "@import" not in html
    for path in (seed_site.out / "static").rglob("*"):
        if path.suffix in (".css", ".js"):
            # (an inline SVG icon's namespace, xmlns='http://www.w3.org/2000/svg', names no file to fetch)
            text = path.read_text(encoding="utf-8").replace("xmlns='http://www.w3.org/2000/svg'", "")
            assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), path
            assert "@import" not in text
