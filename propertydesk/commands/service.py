"""Command-line subcommands of the service area (see propertydesk/cli.py).

    propertydesk requests open                      open requests, level and who holds them
    propertydesk requests escalate                  move overdue requests up the ladder now
    propertydesk requests kpi --month YYYY-MM       the month's KPIs against their targets
    propertydesk print work-order --id N|FW2026-000012 --out FILE.pdf
    propertydesk print service-report --month YYYY-MM --out FILE.pdf
    propertydesk print complaint-reply --id N|FW2026-000012 --out FILE.pdf   (投诉处理回复函)
    propertydesk export service-register --month YYYY-MM --out FILE.xlsx   (报事投诉登记表)
"""


def register(sub, groups):
    p = sub.add_parser("requests", help="报事投诉", parents=[groups["common"]])
    rs = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = rs.add_parser("open", help="未完成的报事投诉及当前责任人", parents=[groups["common"]])
    a.set_defaults(handler=list_open)
    a = rs.add_parser("escalate", help="按时限自动升级", parents=[groups["common"]])
    a.set_defaults(handler=escalate)
    a = rs.add_parser("kpi", help="月度服务质量指标", parents=[groups["common"]])
    a.add_argument("--month", required=True, help="月份 YYYY-MM")
    a.set_defaults(handler=show_kpi)

    w = groups["print"].add_parser("work-order", help="派工单", parents=[groups["common"]])
    w.add_argument("--id", required=True, help="报事记录ID或编号（如 FW2026-000012）")
    w.add_argument("--out", required=True, help="输出PDF文件")
    w.set_defaults(handler=print_work_order)
    m = groups["print"].add_parser("service-report", help="月度客户服务报告", parents=[groups["common"]])
    m.add_argument("--month", required=True, help="月份 YYYY-MM")
    m.add_argument("--out", required=True, help="输出PDF文件")
    m.set_defaults(handler=print_service_report)
    c = groups["print"].add_parser("complaint-reply", help="投诉处理回复函（复函）", parents=[groups["common"]])
    c.add_argument("--id", required=True, help="投诉记录ID或编号（如 FW2026-000012）")
    c.add_argument("--out", required=True, help="输出PDF文件")
    c.set_defaults(handler=print_complaint_reply)
    e = groups["export"].add_parser("service-register", help="报事投诉登记表（Excel）", parents=[groups["common"]])
    e.add_argument("--month", required=True, help="月份 YYYY-MM")
    e.add_argument("--out", required=True, help="输出Excel文件")
    e.set_defaults(handler=export_register)


def list_open(args, ctx):
    from app.service.queries import list_requests
    rows = list_requests(ctx, "未完成")
    for r in reversed(rows):
        print(f"{r.number}  {r.received_at:%Y-%m-%d %H:%M}  {r.room_code}  {r.kind}  {r.status}  "
              f"首问：{r.receiver}  当前：{r.holder}" + (f"  [{r.warnings}]" if r.warnings else ""))
    print(f"共 {len(rows)} 件未完成")
    return 0


def escalate(args, ctx):
    from app.service.deadlines import run_escalations
    moved = run_escalations(ctx)
    for h in moved:
        print(f"{h.number} 升级至 {h.holder}")
    print(f"本次升级 {len(moved)} 件")
    return 0


def show_kpi(args, ctx):
    from app.service.kpi import month_kpis
    for k in month_kpis(ctx, args.month):
        print(f"{k.name}：{k.num}/{k.den} = {k.pct_text}  目标 {k.target_text}  {k.met_text}")
    return 0


def print_work_order(args, ctx):
    from app.printing.base import write_pdf
    from app.service.forms import work_order_pdf
    from app.service.records import find
    path = write_pdf(work_order_pdf(ctx, find(args.id).id), args.out)
    print(f"已生成派工单：{path}")
    return 0


def print_service_report(args, ctx):
    from app.printing.base import write_pdf
    from app.service.forms import service_report_pdf
    path = write_pdf(service_report_pdf(ctx, args.month), args.out)
    print(f"已生成月度客户服务报告：{path}")
    return 0


def print_complaint_reply(args, ctx):
    from app.printing.base import write_pdf
    from app.service.forms import complaint_reply_pdf
    from app.service.records import find
    path = write_pdf(complaint_reply_pdf(ctx, find(args.id).id), args.out)
    print(f"已生成投诉处理回复函：{path}")
    return 0


def export_register(args, ctx):
    from app.service.queries import export_register as export
    n = export(ctx, args.month, args.out)
    print(f"已导出 {args.month} 报事投诉登记表 {n} 条：{args.out}")
    return 0
