"""Command-line subcommands of going live (app/golive):

    propertydesk import owners FILE [--mapping NAME|FILE.toml] [--dry-run] [--save-mapping NAME]
    propertydesk export worklist FILE.xlsx
    propertydesk import balances|keys|meters|residents|vehicles FILE [--mapping NAME|FILE.toml] [--dry-run]

(--mapping NAME finds a mapping saved in the import window for that register, or a shipped one.)

``import owners`` reads .xlsx, .xls or .csv; without --mapping, a workbook whose sheets and headers fit a
saved or shipped mapping (the office ledger, the several-sheet export of another system) is
recognised. The dry run prints the full row-level report and writes nothing. Exit codes: 0 done;
2 refused; 3 done but some rows were rejected (listed by sheet and row).
"""
from __future__ import annotations

from pathlib import Path

EXIT_ROWS_REJECTED = 3


def register(sub, groups):
    i = groups["import"].add_parser("owners", help="导入业主档案：业主台账或其他物业系统导出的多表工作簿",
                                    parents=[groups["common"]])
    i.add_argument("file", help="工作簿（.xlsx、.xls 或 .csv）")
    i.add_argument("--mapping", help="导入映射：已保存或系统自带映射的名称，或 .toml 映射文件（默认：自动识别）")
    i.add_argument("--dry-run", action="store_true", help="试导入：显示逐行结果，不写入数据库")
    i.add_argument("--save-mapping", metavar="NAME", help="把本次使用的映射以该名称保存，供以后导入使用")
    i.set_defaults(handler=import_owners)

    register_registers(groups)

    e = groups["export"].add_parser("worklist", help="导出待核对清单到Excel", parents=[groups["common"]])
    e.add_argument("file", help="Excel文件（.xlsx）")
    e.set_defaults(handler=export_worklist)


def import_owners(args, ctx):
    from app.golive import mapping as maps
    from app.golive.owners_import import import_owners as run
    m = maps.load(args.mapping) if args.mapping else None
    rep = run(ctx, args.file, m, dry_run=args.dry_run)
    for line in rep.lines():
        print(line)
    if args.save_mapping and not args.dry_run:
        used = m or maps.load(next(x.name for x in maps.saved() + maps.shipped() if (x.title or x.name) == rep.mapping))
        maps.save(ctx, used, args.save_mapping)
        print(f"映射已保存为“{args.save_mapping}”")
    return EXIT_ROWS_REJECTED if rep.rejected_at else 0


def export_worklist(args, ctx):
    from app.golive.worklist import export_xlsx
    n = export_xlsx(ctx, args.file)
    print(f"已导出待核对 {n} 项到 {Path(args.file)}")
    return 0


def register_registers(groups):
    """The go-live registers (app.golive.balances_import, registers_import), one subcommand each."""
    for name, helptext in (("balances", "导入期初欠费与预存余额（上线当日）"), ("keys", "导入钥匙登记"),
                           ("meters", "导入水电气表号与最后读数（首次计费的起始读数）"),
                           ("residents", "导入住户与租户"), ("vehicles", "导入车位与车辆登记表（车位号、房号、车牌）")):
        i = groups["import"].add_parser(name, help=helptext, parents=[groups["common"]])
        i.add_argument("file", help="工作簿（.xlsx、.xls 或 .csv）")
        i.add_argument("--mapping",
                       help="导入映射：导入窗口中保存的或系统自带映射的名称，或 .toml 映射文件（默认：系统自带）")
        i.add_argument("--dry-run", action="store_true", help="试导入：显示逐行结果，不写入数据库")
        i.set_defaults(handler=import_register, register=name)


def import_register(args, ctx):
    if args.register == "balances":
        from app.golive.balances_import import import_balances as run
    else:
        from app.golive.registers_import import import_register as generic

        def run(c, path, mapping, dry_run):
            return generic(c, args.register, path, mapping, dry_run)
    rep = run(ctx, args.file, args.mapping, dry_run=args.dry_run)
    for line in rep.lines():
        print(line)
    return EXIT_ROWS_REJECTED if rep.rejected else 0
