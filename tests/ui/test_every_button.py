"""Every button of every tab is clicked, as a user clicks it, on the 天伦庄园 demo site.

One test per tab of the main window (1366×768, Qt's Chinese loaded as at start-up): the tab and
each page of its inner tab widgets are shown, the first row of every list is clicked (so that
the buttons acting on a row are enabled), then every visible, enabled QPushButton and QToolButton
is clicked with ``qtbot.mouseClick`` (tests/helpers/sweep.py), and each entry of a button's menu
triggered. What opens is recorded and closed, never accepted. A click that raises, logs a Qt
warning, shows nothing, or a button with an English word fails the test, naming the tab, the page
and the button; so does a button that was never clicked (never enabled by any row shown).

Buttons that act on a record in one state only get a step of the tab (STEPS): the clerk's view or
filter is switched through its combo box and the record in that state clicked. Where the demo has
no such record, SEED makes one in the test's copy of the site through the services, before the
tab is opened: 装修管理's 退保证金 needs a renovation 已复验 (the demo refunds the deposit the day
of the second inspection), 报事投诉's 派工 a repair 待派工 (the demo leaves one only by chance).
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
# today. A button (or menu entry) named here is reported as skipped with its reason, and may stay
# disabled without failing the test.
SKIP: dict[str, str] = {}
COUNTS: dict[str, int] = {}


def _open_owing_home(qtbot, tab, ctx):
    """收费台账 acts on one home: a home owing one month is looked up as the cashier does (room code, Enter)."""
    from PySide6.QtCore import Qt

    from app.ledger.arrears import home_arrears
    code = next(a.room_code for a in home_arrears(ctx) if a.months == 1)   # it has paid before: receipts
    qtbot.keyClicks(tab.search, code)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.home_id is not None, timeout=20000)


# what a clerk does first on a tab before its buttons mean anything
PREPARE = {"ledger": _open_owing_home}


def _seed_renovation(ctx):
    """A renovation 已完工 (初验 due) and one 已复验 (deposit to refund), made through the services
    when the demo has none."""
    import dataclasses

    from app.renovation import api as rv
    from models.renovation import Renovation
    if not Renovation.select().where(Renovation.state == "已完工").exists():
        works = Renovation.select().where(Renovation.state == "施工中").order_by(Renovation.id)
        r = next(r for r in works if not rv.open_notices(r))
        rv.record_completion(ctx, r.id, ctx.clock.today())
    if not Renovation.select().where(Renovation.state == "已复验").exists():
        r = Renovation.select().where(Renovation.state == "初验通过").order_by(Renovation.second_due).first()
        when = max(CLOCK, dt.datetime.combine(r.second_due, dt.time(10)))   # not before it is due
        rv.second_inspection(dataclasses.replace(ctx, clock=Clock(when)), r.id, True, "复验合格，无质量问题")


def _seed_service(ctx):
    """A repair waiting for dispatch, received by the manager, when the demo has none."""
    from app.service.intake import intake
    from models.property import Home
    from models.service import ServiceRequest
    waiting = ServiceRequest.select().where((ServiceRequest.status == "待派工") & (ServiceRequest.kind == "报修"))
    if not waiting.exists():
        home = Home.select().where(Home.state == "已入住").order_by(Home.id).first()
        intake(ctx, channel="电话", kind="报修", caller="王先生", content="卫生间地漏堵塞，请派人疏通",
               read_back=True, home_id=home.id, phone="13903712345")


SEED = {"renovation": _seed_renovation, "service": _seed_service}


def _row_where(view, wanted: str, pred) -> int:
    model = view.model()
    rows = [i for i in range(model.rowCount()) if pred(model.row(i))]
    assert rows, f"no row {wanted} in the list"
    return rows[0]


def _renovation_steps(sweep, tab, where, path):
    """初验 and 退保证金: the 在办装修 view, a renovation 已完工, then one 已复验."""
    sweep.choose(tab.view_combo, "在办装修")
    for state in ("已完工", "已复验"):
        sweep.click_row(tab.left, _row_where(tab.left, state, lambda r, s=state: r.state == s))
        assert tab.buttons["first" if state == "已完工" else "refund"].isEnabled()
        sweep.click_pending(tab, where, path)


def _service_steps(sweep, tab, where, path):
    """派工 on a repair 待派工 (filter 未完成), 回访 on a request 已完成 (filter 待回访)."""
    path = [*path, (tab.inner, 0)]
    sweep.restore(path)
    for filter_, wanted, pred in (("未完成", "报修 待派工", lambda r: r.status == "待派工" and r.kind == "报修"),
                                  ("待回访", "已完成", lambda r: r.status == "已完成")):
        sweep.choose(tab.filter, filter_)
        sweep.click_row(tab.view, _row_where(tab.view, wanted, pred))
        sweep.click_pending(tab, where, path)


def _notices_steps(sweep, tab, where, path):
    """修改/审批 on a notice 待审批, 已张贴 on one 待张贴 (the 查看 box's views)."""
    for view in ("待审批", "待张贴"):
        sweep.choose(tab.view_combo, view)
        sweep.click_row(tab.view, 0)
        sweep.click_pending(tab, where, path)


STEPS = {"renovation": _renovation_steps, "service": _service_steps, "notices": _notices_steps}


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
    qtbot.waitUntil(lambda: w.reminder_dialog is not None, timeout=20000)
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
        if name in SEED:
            SEED[name](window.ctx)
        page = click_tab(qtbot, window, name)
        qtbot.wait(50)
        sweep.settle()
        if name in PREPARE:
            PREPARE[name](qtbot, page, window.ctx)
            sweep.settle()
        path = [(window.tabs, window.tabs.currentIndex())]
        sweep.explore(page, page, title, path, set())
        if name in STEPS:
            sweep.restore(path)
            STEPS[name](sweep, page, title, path)
    finally:
        sweep.stop()
    result = sweep.result
    COUNTS[title] = len(result.clicked)
    never = [b for b in sweep.never_clicked() if b not in SKIP]
    print(f"\n{title}: {len(result.clicked)} 个按钮已点击，{len(result.menu_entries)} 个菜单项已执行；"
          f"跳过 {result.skipped}；始终不可用 {never}；不可用的菜单项 {result.menu_disabled}")
    print("  " + "\n  ".join(result.clicked + result.menu_entries))
    print("  打开并关闭：" + "\n  ".join(sweep.closer.seen))
    print("  交给桌面打开的文件：" + "、".join(sweep.urls.opened))
    for t, words in sweep.closer.english.items():
        result.findings.append(Finding(f"{title} 的对话框 “{t}”", f"按钮上有英文：{sorted(words)}"))
    warnings = [r.message for r in qtlog.records
                if r.type.name in ("QtWarningMsg", "QtCriticalMsg") and not r.ignored]   # pyproject's qt_log_ignore
    assert len(result.clicked) >= 1, f"{title}: no button clicked"
    for b in never:
        result.findings.append(Finding(f"{title} → “{b}”", "从未可用，未被点击（没有一行使它可用）"))
    assert not result.findings and not warnings, "\n".join(
        [f"{f.where}: {f.problem}" for f in result.findings] + [f"Qt: {m}" for m in warnings])
