"""The desk's lines for the start-up reminder: keys and loaned items overdue, vacant homes whose
inspection is overdue."""
from __future__ import annotations

from app.desk.inspections import vacant_inspection_list
from app.desk.keys import overdue_keys
from app.desk.loans import overdue_loans

LATE_SHOWN = 10   # room codes named in the line of late inspections


def startup_reminders(ctx) -> list[str]:
    """Lines for the start-up reminder: overdue keys, then overdue loans (empty when none)."""
    lines = []
    for r in overdue_keys(ctx):
        who = r["borrower_name"] + (f"（{r['company']}）" if r["company"] else "")
        lines.append(f"钥匙逾期未还：{r['area']} 第{r['copy_no']}把，借用人 {who}，"
                     f"应还 {r['due_at']}，{r['overdue_text']}")
    for r in overdue_loans(ctx):
        lines.append(f"借用物品逾期未还：{r['item']} ×{r['quantity']}，{r['room_code']} {r['borrower_name']}，"
                     f"应还 {r['due_date']}，{r['overdue_text']}")
    late = [r["room_code"] for r in vacant_inspection_list(ctx) if r["overdue"]]
    if late:
        shown = "、".join(late[:LATE_SHOWN]) + ("等" if len(late) > LATE_SHOWN else "")
        lines.append(f"空置房巡查逾期：{len(late)} 套（{shown}）")
    return lines
