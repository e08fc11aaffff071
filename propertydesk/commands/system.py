"""General subcommands: selftest-free basics shared by all areas."""
import json


def register(sub, groups):
    p = sub.add_parser("settings", help="显示站点设置", parents=[groups["common"]])
    p.set_defaults(handler=show_settings)
    # the installer's check, `propertydesk selftest --out result.json`: its module is imported when it runs
    p = sub.add_parser("selftest", help="自检：数据库、写入、打印、主窗口（结果写入JSON）",
                       parents=[groups["common"]])
    p.add_argument("--out", help="结果JSON文件（默认：数据目录/selftest.json）")
    p.add_argument("--platforms", default="auto",
                   help="主窗口检查的Qt平台，逗号分隔：offscreen, default, none；auto=offscreen+有显示时default")
    p.add_argument("--window-child", default=None, help="（内部）只做主窗口检查")
    p.add_argument("--pdf", default=None, help="（内部）主窗口检查时用QtPdf打开的PDF")
    p.set_defaults(handler=run_selftest, needs_context=False)


def run_selftest(args, ctx):
    from propertydesk import selftest
    return selftest.run_selftest(args, ctx)


def show_settings(args, ctx):
    from app.core.settings import SETTINGS
    for s in SETTINGS:
        print(f"{s.key} = {json.dumps(ctx.settings.get(s.key), ensure_ascii=False)}    # {s.label}")
    print(f"设置文件：{ctx.settings.path}")
    return 0
