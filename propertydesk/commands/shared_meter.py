"""`propertydesk shared-meter`: the month of a shared meter (公摊水电, issue 17; app/ledger/shared_meter.py) —
set its amount (the manager's, as 公摊金额… in the 收费项目 list) or list the months entered.
Registered from propertydesk/commands/ledger.py.

    propertydesk shared-meter set --item custom_3 --month 2026-12 --amount 1234.57 \
        [--reading-from 1200 --reading-to 3400.5] [--note 地下车库]
    propertydesk shared-meter list [--item custom_3]
"""
from __future__ import annotations


def register(sub, groups):
    p = sub.add_parser("shared-meter", help="公摊水电：录入某月公摊表金额（经理）、列出已录入的月份")
    what = p.add_subparsers(dest="shared_command", metavar="{set,list}", required=True)
    s = what.add_parser("set", help="录入（或在出账前更正）某月公摊表金额，经理", parents=[groups["common"]])
    s.add_argument("--item", required=True, help="公摊项目代码或名称，如 custom_3 或 公摊电费")
    s.add_argument("--month", required=True, help="所属月份，如 2026-12")
    s.add_argument("--amount", required=True, help="公摊金额（元），如 1234.57")
    s.add_argument("--reading-from", dest="reading_from", default=None, help="公摊表起读数（可选，与止读数一起）")
    s.add_argument("--reading-to", dest="reading_to", default=None, help="公摊表止读数")
    s.add_argument("--note", default="", help="备注，如 地下车库、电梯")
    s.set_defaults(handler=set_month)
    ls = what.add_parser("list", help="列出公摊项目及已录入的月份", parents=[groups["common"]])
    ls.add_argument("--item", default=None, help="只列该项目（代码或名称）")
    ls.set_defaults(handler=list_months)


def set_month(args, ctx):
    from app.ledger import shared_meter
    row = shared_meter.set_month(ctx, args.item, args.month, args.amount, args.reading_from, args.reading_to,
                                 args.note)
    [shown] = [r for r in shared_meter.readings(ctx, row.item_id) if r["id"] == row.id]
    usage = f"，用量 {shown['usage']}" if shown["usage"] else ""
    print(f"已录入 {shown['item']} {shown['period']} 公摊金额 {shown['amount']} 元{usage}（出账前可更正）")
    return 0


def list_months(args, ctx):
    from app.ledger import shared_meter
    item_id = shared_meter.item_by_code(args.item) if args.item else None
    items = [(i, n) for i, n in shared_meter.shared_items() if item_id in (None, i)]
    codes = shared_meter.item_codes()
    print("公摊项目：" + ("；".join(f"{n}（{codes[i]}）" for i, n in items) if items else "（无）"))
    rows = shared_meter.readings(ctx, item_id)
    print(f"已录入 {len(rows)} 个月" + ("" if rows else "（无）"))
    for r in rows:
        read = r["readings"]
        parts = [f"  {r['period']} {r['item']}（{r['code']}） {r['amount']} 元"]
        if r["usage"]:
            parts.append(f"用量 {r['usage']}")
        if read["to"]:
            parts.append(f"读数 {read['from']}→{read['to']}" + (f" 单价 {read['price']}" if read["price"] else ""))
        parts.append("已出账" if r["billed"] else "未出账")
        if r["entered_by"]:
            parts.append(f"录入 {r['entered_by']}")
        print(" ".join(parts))
    return 0
