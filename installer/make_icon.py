#!/usr/bin/env python3
"""Draw the product's icon: ``resources/app.ico`` (16–256 px) and ``resources/app.png``.

A blue rounded square with 物 in white, drawn with the bundled CJK font (resources/fonts), so the
exe, the shortcuts, the installer and the window all show PropertyDesk's own icon instead of NSIS's
or Python's. Run once when the design changes (``.venv/bin/python installer/make_icon.py``); the
files are committed. The drawing is deterministic (same bytes every run)."""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
ICO = ROOT / "resources" / "app.ico"
PNG = ROOT / "resources" / "app.png"
SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE, WHITE = (31, 111, 178, 255), (255, 255, 255, 255)


def draw(size: int = 256) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, size - 1, size - 1), radius=max(2, size // 6), fill=BLUE)
    font = ImageFont.truetype(str(FONT), int(size * 0.70), index=0)
    left, top, right, bottom = d.textbbox((0, 0), "物", font=font)
    d.text(((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top), "物", font=font, fill=WHITE)
    return img


def main() -> int:
    big = draw(256)
    big.save(PNG, format="PNG", optimize=True)
    big.save(ICO, format="ICO", sizes=[(s, s) for s in SIZES])
    print(f"{ICO.relative_to(ROOT)} ({ICO.stat().st_size} bytes), {PNG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
