"""Loan register prints: the loan slip (物品借用单) with the borrower's signature line, and the
list of loans overdue (借用物品逾期未还清单). Pure renderers: app.desk.loan_prints builds the data."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from app.printing.base import FormRenderer, esc, label_value_table
from app.printing.key_forms import KeyListData, KeyListForm, signature_row


@dataclass(frozen=True)
class LoanSlip:
    number: str
    item: str
    quantity: int
    room_code: str
    borrower_name: str
    phone: str
    id_text: str
    condition_out: str
    deposit: str
    deposit_receipt: str
    out_at: str
    due_date: str
    issued_by: str
    returned_at: str
    condition_in: str
    damage_notes: str
    refund: str
    received_by: str


class LoanSlipForm(FormRenderer):
    title = "物品借用单"

    def story(self, d: LoanSlip):
        w = 174 * mm
        cw = [w * 0.17, w * 0.33, w * 0.17, w * 0.33]
        receipt = f"（收据 {d.deposit_receipt}）" if d.deposit_receipt else ""
        deposit = f"{d.deposit} 元{receipt}" if d.deposit else "无"
        rows = [["借用物品", d.item, "数量", str(d.quantity)],
                ["房号", d.room_code, "借用人", d.borrower_name],
                ["联系电话", d.phone, "证件", d.id_text or "—"],
                ["借出时状况", d.condition_out, "押金", deposit],
                ["借出时间", d.out_at, "应还日期", d.due_date],
                ["经办人", d.issued_by, "归还时间", d.returned_at],
                ["归还时状况", d.condition_in, "退还押金", f"{d.refund} 元" if d.refund else ""],
                ["损坏说明", d.damage_notes, "接收人", d.received_by]]
        out = self.title_block(f"单号：{d.number}")
        out.append(label_value_table(rows, cw))
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(esc("借用人已当面检查物品状况，确认无误。借用期间请妥善使用、按期归还；"
                                 "物品归还时当面检查，如有损坏或遗失，按价赔偿（可从押金中扣除）。"), self.st["body"]))
        out.append(Spacer(1, 6 * mm))
        out.append(signature_row(["借用人签字", "经办人签字"], w))
        out.append(signature_row(["归还验收 借用人", "接收人签字"], w))
        return out


LOANS_OUT_HEADERS = ("单号", "物品", "数量", "房号", "借用人", "电话", "借出时间", "应还日期", "逾期")
LOANS_OUT_WIDTHS = (30, 40, 14, 24, 30, 28, 35, 30, 30)


def render_loan_slip(settings, data: LoanSlip) -> bytes:
    """物品借用单 as PDF bytes."""
    return LoanSlipForm(settings, data.number).render(data)


def render_loans_out(settings, data: KeyListData, overdue_only: bool = True) -> bytes:
    """借用物品逾期未还清单 (or 借用物品清单 of all loans open), rows as LOANS_OUT_HEADERS."""
    title = "借用物品逾期未还清单" if overdue_only else "借用物品清单"
    return KeyListForm(settings, title, LOANS_OUT_HEADERS, LOANS_OUT_WIDTHS).render(data)
