"""Clicking every button of a page as a user would (tests/ui/test_every_button.py).

``Sweep(qtbot, window)`` walks one tab of the main window: it shows the tab and each page of the
tab's inner QTabWidgets, clicks the first row of every visible list (so that the buttons that act on
a row are enabled) and clicks with ``qtbot.mouseClick`` every visible, enabled QPushButton and
QToolButton of the page; a button that opens a menu has then each entry of its menu triggered
(``QAction.trigger``: a menu blocks while it is open), each entry held to the same rule.
Whatever opens is recorded and closed, never accepted: a modal dialog or message box is rejected
(Esc), a menu closed, a new window (the print preview) closed, a file handed to the desktop
(QDesktopServices.openUrl) recorded, not opened. Each click must show a reaction — a dialog, a
window, a menu, an opened file, or a change of what the page shows (a list reloaded, a label, the
status bar, the clipboard, the current page) — and raise no exception.

A tab whose lists show no row in the state a button needs gets a step of its own: ``choose``
picks a view or filter through its combo box (the popup opened and the entry clicked), the test
clicks the row in that state (``click_row``) and ``click_pending`` clicks what became enabled.
``never_clicked`` lists the buttons that were seen but never enabled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

POLL_MS = 15
REACTION_MS = 6000        # how long a click may take to show its reaction (background loads on a busy CI machine)
MAX_ROWS = 150            # rows of a list tried in turn while a button stays disabled
# Latin tokens a button may show: formats and paper sizes the office says as they are
ALLOWED_LATIN = {"PDF", "Excel", "A3", "A4", "A5"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
MNEMONIC = re.compile(r"\(&[A-Za-z0-9]\)")     # 是(&Y): the Chinese way to show a shortcut letter
FILE_EXT = re.compile(r"\.[A-Za-z0-9]{1,5}$")   # a menu entry naming an attached file: its extension is data


def english_on(text: str) -> set[str]:
    """The English words of a button text (mnemonics such as 保存(&S) and allowed tokens left out)."""
    text = MNEMONIC.sub("", text).replace("&", "")
    return {w for w in LATIN.findall(text) if w not in ALLOWED_LATIN}


def label(button: QAbstractButton) -> str:
    """What the user reads on (or hovering over) the button."""
    text = button.text().replace("&", "").strip()
    return text or button.toolTip().strip() or button.accessibleName() or f"<{button.objectName() or '无文字'}>"


class Closer(QObject):
    """A repeating timer that records and closes every modal dialog, message box and menu."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []            # "类名 标题: 文字" of everything closed
        self.english: dict[str, set] = {}    # dialog title -> English words on its buttons
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    def poll(self):
        popup = QApplication.activePopupWidget()
        if popup is not None:
            if isinstance(popup, QMenu):
                self.seen.append("菜单: " + "、".join(a.text() for a in popup.actions() if a.text()))
            else:
                self.seen.append(f"弹出 {type(popup).__name__}")
            popup.close()
            return
        dlg = QApplication.activeModalWidget()
        if dlg is None or isinstance(dlg, QProgressDialog):     # the busy dialog closes by itself
            return
        text = dlg.text() if isinstance(dlg, QMessageBox) else ""
        self.seen.append(f"{type(dlg).__name__} {dlg.windowTitle()}: {text}")
        words = set()
        for b in dlg.findChildren(QAbstractButton):
            if b.isVisible():
                words |= english_on(b.text())
        if words:
            self.english[dlg.windowTitle() or type(dlg).__name__] = words
        close_dialog(dlg)


def close_dialog(dlg: QWidget):
    """Close without accepting: a message box by its Esc button (No, Cancel, OK of a notice), else reject."""
    if isinstance(dlg, QMessageBox):
        esc = dlg.escapeButton()
        if esc is not None and dlg.buttonRole(esc) not in (QMessageBox.ButtonRole.AcceptRole,
                                                           QMessageBox.ButtonRole.YesRole) \
                or len(dlg.buttons()) == 1:
            esc = esc or dlg.buttons()[0]
            esc.click()
            return
    if hasattr(dlg, "reject"):
        dlg.reject()
    else:
        dlg.close()


