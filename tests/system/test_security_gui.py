"""Dialogs of the security area, offscreen (issue 8)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.system import accounts
from models.users import AuditLog, User

SHOTS = os.environ.get("PROPERTYDESK_SHOTS")


def _shot(widget, name):
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def fresh_site(ctx):
    """No account with a password yet (the fixture's manager signs in the command-line tests)."""
    User.update(password_hash="").where(User.id == ctx.user.id).execute()


def test_first_run_dialog_creates_manager(qtbot, ctx, boxes):
    from ui.system.login import FirstRunDialog
    fresh_site(ctx)
    dlg = FirstRunDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.display.setText("王经理")
    dlg.password.setText("abcdef")
    dlg.password2.setText("abcxyz")
    dlg.show()
    _shot(dlg, "first_run")
    dlg.save()
    assert dlg.result() != QDialog.DialogCode.Accepted and "确认密码" in boxes.last.text
    assert dlg.display.text() == "王经理"                         # input kept
    dlg.password2.setText("abcdef")
    dlg.save()
    assert dlg.user is not None and dlg.user.role == "manager"
    assert not accounts.needs_first_run()


def test_login_dialog(qtbot, ctx, boxes):
    from ui.system.login import LoginDialog
    accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234")
    dlg = LoginDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.username.setText("li")
    dlg.password.setText("wrong")
    dlg.try_login()
    assert "密码错误" in dlg.message.text() and dlg.user is None and dlg.password.text() == ""
    dlg.show()
    _shot(dlg, "login")
    dlg.password.setText("pass-1234")
    dlg.try_login()
    assert dlg.user.username == "li" and dlg.result() == QDialog.DialogCode.Accepted


def test_users_dialog_and_full_disk_keeps_input(qtbot, ctx, box_texts):
    from models.db import is_sqlite
    from ui.system.users_dialog import UserEditDialog, UsersDialog
    accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234", phone="13812345678")
    dlg = UsersDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.model.rowCount() == 2
    _shot(dlg, "users")
    edit = UserEditDialog(ctx, None, dlg)
    qtbot.addWidget(edit)
    edit.username.setText("zhao")
    edit.display.setText("赵出纳")
    edit.role.setCurrentIndex(2)
    edit.password.setText("pass-5678")
    edit.show()
    _shot(edit, "user_edit")
    if not is_sqlite():
        pytest.skip("max_page_count: SQLite")
    # a full disk: the database may not grow by one more page, and the last pages are filled
    pages = ctx.db.execute_sql("PRAGMA page_count").fetchone()[0]
    ctx.db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    seq = 100_000
    try:
        for size in (3000, 300, 30, 3):
            for _ in range(5000):
                seq += 1
                try:
                    with ctx.db.atomic():
                        AuditLog.insert(action="filler", after="x" * size, seq=seq).execute()
                except Exception as exc:
                    from app.system.dbguard import _kind
                    assert _kind(exc) == "full", exc
                    break
        audit_before = AuditLog.select().count()
        qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    finally:
        ctx.db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert edit.result() != QDialog.DialogCode.Accepted
    assert edit.username.text() == "zhao" and edit.display.text() == "赵出纳" and edit.password.text() == "pass-5678"
    assert any("磁盘空间不足" in t for t in box_texts), box_texts
    assert User.get_or_none(User.username == "zhao") is None and AuditLog.select().count() == audit_before
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)      # space again: the same input saves
    assert edit.result() == QDialog.DialogCode.Accepted and User.get(User.username == "zhao").role == "cashier"


def test_user_edit_and_password_reset_dialogs(qtbot, ctx, boxes):
    from ui.system.users_dialog import ResetPasswordDialog, UserEditDialog
    li = accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234", phone="13812345678")
    edit = UserEditDialog(ctx, li)
    qtbot.addWidget(edit)
    assert edit.username.isReadOnly() and edit.password is None and edit.ok_button.text() == "保存"
    assert edit.role.currentText() == "前台"
    edit.display.clear()
    qtbot.keyClicks(edit.display, "Li")
    edit.role.setCurrentIndex(2)
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    assert edit.result() == QDialog.DialogCode.Accepted
    li = User.get_by_id(li.id)
    assert li.display_name == "Li" and li.role == "cashier" and li.phone == "13812345678"
    reset = ResetPasswordDialog(ctx, li)
    qtbot.addWidget(reset)
    assert reset.password.echoMode() == reset.password.EchoMode.Password
    qtbot.keyClicks(reset.password, "123")
    qtbot.mouseClick(reset.ok_button, Qt.MouseButton.LeftButton)
    assert reset.result() != QDialog.DialogCode.Accepted and "新密码" in boxes.last.text
    assert reset.password.text() == "123"                            # input kept
    qtbot.keyClicks(reset.password, "456 ")                          # read as typed: not trimmed quietly
    qtbot.mouseClick(reset.ok_button, Qt.MouseButton.LeftButton)
    assert reset.result() != QDialog.DialogCode.Accepted and "首尾不能有空格" in boxes.last.text
    qtbot.keyClick(reset.password, Qt.Key.Key_Backspace)
    qtbot.mouseClick(reset.ok_button, Qt.MouseButton.LeftButton)
    assert reset.result() == QDialog.DialogCode.Accepted
    assert accounts.authenticate(ctx, "li", "123456").id == li.id


