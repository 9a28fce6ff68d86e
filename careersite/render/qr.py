"""An address -> its QR code: a PNG file a page shows as <img> (WeChat's long-press "识别图中二维码" reads images),
or lines to print in a terminal. zxing-cpp encodes (error correction M, the standard's 4 modules of quiet zone)."""

from __future__ import annotations

import io

QR_SCALE = 6  # pixels a module in the PNG: sharp at the 132 CSS px it is shown at, on a 1x or 2x screen


def _qr_image(text: str, scale: int) -> memoryview:
    """TEXT's QR code with its quiet zone, SCALE pixels a module, one byte a pixel (dark = 0)."""
    import zxingcpp  # here, not at the top: only a build that writes position pages needs it

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return memoryview(code.to_image(scale=scale, add_quiet_zones=True))


def qr_png(url: str) -> bytes:
    """URL's QR code as a black-and-white PNG (1 bit a pixel)."""
    from PIL import Image

    image = _qr_image(url, QR_SCALE)
    out = io.BytesIO()
    picture = Image.frombytes("L", (image.shape[1], image.shape[0]), image.tobytes())
    picture.convert("1", dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def qr_terminal(text: str, *, colour: bool) -> list[str]:
    """TEXT as a QR code to print in a terminal: two rows of modules a line, drawn with half blocks (▀ ▄ █).
    COLOUR: black on white, so that it scans on a dark terminal too; without, the blocks are the dark modules."""
    image = _qr_image(text, 1)
    side, modules = image.shape[0], image.tobytes()

    def dark(x: int, y: int) -> bool:
        return y < side and modules[y * side + x] == 0

    blocks = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = ["".join(blocks[dark(x, y), dark(x, y + 1)] for x in range(side)) for y in range(0, side, 2)]
    return [f"\x1b[30;47m{line}\x1b[0m" for line in lines] if colour else lines
