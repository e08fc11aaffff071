"""`propertydesk print bill`: 缴费通知单 of one home or of a building for a month, to a PDF (--out) or a
printer (--printer, through propertydesk.cli.run_print), numbered and audited (app/ledger/bills.py).

    propertydesk print bill --room 1-1-302 --month 2026-12 --out 通知单.pdf
    propertydesk print bill --building 1 --month 2026-12 [--two-up] --out 通知单.pdf
"""
from __future__ import annotations

from pathlib import Path


def register(sub, groups):
    p = groups["print"].add_parser("bill", help="缴费通知单（一户或一栋楼）", parents=[groups["common"]])
    p.add_argument("--month", required=True, help="账单月份，如 2026-11")
    p.add_argument("--room", help="房号（打印一户）")
    p.add_argument("--building", help="楼号或楼栋名称（打印整栋；无应缴费用的住户不打印）")
    p.add_argument("--two-up", action="store_true", help="每张A4纸打印两份（便于投入信报箱）")
    p.add_argument("--out", required=True, help="输出PDF文件")
    p.set_defaults(handler=print_bill)


def print_bill(args, ctx):
    from app.archives.homes import home_by_room
    from app.core.errors import ValidationError
    from app.core.money import fmt_fen
    from app.ledger import bills
    from app.printing.base import write_pdf
    if bool(args.room) == bool(args.building):
        raise ValidationError("房号", "请用 --room 指定一户，或用 --building 指定一栋楼（二选一）")
    if args.room:
        scope = {"home_id": home_by_room(args.room, "--room").id}
    else:
        scope = {"building_id": bills.building_by_code(args.building)}
    batch, pdf = bills.bills_pdf(ctx, args.month, two_up=args.two_up, **scope)
    write_pdf(pdf, args.out)
    where = "" if getattr(args, "out_is_temporary", False) else f"：{Path(args.out).resolve()}"
    numbers = f"{batch.bills[0].number}–{batch.bills[-1].number}" if batch.bills else "无"
    print(f"已生成缴费通知单 {len(batch.bills)} 份（编号 {numbers}），应缴合计 {fmt_fen(batch.total_fen)} 元{where}")
    if batch.skipped:
        print(f"无应缴费用未打印：{batch.skipped} 户")
    return 0
