"""Tabs open at once and fill when their data arrives (issue 20, point 1): the 催缴与报表 tab's three
reports and the ledger tab's 欠费 page load on the background runner, say 正在加载… until their
rows arrive, and show only the newest request's rows. Deterministic: the service is held on a gate
the test opens; the test waits on conditions, never on time."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt

from app.ledger import arrears, billing, dunning
from tests.helpers.gui import click_page
from tests.helpers.ledger import make_site
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)
from ui.common.progress import LOADING_TEXT


class Gate:
    """Wraps a service: the first call waits until the test opens the gate; every call is counted."""

    def __init__(self, real):
        self.real, self.calls, self.open_ = real, [], threading.Event()

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs or args[1:])
        if len(self.calls) == 1:
            self.open_.wait(60)
        return self.real(*args, **kwargs)


@pytest.fixture
def held(monkeypatch):
    """hold(module, name): the service held at the gate; every gate opened at the end of the test."""
    gates = []

    def hold(module, name):
        gate = Gate(getattr(module, name))
        monkeypatch.setattr(module, name, gate)
        gates.append(gate)
        return gate
    yield hold
    for gate in gates:
        gate.open_.set()
    from ui.common.runner import wait_all
    wait_all(60000)


def test_dunning_tab_opens_at_once_and_fills_when_the_board_arrives(qtbot, ctx, owing, held):  # noqa: F811
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    gate = held(dunning, "board")
    w = Tab(ctx)                                   # returns while the board is still being read
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitUntil(lambda: bool(gate.calls))
    assert w.summary.text() == LOADING_TEXT and w.board.rows == []
    qtbot.waitUntil(lambda: not w.loads["daily"].busy() and not w.loads["rate"].busy())
    assert "全小区" in w.rate_label.text()          # the other pages filled meanwhile
    assert w.summary.text() == LOADING_TEXT and not w.loaded()
    gate.open_.set()
    qtbot.waitUntil(w.loaded)
    assert sorted(r.room_code for r in w.board.rows) == ["3-101", "7-102"]
    assert w.summary.text().startswith("欠费 2 户")


def test_dunning_board_shows_the_newest_request_only(qtbot, ctx, owing, held):  # noqa: F811
    """The first read (全部楼栋) is held; the user picks 3号楼 meanwhile: the building's rows stay shown
    when the older, slower answer arrives."""
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    gate = held(dunning, "board")
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: bool(gate.calls))
    w.building.setFocus()
    qtbot.keyClick(w.building, Qt.Key.Key_Down)     # 全部楼栋 → 3号楼
    assert w.building.currentText() == "3号楼"
    qtbot.waitUntil(lambda: len(gate.calls) == 2 and w.board.rows != [])
    assert [r.room_code for r in w.board.rows] == ["3-101"]
    gate.open_.set()
    qtbot.waitUntil(w.loaded)
    assert [r.room_code for r in w.board.rows] == ["3-101"]
    assert w.summary.text().startswith("欠费 1 户")


def test_arrears_page_says_loading_then_shows_each_view(qtbot, ctx, users, boxes, held):
    from ui.ledger import arrears_load
    from ui.ledger.tab import Tab
    make_site(ctx, users)
    billing.run_month(ctx, "2026-10")
    gate = held(arrears, "home_arrears")
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    click_page(qtbot, w.inner, w.ARREARS_PAGE)
    qtbot.waitUntil(lambda: bool(gate.calls))
    assert w.arrears_total.text() == LOADING_TEXT and arrears_load.loading(w)
    gate.open_.set()
    qtbot.waitUntil(lambda: not arrears_load.loading(w))
    assert w.arrears_view.model().rowCount() == 5 and "欠费 5 户" in w.arrears_total.text()
    w.arrears_kind.setFocus()
    qtbot.keyClick(w.arrears_kind, Qt.Key.Key_Down)   # 按客服管理员
    assert w.arrears_total.text() == LOADING_TEXT
    qtbot.waitUntil(lambda: not arrears_load.loading(w))
    assert w.arrears_view.model() is w.arrears_models["area_manager"]
    assert "欠费 5 户" in w.arrears_total.text()


# -- long work: progress after 0.6 s, 取消 between rows, nothing written ----------------------------

class HeldProgress:
    """Wraps a service taking ``progress``: when it reports row *at*, the worker waits until the
    test has pressed 取消 (the gate), then the real callback answers."""

    def __init__(self, real, at: int):
        self.real, self.at = real, at
        self.reached, self.go = threading.Event(), threading.Event()
        self.answers = []

    def __call__(self, *args, progress, **kwargs):
        def held(done, total):
            if done >= self.at and not self.reached.is_set():
                self.reached.set()
                self.go.wait(60)
            answer = progress(done, total)
            self.answers.append(answer)
            return answer
        return self.real(*args, progress=held, **kwargs)


def _press_cancel(qtbot, run, held):
    """Wait (on conditions) for the worker at the row and the dialog, then click its 取消 button."""
    from PySide6.QtWidgets import QPushButton
    qtbot.waitUntil(held.reached.is_set)
    qtbot.waitUntil(lambda: run.dialog is not None and run.dialog.isVisible())   # shown after 0.6 s
    assert run.dialog.windowTitle() == "请稍候" and "正在" in run.dialog.labelText()
    cancel = run.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    held.go.set()
    qtbot.waitUntil(run.done)
    assert run.dialog is None and False in held.answers


def test_cancelled_export_keeps_no_file(qtbot, ctx, owing, tmp_path, monkeypatch, boxes):  # noqa: F811
    from PySide6.QtWidgets import QFileDialog

    from app.ledger import arrears_lists
    from models.users import AuditLog
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(w.loaded)
    out = tmp_path / "清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    held = HeldProgress(arrears_lists.arrears_list_xlsx, at=1)
    monkeypatch.setattr(arrears_lists, "arrears_list_xlsx", held)
    audits = AuditLog.select().count()
    try:
        qtbot.mouseClick(w.list_export, Qt.MouseButton.LeftButton)
        _press_cancel(qtbot, w.last_run, held)
    finally:
        held.go.set()
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert AuditLog.select().count() == audits
    assert boxes.last.text == "导出欠费清单已取消，未写入任何数据。"
    # not cancelled: the same button exports
    held.at = 10**9
    qtbot.mouseClick(w.list_export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.last_run.done)
    assert out.exists() and boxes.last.text == f"已导出欠费清单 2 户：{out}"


def test_cancelled_readings_import_writes_nothing(qtbot, ctx, users, tmp_path, monkeypatch, boxes):
    from openpyxl import Workbook
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from app.ledger import meters
    from models.ledger import MeterReading
    from models.users import AuditLog
    from ui.ledger.tab import Tab
    make_site(ctx, users)
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期"])
    for n in range(1, 7):
        ws.append(["5-101", "燃气", 100 * n, f"2026-0{n + 2}-28"])
    path = tmp_path / "抄表.xlsx"
    wb.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    held = HeldProgress(meters.import_readings, at=3)
    monkeypatch.setattr(meters, "import_readings", held)
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    click_page(qtbot, w.inner, w.BILLING_PAGE)
    button = next(b for b in w.findChildren(QPushButton) if b.text() == "导入抄表（Excel）…")
    readings, audits = MeterReading.select().count(), AuditLog.select().count()
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        _press_cancel(qtbot, w.last_run, held)
    finally:
        held.go.set()
    assert MeterReading.select().count() == readings and AuditLog.select().count() == audits
    assert boxes.last.text == "导入抄表读数已取消，未写入任何数据。"
    held.at = 10**9
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.last_run.done)
    assert MeterReading.select().count() == readings + 6 and "已导入 6 条" in w.bill_result.text()
