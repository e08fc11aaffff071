"""The notice for the board (公告栏公告), A4 or A3: the grade's coloured heading band (通告 green,
重要通告 yellow, 紧急通告 red, 温馨提示 blue), the title, the body (paragraphs, lists, a table), the
issuing office and date above the seal line, the posting period, the office hours and the place it
is posted. One page per posting place, all in one PDF (one print job). Pure renderer: the data is
built by app.notices.prints."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style
from app.printing.notice_body import Block

# heading band colour and its text colour, per grade
GRADE_COLOURS = {"通告": ("#2E7D32", "#FFFFFF"), "重要通告": ("#F9A825", "#212121"),
                 "紧急通告": ("#C62828", "#FFFFFF"), "温馨提示": ("#1565C0", "#FFFFFF")}
PAGES = {"A4": A4, "A3": A3}


@dataclass(frozen=True)
class NoticePrint:
    number: str
    grade: str
    title: str
    blocks: tuple[Block, ...]
    scope_text: str
    period: str                       # 2026-11-20 至 2026-11-27
    office: str
    issue_date: str                   # 二〇二六年十一月二十日 style, as the office writes it
    office_hours: str
    service_phone: str
    places: tuple[str, ...]           # one page each
    paper: str = "A4"
    draft: bool = False
    attachments: tuple[str, ...] = ()


def notice_styles(scale: float) -> dict:
    def st(name, size, lead, **kw):
        return ParagraphStyle(name, fontName=FONT_NAME, fontSize=size * scale, leading=lead * scale, wordWrap="CJK",
                              **kw)
    return {"band": st("band", 34, 42, alignment=TA_CENTER),
            "title": st("ntitle", 20, 28, alignment=TA_CENTER, spaceBefore=4 * mm * scale, spaceAfter=1 * mm),
            "number": st("nnumber", 10, 14, alignment=TA_CENTER, textColor=colors.HexColor("#555555")),
            "body": st("nbody", 13, 22, firstLineIndent=26 * scale, spaceAfter=1.5 * mm * scale),
            "greeting": st("ngreet", 13, 22, spaceAfter=1.5 * mm * scale),
            "item": st("nitem", 13, 21),
            "cell": st("ncell", 11, 15, alignment=TA_CENTER),
            "sign": st("nsign", 13, 22, alignment=TA_RIGHT),
            "foot": st("nfoot", 10, 15, textColor=colors.HexColor("#333333"))}


def heading_band(grade: str, text: str, width: float, style) -> Table:
    """The coloured band across the top: the grade's word (or the poster's title) on its colour."""
    fill, ink = GRADE_COLOURS.get(grade, GRADE_COLOURS["通告"])
    st = ParagraphStyle("band_ink", parent=style, textColor=colors.HexColor(ink))
    t = Table([[Paragraph(esc(text), st)]], colWidths=[width])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                           ("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 14),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return t


def body_flowables(blocks, st: dict, width: float) -> list:
    out = []
    for i, b in enumerate(blocks):
        if b.kind == "table":
            t = Table([[Paragraph(esc(c), st["cell"]) for c in row] for row in b.rows],
                      colWidths=[width / len(b.rows[0])] * len(b.rows[0]), repeatRows=1)
            t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE"))]))
            out += [Spacer(1, 2 * mm), t, Spacer(1, 3 * mm)]
        elif b.kind in ("bullet", "num"):
            mark = "●" if b.kind == "bullet" else b.label
            t = Table([[Paragraph(esc(mark), st["item"]), Paragraph(esc(b.text), st["item"])]],
                      colWidths=[12 * mm if b.kind == "bullet" else 14 * mm, width - 16 * mm])
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 18),
                                   ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
            out.append(t)
        else:
            first = i == 0 and b.text.endswith(("：", ":"))   # 尊敬的业主/住户： stands at the margin
            out.append(Paragraph(esc(b.text), st["greeting" if first else "body"]))
    return out


def sign_block(office: str, date_text: str, st: dict) -> KeepTogether:
    """The issuing office over its date, and the seal line beside them."""
    return KeepTogether([Spacer(1, 8 * mm), Paragraph(esc(office), st["sign"]),
                         Paragraph(esc(date_text), st["sign"]),
                         Paragraph(esc("（盖章）______________"), st["sign"])])


class NoticeForm(FormRenderer):
    title = "公告"
    count_pages = False

    def __init__(self, settings, data: NoticePrint):
        super().__init__(settings, data.number)
        self.data = data
        self.pagesize = PAGES.get(data.paper, A4)
        self.scale = 1.41 if data.paper == "A3" else 1.0
        s = self.scale
        self.margins = (20 * mm * s, 20 * mm * s, 18 * mm * s, 22 * mm * s)

    def _decorate(self, canvas, doc, total=None):
        """No site header or page x of y on the board: the number small at the foot, and a draft's watermark."""
        canvas.saveState()
        w, h = self.pagesize
        canvas.setFont(FONT_NAME, 8 * self.scale)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawRightString(w - self.margins[1], 10 * mm, f"公告编号：{self.data.number}")
        if self.data.draft:
            canvas.setFont(FONT_NAME, 90 * self.scale)
            canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.35))
            canvas.translate(w / 2, h / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, "草稿 未审批")
        canvas.restoreState()

    def story(self, d: NoticePrint):
        st = notice_styles(self.scale)
        width = self.pagesize[0] - self.margins[0] - self.margins[1]
        out = []
        for i, place in enumerate(d.places):
            if i:
                out.append(PageBreak())
            out.append(heading_band(d.grade, d.grade, width, st["band"]))
            out.append(Paragraph(esc(d.title), st["title"]))
            out.append(Paragraph(esc(f"编号：{d.number}"), st["number"]))
            out.append(Spacer(1, 5 * mm * self.scale))
            out += body_flowables(d.blocks, st, width)
            out.append(sign_block(d.office, d.issue_date, st))
            out.append(Spacer(1, 6 * mm * self.scale))
            out.append(self._foot(d, place, st, width))
        return out

    def _foot(self, d: NoticePrint, place: str, st, width) -> Table:
        lines = [f"张贴期：{d.period}　　张贴位置：{place}", f"办公时间：{d.office_hours}"]
        if d.service_phone:
            lines.append(f"客服中心电话：{d.service_phone}")
        if d.attachments:
            lines.append("附件：" + "、".join(d.attachments) + "（可到客服中心查阅）")
        t = Table([[Paragraph(esc(x), st["foot"])] for x in lines], colWidths=[width])
        t.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.HexColor("#999999")),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        return t


def render_notice(settings, data: NoticePrint) -> bytes:
    """The notice, one page per posting place, as PDF bytes (A4 or A3 as ``data.paper``)."""
    return NoticeForm(settings, data).render(data)
