"""Receipt (收款收据) and deposit refund voucher (押金退款凭证).

Two layouts (setting print.receipt_layout):
- "A4": a full form with the site header, items grid, amount in figures and in 大写, cashier,
  payer signature, and the marks 补打 (reprint n) and 作废 (void, with the reason).
- "三联": values only, placed on a pre-printed three-part form (241 × 93 mm, dot-matrix
  continuous stationery); print.receipt_offset_x_mm / _y_mm shift everything to calibrate.

A refund (kind "refund", money paid out) is never mistaken for a receipt: on the 三联 stationery
(pre-printed 收据) a red boxed 退款 stamp, 退款凭证 in the marks line, the amount as 付出 and the
clerk as 经办; on A4 the voucher names 经办人 (the clerk who pays out) and 领款人 (who receives).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, Spacer, Table

from app.core.dates import add_period_months, fmt_date, fmt_datetime
from app.core.money import fmt_fen
from app.printing.base import (
    FONT_NAME,
    FormRenderer,
    esc,
    grid_style,
    label_value_table,
    register_fonts,
    signature_line,
)

TRIPLE_SIZE = (241 * mm, 93 * mm)
LINE_HEADS = ("序号", "收费项目", "所属期间", "数量", "单价（元）", "金额（元）")
TRIPLE_LINES = 5
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MONTHS_QTY = re.compile(r"^(\d+)\s*个月$")


@dataclass(frozen=True)
class ReceiptLine:
    item: str
    period: str
    quantity: str
    unit_price: int | None
    amount_fen: int


def period_text(line: ReceiptLine) -> str:
    """所属期间 as printed: a line of several months (a prepayment, quantity "6 个月") names its first
    and last month ("2027-01 至 2027-06"); any other line prints its period as given."""
    m = _MONTHS_QTY.match(line.quantity or "")
    if m and _MONTH.match(line.period or "") and int(m.group(1)) > 1:
        return f"{line.period} 至 {add_period_months(line.period, int(m.group(1)) - 1)}"
    return line.period


@dataclass(frozen=True)
class ReceiptData:
    number: str
    kind: str                  # receipt / refund
    title: str                 # 收据 / 押金退款凭证
    site_name: str
    company: str
    issued_at: dt.datetime
    room_code: str
    payer: str
    method: str                # Chinese
    reference: str
    lines: tuple
    total_fen: int
    total_daxie: str
    cashier_name: str
    void: bool
    void_reason: str
    reprint_no: int            # 0: original; n: the n-th reprint (补打)
    memo: str
    copy_mark: str = ""        # e.g. 查看副本 on a preview that is not a receipt to hand over
    reductions: tuple = ()     # (item, fen, reason) of the paid charges' approved reductions (减免)


def reduction_texts(data) -> list[str]:
    """One line per reduced charge: 减免 ¥x（原因） and the item it reduced."""
    return [f"减免 ¥{fmt_fen(fen)}（{reason}）　{item}" for item, fen, reason in getattr(data, "reductions", ())]


def _marks(data) -> list[str]:
    out = []
    if data.reprint_no:
        out.append(f"补打（第{data.reprint_no}次）")
    if data.void:
        out.append("作废")
    if getattr(data, "copy_mark", ""):
        out.append(data.copy_mark)
    return out


def _qty_price(line) -> tuple[str, str]:
    price = fmt_fen(line.unit_price) if line.unit_price else ""
    return line.quantity, price


class ReceiptA4(FormRenderer):
    def __init__(self, settings, data):
        super().__init__(settings, data.number)
        self.data = data
        self.title = data.title

    def story(self, data):
        st = self.st
        out = self.title_block()
        marks = _marks(data)
        if marks:
            mark = esc("　".join(marks))
            out.append(Paragraph(f'<font color="#C00000" size="14">{mark}</font>', st["body"]))
            out.append(Spacer(1, 2 * mm))
        receipt = data.kind == "receipt"
        head = [["收据编号" if receipt else "凭证编号", data.number, "开具时间", fmt_datetime(data.issued_at)],
                ["房号", data.room_code, "交款人" if receipt else "领款人", data.payer],
                ["付款方式", data.method, "交易参考号", data.reference or "—"]]
        out.append(label_value_table(head, [26 * mm, 59 * mm, 26 * mm, 63 * mm]))
        out.append(Spacer(1, 4 * mm))
        rows = [[Paragraph(esc(h), st["cell_c"]) for h in LINE_HEADS]]
        for i, line in enumerate(data.lines, 1):
            qty, price = _qty_price(line)
            rows.append([str(i), Paragraph(esc(line.item), st["cell"]), Paragraph(esc(period_text(line)), st["cell"]),
                         qty, price,
                         fmt_fen(line.amount_fen)])
        rows.append(["", Paragraph("合计", st["cell"]), "", "", "", fmt_fen(data.total_fen)])
        t = Table(rows, colWidths=[12 * mm, 52 * mm, 26 * mm, 28 * mm, 26 * mm, 30 * mm], repeatRows=1)
        t.setStyle(grid_style([("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        for i, line in enumerate(reduction_texts(data)):
            out.extend([Spacer(1, 1.5 * mm)] if i == 0 else [])
            out.append(Paragraph(esc(line), st["body"]))
        out.append(Spacer(1, 3 * mm))
        total = [["金额（大写）", f"人民币{data.total_daxie}", "金额（小写）", f"¥{fmt_fen(data.total_fen)}"]]
        out.append(label_value_table(total, [26 * mm, 80 * mm, 26 * mm, 42 * mm]))
        if data.memo:
            out.append(Spacer(1, 2 * mm))
            out.append(Paragraph(esc(f"备注：{data.memo}"), st["body"]))
        if data.void:
            out.append(Spacer(1, 2 * mm))
            out.append(Paragraph(f'<font color="#C00000">{esc("作废原因：" + data.void_reason)}</font>', st["body"]))
        out.append(Spacer(1, 6 * mm))
        if data.kind == "receipt":
            out.append(Paragraph(esc(f"收款人：{data.cashier_name}"), st["body"]))
            out.append(signature_line(["交款人签字", "单位盖章"]))
        else:
            out.append(Paragraph(esc(f"经办人：{data.cashier_name}　　领款人：{data.payer}"), st["body"]))
            out.append(signature_line(["经办人签字", "领款人签字", "单位盖章"]))
        return out

    def _decorate(self, canvas, doc, total=None):
        super()._decorate(canvas, doc, total)
        if self.data.void:
            canvas.saveState()
            w, h = self.pagesize
            canvas.setFillColor(colors.Color(0.8, 0, 0, alpha=0.35))
            canvas.setFont(FONT_NAME, 90)
            canvas.translate(w / 2, h / 2)
            canvas.rotate(30)
            canvas.drawCentredString(0, 0, "作 废")
            canvas.restoreState()


def _refund_stamp(c, left, top) -> None:
    """A red boxed 退 款 stamp beside the number, where a receipt has none."""
    c.saveState()
    c.setStrokeColor(colors.HexColor("#C00000"))
    c.setFillColor(colors.HexColor("#C00000"))
    c.setLineWidth(1.6)
    x, y = left + 128 * mm, top - 17 * mm
    c.rect(x, y, 34 * mm, 12 * mm, stroke=1, fill=0)
    c.setFont(FONT_NAME, 22)
    c.drawCentredString(x + 17 * mm, y + 3 * mm, "退 款")
    c.restoreState()



TRIPLE_ITEM_CHARS = 14   # the item box of the 三联 form


def _triple_item(item: str) -> str:
    """The item as it fits the 三联 box: a long name loses its （…） detail (a 公摊 share) before it is cut."""
    if len(item) > TRIPLE_ITEM_CHARS and "（" in item:
        item = item.split("（", 1)[0]
    return item[:TRIPLE_ITEM_CHARS]

def render_triple(settings, data) -> bytes:
    """Values placed on the pre-printed 三联 form; offsets from print.receipt_offset_*_mm."""
    register_fonts()
    dx = int(settings.get("print.receipt_offset_x_mm")) * mm
    dy = int(settings.get("print.receipt_offset_y_mm")) * mm
    w, h = TRIPLE_SIZE
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=TRIPLE_SIZE)
    c.setTitle(data.title)
    c.setAuthor("PropertyDesk")

    def text(x_mm, y_mm, s, size=10, right=False):
        c.setFont(FONT_NAME, size)
        x, y = x_mm * mm + dx, h - y_mm * mm - dy
        (c.drawRightString if right else c.drawString)(x, y, s)

    refund = data.kind != "receipt"
    marks = (["退款凭证（付出）"] if refund else []) + _marks(data)
    if marks:
        c.setFillColor(colors.HexColor("#C00000"))
        text(10, 9, "　".join(marks), 11)
        c.setFillColor(colors.black)
    if refund:
        _refund_stamp(c, dx, h - dy)
    text(178, 13, data.number, 10)
    text(28, 22, fmt_date(data.issued_at), 10)
    text(92, 22, data.room_code, 10)
    text(160, 22, data.payer, 10)
    lines = list(data.lines)
    if len(lines) > TRIPLE_LINES:
        rest = lines[TRIPLE_LINES - 1:]
        lines = lines[:TRIPLE_LINES - 1] + [ReceiptLine(f"其他 {len(rest)} 项", "", "", None,
                                                        sum(x.amount_fen for x in rest))]
    for i, line in enumerate(lines):
        y = 35 + i * 7
        qty, price = _qty_price(line)
        text(16, y, _triple_item(line.item), 9.5)
        period = period_text(line)
        text(78, y, period, 9.5 if len(period) <= 7 else 8)   # noqa: PLR2004 (a from–to range in smaller type)
        text(112, y, qty, 9.5)
        text(165, y, price, 9.5, right=True)
        text(206, y, fmt_fen(line.amount_fen), 9.5, right=True)
    reduced = reduction_texts(data)
    if reduced:
        text(16, 69, "；".join(reduced)[:70], 9)
    text(40, 74, f"{'付出' if refund else ''}人民币{data.total_daxie}", 10)
    text(206, 74, f"{'退款 ' if refund else ''}¥{fmt_fen(data.total_fen)}", 10, right=True)
    text(28, 84, data.method + (f" {data.reference}" if data.reference else ""), 9)
    text(175, 84, f"经办：{data.cashier_name}" if refund else data.cashier_name, 10)
    if data.void:
        c.saveState()
        c.setFillColor(colors.Color(0.8, 0, 0, alpha=0.4))
        c.setFont(FONT_NAME, 40)
        c.translate(w / 2, h / 2)
        c.rotate(15)
        c.drawCentredString(0, -10, "作 废")
        c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def render_receipt(settings, data, layout: str | None = None) -> bytes:
    layout = layout or settings.get("print.receipt_layout") or "A4"
    if layout in ("三联", "triple"):
        return render_triple(settings, data)
    return ReceiptA4(settings, data).render(data)
