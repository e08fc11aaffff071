"""Command-line subcommands of the notice board: ``notices`` (the register), ``print notice``,
``print fee-poster``, ``print monthly-report`` and ``export notices``."""
# models.notices.GRADES and PAPERS, spelled here so building the parser imports no model
# (tests/system/test_cli_imports.py keeps them equal)
GRADES = ("通告", "重要通告", "紧急通告", "温馨提示")
PAPERS = ("A4", "A3")


def register(sub, groups):
    p = sub.add_parser("notices", help="公告栏：列出公告（编号、等级、标题、张贴期）", parents=[groups["common"]])
    p.add_argument("--grade", choices=GRADES, help="只列该等级的公告")
    p.add_argument("--on-board", action="store_true", help="只列在栏的公告（已张贴未撤下）")
    p.add_argument("--view", help="待审批、待打印、待张贴、今日到期、过期未撤 …（默认全部）")
    p.add_argument("--search", default="", help="编号、标题或正文中的字词")
    p.set_defaults(handler=list_notices)
    n = groups["print"].add_parser("notice", help="公告（每个张贴单元一页，须经理审批）", parents=[groups["common"]])
    n.add_argument("--number", required=True, help="公告编号，如 GG2026-0001")
    n.add_argument("--out", required=True, help="PDF 文件路径")
    n.add_argument("--paper", choices=PAPERS, default="A4", help="纸张（默认 A4）")
    n.set_defaults(handler=print_notice, pdf_kind="board")
    f = groups["print"].add_parser("fee-poster", help="收费标准公示", parents=[groups["common"]])
    f.add_argument("--out", required=True, help="PDF 文件路径")
    f.add_argument("--paper", choices=PAPERS, default="A4", help="纸张（默认 A4）")
    f.set_defaults(handler=print_fee_poster, pdf_kind="board")
    r = groups["print"].add_parser("monthly-report", help="项目月度工作报告", parents=[groups["common"]])
    r.add_argument("--month", required=True, help="月份 YYYY-MM")
    r.add_argument("--plans", required=True, help="下月工作计划（每项以“- ”开头，换行分隔）")
    r.add_argument("--work", default="", help="本月其他工作")
    r.add_argument("--out", required=True, help="PDF 文件路径")
    r.add_argument("--paper", choices=PAPERS, default="A4", help="纸张（默认 A4）")
    r.set_defaults(handler=print_monthly_report, pdf_kind="board")
    e = groups["export"].add_parser("notices", help="公告登记（Excel）", parents=[groups["common"]])
    e.add_argument("--out", required=True, help="输出Excel文件")
    e.add_argument("--view", default="全部", help="待审批、在栏公告 …（默认全部）")
    e.set_defaults(handler=export_notices)


def _view(args) -> str:
    from app.core.validation import check_choice
    from app.notices.register import VIEWS
    if args.on_board:
        return "在栏公告"
    return check_choice(args.view or "全部", VIEWS, "--view")


def list_notices(args, ctx):
    from app.notices.register import list_notices as rows_of
    rows = rows_of(ctx, _view(args), args.grade, args.search)
    for r in rows:
        flag = f"【{r['flag']}】" if r["flag"] else ""
        print(f"{r['number']}  {r['grade']}  {r['title']}  张贴期 {r['period']}  {r['state']}{flag}")
    print(f"共 {len(rows)} 份公告")
    return 0


def print_notice(args, ctx):
    from app.notices.prints import notice_pdf
    from app.printing.base import write_pdf
    path = write_pdf(notice_pdf(ctx, args.number, args.paper), args.out)
    print(f"已生成公告 {args.number.strip()}（{args.paper}）：{path}")
    return 0


def print_fee_poster(args, ctx):
    from app.notices.posters import fee_poster_pdf
    from app.printing.base import write_pdf
    print(f"已生成收费标准公示：{write_pdf(fee_poster_pdf(ctx, args.paper), args.out)}")
    return 0


def print_monthly_report(args, ctx):
    from app.notices.posters import monthly_report_pdf
    from app.printing.base import write_pdf
    pdf = monthly_report_pdf(ctx, args.month, args.plans.replace("\\n", "\n"), args.work.replace("\\n", "\n"),
                             args.paper)
    print(f"已生成项目月度工作报告：{write_pdf(pdf, args.out)}")
    return 0


def export_notices(args, ctx):
    from app.core.validation import check_choice
    from app.notices.register import VIEWS, export_register
    n = export_register(ctx, args.out, check_choice(args.view, VIEWS, "--view"))
    print(f"已导出 {n} 条公告到 {args.out}")
    return 0
