"""`propertydesk counts`: the counts of the office's per-count items (按数量, issue 17) per home —
set one, or import a sheet (房号, 收费项目, 数量 [, 起始月份, 备注]); app/ledger/item_counts.py.

    propertydesk counts set --room 1-1-302 --item custom_3 --count 2 [--from 2026-12] [--memo 新增一辆]
    propertydesk counts import 计费数量.xlsx [--dry-run]
"""
from __future__ import annotations


def register(sub, groups):
    p = sub.add_parser("counts", help="按数量计费项目（如电动车充电桩）的每户数量：设定或从Excel导入")
    what = p.add_subparsers(dest="counts_command", metavar="{set,import}", required=True)
    s = what.add_parser("set", help="设定一户的数量（0 表示自该月起不再计费）", parents=[groups["common"]])
    s.add_argument("--room", required=True, help="房号，如 5-101")
    s.add_argument("--item", required=True, help="收费项目代码或名称，如 custom_3 或 电动车充电桩管理费")
    s.add_argument("--count", required=True, help="数量，0–99")
    s.add_argument("--from", dest="start", default=None, help="起始月份，如 2026-12（默认本月）")
    s.add_argument("--memo", default="", help="备注")
    s.set_defaults(handler=set_count)
    i = what.add_parser("import", help="从Excel导入（列：房号、收费项目、数量，可选 起始月份、备注）",
                        parents=[groups["common"]])
    i.add_argument("file", help="Excel 文件 .xlsx")
    i.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    i.set_defaults(handler=import_counts)


def set_count(args, ctx):
    from app.archives.homes import home_by_room
    from app.ledger import item_counts
    home = home_by_room(args.room, "--room")
    changed = item_counts.set_counts(ctx, home.id, {args.item: args.count}, args.start, args.memo)
    if not changed:
        print(f"{home.room_code}：数量未变，未作修改")
    for c in changed:
        print(f"{home.room_code} {c['name']}：{c['before']} → {c['after']}（自 {c['from']} 起）")
    return 0


def import_counts(args, ctx):
    from app.ledger import item_counts
    r = item_counts.import_counts(ctx, args.file, dry_run=args.dry_run)
    head = "检查通过（未写入）" if args.dry_run else "已导入"
    print(f"{head}：共 {r['rows']} 行，变更 {r['changed']} 户项，未变 {r['unchanged']} 户项")
    return 0
