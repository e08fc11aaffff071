"""The main window: one tab per area, created when first opened (fast start-up)."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMainWindow, QTabWidget, QWidget

from app import APP_TITLE
from ui.common.icons import icon
from ui.common.runner import Op
from ui.common.widgets import fit_to_screen

# (name, tab title, icon purpose). ``TAB_LOADERS[name]()`` returns the module that defines
# ``Tab(ctx, parent)``; it is imported when the tab is first shown (start-up budget).
TABS = [
    ("archives", "业主档案", "archives"),
    ("movein", "入住办理", "movein"),
    ("renovation", "装修管理", "renovation"),
    ("keys", "钥匙登记", "keys"),
    ("loans", "借用登记", "loans"),
    ("frontdesk", "前台登记", "frontdesk"),
    ("ledger", "收费台账", "ledger"),
    ("dunning", "催缴与报表", "warning"),
    ("service", "报事投诉", "service"),
    ("notices", "公告栏", "notices"),
]


def _archives_tab():
    from ui.archives import tab
    return tab


def _movein_tab():
    from ui.movein import tab
    return tab


def _renovation_tab():
    from ui.renovation import tab
    return tab


def _keys_tab():
    from ui.desk import keys_tab
    return keys_tab


def _loans_tab():
    from ui.desk import loans_tab
    return loans_tab


def _frontdesk_tab():
    from ui.frontdesk import tab
    return tab


def _ledger_tab():
    from ui.ledger import tab
    return tab


def _dunning_tab():
    from ui.ledger import dunning_tab
    return dunning_tab


def _service_tab():
    from ui.service import tab
    return tab


def _notices_tab():
    from ui.notices import tab
    return tab


TAB_LOADERS = {
    "archives": _archives_tab,
    "movein": _movein_tab,
    "renovation": _renovation_tab,
    "keys": _keys_tab,
    "loans": _loans_tab,
    "frontdesk": _frontdesk_tab,
    "ledger": _ledger_tab,
    "dunning": _dunning_tab,
    "service": _service_tab,
    "notices": _notices_tab,
}

DEFAULT_SIZE = (1280, 680)   # fits 1366×768 with its taskbar; smaller screens: fit_to_screen
MIN_PAGE = (640, 360)
REMINDER_DELAY_MS = 800
ESCALATION_FIRST_MS = 3000   # the first service escalation run after start (then every N minutes)
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


class _InputWatch(QObject):
    """Application-wide: the time of the last key press, click or wheel turn (for the idle lock)."""

    def __init__(self, window):
        super().__init__(window)
        self._window = window

    def eventFilter(self, obj, event):
        if event.type() in _INPUT_EVENTS:
            self._window.note_input()
        return False


def available_tabs():
    return TABS


def database_words(url: str) -> str:
    """The status bar's words for the database: 本机数据库 (SQLite) or 共享数据库（server）."""
    if not url or url.startswith("sqlite"):
        return "本机数据库"
    from urllib.parse import urlsplit
    host = urlsplit(url).hostname or "本机"
    return f"共享数据库（{host}）"


SHORTCUTS = [
    ("F5", "刷新当前页面"),
    ("Ctrl+F", "转到当前页面的搜索框"),
    ("Enter（搜索框中）", "立即查找；只有一个结果时直接打开"),
    ("完整房号（如 1-1-302）", "在业主档案搜索框中输入后直接打开该户"),
    ("Esc", "关闭对话框（不保存）"),
    ("Tab / Shift+Tab", "在表单中按顺序移到下一项 / 上一项"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "切换到下一个 / 上一个页面"),
    ("单击表头", "按该列排序；再次单击反向排序，第三次恢复原顺序"),
    ("Alt+F / Alt+H", "打开“文件” / “帮助”菜单"),
]


def search_field(tab: QWidget) -> QLineEdit | None:
    """The search box of a tab: its ``search`` (or ``filter_edit``), else its first visible line edit
    whose name or hint says search (搜索/查找)."""
    for name in ("search", "filter_edit"):
        w = getattr(tab, name, None)
        if isinstance(w, QLineEdit) and w.isVisible():
            return w
    for w in tab.findChildren(QLineEdit):
        hint = w.objectName() + w.placeholderText()
        if w.isVisible() and ("search" in hint or "搜索" in hint or "查找" in hint or "房号" in hint):
            return w
    return None


