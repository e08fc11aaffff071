"""The command line runs only as an account that proved its password (real subprocesses): no account
or no password → refused; a wrong one → refused, audited and the account slowed down (the pause is
kept in the database, so the next process waits it out); the right one → the command runs as that
account and the audit log names it. A clerk's shell cannot export the owners, reset the manager's
password or create a manager. The sign-in window shares the pause; a backup-only account backs up."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import PermissionDenied
from app.system import accounts
from models.users import AuditLog, User

ROOT = Path(__file__).resolve().parents[2]
TEST_PASSWORD = os.environ["PROPERTYDESK_PASSWORD"]   # tests/conftest.py: the fixtures' accounts' password
pytestmark = pytest.mark.slow    # each test runs the program in subprocesses


def run_cli(data_dir, *args, user=None, password=None, database=True, **extra_env):
    """``propertydesk --data-dir … args`` with PROPERTYDESK_USER / PROPERTYDESK_PASSWORD set to
    *user* / *password* (None: not set at all) and no terminal (stdin from /dev/null)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PROPERTYDESK_USER", "PROPERTYDESK_PASSWORD")}
    if not database:
        env.pop("PROPERTYDESK_DATABASE", None)     # a fresh SQLite site in data_dir
    if user is not None:
        env["PROPERTYDESK_USER"] = user
    if password is not None:
        env["PROPERTYDESK_PASSWORD"] = password
    env.update(extra_env)
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args], cwd=ROOT, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=120,
                       check=False)
    r.seconds = time.monotonic() - t0
    return r


def audit_rows(action):
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.seq))


def test_no_account_or_no_password_is_refused(ctx, data_dir):
    r = run_cli(data_dir, "users")
    assert r.returncode == 2 and "需要登录" in r.stderr and "--user" in r.stderr, r.stderr
    r = run_cli(data_dir, "users", user="manager")
    assert r.returncode == 2 and "需要账号“manager”的密码" in r.stderr and "PROPERTYDESK_PASSWORD" in r.stderr
    r = run_cli(data_dir, "--user", "manager", "users")           # --user alone is not enough either
    assert r.returncode == 2 and "密码" in r.stderr and "manager" not in r.stdout
    assert audit_rows("auth.login") == []


def test_right_password_runs_as_that_account(ctx, users, data_dir):
    r = run_cli(data_dir, "--user", "manager", "users", password=TEST_PASSWORD)
    assert r.returncode == 0, r.stderr
    assert "frontdesk\t李前台\t前台\t启用" in r.stdout
    login = audit_rows("auth.login")[-1]
    assert login.username == "manager" and login.user_id == ctx.user.id and "命令行登录" in login.after
    # the clerk's own account through the environment: the audit names the clerk, not a manager
    r = run_cli(data_dir, "keys", "out", user="frontdesk", password=TEST_PASSWORD)
    assert r.returncode == 0, r.stderr
    assert audit_rows("auth.login")[-1].username == "frontdesk"