def test_menu_entries_follow_role(qtbot, ctx, users):
    from ui.main_window import MainWindow
    from ui.system.security_menu import install_menus
    w = MainWindow(ctx.with_user(users["frontdesk"]))
    qtbot.addWidget(w)
    if not hasattr(w, "security_menu"):
        install_menus(w)
    acts = w.security_actions
    assert acts["立即备份"].isEnabled() and not acts["账号管理…"].isEnabled() and not acts["从备份恢复…"].isEnabled()
    m = MainWindow(ctx)
    qtbot.addWidget(m)
    if not hasattr(m, "security_menu"):
        install_menus(m)
    assert all(a.isEnabled() for a in m.security_actions.values())


def test_audit_dialog(qtbot, ctx, boxes):
    from app.core.audit import record
    from ui.system.audit_dialog import AuditDialog
    with ctx.db.atomic():
        record(ctx, "owner.update", "owner", 7, {"name": "甲"}, {"name": "乙"})
    dlg = AuditDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.model.rowCount() >= 1 and dlg.model.rows[0][3] == "修改业主资料"
    dlg.check_chain()
    assert "完整" in dlg.chain.text()
    dlg.show()
    _shot(dlg, "audit")


def test_restore_dialog_for_damaged_database(qtbot, ctx, boxes, tmp_path):
    from models.db import is_sqlite
    if not is_sqlite():
        pytest.skip("SQLite files")
    from app.system import backup
    from models.db import close_database
    from ui.system.restore_dialog import RestoreDialog
    fresh_site(ctx)
    boss = accounts.create_first_manager(ctx.with_user(None), "boss", "王经理", "abcdef")
    r = backup.backup_now(ctx.with_user(boss))
    db_path = Path(ctx.db.database)
    data_dir = ctx.data_dir
    close_database()
    for s in ("-wal", "-shm"):
        Path(str(db_path) + s).unlink(missing_ok=True)
    db_path.write_bytes(b"garbage" * 1000)
    dlg = RestoreDialog(None, data_dir=data_dir, db_path=db_path, problem="数据库文件未通过完整性检查",
                        settings=ctx.settings)
    qtbot.addWidget(dlg)
    assert dlg.model.rowCount() == 1 and dlg.model.keys[0] == r.path
    dlg.show()
    _shot(dlg, "restore_damaged")
    dlg.username.setText("boss")
    dlg.password.setText("wrong-pw")
    dlg.do_restore(ask=False)
    assert not dlg.restored and "不正确" in boxes.last.text
    assert db_path.read_bytes() == b"garbage" * 1000
    dlg.password.setText("abcdef")
    dlg.do_restore(ask=False)
    assert dlg.restored and backup.integrity_of(db_path) == "ok"
    assert (data_dir / "replaced").is_dir()
    assert any(p.read_bytes() == b"garbage" * 1000 for p in (data_dir / "replaced").iterdir())


# -- start-up ------------------------------------------------------------------------

def _args(data_dir, database=None):
    from types import SimpleNamespace
    return SimpleNamespace(data_dir=str(data_dir), database=database)


def test_startup_refuses_sync_folder(qtbot, tmp_path, boxes):
    from ui.app import _open
    d = tmp_path / "OneDrive - 天伦物业" / "物业前台"
    ctx, lock = _open(_args(d), QMessageBox, "物业前台")
    assert ctx is None and lock is None
    assert "同步网盘" in boxes.last.text and "PostgreSQL" in boxes.last.text
    assert not (d / "propertydesk.db").exists()


