"""装修许可证 (A4 for the door) and 施工人员出入证 (card size 85.6×54 mm with photo, or 10 to an A4 sheet)."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style
from app.printing.renovation_common import RenovationForm


@dataclass(frozen=True)
class PermitData:
    permit_number: str
    room_code: str
    place: str
    contractor: str
    person: str
    phone: str           # the contractor's, in full for the door (app.renovation.prints.permit_phone)
    period: str
    hours: str
    issued_on: str
    service_phone: str
    site: str


class PermitForm(RenovationForm):
    title = "装修许可证"

    def story(self, d: PermitData):
        big = ParagraphStyle("big", fontName=FONT_NAME, fontSize=54, leading=66, alignment=TA_CENTER)
        room = ParagraphStyle("room", fontName=FONT_NAME, fontSize=72, leading=86, alignment=TA_CENTER)
        mid = ParagraphStyle("mid", fontName=FONT_NAME, fontSize=18, leading=28)
        out = [Spacer(1, 8 * mm), Paragraph("装修许可证", big), Spacer(1, 6 * mm), Paragraph(esc(d.room_code), room),
               Paragraph(esc(d.place), ParagraphStyle("pl", parent=mid, alignment=TA_CENTER)), Spacer(1, 10 * mm)]
        rows = [["许可证号", d.permit_number], ["施工单位", d.contractor], ["施工负责人", f"{d.person}　{d.phone}"],
                ["施工期限", d.period], ["施工时间", d.hours], ["发证日期", d.issued_on]]
        cells = [[Paragraph(esc(a), mid), Paragraph(esc(b), mid)] for a, b in rows]
        if "（" in d.hours:   # the hours on one line, the remark in brackets whole on the next
            head, _sep, tail = d.hours.partition("（")
            cells[4][1] = Paragraph(esc(head) + "<br/>" + esc("（" + tail), mid)
        t = Table(cells, colWidths=[40 * mm, 134 * mm])
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0")),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        out.append(t)
        out.append(Spacer(1, 10 * mm))
        foot = f"{d.site} 物业服务中心（盖章）" + (f"　监督电话：{d.service_phone}" if d.service_phone else "")
        out.append(Paragraph(esc(foot), ParagraphStyle("ft", parent=mid, fontSize=14, alignment=TA_CENTER)))
        out.append(Paragraph("请张贴于入户门外，接受物业及邻里监督",
                             ParagraphStyle("ft2", parent=mid, fontSize=12, alignment=TA_CENTER)))
        return out


@dataclass(frozen=True)
class PassCard:
    pass_number: str
    name: str
    id_masked: str
    trade: str
    card: str
    room_code: str
    contractor: str
    valid_until: str
    photo: str           # file path or ""
    site: str


class PassCardsForm(FormRenderer):
    """One card (85.6×54 mm, ID-1 size) per page, drawn directly on the canvas."""
    title = "施工人员出入证"
    pagesize = (85.6 * mm, 54 * mm)

    card_size = (85.6 * mm, 54 * mm)

    def render(self, cards) -> bytes:
        import io

        from reportlab.pdfgen import canvas as rl_canvas
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=self.pagesize)
        c.setTitle(self.title)
        c.setAuthor("PropertyDesk")
        self.draw_pages(c, cards)
        c.save()
        return buf.getvalue()

    def draw_pages(self, c, cards):
        for card in cards:
            self._card(c, card)
            c.showPage()

    def _card(self, c, d: PassCard):
        w, h = self.card_size
        band = colors.HexColor("#1F5FA8") if d.card == "A" else colors.HexColor("#2E8B57")
        c.setFillColor(band)
        c.rect(0, h - 10 * mm, w, 10 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(FONT_NAME, 10)
        c.drawString(3 * mm, h - 6.5 * mm, f"{d.site} 施工人员出入证")
        c.setFont(FONT_NAME, 16)
        c.drawRightString(w - 3 * mm, h - 7.5 * mm, f"{d.card}证")
        # photo 22×28 mm
        px, py, pw, ph = 3 * mm, 6 * mm, 22 * mm, 28 * mm
        c.setStrokeColor(colors.grey)
        c.setLineWidth(0.5)
        drawn = False
        if d.photo:
            try:
                c.drawImage(d.photo, px, py, pw, ph, preserveAspectRatio=True, anchor="c", mask="auto")
                drawn = True
            except Exception:   # an unreadable stored photo: print the blank box to paste one on
                pass
        if not drawn:
            c.setFillColor(colors.HexColor("#999999"))
            c.setFont(FONT_NAME, 8)
            c.drawCentredString(px + pw / 2, py + ph / 2, "照片")
        c.rect(px, py, pw, ph, stroke=1, fill=0)
        c.setFillColor(colors.black)
        x = 28 * mm
        c.setFont(FONT_NAME, 13)
        c.drawString(x, h - 16.5 * mm, d.name)
        c.setFont(FONT_NAME, 7.5)
        lines = [f"证号：{d.pass_number}", f"身份证：{d.id_masked}", f"工种：{d.trade or '—'}　施工房号：{d.room_code}",
                 f"单位：{d.contractor[:16]}", f"有效期至：{d.valid_until}"]
        y = h - 21.5 * mm
        for line in lines:
            c.drawString(x, y, line)
            y -= 4 * mm
        c.setFont(FONT_NAME, 6)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(3 * mm, 2.2 * mm, "凭证出入，佩戴上岗；不得转借；离场时交回客服中心退押金")


class PassSheetForm(PassCardsForm):
    """Cards on A4 (2 × 5 per page) with dashed cut lines, for offices without a card printer."""
    pagesize = A4
    COLS, ROWS = 2, 5

    def draw_pages(self, c, cards):
        pw, ph = self.pagesize
        cw, ch = self.card_size
        x0 = (pw - self.COLS * cw) / 2
        y0 = (ph - self.ROWS * ch) / 2
        per = self.COLS * self.ROWS
        for start in range(0, len(cards), per):
            c.setFont(FONT_NAME, 8)
            c.drawString(x0, ph - y0 + 4 * mm, "施工人员出入证（沿虚线裁切）")
            for i, card in enumerate(cards[start:start + per]):
                col, row = i % self.COLS, i // self.COLS
                c.saveState()
                c.translate(x0 + col * cw, ph - y0 - (row + 1) * ch)
                self._card(c, card)
                c.restoreState()
            c.saveState()
            c.setDash(3, 3)
            c.setLineWidth(0.3)
            c.setStrokeColor(colors.grey)
            for k in range(self.COLS + 1):
                x = x0 + k * cw
                c.line(x, y0 - 6 * mm, x, ph - y0 + 2 * mm)
            for k in range(self.ROWS + 1):
                y = y0 + k * ch
                c.line(x0 - 6 * mm, y, pw - x0 + 6 * mm, y)
            c.restoreState()
            c.showPage()
