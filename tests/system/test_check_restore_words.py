"""Words, not codes: 检查数据库 (the 安全 menu's action) names its checks 数据库完整性检查 and
外键一致性检查, not SQLite's pragma names; the restore dialog speaks of the database's 日志文件 and
the 已替换文件夹 (shown with its full path), not of -wal/-shm and "replaced". What is checked and
where the old files go are unchanged."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMainWindow, QMessageBox

from app.system import backup
from app.system.checks import FOREIGN_KEYS, INTEGRITY, database_checks

pytestmark = pytest.mark.gui
CODES = re.compile(r"integrity_check|foreign_key_check|-wal|-shm")


def test_check_database_action_names_checks_in_chinese(qtbot, ctx, boxes):
    from ui.system.security_menu import install_menus
    window = QMainWindow()
    window.ctx = ctx
    qtbot.addWidget(window)
    install_menus(window)
    window.security_actions["检查数据库"].trigger()
    qtbot.waitUntil(window.check_run.done)                 # checked in the background
    box = boxes.last
    assert box.title == "数据库检查"
    assert f"[通过] {INTEGRITY}" in box.text and f"[通过] {FOREIGN_KEYS}" in box.text, box.text
    assert "数据库完整性检查" in box.text and "外键一致性检查" in box.text
    assert not CODES.search(box.text), box.text
    assert not re.search(r"[A-Za-z]{3,}", box.text.replace("PostgreSQL", "")), box.text


def test_foreign_key_check_still_finds_a_broken_reference(ctx):
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        pytest.skip("SQLite's own checks")
    ctx.db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        ctx.db.execute_sql("CREATE TABLE t_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES t_parent(id))")
        ctx.db.execute_sql("CREATE TABLE t_parent (id INTEGER PRIMARY KEY)")
        ctx.db.execute_sql("INSERT INTO t_child (parent_id) VALUES (42)")
        checks = {c.name: c for c in database_checks(ctx)}
    finally:
        ctx.db.execute_sql("DROP TABLE IF EXISTS t_child")
        ctx.db.execute_sql("DROP TABLE IF EXISTS t_parent")
        ctx.db.execute_sql("PRAGMA foreign_keys = ON")
    assert checks[INTEGRITY].ok
    fk = checks[FOREIGN_KEYS]
    assert not fk.ok and fk.problems == ["表 t_child 第 1 行引用的 t_parent 记录不存在"]
    assert fk.lines()[0] == "[发现问题] 外键一致性检查"


def test_restore_dialog_says_log_files_and_replaced_folder(qtbot, ctx, boxes):
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        pytest.skip("SQLite files")
    from ui.system.restore_dialog import RestoreDialog
    backup.backup_now(ctx)
    dlg = RestoreDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    folder = Path(ctx.db.database).parent / "replaced"
    note = next(lb.text() for lb in dlg.findChildren(QLabel) if "当前数据库" in lb.text())
    assert "日志文件" in note and f"已替换文件夹 {folder}" in note, note
    assert not CODES.search(note) and "replaced 目录" not in note
    boxes.answer = QMessageBox.StandardButton.No  # the confirmation is declined: nothing moves
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    question = boxes.last
    assert question.kind == "question"
    assert "日志文件" in question.text and f"已替换文件夹 {folder} 保存" in question.text, question.text
    assert not CODES.search(question.text) and "replaced 目录" not in question.text
    assert not dlg.restored and not folder.exists()
