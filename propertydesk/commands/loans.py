"""Command-line subcommands of the loans area: ``loans out`` and ``print loans-overdue``."""


def register(sub, groups):
    p = sub.add_parser("loans", help="借用登记", parents=[groups["common"]])
    ls = p.add_subparsers(dest="loans_command", metavar="WHAT", required=True)
    o = ls.add_parser("out", help="列出借出未还的物品（逾期标出）", parents=[groups["common"]])
    o.add_argument("--overdue", action="store_true", help="只列逾期的")
    o.set_defaults(handler=loans_out)
    r = groups["print"].add_parser("loans-overdue", help="借用物品逾期未还清单", parents=[groups["common"]])
    r.add_argument("--out", required=True, help="PDF 文件路径")
    r.set_defaults(handler=print_overdue)


def loans_out(args, ctx):
    from app.desk.loans import open_loans
    rows = open_loans(ctx, overdue_only=args.overdue)
    for r in rows:
        mark = f"【{r['overdue_text']}】" if r["overdue"] else ""
        dep = f"  押金 {r['deposit']} 元" if r["deposit"] else ""
        print(f"{mark}{r['number']}  {r['item']} ×{r['quantity']}  {r['room_code']} {r['borrower_name']} "
              f"{r['phone']}  借出 {r['out_at']}  应还 {r['due_date']}{dep}")
    late = sum(1 for r in rows if r["overdue"])
    print(f"共 {len(rows)} 笔借用未还，其中逾期 {late} 笔")
    return 0


def print_overdue(args, ctx):
    from app.desk.loan_prints import overdue_list_pdf
    from app.printing.base import write_pdf
    print(f"已生成：{write_pdf(overdue_list_pdf(ctx), args.out)}")
    return 0