class UrlWatch(QObject):
    """Files and links the application hands to the desktop (QDesktopServices.openUrl): recorded,
    not opened (no viewer starts during the test)."""

    SCHEMES = ("file", "http", "https", "mailto")

    def __init__(self):
        super().__init__()
        self.opened: list[str] = []
        for scheme in self.SCHEMES:
            QDesktopServices.setUrlHandler(scheme, self, "open_url")

    @Slot(QUrl)
    def open_url(self, url: QUrl):
        self.opened.append(url.toString())

    def stop(self):
        for scheme in self.SCHEMES:
            QDesktopServices.unsetUrlHandler(scheme)


class ModelWatch(QObject):
    """Counts the signals by which a list shows new data (reset, rows, layout, cells)."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self._watched: list = []

    def watch(self, model):
        if model is None or any(m is model for m, _s in self._watched):
            return
        for sig in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged,
                    model.dataChanged):
            sig.connect(self.bump)
            self._watched.append((model, sig))

    def bump(self, *args):
        self.count += 1

    def stop(self):
        for model, sig in self._watched:
            if isValid(model):
                sig.disconnect(self.bump)
        self._watched.clear()


@dataclass
class Finding:
    where: str
    problem: str


@dataclass
class Result:
    clicked: list[str] = field(default_factory=list)
    disabled: dict = field(default_factory=dict)   # button -> its label, while it was never clicked enabled
    skipped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    menu_entries: list[str] = field(default_factory=list)       # menu entries triggered
    menu_disabled: list[str] = field(default_factory=list)      # entries shown disabled (hints)


def _is_real_button(b: QAbstractButton, page: QWidget) -> bool:
    if not isinstance(b, (QPushButton, QToolButton)):
        return False
    node = b.parentWidget()
    while node is not None and node is not page:
        if isinstance(node, (QTabBar, QLineEdit, QAbstractSpinBox, QCalendarWidget, QComboBox)):
            return False            # the widgets' own arrows and clear buttons
        node = node.parentWidget()
    return type(b).__name__ not in ("QToolBarExtension",)


def _key(b: QWidget, page: QWidget) -> tuple:
    """The button's place on the page: its text and the chain of named / titled ancestors."""
    parts = [label(b)]
    node = b
    while node is not None and node is not page:
        parent = node.parentWidget()
        name = node.objectName()
        if isinstance(node, QGroupBox):
            name = name or node.title()
        if isinstance(parent, QStackedWidget):
            name = f"{name}#{parent.indexOf(node)}"
        parts.append(f"{type(node).__name__}:{name}")
        node = parent
    return tuple(parts)