def test_startup_damaged_database_offers_restore_and_is_untouched(qtbot, tmp_path, boxes, monkeypatch):
    from ui.app import _open
    from ui.system.restore_dialog import RestoreDialog
    d = tmp_path / "site"
    d.mkdir()
    db = d / "propertydesk.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\x01" * 8000)
    offered = []
    monkeypatch.setattr(RestoreDialog, "exec", lambda self: offered.append(self.db_path) or 0)
    ctx, lock = _open(_args(d), QMessageBox, "物业前台")
    assert ctx is None and offered == [db]
    assert "未通过完整性检查" in boxes.last.text and "不会修改或删除" in boxes.last.text
    assert db.read_bytes() == b"SQLite format 3\x00" + b"\x01" * 8000
    assert not (d / "propertydesk.db-wal").exists()
    lock.release()


def test_startup_second_instance_refused(qtbot, tmp_path, boxes):
    from app.system.instance import InstanceLock
    from ui.app import _open
    d = tmp_path / "site"
    first = InstanceLock(d / "propertydesk.db").acquire()
    try:
        ctx, lock = _open(_args(d), QMessageBox, "物业前台")
        assert ctx is None and lock is None
        assert "已被" in boxes.last.text and "只能由一个程序使用" in boxes.last.text
    finally:
        first.release()


def test_startup_opens_and_auto_backup_timer(qtbot, tmp_path, box_texts):
    from models.db import close_database
    from ui.app import _open, start_auto_backup
    from ui.main_window import MainWindow
    d = tmp_path / "site"
    ctx, lock = _open(_args(d), QMessageBox, "物业前台")
    try:
        assert ctx is not None and not box_texts
        ctx.user = User.create(username="boss", display_name="王经理", role="manager")
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        timer = start_auto_backup(w, ctx)
        assert timer.isActive() and timer.interval() == 30 * 60 * 1000
        timer.timeout.emit()
        qtbot.waitUntil(lambda: "已自动备份" in w.statusBar().currentMessage(), timeout=10000)
        timer.stop()
    finally:
        close_database()
        lock.release()


def test_timed_backup_runs_on_a_worker_and_leaves_a_file(qtbot, tmp_path, box_texts, monkeypatch):
    """The 30-minute timer's backup goes through ui.common.runner.Op: the copy is made off the GUI
    thread, the window stays live, the status bar tells, and a second tick while it runs is skipped."""
    import threading

    from app.system import backup
    from models.db import close_database
    from ui.app import _open, start_auto_backup
    from ui.common.runner import Op
    from ui.main_window import MainWindow
    threads, release = [], threading.Event()
    real = backup.auto_backup

    def recorded(ctx, reason):
        threads.append((threading.current_thread(), reason))
        release.wait(10)
        return real(ctx, reason)

    monkeypatch.setattr(backup, "auto_backup", recorded)
    ctx, lock = _open(_args(tmp_path / "site"), QMessageBox, "物业前台")
    try:
        ctx.user = User.create(username="boss", display_name="王经理", role="manager")
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        timer = start_auto_backup(w, ctx)
        timer.stop()                                     # the test ticks it by hand
        timer.timeout.emit()
        op = w.backup_op
        assert isinstance(op, Op) and not op.done()      # the GUI thread is free while the copy runs
        timer.timeout.emit()                             # a tick while one runs starts no second one
        assert w.backup_op is op
        release.set()
        qtbot.waitUntil(op.done, timeout=10000)
        assert len(threads) == 1 and threads[0][0] is not threading.main_thread()
        assert threads[0][1] == "interval" and op.error is None
        assert op.result.path.is_file() and backup.integrity_of(op.result.path) == "ok"
        assert op.result.path.name in w.statusBar().currentMessage() and not box_texts
    finally:
        release.set()
        close_database()
        lock.release()


def test_exit_backup_under_a_wait_cursor(qtbot, tmp_path, box_texts, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.system import backup
    from models.db import close_database
    from ui.app import _open, backup_at_exit
    cursors = []
    real = backup.auto_backup

    def recorded(ctx, reason):
        cursor = QApplication.overrideCursor()
        cursors.append(cursor.shape() if cursor is not None else None)
        return real(ctx, reason)

    monkeypatch.setattr(backup, "auto_backup", recorded)
    ctx, lock = _open(_args(tmp_path / "site"), QMessageBox, "物业前台")
    try:
        ctx.user = User.create(username="boss", display_name="王经理", role="manager")
        assert backup_at_exit(ctx, QMessageBox, "物业前台")
        assert cursors == [Qt.CursorShape.WaitCursor] and QApplication.overrideCursor() is None
        assert [r for _t, r, _p in backup.list_backups(ctx.backup_dir)] == ["exit"] and not box_texts
    finally:
        close_database()
        lock.release()
