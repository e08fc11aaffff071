"""缴费通知单 (a household's bill): the month's items with their periods, quantities and rates,
earlier arrears by month with the late fee, deposits apart (never owed), the total in figures and
in 大写, the due date, how to pay, the office's phone and hours, and a tear-off stub (回执) at the
foot. One A4 page per household; ``two_up`` puts two bills on one A4 landscape sheet (each an A5
half, for posting into mail boxes).

Drawn straight on the canvas (as the dunning notices) so that a batch of a building's homes takes
a second or two: the layout is fixed; item rows up to the height of CURRENT_ROWS rows and ARREARS_ROWS
months are listed, the rest summed in one line. No name is cut: a cell too narrow for its text takes a
second line (a quarterly item's 所属期间 “2027-01” / “至2027-03”, a name before its （…） detail), and a
month's arrears items that overflow their line end in “等 N 项”. Takes frozen data only
(app/ledger/bills.py builds it)."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.core.money import daxie, fmt_fen
from app.printing.base import FONT_NAME, register_fonts
from app.printing.dunning_notice import wrap

TITLE = "缴费通知单"
CURRENT_ROWS = 8          # item rows of the month; more are summed in one line
ARREARS_ROWS = 6          # months of earlier arrears; the oldest beyond are summed in one line
W, H = A4
LEFT, RIGHT = 18 * mm, W - 18 * mm
ROW = 6 * mm
SUB = 3.6 * mm            # each further line of a cell
PAD = 1.5 * mm
STUB_TOP = 62 * mm        # the cut line: the stub (回执) lies below it


@dataclass(frozen=True)
class BillLine:
    """One charge of the month: 减免 what a reduction or waiver settled (approved, with its reason in the
    bill's notes), 已缴/抵扣 what was paid or drawn from the prepayment, 本期应缴 what is still owed."""
    name: str
    period: str
    quantity: str         # "100 ㎡", "" for a fixed amount
    rate: str             # "1.78 元/㎡·月"
    amount_fen: int
    paid_fen: int
    owed_fen: int
    reduced_fen: int = 0


@dataclass(frozen=True)
class ArrearsMonth:
    """Earlier arrears of one month: the items owed, the amount and its late fee up to the bill's date."""
    period: str
    items: str
    owed_fen: int
    late_fee_fen: int


@dataclass(frozen=True)
class DepositLine:
    """A refundable deposit: asked and not yet paid (due), paid and not yet refunded (held)."""
    name: str
    due_fen: int
    held_fen: int


@dataclass(frozen=True)
class Bill:
    number: str
    period: str               # "2026-11"
    date: str                 # the day it was printed
    due_date: str             # pay by
    site: str
    room_code: str
    building: str
    owners: str               # names only: no phones, no identity numbers
    area: str                 # "100.00 ㎡（洋房）"
    lines: tuple[BillLine, ...]
    arrears: tuple[ArrearsMonth, ...]
    current_late_fen: int     # late fee on the month's own items when the bill is printed after their due date
    deposits: tuple[DepositLine, ...]
    prepay_fen: int           # prepayment balance (drawn by each monthly run)
    late_rate: str            # "0.03%"
    pay_how: str
    account: str
    office_phone: str
    office_hours: str
    notes: tuple[str, ...] = ()

    @property
    def current_fen(self) -> int:
        return sum(x.owed_fen for x in self.lines)

    @property
    def arrears_fen(self) -> int:
        return sum(a.owed_fen for a in self.arrears)

    @property
    def late_fee_fen(self) -> int:
        return self.current_late_fen + sum(a.late_fee_fen for a in self.arrears)

    @property
    def total_fen(self) -> int:
        return self.current_fen + self.arrears_fen + self.late_fee_fen


def period_cn(period: str) -> str:
    y, _, m = period.partition("-")
    return f"{y}年{int(m)}月" if m.isdigit() else period


class BillCanvas:
    """Draws one bill on an A4 portrait area of the canvas (the caller scales it for two-up)."""

    def __init__(self):
        register_fonts()

    def text(self, c, x, y, s, size=10, anchor="left"):
        c.setFont(FONT_NAME, size)
        {"right": c.drawRightString, "centre": c.drawCentredString}.get(anchor, c.drawString)(x, y, s)

    def para(self, c, y, s, size=9.5, leading=13, x=LEFT):
        for line in wrap(s, size, RIGHT - x):
            self.text(c, x, y, line, size)
            y -= leading
        return y

    @staticmethod
    def cell_lines(row, cols, right_from, size=8.8) -> list[list[str]]:
        """Each cell's lines: left-aligned text too wide for its column breaks before “至” (a period
        from–to) or before its （…） detail, else character by character; numbers stay on one line."""
        out = []
        for i, cell in enumerate(row):
            width = cols[i + 1] - cols[i] - 2 * PAD
            if i >= right_from or stringWidth(cell, FONT_NAME, size) <= width:
                out.append([cell])
                continue
            for sep in ("至", "（"):
                head, mark, rest = cell.partition(sep)
                if mark and head and all(stringWidth(x, FONT_NAME, size) <= width for x in (head, mark + rest)):
                    out.append([head, mark + rest])
                    break
            else:
                out.append(wrap(cell, size, width))
        return out

    @classmethod
    def row_height(cls, row, cols, right_from) -> float:
        return ROW + (max(len(x) for x in cls.cell_lines(row, cols, right_from)) - 1) * SUB

    def table(self, c, top, cols, head, rows, right_from, bold_last=True):
        """A grid: head shaded, cells left-aligned before column *right_from*, right-aligned from it;
        a row as high as its longest cell (``cell_lines``)."""
        c.setFillGray(0.93)
        c.rect(cols[0], top - ROW, cols[-1] - cols[0], ROW, stroke=0, fill=1)
        c.setFillGray(0)
        for i, h in enumerate(head):
            self.text(c, (cols[i] + cols[i + 1]) / 2, top - ROW + 1.9 * mm, h, 9, "centre")
        c.setLineWidth(0.5)
        c.line(cols[0], top, cols[-1], top)
        y = top - ROW
        c.line(cols[0], y, cols[-1], y)
        for r, row in enumerate(rows, 1):
            size = 9 if (bold_last and r == len(rows)) else 8.8
            cells = self.cell_lines(row, cols, right_from, size)
            base = y - ROW + 1.9 * mm
            for i, lines in enumerate(cells):
                for k, line in enumerate(lines):
                    if i >= right_from:
                        self.text(c, cols[i + 1] - PAD, base - k * SUB, line, size, "right")
                    else:
                        self.text(c, cols[i] + PAD, base - k * SUB, line, size)
            y -= ROW + (max(len(x) for x in cells) - 1) * SUB
            c.line(cols[0], y, cols[-1], y)
        for x in cols:
            c.line(x, top, x, y)
        return y

    def page(self, c, b: Bill):
        self.text(c, LEFT, H - 13 * mm, f"{b.site} 客户服务中心", 9)
        self.text(c, RIGHT, H - 13 * mm, f"编号：{b.number}", 9, "right")
        c.setLineWidth(0.5)
        c.line(LEFT, H - 15 * mm, RIGHT, H - 15 * mm)
        self.text(c, W / 2, H - 27 * mm, TITLE, 18, "centre")
        self.text(c, W / 2, H - 33 * mm, f"账期：{period_cn(b.period)}　　开单日期：{b.date}", 9, "centre")
        y = H - 43 * mm
        self.text(c, LEFT, y, f"房号：{b.building} {b.room_code}　　业主：{b.owners or '—'}　　建筑面积：{b.area}", 10)
        y -= 15
        if b.total_fen:
            msg = f"尊敬的业主：您{period_cn(b.period)}的费用及往期欠费如下，请于 {b.due_date} 前缴纳。"
        else:
            msg = (f"尊敬的业主：截至 {b.date}，您{period_cn(b.period)}及以前的费用均已缴清，"
                   "本期无应缴费用。感谢您的支持！")
        y = self.para(c, y, msg, 10, 14) - 2
        y = self.current_table(c, y, b) - 5 * mm
        y = self.arrears_table(c, y, b) - 6 * mm
        y = self.totals(c, y, b)
        self.foot(c, y, b)
        self.stub(c, b)

    def current_table(self, c, top, b: Bill) -> float:
        self.text(c, LEFT, top - 1 * mm, "一、本期费用（金额单位：元）", 10)
        top -= 3 * mm
        cols = [LEFT + k * mm for k in (0, 40, 58, 75, 101, 121, 138, 156)] + [RIGHT]
        head = ["收费项目", "所属期间", "数量", "单价", "金额", "减免", "已缴/抵扣", "本期应缴"]
        lines = list(b.lines)

        def sums(xs):
            return [fmt_fen(sum(getattr(x, k) for x in xs)) for k in ("amount_fen", "reduced_fen", "paid_fen",
                                                                      "owed_fen")]
        rows = [(x.name, x.period, x.quantity, x.rate, *sums([x])) for x in lines]
        heights = [self.row_height(r, cols, 4) for r in rows]
        if sum(heights) > CURRENT_ROWS * ROW + 0.01:   # the rest summed in one line, within the same height
            n = 0
            while n < len(rows) and sum(heights[:n + 1]) <= (CURRENT_ROWS - 1) * ROW + 0.01:
                n += 1
            rest = lines[n:]
            rows = rows[:n] + [(f"其他 {len(rest)} 项", "", "", "", *sums(rest))]
        if not rows:
            rows.append(("本期无计费项目", "", "", "", "", "", "", ""))
        rows.append(("本期小计", "", "", "", *sums(lines)))
        return self.table(c, top, cols, head, rows, 4)

    def arrears_table(self, c, top, b: Bill) -> float:
        if not b.arrears:
            self.text(c, LEFT, top - 1 * mm, "二、往期欠费：无", 10)
            return top - 4 * mm
        self.text(c, LEFT, top - 1 * mm, f"二、往期欠费（按月，滞纳金按日 {b.late_rate} 计至 {b.date}）", 10)
        top -= 3 * mm
        cols = [LEFT + k * mm for k in (0, 26, 112, 143)] + [RIGHT]
        head = ["所属月份", "欠费项目", "欠费金额（元）", "滞纳金（元）"]
        months = list(b.arrears)
        if len(months) > ARREARS_ROWS:
            old, months = months[:len(months) - ARREARS_ROWS + 1], months[len(months) - ARREARS_ROWS + 1:]
            first = [("更早", f"{old[0].period} 至 {old[-1].period} 共 {len(old)} 个月",
                      fmt_fen(sum(a.owed_fen for a in old)), fmt_fen(sum(a.late_fee_fen for a in old)))]
        else:
            first = []
        rows = first + [(a.period, self.fit(a.items, cols[2] - cols[1] - 2 * PAD), fmt_fen(a.owed_fen),
                         fmt_fen(a.late_fee_fen)) for a in months]
        rows.append(("往期小计", "", fmt_fen(b.arrears_fen), fmt_fen(sum(a.late_fee_fen for a in b.arrears))))
        return self.table(c, top, cols, head, rows, 2)

    @staticmethod
    def fit(items: str, width: float, size: float = 8.8) -> str:
        """A month's items (“物业服务费、电梯费”) on one line: whole names, the rest counted (“等 N 项”)."""
        if stringWidth(items, FONT_NAME, size) <= width:
            return items
        names = items.split("、")
        for n in range(len(names) - 1, 0, -1):
            s = "、".join(names[:n]) + f" 等 {len(names)} 项"
            if stringWidth(s, FONT_NAME, size) <= width:
                return s
        return f"{names[0]} 等 {len(names)} 项" if len(names) > 1 else names[0]

    def totals(self, c, y, b: Bill) -> float:
        parts = [f"本期应缴 {fmt_fen(b.current_fen)}", f"往期欠费 {fmt_fen(b.arrears_fen)}"]
        if b.late_fee_fen:
            parts.append(f"滞纳金 {fmt_fen(b.late_fee_fen)}")
        c.setLineWidth(0.8)
        c.rect(LEFT, y - 15 * mm, RIGHT - LEFT, 15 * mm, stroke=1, fill=0)
        self.text(c, LEFT + 3 * mm, y - 5.5 * mm, "＋".join(parts) + " 元", 9.5)
        self.text(c, LEFT + 3 * mm, y - 12 * mm,
                  f"应缴合计：¥{fmt_fen(b.total_fen)} 元　　大写：{daxie(b.total_fen)}", 11.5)
        y -= 20 * mm
        if b.current_late_fen:
            y = self.para(c, y, f"本期费用已过缴费期限，滞纳金 {fmt_fen(b.current_late_fen)} 元已计入上述合计。",
                          8.5, 11)
        return y

    def foot(self, c, y, b: Bill):
        dep = [f"{d.name}" + (f" 在押 {fmt_fen(d.held_fen)} 元" if d.held_fen else "")
               + (f" 待交 {fmt_fen(d.due_fen)} 元" if d.due_fen else "") for d in b.deposits]
        if dep:
            y = self.para(c, y, "押金/保证金（可退还，不计入应缴合计）：" + "；".join(dep) + "。", 9, 12.5)
        if b.prepay_fen:
            y = self.para(c, y, f"预交物业费余额：{fmt_fen(b.prepay_fen)} 元（每月计费时自动抵扣，不计入应缴合计）。",
                          9, 12.5)
        for note in b.notes:
            y = self.para(c, y, note, 9, 12.5)
        y -= 2
        how = b.pay_how + (f"　收款账户：{b.account}" if b.account else "")
        y = self.para(c, y, f"缴费方式：{how}", 9.5, 13)
        phone = b.office_phone or "＿＿＿＿＿＿＿＿"
        y = self.para(c, y, f"客服中心电话：{phone}　　办公时间：{b.office_hours}", 9.5, 13)
        y = self.para(c, y, "如已缴纳，请忽略本通知；如对费用有疑问，请携本通知单到客服中心核对。", 9, 12.5)
        sy = max(y - 10, STUB_TOP + 12 * mm)
        self.text(c, RIGHT - 64 * mm, sy, f"{b.site} 客户服务中心（盖章）", 9.5)

    def stub(self, c, b: Bill):
        """The tear-off 回执: cut line, the number, home, period and total, and blanks for the cashier."""
        c.setDash(3, 2)
        c.setLineWidth(0.6)
        c.line(8 * mm, STUB_TOP, W - 8 * mm, STUB_TOP)
        c.setDash()
        self.text(c, W / 2, STUB_TOP + 1.2 * mm, "（沿此线剪下，缴费时交收银处）", 7.5, "centre")
        y = STUB_TOP - 9 * mm
        self.text(c, W / 2, y, "缴费通知单回执", 13, "centre")
        y -= 10 * mm
        self.text(c, LEFT, y, f"编号：{b.number}", 9.5)
        self.text(c, LEFT + 62 * mm, y, f"房号：{b.building} {b.room_code}", 9.5)
        self.text(c, LEFT + 120 * mm, y, f"账期：{period_cn(b.period)}", 9.5)
        y -= 8 * mm
        self.text(c, LEFT, y, f"业主：{b.owners or '—'}", 9.5)
        self.text(c, LEFT + 62 * mm, y, f"应缴合计：¥{fmt_fen(b.total_fen)} 元（{daxie(b.total_fen)}）", 9.5)
        y -= 10 * mm
        blank = "＿" * 6
        self.text(c, LEFT, y, f"实缴金额：{blank}　收据编号：{blank}＿＿　收款人：{blank}　日期：{blank}", 9.5)
        phone = b.office_phone or "＿" * 8
        self.text(c, W / 2, 10 * mm, f"{b.site} 客户服务中心　客服电话：{phone}", 8, "centre")


def render_bills(bills, two_up: bool = False) -> bytes:
    """One A4 page per bill, or with *two_up* two bills side by side on each A4 landscape sheet
    (each an A5 half: the A4 layout at 1/√2)."""
    buf = io.BytesIO()
    register_fonts()
    size = landscape(A4) if two_up else A4
    c = Canvas(buf, pagesize=size, initialFontName=FONT_NAME)
    c.setTitle(TITLE)
    c.setAuthor("PropertyDesk")
    drawer = BillCanvas()
    bills = list(bills)
    scale = 1 / math.sqrt(2)
    for k, b in enumerate(bills):
        if two_up:
            c.saveState()
            c.translate(0 if k % 2 == 0 else size[0] / 2, 0)
            c.scale(scale, scale)
            drawer.page(c, b)
            c.restoreState()
            if k % 2 == 0:
                c.setDash(3, 2)
                c.setLineWidth(0.3)
                c.line(size[0] / 2, 5 * mm, size[0] / 2, size[1] - 5 * mm)
                c.setDash()
            if k % 2 == 1 or k == len(bills) - 1:
                c.showPage()
        else:
            drawer.page(c, b)
            c.showPage()
    if not bills:
        drawer.text(c, LEFT, size[1] - 30 * mm, "没有需要发出的缴费通知单（所选住户均无应缴费用）。", 11)
        c.showPage()
    c.save()
    return buf.getvalue()
