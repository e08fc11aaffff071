"""Command-line subcommands of the keys area: ``keys out`` and ``print key-register|key-overdue``."""


def register(sub, groups):
    p = sub.add_parser("keys", help="钥匙登记", parents=[groups["common"]])
    ks = p.add_subparsers(dest="keys_command", metavar="WHAT", required=True)
    o = ks.add_parser("out", help="列出借出未还的钥匙（逾期标出）", parents=[groups["common"]])
    o.add_argument("--overdue", action="store_true", help="只列逾期的")
    o.set_defaults(handler=keys_out)
    r = groups["print"].add_parser("key-register", help="钥匙登记表（贴墙）", parents=[groups["common"]])
    r.add_argument("--out", required=True, help="PDF 文件路径")
    r.set_defaults(handler=print_register)
    r = groups["print"].add_parser("key-overdue", help="钥匙逾期未还清单", parents=[groups["common"]])
    r.add_argument("--out", required=True, help="PDF 文件路径")
    r.set_defaults(handler=print_overdue)


def keys_out(args, ctx):
    from app.desk.keys import keys_out as out
    rows = out(ctx, overdue_only=args.overdue)
    for r in rows:
        who = r["borrower_name"] + (f"（{r['company']}）" if r["company"] else "")
        mark = f"【{r['overdue_text']}】" if r["overdue"] else ""
        print(f"{mark}{r['number']}  {r['area']} 第{r['copy_no']}把  {who} {r['phone']}  {r['purpose']}  "
              f"借出 {r['out_at']}  应还 {r['due_at']}")
    late = sum(1 for r in rows if r["overdue"])
    print(f"共 {len(rows)} 把钥匙借出，其中逾期 {late} 把")
    return 0


def print_register(args, ctx):
    from app.desk.key_prints import register_sheet_pdf
    from app.printing.base import write_pdf
    print(f"已生成：{write_pdf(register_sheet_pdf(ctx), args.out)}")
    return 0


def print_overdue(args, ctx):
    from app.desk.key_prints import overdue_list_pdf
    from app.printing.base import write_pdf
    print(f"已生成：{write_pdf(overdue_list_pdf(ctx), args.out)}")
    return 0
