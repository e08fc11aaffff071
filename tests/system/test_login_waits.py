"""Signing in while another desk holds the write lock: a real second process holds it (SQLite: an
IMMEDIATE transaction; PostgreSQL: the account's row FOR UPDATE) when 登录 is clicked. The sign-in
runs off the GUI thread (ui.common.runner.call_waiting): the dialog says 另一台电脑正在保存，请稍候…
and keeps running its timers; once the note is up, a watcher tells the holder to let go, and the
sign-in completes. No sleeps: the holder waits for a line on its stdin."""
from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QProgressDialog

from app.system import accounts
from models.users import AuditLog
from ui.common.runner import BUSY_TEXT

pytestmark = pytest.mark.gui

SQLITE_HOLDER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("LOCKED", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
print("RELEASED", flush=True)
"""

PG_HOLDER = """
import sys
import psycopg2
con = psycopg2.connect(sys.argv[1])
cur = con.cursor()
cur.execute('SELECT id FROM "user" WHERE id = %s FOR UPDATE', (int(sys.argv[2]),))
print("LOCKED", flush=True)
sys.stdin.readline()
con.rollback()
print("RELEASED", flush=True)
"""


def hold_lock(ctx, user_id: int) -> subprocess.Popen:
    if ctx.url.startswith("sqlite"):
        cmd = [sys.executable, "-c", SQLITE_HOLDER, ctx.db.database]
    else:
        cmd = [sys.executable, "-c", PG_HOLDER, ctx.url, str(user_id)]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "LOCKED"
    return p


def busy_note(parent) -> QProgressDialog | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)
                 and w.isVisible() and w.parent() is parent and w.labelText() == BUSY_TEXT), None)


def test_sign_in_waits_for_another_desk_and_says_so(qtbot, ctx):
    from ui.system.login import LoginDialog
    user = accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234")
    dlg = LoginDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.keyClicks(dlg.username, "li")
    qtbot.keyClicks(dlg.password, "pass-1234")
    login = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert login.text() == "登录"

    seen, ticks = [], []
    holder = hold_lock(ctx, user.id)

    def watch():                       # runs on the GUI thread while the sign-in waits
        ticks.append(1)
        note = busy_note(dlg)
        if note is not None and not seen:
            seen.append(note.labelText())
            note.grab().save(str(ctx.data_dir.parent / "login_wait_note.png"))
            holder.stdin.write("go\n")
            holder.stdin.flush()

    watcher = QTimer(dlg)
    watcher.timeout.connect(watch)
    watcher.start(50)
    try:
        qtbot.mouseClick(login, Qt.MouseButton.LeftButton)     # returns once the sign-in is done
    finally:
        watcher.stop()
        if not seen:                   # never let the holder hang the run
            holder.stdin.write("go\n")
            holder.stdin.flush()
        assert holder.stdout.readline().strip() == "RELEASED"
        holder.stdin.close()
        holder.stdout.close()
        holder.wait(timeout=30)
    assert seen == [BUSY_TEXT]                              # it said another desk was saving …
    assert len(ticks) > len(seen)                           # … and kept running its timers meanwhile
    qtbot.waitUntil(lambda: dlg.result() == QDialog.DialogCode.Accepted)
    assert dlg.user.username == "li" and dlg.message.text() == ""
    assert busy_note(dlg) is None                           # the note went away
    assert AuditLog.select().where(AuditLog.action == "auth.fail").count() == 0


def test_unlocking_waits_for_another_desk_too(qtbot, ctx):
    from PySide6.QtWidgets import QPushButton

    from ui.system.lock_dialog import LockDialog
    user = accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234")
    dlg = LockDialog(ctx.with_user(user), 5)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.keyClicks(dlg.password, "pass-1234")
    unlock = next(b for b in dlg.findChildren(QPushButton) if b.text() == "解锁")
    seen = []
    holder = hold_lock(ctx, user.id)

    def watch():
        note = busy_note(dlg)
        if note is not None and not seen:
            seen.append(note.labelText())
            holder.stdin.write("go\n")
            holder.stdin.flush()

    watcher = QTimer(dlg)
    watcher.timeout.connect(watch)
    watcher.start(50)
    try:
        qtbot.mouseClick(unlock, Qt.MouseButton.LeftButton)
    finally:
        watcher.stop()
        if not seen:
            holder.stdin.write("go\n")
            holder.stdin.flush()
        assert holder.stdout.readline().strip() == "RELEASED"
        holder.stdin.close()
        holder.stdout.close()
        holder.wait(timeout=30)
    assert seen == [BUSY_TEXT]
    qtbot.waitUntil(lambda: dlg.result() == QDialog.DialogCode.Accepted)
    assert dlg.message.text() == "" and busy_note(dlg) is None


def test_a_wrong_password_is_told_in_the_dialog(qtbot, ctx):
    from ui.system.login import LoginDialog
    accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234")
    dlg = LoginDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.username, "li")
    qtbot.keyClicks(dlg.password, "wrong")
    qtbot.mouseClick(dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert "密码错误" in dlg.message.text() and dlg.user is None and dlg.password.text() == ""
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert AuditLog.select().where(AuditLog.action == "auth.fail").count() == 1
