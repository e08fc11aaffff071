"""Command-line subcommands of the security area: accounts, backup, restore, check, anonymise."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path


def register(sub, groups):
    common = groups["common"]
    p = sub.add_parser("backup", help="立即备份数据库（校验后保存到备份目录）", parents=[common])
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库（当前数据库先移到 replaced 目录）", parents=[common])
    p.add_argument("file", help="备份文件（.db）")
    p.add_argument("--yes", action="store_true", help="不再询问确认")
    p.set_defaults(handler=cmd_restore, needs_context=False)

    p = sub.add_parser("backups", help="列出可用于恢复的备份（含升级前备份）", parents=[common])
    p.add_argument("--folder", action="append", default=[], help="另外列出该目录中的备份（如U盘），可多次指定")
    p.set_defaults(handler=cmd_backups, needs_context=False)

    p = sub.add_parser("check", help="检查数据库完整性、外键、审计日志和收费台账", parents=[common])
    p.add_argument("--head", action="append", default=[], metavar="序号:校验码",
                   help="收费日报上印的审计链头，与数据库核对（可多次指定）")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("users", help="列出账号", parents=[common])
    p.set_defaults(handler=cmd_users)

    p = sub.add_parser("user-add", help="新建账号（初始密码从环境变量 PROPERTYDESK_NEW_PASSWORD 或提示输入；"
                                       "尚无账号时建首个经理账号，密码用 PROPERTYDESK_PASSWORD）", parents=[common])
    p.add_argument("username")
    p.add_argument("--name", required=True, help="姓名")
    p.add_argument("--role", required=True, choices=["frontdesk", "area_manager", "cashier", "manager", "backup"])
    p.set_defaults(handler=cmd_user_add)

    p = sub.add_parser("user-password", help="重设账号密码", parents=[common])
    p.add_argument("username")
    p.set_defaults(handler=cmd_user_password)

    p = sub.add_parser("anonymise-owner", help="业主资料匿名化（保留收费记录）", parents=[common])
    p.add_argument("owner_id", type=int)
    p.add_argument("--reason", default="")
    p.set_defaults(handler=cmd_anonymise)


def _password(prompt="密码：", variable="PROPERTYDESK_NEW_PASSWORD") -> str:
    """A new password: from *variable* (scripts), else asked twice on the terminal. (The signed-in
    account's own password is PROPERTYDESK_PASSWORD: a new account never inherits it by mistake.)"""
    pw = os.environ.get(variable)
    if pw is not None:
        return pw
    if sys.stdin is None or not sys.stdin.isatty():
        from app.core.errors import ValidationError
        raise ValidationError(prompt.rstrip("："), f"请在终端中运行以输入，或为脚本设置环境变量 {variable}")
    pw = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != pw:
        from app.core.errors import ValidationError
        raise ValidationError("确认密码", "两次输入的密码不一致")
    return pw


def cmd_backup(args, ctx) -> int:
    from app.system.backup import backup_now
    r = backup_now(ctx, "manual")
    print(f"已备份：{r.path}（{r.size / 1024 / 1024:.1f} MB，{r.seconds:.1f} 秒，已通过完整性校验）")
    if r.second_copy:
        print(f"第二备份：{r.second_copy}")
    for w in r.warnings:
        print(f"注意：{w}")
    if r.removed:
        print(f"按保留规则删除旧备份 {len(r.removed)} 份")
    return 0


def cmd_restore(args, ctx) -> int:
    """Runs without an opened context: the current database may be damaged."""
    from app.core.errors import PermissionDenied
    from app.system.backup import check_backup_file, integrity_of, restore_file
    from app.system.context import default_data_dir
    from models.db import default_url, sqlite_path
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    url = args.database or default_url(data_dir)
    db_path = sqlite_path(url)
    if db_path is None:
        print("错误：PostgreSQL 数据库请用服务器的 pg_restore 恢复。", file=sys.stderr)
        return 2
    backup = Path(args.file)
    check_backup_file(backup)
    # Who may restore: a manager of the current database, or — when it is damaged — of the backup.
    source = db_path if db_path.exists() and integrity_of(db_path, quick=True) == "ok" else backup
    import contextlib
    import sqlite3

    from app.system.backup_seal import plain_copy
    opened = contextlib.ExitStack()
    source = opened.enter_context(plain_copy(source))   # an old backup kept encrypted: its decrypted copy
    con = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)
    try:   # a manager who proves the password kept there (the database may be damaged: read directly)
        has_users = con.execute("SELECT count(*) FROM user WHERE password_hash != ''").fetchone()[0]
        username = None
        if has_users:
            from app.system.accounts import verify_password
            from propertydesk.acting import credentials
            username, password = credentials(args)
            row = con.execute("SELECT role, password_hash FROM user WHERE username=? AND active",
                              (username,)).fetchone()
            if not row or not verify_password(row[1], password):
                raise PermissionDenied("登录名或密码错误")
            if row[0] != "manager":
                raise PermissionDenied("权限不足：只有经理账号可以恢复数据库")
    finally:
        con.close()
        opened.close()
    if not args.yes and sys.stdin.isatty() and \
            input(f"用 {backup.name} 替换当前数据库？当前数据库会移到 replaced 目录。(y/N) ").strip().lower() != "y":
        print("已取消")
        return 1
    moved = restore_file(db_path, backup)
    from app.core.audit import record
    from app.system.context import open_context
    from models.users import User
    ctx = open_context(data_dir, url)
    ctx.user = User.get_or_none(User.username == username) if username else None
    with ctx.db.atomic():
        record(ctx, "backup.restore", "backup", backup.name, None,
               {"file": str(backup), "moved_aside": [str(p) for p in moved]})
    print(f"已从 {backup} 恢复数据库。")
    for p in moved:
        print(f"原文件已移到：{p}")
    return 0


