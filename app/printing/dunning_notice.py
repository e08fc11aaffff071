"""欠费二次通知单 and 欠费三次通知单 (with the late fee): one A4 page per household, batched
per building, for posting on the door. Each page stands alone (it goes on one door): no page
number of the batch; the office's phone and a seal line on every page.

Drawn straight on the canvas (no platypus) so that a batch of a thousand notices takes a
couple of seconds: the layout is fixed, only the item rows vary (at most ITEMS_PER_PAGE rows;
more are summed in one line)."""
from __future__ import annotations

import io
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.core.money import daxie, fmt_fen
from app.printing.base import FONT_NAME, register_fonts

SECOND_NOTICE, THIRD_NOTICE = 2, 3     # the stage of a notice; the third states the late fee
TITLES = {SECOND_NOTICE: "欠费二次通知单", THIRD_NOTICE: "欠费三次通知单"}
ITEMS_PER_PAGE = 16
W, H = A4
NO_LINE_START = "，。、；：？！）》」』”’%"
LEFT, RIGHT = 20 * mm, W - 20 * mm


@lru_cache(maxsize=4096)
def _cw(ch: str, size: float) -> float:
    return stringWidth(ch, FONT_NAME, size)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than *width*, character by character (CJK has no spaces)."""
    lines, line, w = [], "", 0.0
    for ch in text:
        cw = _cw(ch, size)
        if line and w + cw > width and ch not in NO_LINE_START:
            lines.append(line)
            line, w = "", 0.0
        line += ch
        w += cw
    if line:
        lines.append(line)
    return lines


class NoticeCanvas:
    def __init__(self, settings):
        register_fonts()
        self.settings = settings
        rate = (settings.decimal("dunning.late_fee_daily_rate") * 100).normalize()
        self.rate_text = f"{rate:f}%"
        self.site = settings.get("site.name")

    def text(self, c, x, y, s, size=10.5, anchor="left"):
        c.setFont(FONT_NAME, size)
        if anchor == "right":
            c.drawRightString(x, y, s)
        elif anchor == "centre":
            c.drawCentredString(x, y, s)
        else:
            c.drawString(x, y, s)

    def para(self, c, y, s, size=10.5, leading=15):
        for line in wrap(s, size, RIGHT - LEFT):
            self.text(c, LEFT, y, line, size)
            y -= leading
        return y

    def page(self, c, n):
        c.setFont(FONT_NAME, 9)
        c.drawString(LEFT, H - 14 * mm, f"{self.site} 客户服务中心")
        c.drawRightString(RIGHT, H - 14 * mm, f"编号：{n.number}")
        c.setLineWidth(0.5)
        c.line(LEFT, H - 16 * mm, RIGHT, H - 16 * mm)
        self.text(c, W / 2, H - 30 * mm, TITLES[n.stage], 18, "centre")
        self.text(c, W / 2, H - 37 * mm, f"日期：{n.date}", 9, "centre")
        y = H - 48 * mm
        self.text(c, LEFT, y, f"尊敬的 {n.building} {n.room_code} 业主（{n.owners}）：")
        y -= 17
        late = n.stage == THIRD_NOTICE
        msg = (f"经核对，截至 {n.date}，您尚有以下费用未缴纳，合计 {fmt_fen(n.owed_fen)} 元"
               + (f"，按日 {self.rate_text} 计滞纳金 {fmt_fen(n.late_fee_fen)} 元" if late else "") + "。")
        y = self.para(c, y, "　　" + msg) - 6
        # the table
        cols = [LEFT, LEFT + 55 * mm, LEFT + 85 * mm, LEFT + 115 * mm, LEFT + (145 if late else 170) * mm]
        if late:
            cols.append(RIGHT)
        head = ["收费项目", "所属月份", "应缴日期", "欠费金额（元）"] + (["滞纳金（元）"] if late else [])
        items = list(n.items)
        rows = [(i.name, i.period, i.due_date, fmt_fen(i.owed_fen), fmt_fen(i.late_fee_fen))
                for i in items[:ITEMS_PER_PAGE - 1]]
        if len(items) > ITEMS_PER_PAGE - 1:
            rest = items[ITEMS_PER_PAGE - 1:]
            rows.append((f"其他 {len(rest)} 项", "", "", fmt_fen(sum(i.owed_fen for i in rest)),
                         fmt_fen(sum(i.late_fee_fen for i in rest))))
        rows.append(("合计", "", "", fmt_fen(n.owed_fen), fmt_fen(n.late_fee_fen)))
        rh = 7 * mm
        top = y
        c.setFillGray(0.94)
        c.rect(cols[0], top - rh, cols[-1] - cols[0], rh, stroke=0, fill=1)
        c.setFillGray(0)
        for i, h in enumerate(head):
            self.text(c, (cols[i] + cols[i + 1]) / 2, top - rh + 2.3 * mm, h, 9.5, "centre")
        for r, row in enumerate(rows, 1):
            base = top - (r + 1) * rh + 2.3 * mm
            self.text(c, cols[0] + 2 * mm, base, row[0], 9.5)
            self.text(c, cols[1] + 2 * mm, base, row[1], 9.5)
            self.text(c, cols[2] + 2 * mm, base, row[2], 9.5)
            self.text(c, cols[4] - 2 * mm, base, row[3], 9.5, "right")
            if late:
                self.text(c, cols[5] - 2 * mm, base, row[4], 9.5, "right")
        bottom = top - (len(rows) + 1) * rh
        for k in range(len(rows) + 2):
            c.line(cols[0], top - k * rh, cols[-1], top - k * rh)
        for x in cols:
            c.line(x, top, x, bottom)
        y = bottom - 9 * mm
        total = n.owed_fen + n.late_fee_fen
        self.text(c, LEFT, y, f"应缴合计：{fmt_fen(total)} 元（{daxie(total)}）", 12.5)
        y -= 20
        phone = n.office_phone or "＿＿＿＿＿＿＿＿"
        y = self.para(c, y, f"　　请于 {n.pay_by} 前到客户服务中心收银处缴纳（可现金、银行卡或转账）。"
                            f"如已缴纳，请忽略本通知；如有疑问，请致电客服中心 {phone}。")
        if late:
            y = self.para(c, y - 4, "　　逾期仍未缴纳的，物业服务中心将按《前期物业服务协议》约定"
                                    "继续计收滞纳金，并上门催缴。")
        if n.bases:
            y -= 6
            self.text(c, LEFT, y, "收费依据：", 8.5)
            y -= 12
            for name, basis in n.bases:
                y = self.para(c, y, f"{name}：{basis}", 8.5, 12)
        y = min(y - 24, 62 * mm)
        self.seal(c, y, n)

    def seal(self, c, y, n):
        """The signature block: the office, its seal (盖章) with a circle to stamp in, the date and
        the office's phone; at a fixed height so every notice looks the same."""
        x = RIGHT - 70 * mm
        self.text(c, x, y, f"{self.site} 客户服务中心（盖章）")
        c.setDash(2, 2)
        c.circle(RIGHT - 22 * mm, y - 4 * mm, 14 * mm, stroke=1, fill=0)
        c.setDash()
        self.text(c, x, y - 18, f"日期：{n.date}")
        self.text(c, x, y - 36, "经办人：＿＿＿＿＿＿")
        phone = n.office_phone or "＿＿＿＿＿＿＿＿"
        c.setLineWidth(0.5)
        c.line(LEFT, 16 * mm, RIGHT, 16 * mm)
        c.setFont(FONT_NAME, 9)
        c.drawString(LEFT, 11 * mm, f"{self.site} 客户服务中心　客服电话：{phone}")
        c.drawRightString(RIGHT, 11 * mm, f"编号：{n.number}")


def render_notices(settings, notices) -> bytes:
    buf = io.BytesIO()
    register_fonts()
    c = Canvas(buf, pagesize=A4, initialFontName=FONT_NAME)
    c.setTitle("欠费通知单")
    c.setAuthor("PropertyDesk")
    drawer = NoticeCanvas(settings)
    notices = list(notices)
    for n in notices:
        drawer.page(c, n)
        c.showPage()
    if not notices:
        drawer.text(c, LEFT, H - 30 * mm, "没有欠费住户。")
        c.showPage()
    c.save()
    return buf.getvalue()