class Sweep:
    """Click every button of one tab of *window*; see the module docstring."""

    def __init__(self, qtbot, window, skip: dict[str, str], wait_ops):
        self.qtbot, self.window, self.skip, self.wait_ops = qtbot, window, skip, wait_ops
        self.closer = Closer()
        self.models = ModelWatch()
        self.urls = UrlWatch()
        self.result = Result()
        self._done: set[tuple] = set()

    # state --------------------------------------------------------------------------------
    def _visible(self, cls) -> list:
        return [w for w in self.window.findChildren(cls) if w.isVisible()]

    def snapshot(self) -> tuple:
        win = self.window
        views = self._visible(QAbstractItemView)
        for v in views:
            self.models.watch(v.model())
        return (
            self.models.count,
            len(self.closer.seen),
            len(self.urls.opened),
            frozenset(w for w in QApplication.topLevelWidgets() if w.isVisible()),
            win.statusBar().currentMessage(),
            QApplication.clipboard().text(),
            tuple(v.model().rowCount() if v.model() is not None else -1 for v in views),
            tuple(lb.text() for lb in self._visible(QLabel)),
            tuple(e.text() for e in self._visible(QLineEdit)),
            tuple(c.currentText() for c in self._visible(QComboBox)),
            tuple(b.isChecked() for b in self._visible(QAbstractButton) if b.isCheckable()),
            tuple(s.currentIndex() for s in win.findChildren(QStackedWidget) if s.isVisible()),
            len([w for w in win.findChildren(QWidget) if w.isVisible()]),
        )

    # driving ------------------------------------------------------------------------------
    def restore(self, path: list):
        """Back to the tab and inner pages of *path* ([(QTabWidget, index), …]) if a click left them."""
        from tests.helpers.gui import click_page
        for tabs, index in path:
            if isValid(tabs) and tabs.currentIndex() != index:
                click_page(self.qtbot, tabs, index)
                self.settle()

    def settle(self):
        self.wait_ops()
        self.qtbot.wait(POLL_MS)

    def select_first_rows(self, page: QWidget):
        for view in [v for v in page.findChildren(QAbstractItemView) if v.isVisible()]:
            model, sel = view.model(), view.selectionModel()
            if model is None or model.rowCount() == 0 or sel is None or sel.hasSelection() \
                    or view.selectionMode() == QAbstractItemView.SelectionMode.NoSelection:
                continue
            self.click_row(view, 0)
        self.closer.poll()          # a row that opens something on a click

    def pending(self, page: QWidget) -> list[QAbstractButton]:
        out = []
        for b in page.findChildren(QAbstractButton):
            if not (b.isVisible() and _is_real_button(b, page)) or _key(b, page) in self._done:
                continue
            if not b.isEnabled():
                self.result.disabled[b] = label(b)
                continue
            out.append(b)
        return out

    def sweep_page(self, page: QWidget, where: str, path: list):
        """Click every button with the first rows selected; then, while a button stays disabled,
        select the next rows of each list (a row in another state enables it) and click again."""
        self._click_all(page, where, path)
        for view in [v for v in page.findChildren(QAbstractItemView) if v.isVisible()]:
            for row in range(1, MAX_ROWS):
                if not self._still_disabled(page):
                    return
                self.restore(path)
                if not (isValid(view) and view.isVisible() and view.model() is not None
                        and row < view.model().rowCount()):
                    break
                self.click_row(view, row)
                self._click_all(page, where, path)

    def _click_all(self, page: QWidget, where: str, path: list):
        for _ in range(200):                 # a page with more buttons than this is a bug in itself
            self.restore(path)
            self.select_first_rows(page)
            todo = self.pending(page)
            if not todo:
                return
            self.click(todo[0], page, where)

    def click_pending(self, page: QWidget, where: str, path: list):
        """Click the page's buttons not clicked yet that are enabled now (after a tab's own step)."""
        self._click_all(page, where, path)

    def choose(self, combo: QComboBox, text: str):
        """Pick *text* in *combo* as a user does: click the box, then the entry in its popup list."""
        index = combo.findText(text)
        assert index >= 0, f"“{text}” not offered: {[combo.itemText(i) for i in range(combo.count())]}"
        self.closer.timer.stop()            # the combo's list is a popup: not to be closed here
        try:
            self.qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
            view = combo.view()
            self.qtbot.waitUntil(view.isVisible, timeout=3000)
            # the popup takes no click within a double-click interval of opening (Qt's own guard)
            self.qtbot.wait(QApplication.doubleClickInterval() + 50)
            item = view.model().index(index, combo.modelColumn(), view.rootIndex())
            view.scrollTo(item)
            self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(item).center())
            self.qtbot.waitUntil(lambda: combo.currentText() == text and not view.isVisible(), timeout=3000)
        finally:
            self.closer.timer.start()
        self.settle()

    def never_clicked(self) -> list[str]:
        """Labels of the buttons seen on the page that were never enabled (never clicked)."""
        return sorted(set(self.result.disabled.values()))

    def stop(self):
        self.closer.timer.stop()
        self.models.stop()
        self.urls.stop()

    def _still_disabled(self, page: QWidget) -> bool:
        return any(b.isVisible() and not b.isEnabled() and _is_real_button(b, page) and _key(b, page) not in self._done
                   for b in page.findChildren(QAbstractButton))

    def click_row(self, view: QAbstractItemView, row: int):
        index = view.model().index(row, 0)
        view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        rect = view.visualRect(index)
        if rect.isValid():
            self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            self.settle()

    def click(self, b: QAbstractButton, page: QWidget, where: str):
        key, name = _key(b, page), label(b)
        self._done.add(key)
        self.result.disabled.pop(b, None)
        at = f"{where} → “{name}”"
        words = english_on(b.text()) if not (isinstance(b, QToolButton) and b.toolButtonStyle()
                                               == Qt.ToolButtonStyle.ToolButtonIconOnly) else set()
        if words:
            self.result.findings.append(Finding(at, f"按钮上有英文：{sorted(words)}"))
        if name in self.skip:
            self.result.skipped.append(f"{at}（{self.skip[name]}）")
            return
        self._react(at, lambda: self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton))
        self.result.clicked.append(at)
        menu = b.menu() if isValid(b) else None
        if menu is not None:
            self.trigger_menu(menu, at)

    def trigger_menu(self, menu: QMenu, at: str):
        """Each entry of the menu *menu* (filled when the button showed it), triggered in turn."""
        for a in list(menu.actions()):
            if not isValid(a) or a.isSeparator() or not a.isVisible():
                continue
            name = a.text().replace("&", "")
            where = f"{at} → 菜单项 “{name}”"
            if a.menu() is not None:
                self.trigger_menu(a.menu(), where)
                continue
            words = english_on(FILE_EXT.sub("", name))
            if words:
                self.result.findings.append(Finding(where, f"菜单项有英文：{sorted(words)}"))
            if not a.isEnabled():
                self.result.menu_disabled.append(where)
                continue
            if name in self.skip:
                self.result.skipped.append(f"{where}（{self.skip[name]}）")
                continue
            self._react(where, a.trigger)
            self.result.menu_entries.append(where)

    def _react(self, at: str, act):
        """Do *act* (a click, a menu entry) and require a reaction and no exception."""
        before_windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        before = self.snapshot()
        with self.qtbot.capture_exceptions() as exceptions:
            act()
            self.settle()
            reacted = self.snapshot() != before
            if not reacted:
                try:
                    self.qtbot.waitUntil(lambda: self.snapshot() != before, timeout=REACTION_MS)
                    reacted = True
                except self.qtbot.TimeoutError:
                    reacted = False
            self.settle()
            self._close_new_windows(before_windows)
        for exc_type, exc, _tb in exceptions:
            self.result.findings.append(Finding(at, f"异常 {exc_type.__name__}: {exc}"))
        if not reacted:
            self.result.findings.append(Finding(at, "点击后没有任何反应"))

    def _close_new_windows(self, before: list):
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and not any(w is b for b in before) and w is not self.window:
                self.closer.seen.append(f"窗口 {type(w).__name__} {w.windowTitle()}")
                w.close()
        self.settle()

    def explore(self, container: QWidget, page: QWidget, where: str, path: list, seen_tabs: set):
        """Sweep *page* as shown, then each page of each visible inner QTabWidget under *container*."""
        self.sweep_page(page, where, path)
        inner = [t for t in container.findChildren(QTabWidget) if t.isVisible() and id(t) not in seen_tabs]
        for tabs in inner:
            seen_tabs.add(id(tabs))
            for i in range(tabs.count()):
                sub = [*path, (tabs, i)]
                self.restore(sub)
                self.explore(tabs.widget(i), page, f"{where} / {tabs.tabText(i).replace('&', '')}", sub,
                             seen_tabs)
