"""Key register prints: the sign-out slip (钥匙借用单), the register sheet for the wall
(钥匙登记表), the list of keys overdue (钥匙逾期未还清单) and the vacant-home inspection sheet
(空置房巡查表). Pure renderers: app.desk.key_prints builds the data."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style, label_value_table, styles


def _text(value) -> str:
    return "" if value is None else str(value)


def signature_row(labels, width):
    """Signature blanks drawn as lines, label and blank side by side."""
    st = styles()
    cells, widths = [], []
    for label in labels:
        cells += [Paragraph(esc(f"{label}："), st["body"]), ""]
        widths += [width / len(labels) * 0.42, width / len(labels) * 0.58]
    t = Table([cells], colWidths=widths, rowHeights=[12 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                           *[("LINEBELOW", (i, 0), (i, 0), 0.5, colors.black) for i in range(1, len(cells), 2)],
                           ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
    return t


@dataclass(frozen=True)
class SignOutSlip:
    number: str
    area: str
    copy_no: int
    copies: int
    keeper_place: str
    borrower_name: str
    borrower_kind: str
    company: str
    phone: str
    purpose: str
    out_at: str
    due_at: str
    issued_by: str
    returned_at: str
    received_by: str


@dataclass(frozen=True)
class KeyListData:
    title_note: str
    rows: tuple          # tuples of cell texts
    overdue_rows: tuple  # indexes of rows to shade


class SignOutSlipForm(FormRenderer):
    title = "钥匙借用单"

    def story(self, d: SignOutSlip):
        w = 174 * mm
        cw = [w * 0.17, w * 0.33, w * 0.17, w * 0.33]
        who = d.borrower_name + (f"（{d.company}）" if d.company else "")
        rows = [[_text(c) for c in r] for r in [["钥匙", d.area, "序号", f"第{d.copy_no}把（共{d.copies}把）"],
                ["借用人", who, "类别", d.borrower_kind],
                ["联系电话", d.phone, "存放地点", d.keeper_place],
                ["借用事由", d.purpose, "经办人", d.issued_by],
                ["借出时间", d.out_at, "预计归还", d.due_at],
                ["归还时间", d.returned_at, "接收人", d.received_by]]]
        out = self.title_block(f"单号：{d.number}")
        out.append(label_value_table(rows, cw))
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(esc("借用人须妥善保管钥匙，不得转借、复制，按时归还；逾期未还或遗失的，"
                                 "由借用人承担相应责任。"), self.st["body"]))
        out.append(Spacer(1, 6 * mm))
        out.append(signature_row(["借用人签字", "经办人签字"], w))
        out.append(signature_row(["归还人签字", "接收人签字"], w))
        return out


class KeyListForm(FormRenderer):
    """A landscape table: the wall register or the overdue list."""
    pagesize = landscape(A4)
    headers: tuple = ()
    widths: tuple = ()

    def __init__(self, settings, title: str, headers, widths, row_height=None):
        super().__init__(settings)
        self.row_height = row_height
        self.title = title
        self.headers = tuple(headers)
        self.widths = tuple(widths)

    def story(self, d: KeyListData):
        cell = self.st["cell"]
        head = [Paragraph(esc(h), self.st["cell_c"]) for h in self.headers]
        # Paragraphs (CJK wrapping) are slow: only cells too wide for their column get one.
        room = [w * mm - 8 for w in self.widths]
        body = [[c if stringWidth(c, FONT_NAME, 9.5) <= room[i] else Paragraph(esc(c), cell)
                 for i, c in enumerate(map(_text, r))] for r in d.rows]
        if not body:
            body = [[Paragraph("（无）", cell)] + [""] * (len(self.headers) - 1)]
        heights = None if self.row_height is None else [None] + [self.row_height] * len(body)
        t = Table([head] + body, colWidths=[w * mm for w in self.widths], rowHeights=heights, repeatRows=1)
        extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E0E0E0"))]
        extra += [("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#FDE2E2")) for i in d.overdue_rows]
        t.setStyle(grid_style(extra))
        return self.title_block(d.title_note) + [t]


REGISTER_HEADERS = ("序号", "钥匙区域", "类别", "配备方式", "数量", "存放地点", "保管人", "状态")
REGISTER_WIDTHS = (12, 58, 26, 32, 14, 48, 36, 35)
KEYS_OUT_HEADERS = ("单号", "钥匙", "借用人", "电话", "事由", "借出时间", "应还时间", "逾期")
KEYS_OUT_WIDTHS = (28, 38, 42, 24, 37, 32, 32, 28)
INSPECTION_HEADERS = ("房号", "房屋状态", "上次巡查", "应巡查日期", "钥匙在前台", "巡查情况", "巡查人签字")
INSPECTION_WIDTHS = (24, 22, 26, 26, 22, 101, 40)


def render_sign_out_slip(settings, data: SignOutSlip) -> bytes:
    """钥匙借用单 as PDF bytes."""
    return SignOutSlipForm(settings, data.number).render(data)


def render_register_sheet(settings, data: KeyListData) -> bytes:
    """钥匙登记表 (the wall sheet), rows as REGISTER_HEADERS."""
    return KeyListForm(settings, "钥匙登记表", REGISTER_HEADERS, REGISTER_WIDTHS).render(data)


def render_keys_out(settings, data: KeyListData, overdue_only: bool = True) -> bytes:
    """钥匙逾期未还清单 (or 钥匙借出清单 of all keys out), rows as KEYS_OUT_HEADERS."""
    title = "钥匙逾期未还清单" if overdue_only else "钥匙借出清单"
    return KeyListForm(settings, title, KEYS_OUT_HEADERS, KEYS_OUT_WIDTHS).render(data)


def render_inspection_sheet(settings, data: KeyListData) -> bytes:
    """空置房巡查表, rows as INSPECTION_HEADERS, tall rows for what is found."""
    return KeyListForm(settings, "空置房巡查表", INSPECTION_HEADERS, INSPECTION_WIDTHS, row_height=11 * mm).render(data)
