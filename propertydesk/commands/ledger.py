"""Command-line subcommands of the ledger area (see app/cli.py).

    propertydesk bill --month 2026-11
    propertydesk export ledger --month 2026-11 --out 台账.xlsx
    propertydesk import readings --file 抄表.xlsx
    propertydesk print receipt --number SJ2026-000001 --out 收据.pdf [--layout A4|三联]
"""
from __future__ import annotations


def register(sub, groups):
    p = sub.add_parser("bill", help="月度计费（物业费、停车费、水电气等）", parents=[groups["common"]])
    p.add_argument("--month", required=True, help="计费月份，如 2026-11")
    p.set_defaults(handler=bill)
    p = groups["export"].add_parser("ledger", help="导出月度收费台账（Excel）", parents=[groups["common"]])
    p.add_argument("--month", required=True, help="月份，如 2026-11")
    p.add_argument("--out", required=True, help="输出文件 .xlsx")
    p.set_defaults(handler=export_ledger)
    p = groups["import"].add_parser("readings", help="导入抄表读数（Excel：房号、表类、读数、抄表日期）",
                                    parents=[groups["common"]])
    p.add_argument("--file", required=True, help="Excel 文件")
    p.set_defaults(handler=import_readings)
    p = groups["print"].add_parser("receipt", help="打印收据（补打）到PDF", parents=[groups["common"]])
    p.add_argument("--number", required=True, help="收据编号，如 SJ2026-000001")
    p.add_argument("--out", required=True, help="输出PDF文件")
    p.add_argument("--layout", default=None, help="A4 或 三联（默认取设置）")
    p.set_defaults(handler=print_receipt)


def bill(args, ctx):
    from app.core.money import fmt_fen
    from app.ledger.billing import run_month
    from app.ledger.charge_items import item_name
    r = run_month(ctx, args.month)
    print(f"{r['period']} 计费完成：新增 {r['lines']} 笔，合计 {fmt_fen(r['total_fen'])} 元")
    for code, n in r["by_item"].items():
        print(f"  {item_name(code)}：{n} 笔")
    if r["prepaid_lines"]:
        print(f"  预交物业费抵扣：{r['prepaid_lines']} 笔，{fmt_fen(r['prepaid_fen'])} 元")
    if not r["lines"]:
        print("（本月已计费，没有新增费用）")
    return 0


def export_ledger(args, ctx):
    from app.core.money import fmt_fen
    from app.ledger.month_ledger import export_month_ledger
    r = export_month_ledger(ctx, args.month, args.out)
    print(f"已导出 {r['rows']} 行到 {args.out}：应收 {fmt_fen(r['billed_fen'])} 元，已收 {fmt_fen(r['paid_fen'])} 元，"
          f"欠费 {fmt_fen(r['owed_fen'])} 元")
    return 0


def import_readings(args, ctx):
    from app.ledger.meters import import_readings as do_import
    n = do_import(ctx, args.file)
    print(f"已导入 {n} 条抄表读数")
    return 0


def print_receipt(args, ctx):
    from app.core.errors import NotFound
    from app.ledger.payments import reprint_receipt
    from app.printing.base import write_pdf
    from models.ledger import Receipt
    r = Receipt.get_or_none(Receipt.number == args.number.strip())
    if r is None:
        raise NotFound(f"收据 {args.number} 不存在")
    write_pdf(reprint_receipt(ctx, r.id, args.layout), args.out)
    print(f"已补打收据 {r.number} 到 {args.out}")
    return 0