class MainWindow(QMainWindow):
    # Data of these kinds changed ({"ledger", "archives", …}); the second argument is the widget that
    # wrote (ui.common.runner.notify_changed). Every tab with on_data_changed(kinds, source) listens.
    changed = Signal(object, object)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{APP_TITLE} — {ctx.settings.get('site.name')}")
        self.resize(*DEFAULT_SIZE)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        # the pages' own minimum sizes must not make the window larger than a 1366×768 screen at
        # 150 % scaling (910×512): a page squeezed below its minimum scrolls or clips, the window fits
        self.tabs.setMinimumSize(*MIN_PAGE)
        self.setCentralWidget(self.tabs)
        self._specs = available_tabs()
        self._created: dict[str, QWidget] = {}
        for name, title, ic in self._specs:
            placeholder = QLabel("正在打开…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setObjectName(f"placeholder_{name}")
            self.tabs.addTab(placeholder, icon(ic), title)
        self.tabs.currentChanged.connect(self._ensure_tab)
        self._build_menus()
        user = getattr(ctx.user, "display_name", "") or getattr(ctx.user, "username", "")
        self.statusBar().addPermanentWidget(QLabel(f"用户：{user}"))
        self.statusBar().addPermanentWidget(QLabel(f"站点：{ctx.settings.get('site.name')}"))
        self.database_label = QLabel(database_words(getattr(ctx, "url", "")))
        self.statusBar().addPermanentWidget(self.database_label)
        self._restore_state()
        fit_to_screen(self)
        # The first tab and the idle lock's application-wide input watch start right after the
        # window's first paint: the window appears at once, the tab fills in a moment later
        # (start-up budget 0.6 s to a painted window). An application-wide Python event filter
        # before the first paint would make PySide wrap every internal Qt object of the window
        # (about 0.1 s of enum types).
        self._first_paint_pending = True
        self.tabs.installEventFilter(self)
        QTimer.singleShot(400, self._after_first_paint)  # also when the window is never painted
        self._install_idle_lock()
        self.reminder_dialog = None
        # after the first paint, so that the window appears at once
        QTimer.singleShot(REMINDER_DELAY_MS, self.show_reminders)
        self.site_changes_dialog = None
        QTimer.singleShot(REMINDER_DELAY_MS, self.show_site_changes)
        self._start_escalation_watch()

    # tabs ------------------------------------------------------------------
    def tab(self, name: str) -> QWidget:
        """The tab widget of area *name*, created if needed."""
        for i, (n, _t, _i) in enumerate(self._specs):
            if n == name:
                self._ensure_tab(i)
                return self._created[name]
        raise KeyError(name)

    def show_tab(self, name: str) -> QWidget:
        w = self.tab(name)
        self.tabs.setCurrentWidget(w)
        return w

    def _ensure_tab(self, index: int):
        if index < 0 or index >= len(self._specs):
            return
        name, title, ic = self._specs[index]
        if name in self._created:
            return
        widget = TAB_LOADERS[name]().Tab(self.ctx, self)
        self._created[name] = widget
        if hasattr(widget, "on_data_changed"):
            self.changed.connect(widget.on_data_changed)
        blocked = self.tabs.blockSignals(True)
        current = self.tabs.currentIndex()
        old = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, icon(ic), title)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(blocked)
        old.deleteLater()

    # menus -----------------------------------------------------------------
    def _build_menus(self):
        m = self.menuBar().addMenu("文件(&F)")
        act = QAction(icon("settings"), "站点设置…", self)
        act.triggered.connect(self.open_settings)
        m.addAction(act)
        rem = QAction(icon("warning"), "今日提醒…", self)
        rem.triggered.connect(lambda: self.show_reminders(always=True))
        m.addAction(rem)
        self.file_menu = m
        m.addSeparator()
        quit_act = QAction("退出", self)
        quit_act.triggered.connect(self.close)
        m.addAction(quit_act)
        from ui.system.security_menu import install_menus
        install_menus(self)  # 安全: backup, restore, accounts, audit log, check, password
        self._build_shortcuts()
        h = self.menuBar().addMenu("帮助(&H)")
        keys = QAction("快捷键", self)
        keys.triggered.connect(self.show_shortcuts)
        h.addAction(keys)
        about = QAction("关于", self)
        about.triggered.connect(self.about)
        h.addAction(about)

    def _build_shortcuts(self):
        """F5 and Ctrl+F anywhere in the window (also when a table has the focus)."""
        refresh = QAction(icon("refresh"), "刷新", self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        refresh.triggered.connect(lambda _c=False: self.refresh_current())
        find = QAction(icon("search"), "查找", self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        find.triggered.connect(lambda _c=False: self.focus_search())
        self.refresh_action, self.find_action = refresh, find
        self.addActions([refresh, find])

    def refresh_current(self) -> bool:
        """F5: the current tab reads its data again (its refresh, else the news of every kind)."""
        w = self.tabs.currentWidget()
        if w is None or w not in self._created.values():
            return False
        for name in ("refresh", "refresh_all"):
            if callable(getattr(w, name, None)):
                getattr(w, name)()
                break
        else:
            if not hasattr(w, "on_data_changed"):
                return False
            from ui.common.runner import KINDS
            w.on_data_changed(KINDS, None)
        self.statusBar().showMessage("已刷新", 3000)
        return True

    def focus_search(self) -> QWidget | None:
        """Ctrl+F: the current tab's search box gets the focus, its text selected."""
        w = self.tabs.currentWidget()
        field = search_field(w) if w is not None else None
        if field is not None:
            field.setFocus(Qt.FocusReason.ShortcutFocusReason)
            field.selectAll()
        return field

    def show_shortcuts(self):
        from PySide6.QtWidgets import QMessageBox
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.Information, "快捷键", f"<table>{rows}</table>",
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("shortcuts_box")
        self.shortcuts_box = box
        box.exec()
        return box

    def notify_changed(self, kinds, source=None):
        """Relay a write's news to every open tab (ui.common.runner.notify_changed calls this)."""
        self.changed.emit(frozenset(kinds), source)

    def show_reminders(self, always: bool = False):
        """Start-up reminder: keys and loans overdue, visits due, deadlines passed (non-modal).
        Gathered on a worker thread (its own database connection) so the window stays live."""
        from app.office.reminders import startup_reminders

        def failed(exc):  # a reminder must never stop the desk from working
            self._show_reminder_lines([f"提醒读取失败：{exc}"], always)

        return (Op(self, self.ctx, startup_reminders, self.ctx)
                .success(lambda lines: self._show_reminder_lines(lines, always)).failure(failed).run())

    # service escalation --------------------------------------------------------------
    def _start_escalation_watch(self):
        """报事投诉 escalation (request.auto_escalate_minutes) runs while the window is open, also
        when nobody opens that tab: this timer does it until the tab exists (then the tab's own
        timer does, and shows the result). On a worker thread with its own connection; a failure
        shows in the status bar and the next tick tries again."""
        self.escalation_op = None
        self.escalation_timer = None
        if not any(n == "service" for n, _t, _i in self._specs):
            return
        from app.core.permissions import allowed
        if not allowed(getattr(self.ctx.user, "role", None), "service.view"):
            return
        try:
            minutes = max(1, int(self.ctx.settings.get("request.auto_escalate_minutes")))
        except (KeyError, TypeError, ValueError):
            minutes = 5
        self.escalation_timer = QTimer(self)
        self.escalation_timer.setInterval(minutes * 60_000)
        self.escalation_timer.timeout.connect(self.escalate_in_background)
        self.escalation_timer.start()
        QTimer.singleShot(ESCALATION_FIRST_MS, self.escalate_in_background)

    def escalate_in_background(self) -> bool:
        """One escalation run unless the service tab (which runs its own) exists or a run is busy."""
        if "service" in self._created or (self.escalation_op is not None and not self.escalation_op.done()):
            return False
        from app.service.deadlines import run_escalations
        self.escalation_op = (Op(self, self.ctx, run_escalations, self.ctx).write()
                              .success(self._escalated).failure(self._escalation_failed).run())
        return True

    def _escalated(self, moved):
        if moved:
            self.statusBar().showMessage(f"报事投诉：{len(moved)} 件已按时限自动升级", 15000)
            self.notify_changed({"service"}, self)

    def _escalation_failed(self, exc):
        self.statusBar().showMessage(f"报事投诉自动升级检查失败：{exc}（稍后自动重试，其他操作不受影响）")

    # idle lock ----------------------------------------------------------------
    def _install_idle_lock(self):
        self._last_input = time.monotonic()
        self.locked = False
        self.input_watch = None  # installed on the application after the first paint
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(30_000)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()

    def _after_first_paint(self):
        if not self._first_paint_pending:
            return
        self._first_paint_pending = False
        self.tabs.removeEventFilter(self)
        from PySide6.QtWidgets import QApplication
        app = QApplication.instance()
        if app is not None and self.input_watch is None:
            self.input_watch = _InputWatch(self)
            app.installEventFilter(self.input_watch)
        if self._specs:
            self._ensure_tab(self.tabs.currentIndex())

    def eventFilter(self, obj, event):
        if obj is self.tabs and self._first_paint_pending and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self._after_first_paint)
        return False

    def note_input(self):
        self._last_input = time.monotonic()

    def check_idle(self, now: float | None = None):
        """Lock when nobody has typed or clicked for security.idle_lock_minutes (0: never)."""
        minutes = int(self.ctx.settings.get("security.idle_lock_minutes"))
        if self.locked or minutes <= 0 or not getattr(self.ctx.user, "password_hash", ""):
            return False
        if (now or time.monotonic()) - self._last_input < minutes * 60:
            return False
        self.lock(minutes)
        return True

    def lock(self, minutes: int):
        from ui.system.lock_dialog import LockDialog
        self.locked = True
        self.centralWidget().hide()  # the tables of owners go out of sight; open dialogs keep their input
        self.lock_dialog = LockDialog(self.ctx, minutes, self)
        self.lock_dialog.finished.connect(self._unlocked)
        self.lock_dialog.open()

    def _unlocked(self, result):
        if result != QDialog.DialogCode.Accepted:
            self.close()
            return
        self.locked = False
        self._last_input = time.monotonic()
        self.centralWidget().show()

    def _show_reminder_lines(self, lines, always):
        if not lines and not always:
            return
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QVBoxLayout
        dlg = QDialog(self)
        dlg.setWindowTitle(f"今日提醒（{len(lines)} 项）")
        dlg.resize(760, 400)
        lst = QListWidget(dlg)
        lst.setWordWrap(True)       # a long reminder line wraps instead of ending in “…”
        lst.addItems(lines or ["今天没有待办提醒。"])
        for i in range(lst.count()):
            lst.item(i).setToolTip(lst.item(i).text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.close)
        lay = QVBoxLayout(dlg)
        lay.addWidget(lst)
        lay.addWidget(buttons)
        fit_to_screen(dlg)
        dlg.show()
        self.reminder_dialog = dlg

    def show_site_changes(self):
        """After an upgrade, the site file's changes for the manager (ui/system/site_upgrade_dialog.py)."""
        from ui.system.site_upgrade_dialog import show_site_changes
        self.site_changes_dialog = show_site_changes(self, self.ctx)

    def open_settings(self):
        from ui.system.settings_dialog import SettingsDialog
        SettingsDialog(self.ctx, self).exec()

    def about(self):
        from PySide6.QtWidgets import QMessageBox

        from app import __version__
        QMessageBox.about(self, "关于", f"{APP_TITLE}\n版本 {__version__}\n站点：{self.ctx.settings.get('site.name')}")

    # state -----------------------------------------------------------------
    def _restore_state(self):
        s = QSettings("PropertyDesk", "PropertyDesk")
        geo = s.value("main/geometry")
        if geo is not None:
            self.restoreGeometry(geo)

    def closeEvent(self, event):
        s = QSettings("PropertyDesk", "PropertyDesk")
        s.setValue("main/geometry", self.saveGeometry())
        for w in self._created.values():
            if hasattr(w, "save_state"):
                w.save_state()
        super().closeEvent(event)
