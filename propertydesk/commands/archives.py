"""Command-line subcommands of the archives area (see app/cli.py):

    propertydesk demo --site tianlun|wanxing [--seed N]
    propertydesk export owners FILE.xlsx
    propertydesk print owner-info --home ROOM --out FILE.pdf [--full]

Exit codes: 0 done; 2 refused (app/cli.py turns a UserError into 2). Importing owners is going
live's (propertydesk/commands/golive.py).
"""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub, groups):
    d = sub.add_parser("demo", help="在空数据库中建立演示小区", parents=[groups["common"]])
    d.add_argument("--site", required=True, choices=["tianlun", "wanxing"],
                   help="tianlun：天伦庄园（292户）；wanxing：万兴现代城（五个组团1865户）")
    d.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    d.set_defaults(handler=demo)

    e = groups["export"].add_parser("owners", help="导出业主台账到Excel", parents=[groups["common"]])
    e.add_argument("file", help="Excel文件（.xlsx）")
    e.set_defaults(handler=export_owners)

    p = groups["print"].add_parser("owner-info", help="打印业主信息表", parents=[groups["common"]])
    p.add_argument("--home", required=True, help="房号，如 5-1-203")
    p.add_argument("--out", required=True, help="输出PDF文件")
    p.add_argument("--full", action="store_true", help="打印完整身份证号和电话（仅限有权限的角色，记入审计日志）")
    p.set_defaults(handler=print_owner_info)


def demo(args, ctx):
    from app.demo.sites import build_site
    s = build_site(ctx, args.site, seed=args.seed)
    print(f"已建立演示小区：{s['name']}，房屋 {s['homes']} 户，楼栋 {s['buildings']} 栋，业主 {s['owners']} 人，"
          f"常住人口 {s['residents']} 人，租户 {s['tenants']} 人，车位 {s['parking']} 个（用时 {s['seconds']} 秒）")
    for code, c in sorted(s["clusters"].items()):
        print(f"  {code}组团：{c['homes']} 户，已装修 {c['renovated']} 户，已入住 {c['moved_in']} 户")
    if s["extensions"]:
        print("  其他业务演示数据：" + "、".join(s["extensions"]))
    for area, message in s["extension_errors"]:
        print(f"警告：{area} 业务的演示数据未能生成（{message}）", file=sys.stderr)
    from app.demo.sites import DEMO_PASSWORD, STAFF
    from models.users import ROLES
    print("演示账号（密码均为 " + DEMO_PASSWORD + "）：" + "、".join(f"{u}（{d}，{ROLES[r]}）" for u, d, r in STAFF))
    print(f"数据目录：{ctx.data_dir}")
    return 0


def export_owners(args, ctx):
    from app.archives.excel_export import export_owners as run
    from app.core.privacy import may_see_full
    n = run(ctx, args.file)
    pii = "完整" if may_see_full(ctx) else "已脱敏"
    print(f"已导出 {n} 行到 {Path(args.file)}（身份证号和电话：{pii}）")
    return 0


def print_owner_info(args, ctx):
    from app.archives.owner_info import find_home, owner_info_pdf
    from app.printing.base import write_pdf
    home = find_home(args.home)
    write_pdf(owner_info_pdf(ctx, home.id, full=args.full), args.out)
    print(f"已生成业主信息表（{home.room_code}）：{Path(args.out)}")
    return 0
