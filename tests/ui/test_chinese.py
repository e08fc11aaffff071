"""Chinese everywhere: with Qt's own zh_CN translation loaded as at start-up (ui.app.install_chinese),
the standard dialogs (message boxes, file, print, colour and input dialogs, the 站点设置 buttons) and
every dialog the main window's menus open, and every tab, show no English word to the clerk."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolButton,
    QWidget,
)

pytestmark = pytest.mark.gui

# tokens a Chinese office uses as they are (formats, paper, keys, product names)
ALLOWED = {"PDF", "pdf", "Excel", "xlsx", "ID", "CSV", "Ctrl", "Shift", "Alt", "Esc", "Enter", "Tab", "Del",
           "mm", "cm", "kg", "kWh", "PropertyDesk", "SQLite", "PostgreSQL", "IC", "VIP", "QR", "SHA", "Qt",
           "URL", "IP", "HTML", "MB", "GB", "KB",
           "wjl"}      # the pinyin initials of 王建林, the search field's example
# file and folder paths: where a file went is said with its path
PATH = re.compile(r"(?:[A-Za-z]:)?[\\/][^\s，。；：、）)]+|[^\s，。；：、（(]+\.(?:db|pdf|xlsx|zip|toml|png)\b")
WORD = re.compile(r"[A-Za-z][A-Za-z]+")
POLL_MS, WAIT_MS = 20, 3000


@pytest.fixture
def chinese(qapp):
    """Qt's translation and the Chinese locale, as run_gui installs them; removed afterwards."""
    from ui.app import install_chinese
    old = QLocale()
    installed = install_chinese(qapp)
    assert installed, "qtbase_zh_CN.qm not found"
    yield installed
    for tr in installed:
        qapp.removeTranslator(tr)
    qapp.zh_translators = []
    QLocale.setDefault(old)


def _shown_text(w: QWidget) -> list[str]:
    texts = []
    if isinstance(w, QAbstractButton):
        icon_only = (isinstance(w, QToolButton) and not w.icon().isNull()
                     and w.toolButtonStyle().name == "ToolButtonIconOnly")
        if not icon_only:
            texts.append(w.text())
    elif isinstance(w, QLabel):
        texts.append(w.text())
    elif isinstance(w, QLineEdit):
        texts.append(w.placeholderText())
    elif isinstance(w, QGroupBox):
        texts.append(w.title())
    if w.isWindow():
        texts.append(w.windowTitle())
    return texts


def printer_words() -> set[str]:
    """The printers' own names and models as the print system reports them (data, not Qt's words)."""
    from PySide6.QtPrintSupport import QPrinterInfo
    return {m for p in QPrinterInfo.availablePrinters() for m in WORD.findall(f"{p.printerName()} {p.makeAndModel()}")}


def english_words(root: QWidget) -> set[str]:
    """English words the user sees in *root*: texts of its visible buttons, labels, placeholders,
    group boxes and window titles (mnemonics and HTML tags left out), less the allowed tokens."""
    found, allowed = set(), ALLOWED | printer_words()
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        for text in _shown_text(w):
            found |= {m for m in WORD.findall(_plain(text)) if m not in allowed}
    return found


def _plain(text: str) -> str:
    """*text* without mnemonics, HTML tags and paths."""
    return PATH.sub(" ", re.sub(r"<[^>]*>|&[a-z]+;|&", " ", text or ""))


def inspect_next_modal(seen: dict, close=lambda dlg: dlg.reject()):
    """When the next modal dialog opens: note its English words under its title, then close it.
    Returns a function that stops the watch (so a watch left over from one menu entry, whose window
    was not modal, cannot take the next entry's dialog)."""
    waited = [0]
    stopped = [False]

    def poll():
        if stopped[0]:
            return
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            waited[0] += POLL_MS
            if waited[0] < WAIT_MS:
                QTimer.singleShot(POLL_MS, poll)
            return
        QApplication.processEvents()
        seen[dlg.windowTitle() or type(dlg).__name__] = english_words(dlg)
        close(dlg)
    QTimer.singleShot(POLL_MS, poll)
    return lambda: stopped.__setitem__(0, True)