def test_wrong_password_refused_audited_and_slowed_down(ctx, data_dir):
    r = run_cli(data_dir, "users", user="manager", password="guess-1")
    assert r.returncode == 2 and "登录名或密码错误" in r.stderr and r.stdout == ""
    fails = audit_rows("auth.fail")
    assert len(fails) == 1 and fails[0].entity_id == str(ctx.user.id) and "manager" in fails[0].after
    r = run_cli(data_dir, "users", user="manager", password="guess-2")
    assert r.returncode == 2 and "请 2 秒后再试" in r.stderr
    assert User.get_by_id(ctx.user.id).failed_logins == 2 and User.get_by_id(ctx.user.id).locked_until
    # a new process waits out the pause kept in the database before it checks the password (a pause set
    # here on the real clock the subprocess runs on, long enough to outlast a loaded machine's start-up)
    User.update(failed_logins=4, locked_until=dt.datetime.now() + dt.timedelta(seconds=25)).where(
        User.id == ctx.user.id).execute()
    r = run_cli(data_dir, "users", user="manager", password=TEST_PASSWORD)
    assert r.returncode == 0, r.stderr
    assert "最近输错过密码" in r.stderr and "秒后再核对" in r.stderr and r.seconds >= 20, (r.seconds, r.stderr)
    assert User.get_by_id(ctx.user.id).failed_logins == 0
    # a pause longer than a minute (five wrong passwords: locked) is refused at once, with the time
    User.update(failed_logins=5, locked_until=dt.datetime.now() + dt.timedelta(minutes=10)).where(
        User.id == ctx.user.id).execute()
    r = run_cli(data_dir, "users", user="manager", password=TEST_PASSWORD)
    assert r.returncode == 2 and "账号已锁定至" in r.stderr and r.seconds < 30
    # an unknown account is refused alike and audited under the name tried
    r = run_cli(data_dir, "users", user="ghost", password="x")
    assert r.returncode == 2 and "登录名或密码错误" in r.stderr
    assert audit_rows("auth.fail")[-1].entity_id == "ghost"


def test_a_clerk_cannot_take_over(ctx, users, data_dir):
    """The issue's attack from a clerk's shell: export every identity number, reset the manager's
    password, create a manager. Each is refused; the manager's password still works."""
    from tests.helpers.archives import build_small_site
    build_small_site(ctx, users)
    out = data_dir / "all.xlsx"
    as_clerk = {"user": "frontdesk", "password": TEST_PASSWORD}
    r = run_cli(data_dir, "export", "owners", str(out), **as_clerk)
    assert r.returncode == 2 and "权限不足：前台不能导出业主档案" in r.stderr and not out.exists()
    r = run_cli(data_dir, "user-password", "manager", **as_clerk)
    assert r.returncode == 2 and "权限不足：前台不能账号管理" in r.stderr
    r = run_cli(data_dir, "user-add", "evil", "--name", "坏人", "--role", "manager", **as_clerk)
    assert r.returncode == 2 and "权限不足" in r.stderr
    # naming the manager with the clerk's password, or with none, gets nowhere either
    r = run_cli(data_dir, "--user", "manager", "export", "owners", str(out), password=TEST_PASSWORD + "x")
    assert r.returncode == 2 and not out.exists()
    r = run_cli(data_dir, "--user", "manager", "export", "owners", str(out))
    assert r.returncode == 2 and not out.exists()
    assert not User.select().where(User.username == "evil").exists()
    assert accounts.verify_password(User.get_by_id(ctx.user.id).password_hash, TEST_PASSWORD)
    assert {r.username for r in audit_rows("auth.login")} == {"frontdesk"}


def test_first_run_creates_the_manager_and_nothing_else_runs_unsigned(tmp_path):
    site = tmp_path / "site"
    r = run_cli(site, "settings", database=False)                   # reads nothing personal: no sign-in
    assert r.returncode == 0 and "设置文件" in r.stdout
    r = run_cli(site, "check", database=False)
    assert r.returncode == 2 and "还没有账号" in r.stderr and "--role manager" in r.stderr
    r = run_cli(site, "user-add", "li", "--name", "李前台", "--role", "frontdesk", password="li-pass-1",
                database=False)
    assert r.returncode == 2 and "还没有账号" in r.stderr
    r = run_cli(site, "user-add", "boss", "--name", "王经理", "--role", "manager", password="boss-pass-1",
                database=False)
    assert r.returncode == 0 and "首个经理账号 boss" in r.stdout, r.stderr
    r = run_cli(site, "user-add", "boss2", "--name", "又一个", "--role", "manager", password="boss-pass-1",
                database=False)
    assert r.returncode == 2 and "需要登录" in r.stderr                 # the exception is gone now
    r = run_cli(site, "check", user="boss", password="boss-pass-1", database=False)
    assert r.returncode == 0, r.stdout + r.stderr
    # the manager adds a clerk: the new password from PROPERTYDESK_NEW_PASSWORD, never the signer's own
    r = run_cli(site, "user-add", "li", "--name", "李前台", "--role", "frontdesk", user="boss", password="boss-pass-1",
                database=False, PROPERTYDESK_NEW_PASSWORD="li-pass-1")
    assert r.returncode == 0, r.stderr
    r = run_cli(site, "users", user="li", password="li-pass-1", database=False)
    assert r.returncode == 2 and "权限不足：前台不能账号管理" in r.stderr
    r = run_cli(site, "users", user="li", password="boss-pass-1", database=False)
    assert r.returncode == 2 and "登录名或密码错误" in r.stderr


