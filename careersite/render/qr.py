"""A position's address -> its QR code as an SVG image (zxing-cpp encodes; we draw the modules as one path)."""

from __future__ import annotations

import re
from html import escape as html_escape

QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks
_DARK_RUN = re.compile(rb"\x00+")


def qr_svg(url: str, label: str) -> str:
    """An accessible inline SVG QR code of URL: role="img" with LABEL as its name, quiet zone included.

    zxing-cpp encodes (error correction M; its C++ chooses the mask by the standard's penalty rules) in
    0.3 ms, and the path below takes 0.15 ms; segno, pure Python, took 1.4 ms a position, the largest
    single cost of a cold build.
    Each row's runs of dark modules become one stroked path, drawn along the row at y + 0.5.
    """
    import zxingcpp  # here, not at the top: only a build that writes position pages needs it

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # one byte a module, dark = 0
    size = image.shape[0]
    modules = image.tobytes()
    path: list[str] = []
    at_x = at_y = None
    for y in range(size):
        for run in _DARK_RUN.finditer(modules, y * size, (y + 1) * size):
            x, length = run.start() - y * size + QR_BORDER, run.end() - run.start()
            if at_x is None:
                path.append(f"M{x} {y + QR_BORDER}.5h{length}")
            else:
                path.append(f"m{x - at_x} {y + QR_BORDER - at_y}h{length}")
            at_x, at_y = x + length, y + QR_BORDER
    full = size + 2 * QR_BORDER
    return (f'<svg role="img" aria-label="{html_escape(label, quote=True)}" focusable="false" '
            f'viewBox="0 0 {full} {full}" class="qr-code"><path fill="#fff" d="M0 0h{full}v{full}h-{full}z"/>'
            f'<path stroke="#000" d="{"".join(path)}"/></svg>')


def qr_matrix_from_svg(svg: str) -> list[list[bool]]:
    """The dark modules of an SVG made by qr_svg, read back from its path (for tests and checks).

    Each run of dark modules is 'h<n>' along the row at y + 0.5; moves are 'M' or 'm'.
    """
    size = int(float(re.search(r'viewbox="0 0 ([\d.]+) ', svg, re.I)[1]))
    dark = next(tag for tag in re.findall(r"<path\b[^>]*>", svg) if "stroke=" in tag)  # the other is the background
    path = re.search(r'\sd="([^"]+)"', dark)[1]
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        nums = [float(n) for n in re.findall(r"-?[\d.]+", args)]
        if op == "M":
            x, y = nums
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        else:
            length = nums[0] if op == "h" else nums[0] - x
            for col in range(int(x), int(x + length)):
                grid[int(y)][col] = True
            x += length
    return grid


def qr_terminal(text: str, *, colour: bool) -> list[str]:
    """TEXT as a QR code to print in a terminal: two rows of modules a line, drawn with half blocks (▀ ▄ █),
    quiet zone included. zxing-cpp has no text output of its own; its documented to_image gives the modules.

    COLOUR: black on white with ANSI colours, so that the code scans on a dark terminal too (without it,
    the blocks are the dark modules, for a light background or a log file).
    """
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    size = image.shape[0]
    modules = image.tobytes()
    full = size + 2 * QR_BORDER

    def dark(x: int, y: int) -> bool:
        x, y = x - QR_BORDER, y - QR_BORDER
        return 0 <= x < size and 0 <= y < size and modules[y * size + x] == 0

    blocks = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = ["".join(blocks[dark(x, y), dark(x, y + 1)] for x in range(full)) for y in range(0, full, 2)]
    return [f"\x1b[30;47m{line}\x1b[0m" for line in lines] if colour else lines
