"""propertydesk import history FILE [--mapping NAME|FILE.toml] [--dry-run]: the payment history from
before going live (缴费历史, app.golive.history_import). Exit codes: 0 done; 2 refused; 3 done but some
rows were rejected (listed by sheet and row)."""
from __future__ import annotations

EXIT_ROWS_REJECTED = 3


def register(sub, groups):
    i = groups["import"].add_parser("history", help="导入缴费历史（上线前的缴费记录，设定各户已缴至月份）",
                                    parents=[groups["common"]])
    i.add_argument("file", help="工作簿（.xlsx、.xls 或 .csv）")
    i.add_argument("--mapping",
                   help="导入映射：导入窗口中保存的或系统自带映射的名称，或 .toml 映射文件（默认：缴费历史）")
    i.add_argument("--dry-run", action="store_true", help="试导入：显示逐行结果，不写入数据库")
    i.set_defaults(handler=import_history)


def import_history(args, ctx):
    from app.golive.history_import import import_history as run
    rep = run(ctx, args.file, args.mapping, dry_run=args.dry_run)
    for line in rep.lines():
        print(line)
    return EXIT_ROWS_REJECTED if rep.rejected_at else 0