def cmd_backups(args, ctx) -> int:
    """The backups restore can use, newest first: no database opened, nothing personal shown."""
    from app.system.backup import list_backups, reason_text
    from app.system.context import default_data_dir
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    folders = [data_dir / "backups", *(Path(f) for f in args.folder)]
    entries = sorted((e for f in folders for e in list_backups(f)), key=lambda e: e[0], reverse=True)
    if not entries:
        print("没有找到备份：" + "、".join(str(f) for f in folders))
        return 0
    for when, reason, path in entries:
        size = path.stat().st_size / 1024 / 1024
        print(f"{when:%Y-%m-%d %H:%M:%S}  {reason_text(reason, path)}  {size:.1f} MB  {path}")
    print(f"共 {len(entries)} 份。恢复：propertydesk restore <备份文件>")
    return 0


def cmd_check(args, ctx) -> int:
    from app.office.checks import run_checks
    checks = run_checks(ctx, getattr(args, "head", None) or ())
    for c in checks:
        for line in c.lines():
            print(line)
    bad = [c for c in checks if not c.ok]
    print("检查完成：全部通过" if not bad else f"检查完成：{len(bad)} 项发现问题")
    return 0 if not bad else 1


def cmd_users(args, ctx) -> int:
    from app.system.accounts import list_users
    from models.users import ROLES
    for u in list_users(ctx):
        state = "启用" if u.active else "停用"
        print(f"{u.username}\t{u.display_name}\t{ROLES.get(u.role, u.role)}\t{state}")
    return 0


def cmd_user_add(args, ctx) -> int:
    from app.system.accounts import create_first_manager, create_user
    if ctx.user is None:   # a site without any account: its first manager (propertydesk.acting.sign_in)
        u = create_first_manager(ctx, args.username, args.name, _password("经理账号的密码：", "PROPERTYDESK_PASSWORD"))
        print(f"已新建首个经理账号 {u.username}（{u.display_name}）。以后的命令请用 --user {u.username} 登录。")
        return 0
    from app.core.permissions import require
    require(ctx, "users.manage")          # before asking for a password
    u = create_user(ctx, args.username, args.name, args.role, _password("初始密码："))
    print(f"已新建账号 {u.username}（{u.display_name}），首次登录需修改密码。")
    return 0


def cmd_user_password(args, ctx) -> int:
    from app.core.errors import NotFound
    from app.core.permissions import require
    from app.system.accounts import reset_password
    from models.users import User
    require(ctx, "users.manage")          # before asking for a password
    u = User.get_or_none(User.username == args.username)
    if u is None:
        raise NotFound(f"账号“{args.username}”不存在")
    reset_password(ctx, u.id, _password("新密码："))
    print(f"已重设 {u.username} 的密码，下次登录需修改。")
    return 0


def cmd_anonymise(args, ctx) -> int:
    from app.archives.anonymise import anonymise_owner
    s = anonymise_owner(ctx, args.owner_id, args.reason)
    print(f"已匿名化：{s['name']}（涉及房屋 {s['homes']} 套，"
          f"删除同住人员 {s['residents_removed']} 人），收费记录保留。")
    return 0
