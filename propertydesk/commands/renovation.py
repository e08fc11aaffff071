"""Command-line subcommands of the renovation area (see app/cli.py).

    propertydesk renovation due                 what needs doing (permits, inspections, notices, passes)
    propertydesk renovation spot-check [--date] today's spot-check homes
    propertydesk renovation list [--all]        renovations and their next step
    propertydesk print renovation-permit --home 5-203 --out 许可证.pdf   (and the other forms;
                                                renovation-passes --a4: 10 cards per A4 page with cut lines)
    propertydesk print renovation-notice --number ZG2026-0001 --out 通知单.pdf
"""
from __future__ import annotations

FORM_COMMANDS = {
    "application": "装修申请/审批表", "tests": "闭水/打压确认单", "fire": "防火责任书", "permit": "装修许可证",
    "passes": "施工人员出入证", "patrol": "装修巡查日志", "completion": "装修竣工验收表", "refund": "装修保证金退还单",
}


def register(sub, groups):
    p = sub.add_parser("renovation", help="装修管理：待办、抽查、列表", parents=[groups["common"]])
    rsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = rsub.add_parser("due", help="列出待办（待审批、待领许可证、初验逾期、本周复验、通知逾期、出入证到期）",
                        parents=[groups["common"]])
    q.set_defaults(handler=cmd_due)
    q = rsub.add_parser("spot-check", help="今日装修抽查户", parents=[groups["common"]])
    q.add_argument("--date", default=None, help="日期（默认今天）")
    q.set_defaults(handler=cmd_spot)
    q = rsub.add_parser("list", help="装修登记列表", parents=[groups["common"]])
    q.add_argument("--all", action="store_true", help="包括已结案、已驳回、已放弃")
    q.set_defaults(handler=cmd_list)
    for key, label in FORM_COMMANDS.items():
        q = groups["print"].add_parser(f"renovation-{key}", help=f"打印{label}", parents=[groups["common"]])
        q.add_argument("--home", required=True, help="房号，如 5-203（取该户最近一次装修登记）")
        q.add_argument("--out", required=True, help="输出PDF文件")
        if key == "passes":
            q.add_argument("--a4", action="store_true", help="A4纸每页10张，带裁切线（默认每页一张卡片 85.6×54mm）")
        q.set_defaults(handler=cmd_print, form=key)
    q = groups["print"].add_parser("renovation-spot-sheet", help="打印今日装修抽查单", parents=[groups["common"]])
    q.add_argument("--date", default=None, help="日期（默认今天）")
    q.add_argument("--out", required=True, help="输出PDF文件")
    q.set_defaults(handler=cmd_print_spot)
    q = groups["print"].add_parser("renovation-notice", help="打印违规/整改通知单", parents=[groups["common"]])
    q.add_argument("--number", required=True, help="通知单编号，如 ZG2026-0001")
    q.add_argument("--out", required=True, help="输出PDF文件")
    q.set_defaults(handler=cmd_print_notice)


def cmd_due(args, ctx):
    from app.renovation.lists import due_items
    items = due_items(ctx)
    if not items:
        print("装修管理：今日无待办事项")
        return 0
    current = None
    for d in items:
        if d.category != current:
            current = d.category
            print(f"【{current}】")
        flag = "（逾期）" if d.overdue else ""
        print(f"  {d.room_code}\t{d.due or ''}\t{d.what}{flag}")
    print(f"共 {len(items)} 项")
    return 0


def cmd_spot(args, ctx):
    from app.core.validation import parse_date
    from app.renovation.lists import spot_checks
    day = parse_date(args.date, "日期") if args.date else ctx.clock.today()
    rows = spot_checks(ctx, day)
    if not rows:
        print(f"{day} 无施工中的装修户")
        return 0
    print(f"{day} 装修抽查（{len(rows)} 户）：")
    for r in rows:
        print(f"  {r.room_code}\t{r.number}\t{r.contractor_name}\t{r.contractor_person}"
              f"\t上次巡查 {r.last_patrol or '无'}")
    return 0


def cmd_list(args, ctx):
    from app.renovation.lists import list_renovations
    rows = list_renovations(ctx, "all" if args.all else "active")
    for r in rows:
        print(f"{r.number}\t{r.room_code}\t{r.applicant}\t{r.contractor}\t{r.state}\t{r.next_step}")
    print(f"共 {len(rows)} 条")
    return 0


def _latest(room):
    from app.archives.homes import home_by_room
    from app.core.errors import NotFound
    from models.renovation import Renovation
    home = home_by_room(room, message=f"房号“{room}”不存在")
    r = Renovation.select().where(Renovation.home == home.id).order_by(Renovation.id.desc()).first()
    if r is None:
        raise NotFound(f"{home.room_code} 没有装修登记")
    return r


def cmd_print(args, ctx):
    from app.printing.base import write_pdf
    from app.renovation.prints import form_pdf
    r = _latest(args.home)
    form = "passes_a4" if getattr(args, "a4", False) else args.form
    path = write_pdf(form_pdf(ctx, form, r.id), args.out)
    print(f"已生成{FORM_COMMANDS[args.form]}（{r.home.room_code} {r.number}）：{path}")
    return 0


def cmd_print_notice(args, ctx):
    from app.core.errors import NotFound
    from app.printing.base import write_pdf
    from app.renovation.prints import notice_pdf
    from models.renovation import RenovationNotice
    n = RenovationNotice.get_or_none(RenovationNotice.number == args.number.strip().upper())
    if n is None:
        raise NotFound(f"通知单“{args.number}”不存在")
    path = write_pdf(notice_pdf(ctx, n.id), args.out)
    print(f"已生成{n.kind} {n.number}：{path}")
    return 0


def cmd_print_spot(args, ctx):
    from app.core.validation import parse_date
    from app.printing.base import write_pdf
    from app.renovation.prints import spot_sheet_pdf
    day = parse_date(args.date, "日期") if args.date else None
    path = write_pdf(spot_sheet_pdf(ctx, day), args.out)
    print(f"已生成装修日常抽查单：{path}")
    return 0
