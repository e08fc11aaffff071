"""Fits the office's screen: 1366×768 with a taskbar, and 150 % scaling (910×512 logical pixels)."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

SCALED = (910, 512)          # a 1366×768 screen at QT_SCALE_FACTOR=1.5
TASKBAR = 40


def test_default_window_fits_1366x768_with_taskbar():
    from ui.main_window import DEFAULT_SIZE
    assert DEFAULT_SIZE[0] <= 1366 and DEFAULT_SIZE[1] <= 768 - TASKBAR - 40   # window frame too


def test_main_window_fits_the_available_screen_and_150_percent(qtbot, ctx):
    from ui.main_window import MainWindow, available_tabs
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    avail = w.screen().availableGeometry()
    assert w.width() <= avail.width() and w.height() <= avail.height()
    for name, _title, _icon in available_tabs():       # every page built: none may widen the window
        w.show_tab(name)
    hint = w.minimumSizeHint().expandedTo(w.minimumSize())
    assert hint.width() <= SCALED[0] and hint.height() <= SCALED[1], hint
    qtbot.wait(100)                                     # the archives list's second screen comes in
    w.tab("archives").wait_background()


def test_fit_to_screen_shrinks_a_tall_dialog(qtbot):
    from ui.common.widgets import fit_to_screen
    dlg = QDialog()
    qtbot.addWidget(dlg)
    QVBoxLayout(dlg).addWidget(QWidget())
    dlg.resize(820, 3000)
    fit_to_screen(dlg)
    avail = QGuiApplication.primaryScreen().availableGeometry()
    assert dlg.height() <= avail.height() and dlg.width() == min(820, avail.width())

