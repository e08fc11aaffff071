"""``propertydesk key``: the site key (app.system.keystore) — enter it from the recovery sheet on
another desk or a replaced PC (``key import``), print the recovery sheet (``print key-sheet``),
say where this PC keeps it (``key where``)."""
from __future__ import annotations

import getpass
import os
import sys


def register(sub, groups):
    common = groups["common"]
    p = sub.add_parser("key", help="站点数据加密密钥（恢复单输入、保存位置）", parents=[common])
    ks = p.add_subparsers(dest="key_command", required=True)
    i = ks.add_parser("import", help="输入《站点密钥恢复单》上的密钥和校验码（新增电脑、更换电脑后）",
                      parents=[common])
    i.add_argument("--key", default=None, help="密钥（省略时提示输入；脚本可用环境变量 PROPERTYDESK_SITE_KEY）")
    i.add_argument("--check", default=None, help="校验码（6位数字，省略时提示输入）")
    i.set_defaults(handler=cmd_import, needs_context=False)
    w = ks.add_parser("where", help="显示本机保存站点密钥的位置", parents=[common])
    w.set_defaults(handler=cmd_where, needs_context=False)
    s = groups["print"].add_parser("key-sheet", help="站点密钥恢复单（经理打印后保存在保险柜）", parents=[common])
    s.add_argument("--out", required=True, help="PDF 文件")
    s.set_defaults(handler=cmd_sheet)


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return getpass.getpass(prompt)


def cmd_import(args, ctx) -> int:
    from app.archives.key_sheet import import_site_key
    from app.system.context import default_data_dir
    key = args.key or os.environ.get("PROPERTYDESK_SITE_KEY") or _ask("站点密钥（恢复单上的44个字符）：")
    check = args.check or _ask("校验码（6位数字）：")
    where = import_site_key(args.data_dir or default_data_dir(), args.database, key, check)
    print(f"站点密钥已核对并保存到{where}")
    return 0


def cmd_where(args, ctx) -> int:
    from app.system import keystore
    from app.system.context import default_data_dir
    from models.db import close_database, default_url, open_database, sqlite_path
    data_dir = args.data_dir or default_data_dir()
    url = args.database or default_url(data_dir)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        print(f"数据文件夹中没有数据库：{path}")
        return 2
    db = open_database(url)
    try:
        site_id = keystore.site_id_of(db, data_dir)
        found = keystore.load_key(site_id) is not None
        said = f"密钥保存在{keystore.where(site_id)}" if found else "本机没有该站点的密钥"
        print(f"站点编号 {site_id[:8]}：{said}")
    finally:
        close_database()
    return 0 if found else 1


def cmd_sheet(args, ctx) -> int:
    from app.archives.key_sheet import recovery_sheet_pdf
    from app.printing.base import write_pdf
    path = write_pdf(recovery_sheet_pdf(ctx), args.out)
    print(f"已生成站点密钥恢复单：{path}（打印后请交经理签收，放入保险柜；PDF 文件用后请删除）")
    return 0
