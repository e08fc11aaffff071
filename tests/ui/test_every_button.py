"""Every button of every tab is clicked, as a user clicks it, on the 天伦庄园 demo site.

One test per tab of the main window (1366×768, Qt's Chinese loaded as at start-up): the tab and
each page of its inner tab widgets are shown, the first row of every list is clicked (so that
the buttons acting on a row are enabled), then every visible, enabled QPushButton and QToolButton
is clicked with ``qtbot.mouseClick`` (tests/helpers/sweep.py). What opens is recorded and closed,
never accepted. A click that raises, logs a Qt warning, shows nothing, or a button with an
English word fails the test, naming the tab, the page and the button.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PySide6.QtCore import QSettings

from app.core.clock import Clock

pytestmark = [pytest.mark.slow, pytest.mark.gui]

CLOCK = dt.datetime(2026, 11, 23, 9, 0, 0)
# Buttons not clicked: none of the tabs' buttons quits the application or locks the session
# today. A button named here is reported as skipped with its reason.
SKIP: dict[str, str] = {}
COUNTS: dict[str, int] = {}


def _open_owing_home(qtbot, tab, ctx):
    """收费台账 acts on one home: a home owing one month is looked up as the cashier does (room code, Enter)."""
    from PySide6.QtCore import Qt

    from app.ledger.arrears import home_arrears
    code = next(a.room_code for a in home_arrears(ctx) if a.months == 1)   # it has paid before: receipts
    qtbot.keyClicks(tab.search, code)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.home_id is not None, timeout=5000)


# what a clerk does first on a tab before its buttons mean anything
PREPARE = {"ledger": _open_owing_home}


def _tab_names():
    from ui.main_window import available_tabs
    return [name for name, _title, _icon in available_tabs()]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The 天伦庄园 demo with every area's rows, built once; each test works on a copy."""
    from app.demo.sites import build_site
    from app.system.context import open_context
    from models.db import close_database
    folder = tmp_path_factory.mktemp("tianlun") / "data"
    ctx = open_context(folder, None, clock=Clock(CLOCK))
    summary = build_site(ctx, "tianlun", seed=1)
    close_database()
    assert summary["extension_errors"] == []
    return folder


@pytest.fixture
def demo_ctx(built_site, tmp_path):
    from app.system.context import open_context
    from models.db import close_database
    from models.users import User
    folder = tmp_path / "data"
    shutil.copytree(built_site, folder)
    ctx = open_context(folder, None, clock=Clock(CLOCK))
    ctx.user = User.get(User.username == "manager")
    yield ctx
    close_database()


@pytest.fixture
def own_qsettings(tmp_path):
    """Column widths, splitters and print setups go to a folder of the test, not the user's."""
    import os
    from pathlib import Path
    fmt, scope = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(tmp_path / "qsettings"))
    yield
    QSettings.setPath(fmt, scope, os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config"))


@pytest.fixture
def chinese(qapp):
    from PySide6.QtCore import QLocale

    from ui.app import install_chinese
    old = QLocale()
    installed = install_chinese(qapp)
    yield installed
    for tr in installed:
        qapp.removeTranslator(tr)
    qapp.zh_translators = []
    QLocale.setDefault(old)


@pytest.fixture
def window(qtbot, demo_ctx, own_qsettings, chinese):
    from ui.main_window import MainWindow
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    # the start-up reminder (non-modal) appears after a moment: closed before the sweep
    qtbot.waitUntil(lambda: w.reminder_dialog is not None, timeout=5000)
    w.reminder_dialog.close()
    return w


@pytest.mark.parametrize("name", _tab_names())
def test_every_button_of_the_tab_reacts(qtbot, qtlog, window, name):
    from tests.helpers.gui import click_tab
    from tests.helpers.sweep import Finding, Sweep
    from ui.common.runner import wait_all
    title = next(t for n, t, _i in window._specs if n == name)
    sweep = Sweep(qtbot, window, SKIP, wait_ops=lambda: wait_all(20000))
    sweep.closer.timer.start()
    try:
        page = click_tab(qtbot, window, name)
        qtbot.wait(50)
        sweep.settle()
        if name in PREPARE:
            PREPARE[name](qtbot, page, window.ctx)
            sweep.settle()
        path = [(window.tabs, window.tabs.currentIndex())]
        sweep.explore(page, page, title, path, set())
    finally:
        sweep.closer.timer.stop()
        sweep.models.stop()
    result = sweep.result
    COUNTS[title] = len(result.clicked)
    print(f"\n{title}: {len(result.clicked)} 个按钮已点击；跳过 {result.skipped}；"
          f"始终不可用 {sorted(set(result.disabled.values()))}")
    print("  " + "\n  ".join(result.clicked))
    print("  打开并关闭：" + "\n  ".join(sweep.closer.seen))
    for t, words in sweep.closer.english.items():
        result.findings.append(Finding(f"{title} 的对话框 “{t}”", f"按钮上有英文：{sorted(words)}"))
    warnings = [r.message for r in qtlog.records if r.type.name in ("QtWarningMsg", "QtCriticalMsg")]
    assert len(result.clicked) >= 1, f"{title}: no button clicked"
    assert not result.findings and not warnings, "\n".join(
        [f"{f.where}: {f.problem}" for f in result.findings] + [f"Qt: {m}" for m in warnings])
