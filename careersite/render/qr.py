"""An address -> its QR code: a PNG a page shows as <img> from a data: URI (for WeChat's long-press
"识别图中二维码", which reads images; not yet tried on a data: URI's), or lines to print in a terminal. zxing-cpp
encodes (error correction M, mask by the standard's penalty rules)."""

from __future__ import annotations

import base64
import struct
import zlib

QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks
QR_SCALE = 6  # pixels a module in the PNG: sharp at the 132 CSS px it is shown at, on a 1x or 2x screen
_BITS = bytes(ord("0") if i == 0 else ord("1") for i in range(256))  # a module's byte -> "0" (dark) or "1" (light)
# Eight modules (a byte, 1 = light) -> their pixels along a row: each bit QR_SCALE times, QR_SCALE bytes.
_WIDEN = [int("".join(bit * QR_SCALE for bit in f"{byte:08b}"), 2).to_bytes(QR_SCALE, "big") for byte in range(256)]


def _modules(text: str) -> tuple[int, bytes]:
    """The side of TEXT's QR code in modules and its modules, one byte each (dark = 0), no quiet zone."""
    import zxingcpp  # here, not at the top: only a build that writes position pages needs it

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    return image.shape[0], image.tobytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def qr_png(url: str) -> bytes:
    """URL's QR code as a black-and-white PNG (1 bit a pixel), quiet zone included. Written here: all module rows,
    quiet zone and padding to whole bytes included, become one number and then pixel rows by a table (Pillow makes
    bigger files, or takes longer: docs/performance.md)."""
    size, modules = _modules(url)
    side = size + 2 * QR_BORDER  # modules a row, quiet zone included
    full = side * QR_SCALE
    width = (full + 7) // 8  # bytes a pixel row
    span = (side + 7) // 8  # bytes a module row: the bits past SIDE are light, and cut off below
    quiet, padded = b"1" * QR_BORDER, b"1" * (span * 8 - side)
    bits = b"".join(quiet + modules[y * size:(y + 1) * size].translate(_BITS) + quiet + padded for y in range(size))
    wide = b"".join(map(_WIDEN.__getitem__, int(bits, 2).to_bytes(span * size, "big")))
    # Each pixel row: a filter byte, its pixels. A module row's first as it is (0), the rest as "same as above" (2: Up).
    again = (b"\x02" + bytes(width)) * (QR_SCALE - 1)
    blank = b"\x00" + b"\xff" * width + (b"\x02" + bytes(width)) * (QR_BORDER * QR_SCALE - 1)
    raw = blank + b"".join(b"\x00" + wide[at:at + width] + again for at in range(0, len(wide), span * QR_SCALE)) + blank
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", full, full, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))


def qr_data_uri(url: str) -> str:
    """URL's QR code as a data: URI for <img src>: in the page, so a position is one file and one request."""
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")


def qr_terminal(text: str, *, colour: bool) -> list[str]:
    """TEXT as a QR code to print in a terminal: two rows of modules a line, drawn with half blocks (▀ ▄ █), quiet
    zone included. COLOUR: black on white, so that it scans on a dark terminal too; without, the blocks are dark."""
    size, modules = _modules(text)
    coords = range(-QR_BORDER, size + QR_BORDER)  # of the modules along a side, quiet zone included

    def dark(x: int, y: int) -> bool:
        return 0 <= x < size and 0 <= y < size and modules[y * size + x] == 0

    blocks = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = ["".join(blocks[dark(x, y), dark(x, y + 1)] for x in coords) for y in coords[::2]]
    return [f"\x1b[30;47m{line}\x1b[0m" for line in lines] if colour else lines
