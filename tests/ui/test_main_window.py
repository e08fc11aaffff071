"""The main window: tabs created on first view, start-up reminders from every area."""
import datetime as dt

from app.office.reminders import startup_reminders


def test_reminders_list_overdue_key(ctx):
    from app.desk.keys import create_key, sign_out
    key = create_key(ctx, {"area": "水泵房", "kind": "公共钥匙", "copies": 1, "keeper_place": "维修办公室"})
    sign_out(ctx, key.id, {"borrower_name": "刘师傅", "borrower_kind": "员工", "purpose": "检修水泵",
                           "due_at": ctx.clock.now() + dt.timedelta(hours=2)})
    assert not any("水泵房" in line for line in startup_reminders(ctx))
    ctx.clock.advance(hours=5)
    assert any("水泵房" in line and "刘师傅" in line for line in startup_reminders(ctx))


def test_main_window_shows_reminders_and_creates_tabs_lazily(qtbot, ctx):
    from app.desk.keys import create_key, sign_out
    from ui.main_window import MainWindow, available_tabs
    key = create_key(ctx, {"area": "电梯", "kind": "公共钥匙", "copies": 1, "keeper_place": "经理办公室"})
    sign_out(ctx, key.id, {"borrower_name": "电梯维保", "borrower_kind": "员工", "purpose": "年检",
                           "due_at": ctx.clock.now() + dt.timedelta(hours=1)})
    ctx.clock.advance(hours=3)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.reminder_dialog is not None)
    assert "今日提醒" in w.reminder_dialog.windowTitle()
    assert len(w._created) == 1  # only the visible tab is built at start
    for name, _title, _icon in available_tabs():
        w.show_tab(name)
    assert len(w._created) == len(available_tabs())


def test_run_action_translates_database_faults(qtbot, ctx, monkeypatch):
    from peewee import OperationalError
    from PySide6.QtWidgets import QMessageBox, QWidget

    from ui.common.ops import run_action
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    w = QWidget()
    qtbot.addWidget(w)

    def full(ctx):
        raise OperationalError("database or disk is full")
    assert run_action(w, full, ctx) is None
    assert shown and "磁盘" in shown[-1]
    calls = []

    def locked_once(ctx):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return "ok"
    monkeypatch.setattr("app.system.dbguard.time.sleep", lambda s: None)
    assert run_action(w, locked_once, ctx) == "ok" and len(calls) == 2


def test_idle_lock_hides_data_until_the_password(qtbot, ctx, monkeypatch):
    import time

    from app.system.accounts import hash_password
    from ui.main_window import MainWindow
    ctx.user.password_hash = hash_password("secret99")
    ctx.user.save()
    ctx.settings.set("security.idle_lock_minutes", 15)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    assert not w.check_idle(time.monotonic() + 14 * 60)
    assert w.check_idle(time.monotonic() + 16 * 60)
    assert w.locked and not w.centralWidget().isVisible()
    dlg = w.lock_dialog
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a, **k: None)
    dlg.password.setText("wrong")
    dlg.unlock()
    assert w.locked and "错误" in dlg.message.text()
    dlg.password.setText("secret99")
    dlg.unlock()
    assert not w.locked and w.centralWidget().isVisible()
    ctx.settings.set("security.idle_lock_minutes", 0)
    assert not w.check_idle(time.monotonic() + 10_000)


def test_icons_are_png_files_drawn_by_qtawesome(qtbot):
    from PySide6.QtCore import QSize

    from ui.common.icons import NAMES, SIZES, icon, icon_file
    missing = [str(icon_file(p, s)) for p in NAMES for s in SIZES if not icon_file(p, s).exists()]
    assert not missing, "run .venv/bin/python -m ui.common.icons"
    img = icon("archives").pixmap(QSize(24, 24)).toImage()
    assert img.width() == 24
    assert any(img.pixelColor(x, y).alpha() > 0 for x in range(24) for y in range(24))  # a glyph, not blank


def test_idle_input_watch_starts_after_first_paint(qtbot, ctx):
    import time

    from PySide6.QtCore import Qt

    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.input_watch is None           # nothing application-wide before the window is painted
    w.show()
    qtbot.waitUntil(lambda: w.input_watch is not None)
    assert "archives" in w._created        # the first tab is built right after the first paint
    w._last_input = time.monotonic() - 3600
    qtbot.keyClick(w.tabs, Qt.Key.Key_Right)
    assert time.monotonic() - w._last_input < 60


def test_widgets_use_icon_purposes_not_qtawesome_names():
    """A qtawesome name in a widget would import qtawesome (0.4 s) when that widget is built."""
    import re
    from pathlib import Path

    from ui.common.icons import NAMES
    root = Path(__file__).resolve().parents[2] / "ui"
    used = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bicon\("([^"]+)"\)', text))
        if path.name != "icons.py":
            assert not re.search(r'"fa[0-9a-z]*\.', text), f"{path}: use a purpose of ui.common.icons.NAMES"
    assert used and used <= set(NAMES), sorted(used - set(NAMES))


def test_service_escalation_runs_without_the_service_tab(qtbot, ctx):
    """Requests climb the escalation ladder while the window is open, even if nobody opens 报事投诉."""
    from models.service import ServiceRequest
    from tests.helpers.service import make_homes, new_request
    from ui.main_window import MainWindow
    r = new_request(ctx, make_homes(1)[0])
    ctx.clock.advance(hours=15)                                  # past the same-day deadline
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.escalation_timer is not None and w.escalation_timer.isActive()
    assert "service" not in w._created
    assert w.escalate_in_background()
    assert not w.escalate_in_background()                       # one run at a time
    qtbot.waitUntil(w.escalation_op.done, timeout=10000)
    assert w.escalation_op.error is None and len(w.escalation_op.result) == 1
    assert ServiceRequest.get_by_id(r.id).escalation_level == 1
    qtbot.waitUntil(lambda: "自动升级" in w.statusBar().currentMessage(), timeout=5000)
    w.tab("service")                                             # from now on the tab's own timer runs it
    assert not w.escalate_in_background()
