"""The exit backup runs on the background runner (issue 20): while the worker copies and checks the
file, a small window says 正在备份… and the GUI thread keeps handling events; the program goes on
(to its exit) once the copy is done, and a failed copy is told in Chinese. The 30-minute timer's
backup is tested in tests/system/test_security_gui.py (test_timed_backup_runs_on_a_worker…)."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from models.users import User


def _notes():
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.objectName() == "exit_backup_note" and w.isVisible()]


@pytest.fixture
def site(tmp_path):
    from models.db import close_database
    from ui.app import _open
    ctx, lock = _open(SimpleNamespace(data_dir=str(tmp_path / "site"), database=None), QMessageBox, "物业前台")
    assert ctx is not None
    ctx.user = User.create(username="boss", display_name="王经理", role="manager")
    try:
        yield ctx
    finally:
        close_database()
        lock.release()


@pytest.fixture
def held_backup(monkeypatch):
    """auto_backup held on its worker until the test's watcher has seen the window; records the threads."""
    from app.system import backup
    state = SimpleNamespace(release=threading.Event(), threads=[], real=backup.auto_backup, fail=None)

    def held(ctx, reason):
        state.threads.append((threading.current_thread(), reason))
        state.release.wait(20)
        if state.fail is not None:
            raise state.fail
        return state.real(ctx, reason)

    monkeypatch.setattr(backup, "auto_backup", held)
    yield state
    state.release.set()


def watch_notes(seen, release):
    """A GUI-thread timer: each tick records the exit-backup windows on screen (it ticking while one
    is up proves the GUI thread is free while the copy runs); after three such ticks the copy goes on."""
    timer = QTimer()
    timer.setInterval(10)

    def tick():
        notes = [(n.labelText(), n.windowTitle(), QApplication.overrideCursor() is not None) for n in _notes()]
        if notes:               # a tick before the window is up (the exit first delivers finished work) is not counted
            seen.append(notes)
        if len(seen) >= 3:
            release.set()
    timer.timeout.connect(tick)
    timer.start()
    return timer


def test_exit_backup_runs_on_a_worker_behind_a_small_window(qtbot, site, held_backup, box_texts):
    from app.system import backup
    from ui.app import EXIT_BACKUP_TEXT, backup_at_exit
    seen = []
    timer = watch_notes(seen, held_backup.release)
    try:
        ok = backup_at_exit(site, QMessageBox, "物业前台")
    finally:
        timer.stop()
        timer.deleteLater()
    assert ok is True
    assert len(held_backup.threads) == 1
    thread, reason = held_backup.threads[0]
    assert thread is not threading.main_thread() and reason == "exit"
    assert len(seen) >= 3                                 # the GUI thread ticked while the copy waited
    assert all(s == [(EXIT_BACKUP_TEXT, "物业前台", True)] for s in seen)
    assert _notes() == [] and QApplication.overrideCursor() is None    # gone once the copy is done
    kept = backup.list_backups(site.backup_dir)
    assert [r for _t, r, _p in kept] == ["exit"]
    assert backup.integrity_of(kept[0][2]) == "ok"
    assert not box_texts


def test_a_failed_exit_backup_is_told_and_the_exit_goes_on(qtbot, site, held_backup, box_texts):
    from app.system import backup
    from ui.app import backup_at_exit
    held_backup.fail = OSError("磁盘已满")
    seen = []
    timer = watch_notes(seen, held_backup.release)
    try:
        ok = backup_at_exit(site, QMessageBox, "物业前台")
    finally:
        timer.stop()
        timer.deleteLater()
    assert ok is False
    assert len(seen) >= 3 and _notes() == []
    assert len(box_texts) == 1 and "退出时自动备份失败" in box_texts[0] and "磁盘已满" in box_texts[0]
    assert backup.list_backups(site.backup_dir) == []


EXIT_SCRIPT = r"""
import sys
from types import SimpleNamespace
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
from models.users import User
from ui.app import _open, backup_at_exit, close_cleanly
ctx, lock = _open(SimpleNamespace(data_dir=sys.argv[1], database=None), QMessageBox, "物业前台")
ctx.user = User.create(username="boss", display_name="王经理", role="manager")
QTimer.singleShot(0, app.quit)
code = app.exec()                      # the main window's loop has ended, as when the user closes it
ok = backup_at_exit(ctx, QMessageBox, "物业前台")
close_cleanly(ctx, ok)
lock.release()
print("backup ok" if ok else "backup failed")
sys.exit(code)
"""


def test_a_real_program_backs_up_after_its_window_loop_and_exits(tmp_path):
    """As run_gui does it: app.exec() has returned, the exit backup runs on the worker behind its
    window, then the process ends by itself with the window loop's code."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from app.system.backup_store import list_backups
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PROPERTYDESK_DATABASE", None)
    site_dir = tmp_path / "site"
    r = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, str(site_dir)], cwd=root, env=env, capture_output=True,
                       text=True, encoding="utf-8", timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert "backup ok" in r.stdout
    assert [reason for _t, reason, _p in list_backups(site_dir / "backups")] == ["exit"]


def test_the_window_takes_typing_while_the_timed_backup_runs(qtbot, site, held_backup, box_texts):
    """The 30-minute backup held on its worker: the user types into the open tab's search box and the
    text is there before the copy goes on; then the status bar tells the backup's file."""
    from ui.app import start_auto_backup
    from ui.common.runner import wait_all
    from ui.main_window import MainWindow, search_field
    w = MainWindow(site)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: search_field(w.tabs.currentWidget()) is not None, timeout=10000)   # the tab is up
    field = search_field(w.tabs.currentWidget())
    timer = start_auto_backup(w, site)
    timer.stop()                                   # the test ticks it instead of waiting 30 minutes
    timer.timeout.emit()
    op = w.backup_op
    qtbot.waitUntil(lambda: len(held_backup.threads) == 1, timeout=10000)   # the copy has begun, held
    qtbot.keyClicks(field, "3-1-101")
    assert field.text() == "3-1-101" and not op.done()
    held_backup.release.set()
    qtbot.waitUntil(op.done, timeout=20000)
    assert held_backup.threads[0][1] == "interval" and op.error is None
    assert op.result.path.name in w.statusBar().currentMessage() and not box_texts
    assert wait_all()                              # the search the typing started has ended too