def test_the_translation_is_qt_s_own_chinese(chinese):
    assert any(tr.filePath().endswith("qtbase_zh_CN.qm") for tr in chinese)
    assert QLocale().language() == QLocale.Language.Chinese
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    assert [b.text() for b in box.buttons()] == ["保存", "取消"]


def test_standard_dialogs_speak_chinese(qtbot, chinese, tmp_path):
    seen: dict[str, set] = {}
    # message boxes with standard buttons, opened modally as the application does
    for buttons in (QMessageBox.StandardButton.Ok,
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                    | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Retry
                    | QMessageBox.StandardButton.Abort | QMessageBox.StandardButton.Ignore):
        box = QMessageBox(QMessageBox.Icon.Question, f"提示{int(buttons.value)}", "确定吗？", buttons)
        box.setDetailedText("详细信息")
        inspect_next_modal(seen, lambda d: d.done(0))
        box.exec()
    # the file dialog (Qt's own, as on a machine without a native one)
    files = QFileDialog(None, "另存为PDF", str(tmp_path), "PDF 文件 (*.pdf)")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    inspect_next_modal(seen)
    files.exec()
    opening = QFileDialog(None, "导入抄表读数", str(tmp_path), "Excel 文件 (*.xlsx)")
    opening.setOption(QFileDialog.Option.DontUseNativeDialog)
    inspect_next_modal(seen)
    opening.exec()
    # colour and input dialogs
    colours = QColorDialog()
    colours.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
    colours.setWindowTitle("选择颜色")
    inspect_next_modal(seen)
    colours.exec()
    inspect_next_modal(seen)
    QInputDialog.getText(None, "输入", "房号：")
    inspect_next_modal(seen)
    QInputDialog.getInt(None, "份数", "打印份数：", 1, 1, 99)
    # the print dialog
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    dialog.setWindowTitle("打印")
    inspect_next_modal(seen)
    dialog.exec()
    assert len(seen) == 10, sorted(seen)
    english = {title: words for title, words in seen.items() if words}
    assert not english, f"English on screen: {english}"


# menu entries left out: 退出 closes the window under test
SKIP_ACTIONS = {"退出"}


def _menu_actions(window):
    for menu_action in window.menuBar().actions():
        for act in menu_action.menu().actions():
            if act.isSeparator() or not act.isEnabled() or act.text() in SKIP_ACTIONS:
                continue
            yield menu_action.text(), act


def test_main_window_menus_dialogs_and_tabs_speak_chinese(qtbot, ctx, chinese):
    from tests.helpers.archives import build_small_site
    from tests.helpers.gui import click_tab
    from ui.main_window import MainWindow
    build_small_site(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    english = {}
    # every tab as it first shows
    for name, title, _icon in window._specs:
        click_tab(qtbot, window, name)
        qtbot.wait(POLL_MS)
        words = english_words(window)
        if words:
            english[f"页签 {title}"] = words
    # every dialog a menu entry opens (modal ones inspected and closed by the timer)
    opened, silent = 0, []
    for menu, act in list(_menu_actions(window)):
        seen: dict[str, set] = {}
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        stop_watch = inspect_next_modal(seen)
        act.trigger()
        try:
            qtbot.waitUntil(lambda s=seen, b=before: bool(s or _new_windows(b)), timeout=WAIT_MS)
        except qtbot.TimeoutError:
            silent.append(act.text())
        for w in _new_windows(before):        # non-modal windows (今日提醒)
            seen[w.windowTitle()] = english_words(w)
            w.close()
        qtbot.wait(POLL_MS * 3)                 # a modal already inspected has closed
        stop_watch()
        opened += bool(seen)
        for title, words in seen.items():
            if words:
                english[f"{menu} → {act.text()} → {title}"] = words
    assert opened >= 8 and not silent, f"only {opened} menu entries opened a window; none from {silent}"
    assert not english, f"English on screen: {english}"


def _new_windows(before: set) -> list:
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and id(w) not in before and isinstance(w, QDialog)]


def test_site_settings_buttons_are_chinese(qtbot, ctx, chinese):
    from ui.system.settings_dialog import SettingsDialog
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    texts = {b.text().replace("&", "") for box in dlg.findChildren(QDialogButtonBox) for b in box.buttons()}
    assert texts and not {t for t in texts if WORD.search(t)}, texts
    assert not english_words(dlg)
