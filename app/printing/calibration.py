"""The calibration page: millimetre rulers along the top and left paper edges and a crosshair at a
known point, for A4 and for the 三联 receipt form (241 × 93 mm).

The clerk prints it with the form kind's current offset, measures where the crosshair landed
from the paper's top-left corner, and enters the difference as the kind's x/y offset in mm.
"""
from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from app.printing.base import FONT_NAME, register_fonts

# page sizes in mm (portrait or as the form lies in the printer)
SIZES_MM = {"A4": (210.0, 297.0), "241x93": (241.0, 93.0)}
# where the crosshair is drawn, in mm from the paper's left and top edges
CROSS_MM = {"A4": (50.0, 50.0), "241x93": (50.0, 40.0)}


def render_calibration(paper: str = "A4") -> bytes:
    """A one-page PDF of ``paper`` ("A4" or "241x93") with mm rulers and a crosshair."""
    if paper not in SIZES_MM:
        raise ValueError(f"unknown calibration paper {paper!r}")
    register_fonts()
    w_mm, h_mm = SIZES_MM[paper]
    cx, cy = CROSS_MM[paper]
    w, h = w_mm * mm, h_mm * mm
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=(w, h))
    c.setTitle(f"打印校准页 {paper}")
    c.setAuthor("PropertyDesk")
    c.setLineWidth(0.2)

    def y(top_mm: float) -> float:  # from the top edge, in points
        return h - top_mm * mm

    # top ruler: a tick each mm, longer each 5, numbered each 10, from the left paper edge
    c.setFont(FONT_NAME, 5)
    for x_mm in range(0, int(w_mm) + 1):
        length = 6 if x_mm % 10 == 0 else 4 if x_mm % 5 == 0 else 2
        c.line(x_mm * mm, h, x_mm * mm, y(length))
        if x_mm % 10 == 0 and 0 < x_mm < w_mm:
            c.drawCentredString(x_mm * mm, y(9), str(x_mm))
    # left ruler, from the top paper edge
    for t_mm in range(0, int(h_mm) + 1):
        length = 6 if t_mm % 10 == 0 else 4 if t_mm % 5 == 0 else 2
        c.line(0, y(t_mm), length * mm, y(t_mm))
        if t_mm % 10 == 0 and 0 < t_mm < h_mm:
            c.drawString(7 * mm, y(t_mm) - 1.7, str(t_mm))
    # the crosshair with a circle of 5 mm radius
    c.setLineWidth(0.3)
    c.line((cx - 15) * mm, y(cy), (cx + 15) * mm, y(cy))
    c.line(cx * mm, y(cy - 15), cx * mm, y(cy + 15))
    c.circle(cx * mm, y(cy), 5 * mm)
    c.setFont(FONT_NAME, 9)
    c.drawString((cx + 17) * mm, y(cy) - 3, f"十字中心：距左边 {cx:g} mm，距上边 {cy:g} mm")
    lines = [
        f"打印校准页（{'A4' if paper == 'A4' else '三联收据 241×93 mm'}）",
        "1. 本页按零偏移打印；2. 用直尺量十字中心到纸张左边、上边的实际距离；",
        "3. 偏移量 = 标注距离 − 实际距离（向右、向下为正），填入“打印设置”。",
        "纸边的刻度尺从 0 起：若打印出的刻度不从纸边开始，也可直接读出偏移。",
    ]
    top = cy + 22
    for i, text in enumerate(lines):
        c.setFont(FONT_NAME, 10 if i == 0 else 8)
        c.drawString(20 * mm, y(top + i * 5.5), text)
    c.showPage()
    c.save()
    return buf.getvalue()
