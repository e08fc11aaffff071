"""Base renderer for every printed form: A4, embedded CJK TrueType font, site header, page x of y.

A form module builds a frozen print record first (with its document number), then renders it
to PDF bytes with a subclass of ``FormRenderer``:

    class OwnerInfoForm(FormRenderer):
        title = "业主信息表"
        def story(self, data): return [...flowables...]

    pdf_bytes = OwnerInfoForm(settings).render(data)
"""
from __future__ import annotations

import functools
import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "CJK"
FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"
FONT_FILE = FONTS_DIR / "wqy-microhei.ttc"  # WenQuanYi Micro Hei: CJK + Latin, TrueType outlines


@functools.cache
def register_fonts() -> str:
    """Register the shipped CJK TrueType font once (subset and embedded by reportlab)."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    from reportlab.lib.fonts import addMapping
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT_NAME, bold, italic, FONT_NAME)
    from reportlab import rl_config
    rl_config.canvas_basefontname = FONT_NAME  # no unembedded Helvetica in our PDFs
    rl_config.useA85 = 0  # binary compressed streams: smaller and faster than ASCII85
    return FONT_NAME


def styles():
    register_fonts()
    base = dict(fontName=FONT_NAME, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=4 * mm, **base),
        "h2": ParagraphStyle("h2", fontSize=12, leading=16, spaceBefore=3 * mm, spaceAfter=2 * mm, keepWithNext=1,
                             **base),  # a heading never stands alone at the foot of a page
        "body": ParagraphStyle("body", fontSize=10, leading=14, **base),
        "small": ParagraphStyle("small", fontSize=8, leading=11, textColor=colors.grey, **base),
        "cell": ParagraphStyle("cell", fontSize=9.5, leading=13, **base),
        "cell_c": ParagraphStyle("cell_c", fontSize=9.5, leading=13, alignment=TA_CENTER, **base),
    }


def esc(text) -> str:
    """Escape text for a reportlab Paragraph."""
    s = "" if text is None else str(text)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def grid_style(extra=()):
    """The grid used by the office's forms: thin black lines, CJK font, vertical centring."""
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ])


def label_value_table(rows, col_widths, st=None):
    """A form grid of [label, value, label, value …] rows; labels shaded."""
    s = styles()
    data = [[Paragraph(esc(c), s["cell"]) if not hasattr(c, "wrap") else c for c in row] for row in rows]
    t = Table(data, colWidths=col_widths)
    shade = [("BACKGROUND", (i, 0), (i, -1), colors.HexColor("#F0F0F0")) for i in range(0, len(col_widths), 2)]
    t.setStyle(grid_style(shade + list(st or [])))
    return t


def signature_line(labels, width=170 * mm):
    """A row of signature blanks: 业主签字：______  日期：______."""
    s = styles()
    cells = [Paragraph(esc(f"{label}：") + "_" * 16, s["body"]) for label in labels]
    t = Table([cells], colWidths=[width / len(labels)] * len(labels))
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("TOPPADDING", (0, 0), (-1, -1), 8)]))
    return t


class FormRenderer:
    """Subclass and implement ``story(data)``; ``render(data)`` returns PDF bytes."""

    title = ""
    pagesize = A4
    count_pages = True   # False for large batches: one pass, pages say "第 x 页" only
    margins = (18 * mm, 18 * mm, 20 * mm, 18 * mm)  # left, right, top, bottom

    def __init__(self, settings, doc_number: str = ""):
        self.settings = settings
        self.doc_number = doc_number
        register_fonts()
        self.st = styles()

    # hooks -----------------------------------------------------------------
    def story(self, data) -> list:
        raise NotImplementedError

    def header_text(self) -> str:
        return f"{self.settings.get('site.name')} 客户服务中心"

    def footer_text(self) -> str:
        return self.settings.get("company.name") or ""

    # drawing ---------------------------------------------------------------
    def _decorate(self, canvas, doc, total=None):
        canvas.saveState()
        w, h = self.pagesize
        left, right, top, bottom = self.margins
        canvas.setFont(FONT_NAME, 9)
        canvas.drawString(left, h - top + 8 * mm, self.header_text())
        if self.doc_number:
            canvas.drawRightString(w - right, h - top + 8 * mm, f"编号：{self.doc_number}")
        canvas.setLineWidth(0.5)
        canvas.line(left, h - top + 6 * mm, w - right, h - top + 6 * mm)
        page = canvas.getPageNumber()
        text = f"第 {page} 页" + (f" / 共 {total} 页" if total else "")
        canvas.drawCentredString(w / 2, bottom - 10 * mm, text)
        if self.footer_text():
            canvas.drawString(left, bottom - 10 * mm, self.footer_text())
        canvas.restoreState()

    def render(self, data) -> bytes:
        """Two passes: the first counts pages so each page can say 'page x of y'."""
        story_factory = lambda: list(self.story(data))  # noqa: E731
        if not self.count_pages:
            out = io.BytesIO()
            deco = self._decorate
            self._doc(out).build(story_factory(), onFirstPage=deco, onLaterPages=deco)
            return out.getvalue()
        counter = io.BytesIO()
        doc = self._doc(counter)
        pages = {"n": 0}

        def count(canvas, d):
            pages["n"] = canvas.getPageNumber()
            self._decorate(canvas, d)

        doc.build(story_factory(), onFirstPage=count, onLaterPages=count)
        out = io.BytesIO()
        doc = self._doc(out)
        deco = lambda c, d: self._decorate(c, d, pages["n"])  # noqa: E731
        doc.build(story_factory(), onFirstPage=deco, onLaterPages=deco)
        return out.getvalue()

    def _doc(self, buf):
        left, right, top, bottom = self.margins
        return SimpleDocTemplate(buf, pagesize=self.pagesize, leftMargin=left, rightMargin=right,
                                 topMargin=top, bottomMargin=bottom, title=self.title,
                                 author="PropertyDesk", creator="PropertyDesk")

    def title_block(self, subtitle: str = "") -> list:
        out = [Paragraph(esc(self.title), self.st["title"])]
        if subtitle:
            out.append(Paragraph(esc(subtitle), self.st["small"]))
        out.append(Spacer(1, 2 * mm))
        return out


def write_pdf(pdf: bytes, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    return path
