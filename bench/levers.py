"""In-process measurements of code that exists for speed (docs/performance.md, "Levers measured in one process").

    python bench/levers.py fastpath --n 10000 --repeat 5   # process_file over N synthetic positions, levers off in turn
                                                           # (the plain-text fast paths, the compliance words)
    python bench/levers.py qr                              # a QR code's PNG: our encoder against Pillow's

One process, variants interleaved round by round, so that each sees the same machine load; fastpath prints
the median seconds of each variant and the median of the per-round ratios to "all on".
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

sys.path.insert(0, str(synth.PROJECT))


def fastpath(n: int, repeat: int) -> None:
    import re

    from careersite.errors import Problems
    from careersite.load.config import load_config
    from careersite.load.content import position_files
    from careersite.model import compliance, markup
    from careersite.model.markup import Renderer
    from careersite.model.perfile import process_file

    with tempfile.TemporaryDirectory(prefix="careersite-levers-") as tmp:
        site = synth.make_site(Path(tmp) / "site", n)
        config = load_config(site, Problems())
        files = [(rel, (site / rel).read_bytes()) for rel in position_files(site, Problems())]
    # lever -> (module, name, what it is switched off to): each as the code has it
    known = {"markdown_plain": (markup, "markdown_plain", lambda text: None),
             "normalize_plain": (markup, "normalize_plain", lambda text: None),
             "compliance words": (compliance, "_words_of", lambda kinds: re.compile(""))}  # every file searched
    switches = {lever: spec for lever, spec in known.items() if hasattr(spec[0], spec[1])}
    levers = list(switches)
    real = {lever: getattr(module, name) for lever, (module, name, _off) in switches.items()}
    variants = {"all on": (), **{f"no {name}": (name,) for name in levers}}
    if len(levers) > 1:
        variants["none"] = tuple(levers)
    times: dict[str, list[float]] = {name: [] for name in variants}
    renderer = Renderer()
    for _ in range(repeat):
        for name, off in variants.items():
            for lever, (module, attribute, switched_off) in switches.items():
                setattr(module, attribute, switched_off if lever in off else real[lever])
            start = time.perf_counter()
            for rel, data in files:
                process_file(rel, data, config, renderer)
            times[name].append(time.perf_counter() - start)
    print(f"process_file over {len(files):,} positions, {repeat} rounds")
    for name, values in times.items():
        ratio = statistics.median(v / base for v, base in zip(values, times["all on"]))
        print(f"{name:20s} median {statistics.median(values):6.2f} s   paired ratio to all on {ratio:.3f}")


def qr() -> None:
    from PIL import Image

    from PIL import ImageOps

    from careersite.render.qr import QR_BORDER, QR_SCALE, _modules, qr_png

    def pillow(url: str, level: int) -> bytes:  # the same modules, quiet zone and scale, written by Pillow
        size, modules = _modules(url)
        picture = Image.frombytes("L", (size, size), modules).convert("1", dither=Image.Dither.NONE)
        side = (size + 2 * QR_BORDER) * QR_SCALE
        out = io.BytesIO()
        ImageOps.expand(picture, QR_BORDER, fill=1).resize((side, side), Image.Resampling.NEAREST).save(
            out, "PNG", compress_level=level)
        return out.getvalue()

    urls = [f"https://example.github.io/careers/positions/p{n:05d}-risk-management/" for n in range(200)]
    variants = {"ours (zlib 6)": qr_png, "Pillow, zlib 6": lambda u: pillow(u, 6), "Pillow, zlib 9": lambda u: pillow(u, 9)}
    best: dict[str, float] = {}
    size: dict[str, float] = {}
    for _ in range(7):
        for name, make in variants.items():
            start = time.perf_counter()
            sizes = [len(make(url)) for url in urls]
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
            size[name] = sum(sizes) / len(sizes)
    for name, seconds in best.items():
        print(f"{name:16s} {seconds / len(urls) * 1000:.3f} ms a code (min of 7 over {len(urls)}), {size[name]:.0f} B")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("fastpath", "qr"))
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.what == "fastpath":
        fastpath(args.n, args.repeat)
    else:
        qr()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
