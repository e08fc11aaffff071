"""A write that waits for another desk's lock waits off the GUI thread and says so: a real second
process holds the write lock (SQLite: an IMMEDIATE transaction; PostgreSQL: the row FOR UPDATE) for
2.5 s while the clerk clicks 停用/启用 in 账号管理. The window keeps running its timers and painting,
the status bar says 另一台电脑正在保存，请稍候… after about 0.5 s, and the write completes once the
other desk is done (the message then goes away)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMainWindow, QPushButton

from models.users import User
from ui.common.runner import BUSY_TEXT

pytestmark = pytest.mark.slow     # a real second process holds the lock for seconds

HOLD_S = 2.5

SQLITE_HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("LOCKED", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
"""

PG_HOLDER = """
import sys, time
import psycopg2
con = psycopg2.connect(sys.argv[1])
cur = con.cursor()
cur.execute('SELECT id FROM "user" WHERE id = %s FOR UPDATE', (int(sys.argv[3]),))
print("LOCKED", flush=True)
time.sleep(float(sys.argv[2]))
con.rollback()
"""


def hold_lock(ctx, user_id: int) -> subprocess.Popen:
    if ctx.url.startswith("sqlite"):
        cmd = [sys.executable, "-c", SQLITE_HOLDER, ctx.db.database, str(HOLD_S)]
    else:
        cmd = [sys.executable, "-c", PG_HOLDER, ctx.url, str(HOLD_S), str(user_id)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "LOCKED"
    return p


def click_row(qtbot, dlg, row: int) -> None:
    rect = dlg.view.visualRect(dlg.model.index(row, 0))
    qtbot.mouseClick(dlg.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.view.selectionModel().selectedRows()[0].row() == row


def test_write_waits_off_the_gui_thread_and_says_another_desk_is_saving(qtbot, ctx, users, answer_boxes):
    from ui.system.users_dialog import UsersDialog
    answer_boxes  # noqa: B018  (the 停用？ question answered Yes)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    dlg = UsersDialog(ctx, window)
    dlg.show()
    row = next(i for i, k in enumerate(dlg.model.keys) if k == users["cashier"].id)
    click_row(qtbot, dlg, row)
    toggle = next(b for b in dlg.findChildren(QPushButton) if b.text() == "停用/启用")

    seen, ticks = [], []
    ticker = QTimer(dlg)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start(100)                                   # runs only while the GUI thread is free
    QTimer.singleShot(1200, lambda: (seen.append(window.statusBar().currentMessage()),
                                     window.grab().save(str(ctx.data_dir.parent / "lock_wait.png"))))
    holder = hold_lock(ctx, users["cashier"].id)
    try:
        t0 = time.monotonic()
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
        took = time.monotonic() - t0
    finally:
        holder.wait(timeout=30)
    ticker.stop()
    assert took >= HOLD_S - 0.5, took                   # it did wait for the other desk …
    assert seen == [BUSY_TEXT]                          # … saying so after about 0.5 s …
    during = [t for t in ticks if t0 < t < t0 + took]
    assert len(during) >= (took - 0.5) / 0.1 * 0.6, (len(during), took)   # … with the GUI thread free
    assert User.get_by_id(users["cashier"].id).active is False             # then the write completed
    assert window.statusBar().currentMessage() == ""
    assert "定时备份" in [dlg.model.index(r, 1).data() for r in range(dlg.model.rowCount())]


def test_a_quick_write_says_nothing(qtbot, ctx, users, answer_boxes):
    from ui.system.users_dialog import UsersDialog
    answer_boxes  # noqa: B018
    window = QMainWindow()
    qtbot.addWidget(window)
    dlg = UsersDialog(ctx, window)
    dlg.show()
    row = next(i for i, k in enumerate(dlg.model.keys) if k == users["frontdesk"].id)
    click_row(qtbot, dlg, row)
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    toggle = next(b for b in dlg.findChildren(QPushButton) if b.text() == "停用/启用")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert User.get_by_id(users["frontdesk"].id).active is False
    assert BUSY_TEXT not in shown
