"""Render PDF pages with pdftoppm (grey) and compare them pixel by pixel."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Grey:
    width: int
    height: int
    data: bytes  # one byte a pixel, rows top to bottom

    def row(self, y: int) -> bytes:
        return self.data[y * self.width:(y + 1) * self.width]


def render(pdf: Path | bytes, dpi: int, page: int = 1, tmp: Path | None = None) -> Grey:
    src = ["-"] if isinstance(pdf, bytes) else [str(pdf)]
    r = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), *src],
                       input=pdf if isinstance(pdf, bytes) else None, capture_output=True, check=True)
    return parse_pgm(r.stdout)


def parse_pgm(raw: bytes) -> Grey:
    fields, pos = [], 0
    while len(fields) < 4:  # P5 width height maxval, whitespace separated
        while raw[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(raw[pos:end])
        pos = end
    assert fields[0] == b"P5", fields[0]
    w, h = int(fields[1]), int(fields[2])
    return Grey(w, h, raw[pos + 1:pos + 1 + w * h])


def shifted(img: Grey, dx: int, dy: int) -> Grey:
    """The image moved right by dx and down by dy pixels, white filling the gap."""
    rows = []
    blank = b"\xff" * img.width
    for y in range(img.height):
        sy = y - dy
        if not 0 <= sy < img.height:
            rows.append(blank)
            continue
        r = img.row(sy)
        rows.append(b"\xff" * dx + r[:img.width - dx] if dx >= 0 else r[-dx:] + b"\xff" * -dx)
    return Grey(img.width, img.height, b"".join(rows))


@dataclass
class Match:
    similarity: float  # 1 - mean absolute grey difference / 255, over the whole page
    ink_match: float  # share of dark pixels (< 160) of each page with dark within 1 px on the other

    def __str__(self):
        return f"similarity {self.similarity:.4f}, ink match {self.ink_match:.3f}"


def _ink(img: Grey) -> set[int]:
    table = bytes(1 if v < 160 else 0 for v in range(256))  # noqa: PLR2004
    bits = img.data.translate(table)
    return {i for i, b in enumerate(bits) if b}


def _dilate(ink: set[int], w: int) -> set[int]:
    out = set()
    for i in ink:
        out.update((i - w - 1, i - w, i - w + 1, i - 1, i, i + 1, i + w - 1, i + w, i + w + 1))
    return out


def crop(img: Grey, w: int, h: int) -> Grey:
    return Grey(w, h, b"".join(img.row(y)[:w] for y in range(h)))


def compare(a: Grey, b: Grey) -> Match:
    """Pages of the same paper (a pixel of rounding apart at most) compared pixel by pixel."""
    assert abs(a.width - b.width) <= 2 and abs(a.height - b.height) <= 2, \
        f"page sizes differ: {a.width}x{a.height} vs {b.width}x{b.height}"
    w, h = min(a.width, b.width), min(a.height, b.height)
    a, b = crop(a, w, h), crop(b, w, h)
    diff = sum(abs(x - y) for x, y in zip(a.data, b.data, strict=True))
    sim = 1 - diff / (255 * len(a.data))
    ia, ib = _ink(a), _ink(b)
    da, db = _dilate(ia, a.width), _dilate(ib, b.width)
    both = len(ia & db) + len(ib & da)
    iou = both / max(1, len(ia) + len(ib))
    return Match(sim, iou)
