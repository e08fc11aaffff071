"""What the loan register prints (app/printing/loan_forms renders it): the loan slip and the list
of loans open or overdue. The UI and the command line print through these functions."""
from __future__ import annotations

from app.desk.loans import get_loan, loan_row, open_loans
from app.printing.key_forms import KeyListData
from app.printing.loan_forms import LoanSlip, render_loan_slip, render_loans_out


def loan_slip_data(ctx, loan_id: int) -> LoanSlip:
    """The slip of a loan as it stands (phone and identity number masked)."""
    r = loan_row(get_loan(loan_id), ctx.clock.today())
    id_text = f"{r['id_type']} {r['id_masked']}" if r["id_masked"] else ""
    return LoanSlip(number=r["number"], item=r["item"], quantity=r["quantity"], room_code=r["room_code"],
                    borrower_name=r["borrower_name"], phone=r["phone"], id_text=id_text,
                    condition_out=r["condition_out"], deposit=r["deposit"], deposit_receipt=r["deposit_receipt"],
                    out_at=r["out_at"], due_date=r["due_date"], issued_by=r["issued_by"],
                    returned_at=r["returned_at"], condition_in=r["condition_in"], damage_notes=r["damage_notes"],
                    refund=r["refund"], received_by=r["received_by"])


def loan_slip_pdf(ctx, loan_id: int) -> bytes:
    return render_loan_slip(ctx.settings, loan_slip_data(ctx, loan_id))


def overdue_list_pdf(ctx, all_open: bool = False) -> bytes:
    """Loans overdue (or all loans open): item, home, borrower, masked phone, due date."""
    rows = open_loans(ctx, overdue_only=not all_open)
    data = KeyListData(
        title_note=f"统计日期：{ctx.clock.today():%Y-%m-%d}　共 {len(rows)} 笔",
        rows=tuple((r["number"], r["item"], str(r["quantity"]), r["room_code"], r["borrower_name"], r["phone"],
                    r["out_at"], r["due_date"], r["overdue_text"] or "未到期") for r in rows),
        overdue_rows=tuple(i for i, r in enumerate(rows) if r["overdue"]))
    return render_loans_out(ctx.settings, data, overdue_only=not all_open)
