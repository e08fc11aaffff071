"""安全 › 核对日报链头…: the heads printed on the daily reports, typed in the window, checked against the
audit chain — the GUI's way to the paper checkpoints (on PostgreSQL there are no backup files)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.core import audit
from app.core.audit_chain import current_head
from models.users import AuditLog


def _write_rows(ctx, n):
    for i in range(n):
        with ctx.db.atomic():
            audit.record(ctx, "selftest", "meta", str(i), None, {"n": i})


def _open(qtbot, ctx):
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    if not hasattr(w, "security_menu"):
        from ui.system.security_menu import install_menus
        install_menus(w)
    w.security_actions["核对日报链头…"].trigger()
    qtbot.waitUntil(lambda: getattr(w, "head_check_dialog", None) is not None and w.head_check_dialog.isVisible())
    return w, w.head_check_dialog


def test_the_days_head_typed_in_checks_clean(qtbot, ctx, box_texts):
    _write_rows(ctx, 5)
    head = current_head()
    _w, dlg = _open(qtbot, ctx)
    qtbot.keyClicks(dlg.heads, head)
    qtbot.mouseClick(dlg.check_button, Qt.MouseButton.LeftButton)
    assert "[通过] 审计链头与日报核对（核对 1 个链头）" in box_texts[-1]
    assert box_texts[-1].endswith("全部通过")


def test_the_newest_rows_deleted_after_the_report_are_caught(qtbot, ctx, box_texts):
    _write_rows(ctx, 5)
    head = current_head()                       # printed on the day's report
    seq = int(head.split(":")[0])
    AuditLog.delete().where(AuditLog.seq >= seq - 1).execute()   # the attacker truncates the log
    _w, dlg = _open(qtbot, ctx)
    qtbot.keyClicks(dlg.heads, head)
    qtbot.mouseClick(dlg.check_button, Qt.MouseButton.LeftButton)
    text = box_texts[-1]
    assert "[发现问题] 审计链头与日报核对" in text and f"链头 {head}" in text and "发现问题" in text.splitlines()[-1]


def test_a_mistyped_head_names_its_line_and_keeps_the_dialog(qtbot, ctx, box_texts):
    _write_rows(ctx, 2)
    _w, dlg = _open(qtbot, ctx)
    qtbot.keyClicks(dlg.heads, current_head())
    qtbot.keyClick(dlg.heads, Qt.Key.Key_Return)
    qtbot.keyClicks(dlg.heads, "12-abc")
    qtbot.mouseClick(dlg.check_button, Qt.MouseButton.LeftButton)
    assert box_texts[-1].startswith("审计链头（第 2 行）：应为“序号:校验码”")
    assert dlg.isVisible()
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
