"""General subcommands: selftest-free basics shared by all areas."""
import json


def register(sub, groups):
    p = sub.add_parser("settings", help="显示站点设置", parents=[groups["common"]])
    p.set_defaults(handler=show_settings)
    from propertydesk import selftest  # installer issue: `propertydesk selftest --out result.json`
    selftest.register(sub, groups)


def show_settings(args, ctx):
    from app.core.settings import SETTINGS
    for s in SETTINGS:
        print(f"{s.key} = {json.dumps(ctx.settings.get(s.key), ensure_ascii=False)}    # {s.label}")
    print(f"设置文件：{ctx.settings.path}")
    return 0
