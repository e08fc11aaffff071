"""Command-line subcommands of the ledger area (see app/cli.py).

    propertydesk bill --month 2026-11
    propertydesk export ledger --month 2026-11 --out 台账.xlsx
    propertydesk import readings --file 抄表.xlsx
    propertydesk print receipt --number SJ2026-000001 --out 收据.pdf [--layout A4|三联]
"""
from __future__ import annotations

from propertydesk.commands import shared_meter


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
    p = sub.add_parser("reduce", help="费用减免：申请（经理可直接批准）、列出待审批、批准、驳回",
                       parents=[groups["common"]])
    p.add_argument("--room", help="房号，如 5-101（申请减免时）")
    p.add_argument("--item", default="property_fee", help="收费项目代码（默认 property_fee 物业服务费）")
    p.add_argument("--month", help="费用所属月份，如 2026-11（默认最早一笔未付清的）")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--percent", help="按比例减免，1-100")
    how.add_argument("--amount", help="固定金额减免（元）")
    how.add_argument("--months", help="按整月减免：本月起连续几个月；按季/按年收取的费用为其中几个月（N/3、N/12）")
    p.add_argument("--reason", help="减免原因")
    p.add_argument("--approve", action="store_true", help="经理申请时直接批准")
    p.add_argument("--list", action="store_true", help="列出待审批的减免")
    p.add_argument("--approve-id", type=int, help="批准该编号的减免申请（经理）")
    p.add_argument("--reject-id", type=int, help="驳回该编号的减免申请（经理，须 --note）")
    p.add_argument("--note", default="", help="审批意见或驳回理由")
    p.set_defaults(handler=reduce)
    shared_meter.register(sub, groups)      # propertydesk shared-meter set|list (公摊水电)


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


def reduce(args, ctx):
    from app.core.money import fmt_fen
    from app.ledger import reductions
    if args.list:
        rows = reductions.pending(ctx)
        print(f"待审批减免 {len(rows)} 笔" + ("" if rows else "（无）"))
        for r in rows:
            print(f"  #{r['id']} {r['room_code']} {r['item']} {r['mode']} {r['how']} "
                  f"{fmt_fen(r['amount_fen'])} 元：{r['reason']}")
        return 0
    if args.approve_id:
        red = reductions.approve(ctx, args.approve_id, args.note)
        print(f"已批准减免 #{red.id}：减免 {fmt_fen(red.applied_fen)} 元")
        return 0
    if args.reject_id:
        red = reductions.reject(ctx, args.reject_id, args.note)
        print(f"已驳回减免 #{red.id}：{red.decision_note}")
        return 0
    mode, value = _reduce_mode(args)
    red = reductions.propose(ctx, _reduce_charge(args).id, mode, value, args.reason, approve=args.approve)
    print(f"减免 #{red.id} {red.state}：{fmt_fen(red.applied_fen or red.amount_fen)} 元（{red.reason}）")
    return 0


def _reduce_mode(args) -> tuple[str, str]:
    from app.core.errors import ValidationError
    for mode, value in (("percent", args.percent), ("fixed", args.amount), ("months", args.months)):
        if value is not None:
            return mode, value
    raise ValidationError("减免方式", "请指定 --percent、--amount 或 --months 之一")


def _reduce_charge(args):
    from app.core.dates import parse_period, period_str
    from app.core.errors import NotFound, ValidationError
    from models.ledger import Charge
    from models.property import Home
    if not args.room:
        raise ValidationError("--room", "请指定房号")
    home = Home.get_or_none(Home.room_code == args.room.strip())
    if home is None:
        raise NotFound(f"房号 {args.room} 不存在")
    q = Charge.select().where((Charge.home == home.id) & (Charge.item_code == args.item))
    if args.month:
        q = q.where(Charge.period == period_str(*parse_period(args.month, "--month")))
    else:
        q = q.where(Charge.paid_fen < Charge.amount_fen)
    charge = q.order_by(Charge.period, Charge.id).first()
    if charge is None:
        raise NotFound(f"{home.room_code} 没有符合条件的费用（{args.item} {args.month or '未付清'}）")
    return charge
