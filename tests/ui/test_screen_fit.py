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



def test_a_long_form_scrolls_and_keeps_its_buttons_on_screen(qtbot):
    """40 fields are taller than any office screen: the dialog fits, 确定/取消 stay in view and
    tabbing down to the last field scrolls it into view, where typing reaches it."""
    from PySide6.QtCore import Qt

    from ui.common.forms import Field, FormDialog
    dlg = FormDialog("长表单", [Field(f"f{i}", f"字段{i}") for i in range(40)])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    avail = dlg.screen().availableGeometry()
    assert dlg.height() <= avail.height()
    assert dlg.ok_button.isVisible() and dlg.rect().contains(dlg.ok_button.geometry().translated(
        dlg.ok_button.parentWidget().mapTo(dlg, dlg.ok_button.parentWidget().rect().topLeft())))
    bar = dlg.scroll.verticalScrollBar()
    qtbot.waitUntil(bar.isVisible, timeout=2000)
    assert bar.maximum() > 0 and bar.value() == 0
    for _ in range(39):
        qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Tab)
    last = dlg.widget("f39")
    assert dlg.focusWidget() is last
    assert bar.value() > 0                                      # scrolled down to it
    qtbot.keyClicks(last, "end")
    assert dlg.values()["f39"] == "end"


def test_a_short_form_does_not_scroll(qtbot):
    from ui.common.forms import Field, FormDialog
    dlg = FormDialog("短表单", [Field(f"f{i}", f"字段{i}") for i in range(4)])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert not dlg.scroll.verticalScrollBar().isVisible()
    assert dlg.scroll.height() >= dlg.scroll.widget().sizeHint().height()