def test_backup_account_only_backs_up(ctx, users, data_dir):
    if not ctx.url.startswith("sqlite"):
        pytest.skip("propertydesk backup copies the SQLite file (PostgreSQL: the server's pg_dump)")
    as_backup = {"user": "backup", "password": TEST_PASSWORD}
    r = run_cli(data_dir, "backup", **as_backup)
    assert r.returncode == 0 and "已备份" in r.stdout, r.stderr
    made = audit_rows("backup.create")[-1]
    assert made.username == "backup"
    r = run_cli(data_dir, "users", **as_backup)
    assert r.returncode == 2 and "权限不足：备份账号不能账号管理" in r.stderr
    r = run_cli(data_dir, "export", "owners", str(data_dir / "x.xlsx"), **as_backup)
    assert r.returncode == 2 and "权限不足" in r.stderr


# -- the rule itself, shared by the window (in-process) ---------------------------------------

def test_pause_grows_and_is_shared_with_the_window(ctx, users):
    assert [accounts.delay_after(n) for n in range(1, 6)] == [0, 2, 4, 8, accounts.LOCK_MINUTES * 60]
    with pytest.raises(PermissionDenied, match="登录名或密码错误$"):
        accounts.authenticate(ctx, "cashier", "wrong")                  # a typo costs nothing
    with pytest.raises(PermissionDenied, match="请 2 秒后再试"):
        accounts.authenticate(ctx, "cashier", "wrong")
    assert accounts.sign_in_wait(ctx, "cashier") == 2
    with pytest.raises(accounts.SignInDelayed, match="已连续输错 2 次，请 2 秒后再试") as e:
        accounts.authenticate(ctx, "cashier", TEST_PASSWORD)            # inside the pause: not even checked
    assert e.value.seconds == 2
    ctx.clock.advance(seconds=2)
    assert accounts.authenticate(ctx, "cashier", TEST_PASSWORD).username == "cashier"
    assert accounts.sign_in_wait(ctx, "cashier") == 0
    # the backup account proves its password on the command line only
    with pytest.raises(PermissionDenied, match="备份账号"):
        accounts.authenticate(ctx, "backup", TEST_PASSWORD)
    assert accounts.authenticate(ctx, "backup", TEST_PASSWORD, desk=False).role == "backup"
    reasons = [r.after for r in audit_rows("auth.fail")]
    assert len(reasons) == 4 and "等待期内" in reasons[2] and "备份账号不能登录窗口" in reasons[3]


@pytest.mark.gui
def test_login_window_tells_the_pause(qtbot, ctx, users):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.system.login import LoginDialog
    dlg = LoginDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dlg.username, "cashier")
    for guess in ("wrong-1", "wrong-2"):
        qtbot.keyClicks(dlg.password, guess)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "请 2 秒后再试" in dlg.message.text() and dlg.user is None
    qtbot.keyClicks(dlg.password, TEST_PASSWORD)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "秒后再试" in dlg.message.text() and dlg.user is None
    ctx.clock.advance(seconds=3)
    qtbot.keyClicks(dlg.password, TEST_PASSWORD)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dlg.user is not None and dlg.user.username == "cashier"
