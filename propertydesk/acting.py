"""Who a command-line run acts as: an account that proved its password, never a default.

``--user NAME`` (or ``PROPERTYDESK_USER``) and the password from ``PROPERTYDESK_PASSWORD`` (scripts,
scheduled jobs) or a prompt. The few exceptions (see :data:`NO_SIGN_IN` and :func:`sign_in`) read no
personal data and write nothing, or set up a site that has no account yet.
"""
from __future__ import annotations

import getpass
import math
import os
import sys
import time
from types import SimpleNamespace

from app.core.errors import PermissionDenied

# Commands that read no personal data and write nothing: no sign-in.
# settings: the site's rates and deadlines; backups: the backup files' dates and sizes.
NO_SIGN_IN = frozenset({"settings", "backups"})
MAX_WAIT_S = 60          # the command line waits out a sign-in pause up to this long, else refuses
FIRST_RUN_HINT = ("本站点还没有账号：请先启动程序创建经理账号，或运行 "
                  "propertydesk user-add 登录名 --name 姓名 --role manager（密码在提示时输入）")


def command_name(args) -> str:
    """``bill``, ``print receipt``, ``export ledger`` … as the README's table names them."""
    what = getattr(args, "what", None)
    return f"{args.command} {what}" if what and args.command in ("print", "import", "export") else args.command


def credentials(args, prompt_user: bool = True) -> tuple[str, str]:
    """The account name and password of this run: --user / PROPERTYDESK_USER, then
    PROPERTYDESK_PASSWORD or a prompt on a terminal. Refused without either (no default account)."""
    username = (getattr(args, "user", None) or os.environ.get("PROPERTYDESK_USER") or "").strip()
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not username and prompt_user and interactive:
        username = input("登录名：").strip()
    if not username:
        raise PermissionDenied("需要登录：请用 --user 登录名 指定账号（或设置环境变量 PROPERTYDESK_USER），"
                               "密码在提示时输入（脚本用环境变量 PROPERTYDESK_PASSWORD）")
    password = os.environ.get("PROPERTYDESK_PASSWORD")
    if password is None:
        if not interactive:
            raise PermissionDenied(f"需要账号“{username}”的密码：请在终端中运行以输入密码，"
                                   "或为脚本设置环境变量 PROPERTYDESK_PASSWORD")
        password = getpass.getpass(f"账号“{username}”的密码：")
    return username, password


def sign_in(ctx, args):
    """The account this command runs as (None for a command that needs none).

    Exceptions, nothing else: the commands in NO_SIGN_IN; ``demo`` into an empty site that has no
    account; ``user-add … --role manager`` on a site that has no account (it creates the first
    manager, whose password is the one given). Everything else proves a password, waiting out a
    short pause left by earlier wrong passwords (kept in the database, shared with the window)."""
    name = command_name(args)
    if name in NO_SIGN_IN:
        return None
    from app.system.accounts import needs_first_run  # argon2 and the accounts: only when signing in
    if needs_first_run():
        if name == "demo" or (name == "user-add" and getattr(args, "role", None) == "manager"):
            return None
        raise PermissionDenied(FIRST_RUN_HINT)
    username, password = credentials(args)
    return authenticate_waiting(ctx, username, password)


def authenticate_waiting(ctx, username: str, password: str):
    """app.system.accounts.authenticate for the command line: a pause of up to MAX_WAIT_S left by
    earlier wrong passwords is waited out (said on stderr), a longer one is refused."""
    from app.system.accounts import authenticate, sign_in_wait
    from app.system.dbguard import run_write
    told = False
    while 0 < (wait := sign_in_wait(ctx, username)) <= MAX_WAIT_S:   # asked again: the clock decides
        if not told:
            print(f"账号“{username}”最近输错过密码，{math.ceil(wait)} 秒后再核对…", file=sys.stderr, flush=True)
            told = True
        time.sleep(min(wait, 1.0) + 0.05)
    return run_write(ctx, authenticate, ctx, username, password, desk=False)


def cli_user(role: str = "manager", username: str | None = None):
    """For benchmarks and scripts that open the database themselves (never the command line, which
    signs in with :func:`sign_in`): the first active manager, else a transient manager."""
    from models.users import User
    q = User.select().where((User.role == role) & (User.active == True))  # noqa: E712
    if username:
        q = q.where(User.username == username)
    try:
        user = q.order_by(User.id).first()
    except Exception:
        user = None
    return user or SimpleNamespace(id=None, username="cli", display_name="命令行", role=role)


def selftest_user(ctx, args, state: dict | None = None):
    """The selftest's account: on a site without any account (a fresh install) a transient manager,
    else one that proves its password like every command (the credentials are kept in *state* for the
    window check's child process)."""
    from app.system.accounts import needs_first_run
    if needs_first_run():
        return SimpleNamespace(id=None, username="selftest", display_name="自检", role="manager")
    username, password = credentials(args)
    user = authenticate_waiting(ctx, username, password)
    if state is not None:
        state["credentials"] = (username, password)
    return user
