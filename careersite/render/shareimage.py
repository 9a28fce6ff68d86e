"""The share pictures (og:image): company, 招贤纳士 and a category's name on the site's colour, as a 1200 x 630 PNG
drawn with Pillow. Without a CJK font the picture carries no text (the same colours and marks), so a build
never fails for want of a font; CI installs one (scripts/install-test-tools)."""

from __future__ import annotations

import io
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
NAVY = (11, 58, 102)  # site.css --brand
NAVY_DEEP = (7, 40, 70)
GOLD = (201, 162, 74)  # the brand mark's gold
PALE = (219, 230, 242)
WHITE = (255, 255, 255)
# Fonts that hold Chinese, as Debian's packages install them (fonts-wqy-microhei first: what CI installs).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


def share_font(candidates: tuple[str, ...] | None = None) -> str | None:
    """The first CJK font file there is of CANDIDATES (default FONT_CANDIDATES), or None."""
    return next((path for path in (candidates or FONT_CANDIDATES) if Path(path).is_file()), None)


def font_identity(path: str | None) -> tuple:
    """What a picture's bytes depend on of the font and of Pillow (part of its artifact key)."""
    import PIL

    if path is None:
        return (PIL.__version__, None)
    stat = Path(path).stat()
    return (PIL.__version__, path, stat.st_size, stat.st_mtime_ns)


def _one_line(text: str, limit: int = 60) -> str:
    """TEXT as one line of printable characters, at most LIMIT of them (the picture has room for no more)."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fitted(draw, text: str, font_path: str, size: int, width: int):
    """(font, text): the font at SIZE or smaller, down to 28 px, so TEXT fits in WIDTH pixels (long company
    names); past that, TEXT cut short with an ellipsis."""
    from PIL import ImageFont

    while True:
        # Basic layout: Chinese needs no shaping, and raqm fails on some strings (controls, odd marks).
        font = ImageFont.truetype(font_path, size, layout_engine=ImageFont.Layout.BASIC)
        if size <= 28 or draw.textlength(text, font=font) <= width:
            break
        size -= 4
    while len(text) > 1 and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…"
    return font, text


def _write(draw, xy: tuple[int, int], text: str, font_path: str, size: int, width: int, fill) -> None:
    font, text = _fitted(draw, text, font_path, size, width)
    draw.text(xy, text, font=font, fill=fill)


def share_png(company: str, tagline: str, subject: str = "", address: str = "", font_path: str | None = None) -> bytes:
    """A 1200 x 630 PNG: COMPANY, TAGLINE (招贤纳士), SUBJECT (a category) and the site's ADDRESS on navy, with a
    gold rule and the brand's briefcase mark; without FONT_PATH the same picture without text."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), NAVY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 120, WIDTH, HEIGHT), fill=NAVY_DEEP)
    draw.rectangle((0, 0, 16, HEIGHT), fill=GOLD)
    # The briefcase of the header's mark, at the top left.
    x, y = 96, 92
    draw.rounded_rectangle((x, y, x + 96, y + 96), radius=20, fill=GOLD)
    draw.rounded_rectangle((x + 36, y + 18, x + 60, y + 34), radius=4, outline=NAVY, width=6)
    draw.rounded_rectangle((x + 18, y + 30, x + 78, y + 74), radius=6, fill=NAVY)
    draw.rectangle((x + 18, y + 46, x + 78, y + 51), fill=GOLD)
    draw.line((96, 420, 96 + 180, 420), fill=GOLD, width=6)
    if font_path:
        company, tagline, subject, address = (_one_line(x) for x in (company, tagline, subject, address))
        text_width = WIDTH - 96 * 2
        _write(draw, (96, 236), company, font_path, 68, text_width, WHITE)
        _write(draw, (96, 336), tagline, font_path, 52, text_width, PALE)
        if subject:
            _write(draw, (96, 452), subject, font_path, 44, text_width, WHITE)
        if address:
            _write(draw, (96, HEIGHT - 84), address, font_path, 32, text_width, PALE)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # 14 ms; level 9 took 45 ms for 4 % fewer bytes
    return out.getvalue()
