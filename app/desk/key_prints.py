"""What the key register prints (app/printing/key_forms renders it): the sign-out slip, the
register sheet for the wall, the list of keys out or overdue, the vacant-home inspection sheet.
The UI and the command line print through these functions."""
from __future__ import annotations

from app.core.lookup import get_or_404
from app.desk.inspections import vacant_inspection_list
from app.desk.keys import keys_out, list_keys, loan_row
from app.printing.key_forms import (
    KeyListData,
    SignOutSlip,
    render_inspection_sheet,
    render_keys_out,
    render_register_sheet,
    render_sign_out_slip,
)
from models.keys import KeyLoan


def sign_out_slip_data(loan_id: int) -> SignOutSlip:
    """The slip of a sign-out as printed when the key went out (phone masked)."""
    ln = get_or_404(KeyLoan, loan_id, "借出记录")
    r = loan_row(ln, ln.out_at)
    return SignOutSlip(number=r["number"], area=r["area"], copy_no=r["copy_no"], copies=r["copies"],
                       keeper_place=r["keeper_place"], borrower_name=r["borrower_name"],
                       borrower_kind=r["borrower_kind"], company=r["company"], phone=r["phone"],
                       purpose=r["purpose"], out_at=r["out_at"], due_at=r["due_at"], issued_by=r["issued_by"],
                       returned_at=r["returned_at"], received_by=r["received_by"])


def sign_out_slip_pdf(ctx, loan_id: int) -> bytes:
    return render_sign_out_slip(ctx.settings, sign_out_slip_data(loan_id))


def register_sheet_pdf(ctx) -> bytes:
    """The wall sheet: every key in the register, where it is kept, who keeps it, its state now."""
    rows = list_keys(ctx)
    data = KeyListData(
        title_note=f"打印时间：{ctx.clock.now():%Y-%m-%d %H:%M}　钥匙借出须登记，归还须签收",
        rows=tuple((str(i), r["area"], r["kind"], r["supply_method"], str(r["copies"]), r["keeper_place"],
                    r["keeper_person"], r["status"]) for i, r in enumerate(rows, 1)),
        overdue_rows=tuple(i for i, r in enumerate(rows) if r["overdue"]))
    return render_register_sheet(ctx.settings, data)


def overdue_list_pdf(ctx, all_out: bool = False) -> bytes:
    """Keys overdue (or all keys out) with borrower, masked phone, purpose and due time."""
    rows = keys_out(ctx, overdue_only=not all_out)
    data = KeyListData(
        title_note=f"统计时间：{ctx.clock.now():%Y-%m-%d %H:%M}　共 {len(rows)} 把",
        rows=tuple((r["number"], f"{r['area']} 第{r['copy_no']}把",
                    r["borrower_name"] + (f"（{r['company']}）" if r["company"] else ""), r["phone"], r["purpose"],
                    r["out_at"], r["due_at"], r["overdue_text"] or "未到期") for r in rows),
        overdue_rows=tuple(i for i, r in enumerate(rows) if r["overdue"]))
    return render_keys_out(ctx.settings, data, overdue_only=not all_out)


def inspection_sheet_pdf(ctx, due_only: bool = True) -> bytes:
    """The week's vacant-home inspection sheet to take round: homes due this week (or all vacant),
    last inspection, due date, blanks for what was found and the inspector's signature."""
    rows = vacant_inspection_list(ctx, due_only=due_only)
    today = ctx.clock.today()
    data = KeyListData(
        title_note=(f"打印日期：{today:%Y-%m-%d}　巡查周期 {ctx.settings.get('keys.vacant_inspection_days')} 天　"
                    f"共 {len(rows)} 套　检查门窗、水电、渗漏、卫生，发现问题回前台登记"),
        rows=tuple((r["room_code"], r["state"], r["last_inspected"] or "未巡查", r["next_due"],
                    "是" if r["key_at_desk"] else "", "", "") for r in rows),
        overdue_rows=tuple(i for i, r in enumerate(rows) if r["overdue"]))
    return render_inspection_sheet(ctx.settings, data)
