"""Driving the main window as a user would: click a tab in a tab bar, a row of a table, and the
button of the next modal dialog (after filling it in)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

POLL_MS = 20


def click_tab(qtbot, window, name):
    """Click the main window's tab of area *name* in its tab bar (the tab is built on first view)."""
    index = [n for n, _t, _i in window._specs].index(name)
    click_page(qtbot, window.tabs, index)
    return window.tabs.currentWidget()


def click_page(qtbot, tabs, index: int):
    """Click page *index* of a QTabWidget in its tab bar."""
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index


def click_row(qtbot, view, row: int):
    """Click the first cell of *row* of a table view."""
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def accept_next_dialog(qtbot, button_text, fill=None):
    """When the next modal dialog opens, call ``fill(dialog)`` and click its button *button_text*."""

    def press():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(POLL_MS, press)
            return
        if fill is not None:
            fill(dlg)
        button = next(b for b in dlg.findChildren(QPushButton) if b.text() == button_text)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QTimer.singleShot(POLL_MS, press)
