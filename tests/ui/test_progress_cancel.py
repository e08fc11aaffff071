"""Progress and 取消 on the long GUI actions of issue 20, part 3: the owner import of the import
wizard (业主档案 › 导入…), the owners export (业主档案 › 导出…), the service register export (报事投诉 ›
导出登记表) and the collection-rate export (催缴与报表 › 收费率 › 导出Excel). Each test clicks the real
button, holds the service's worker at a row (a wrapper around its progress callback) until the
test has clicked the dialog's 取消, checks that nothing was written (no file, no row, no audit
row) and that the user was told, then clicks the button again and lets it run through.
Deterministic: the tests wait on conditions (events, qtbot.waitUntil), never on time."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from models.users import AuditLog
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

LEFT = Qt.MouseButton.LeftButton


class HeldAtRow:
    """Wraps a service taking ``progress``: when it reports row *at*, the worker waits until the
    test has clicked 取消, then the real callback answers (False after 取消)."""

    def __init__(self, real, at: int = 1):
        self.real, self.at = real, at
        self.reached, self.go = threading.Event(), threading.Event()
        self.answers: list[bool] = []

    def __call__(self, *args, progress=None, **kwargs):
        if progress is None:
            return self.real(*args, **kwargs)

        def held(done, total):
            if done >= self.at and not self.reached.is_set():
                self.reached.set()
                self.go.wait(60)
            answer = progress(done, total)
            self.answers.append(answer)
            return answer
        return self.real(*args, progress=held, **kwargs)


@pytest.fixture
def hold(monkeypatch):
    """hold(module, name, at): the service held at row *at*; every gate opened at the end."""
    helds = []

    def make(module, name, at=1):
        h = HeldAtRow(getattr(module, name), at)
        monkeypatch.setattr(module, name, h)
        helds.append(h)
        return h
    yield make
    for h in helds:
        h.go.set()
    from ui.common.runner import wait_all
    wait_all(60000)


def cancel_at_the_row(qtbot, run, held, label: str):
    """The worker is at the row and the dialog shows (after 0.6 s): click its 取消 button."""
    qtbot.waitUntil(held.reached.is_set)
    qtbot.waitUntil(lambda: run.dialog is not None and run.dialog.isVisible())
    assert run.dialog.windowTitle() == "请稍候" and label in run.dialog.labelText()
    button = run.dialog.findChild(QPushButton)
    assert button.text() == "取消"
    qtbot.mouseClick(button, LEFT)
    held.go.set()
    qtbot.waitUntil(run.done)
    assert run.dialog is None and False in held.answers


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def no_file(path) -> bool:
    return not path.exists() and not list(path.parent.glob("*.part"))


# -- 1. the owner import (import wizard) -------------------------------------------------------------

def test_owner_import_cancelled_writes_nothing_then_imports(qtbot, ctx, tmp_path, hold):
    from app.golive import owners_import
    from models.people import Owner
    from models.property import Home
    from ui.golive.wizard import ImportWizard
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "业主姓名", "联系电话", "建筑面积", "户型"])
    for n in range(1, 7):
        ws.append([f"5-1-20{n}", f"业主{n}", f"1381234567{n}", 100, "洋房"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    dlg = ImportWizard(ctx, None, str(path))
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(3):                     # sheets and columns, preview, dry run (in the background)
        qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30000)
    qtbot.mouseClick(dlg.next_button, LEFT)                # the import page
    assert "新建房屋 6 户" in dlg.dry_text.toPlainText()
    held = hold(owners_import, "import_owners", at=3)
    owners, homes, audits = Owner.select().count(), Home.select().count(), AuditLog.select().count()
    qtbot.mouseClick(dlg.import_button, LEFT)
    assert not dlg.import_button.isEnabled()
    cancel_at_the_row(qtbot, dlg.last_run, held, "正在导入业主档案")
    assert (Owner.select().count(), Home.select().count(), AuditLog.select().count()) == (owners, homes, audits)
    assert dlg.result_value is None and "导入业主档案已取消，未写入任何数据。" in dlg.message.text()
    assert dlg.import_button.isEnabled()                 # the user may import again
    held.at = 10**9
    qtbot.mouseClick(dlg.import_button, LEFT)
    qtbot.waitUntil(dlg.last_run.done)
    assert dlg.result_value is not None and dlg.result_value.imported == 6
    assert Owner.select().count() == owners + 6 and Home.select().count() == homes + 6
    assert AuditLog.select().where(AuditLog.action == "golive.import").count() == 1


# -- 2. the owners export (业主档案) ------------------------------------------------------------------

def test_owners_export_cancelled_keeps_no_file_then_exports(qtbot, ctx, users, tmp_path, monkeypatch, boxes, hold):
    from app.archives import excel_export
    from tests.helpers.archives import build_small_site
    from ui.archives.tab import Tab
    build_small_site(ctx, users)
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    out = tmp_path / "业主信息台账.xlsx"
    save_as(monkeypatch, out)
    held = hold(excel_export, "export_owners", at=2)
    audits = AuditLog.select().count()
    qtbot.mouseClick(w.export_button, LEFT)
    cancel_at_the_row(qtbot, w.last_run, held, "正在导出业主档案")
    assert no_file(out) and AuditLog.select().count() == audits
    assert boxes.last.text == "导出业主档案已取消，未写入任何数据。"
    held.at = 10**9
    qtbot.mouseClick(w.export_button, LEFT)
    qtbot.waitUntil(w.last_run.done)
    assert out.exists() and boxes.last.text == f"已导出 7 行到 {out}"
    assert load_workbook(out).active.max_row == 3 + 7
    assert AuditLog.select().where(AuditLog.action == "archive.export").count() == 1
    w.wait_background()


# -- 3. the service register export (报事投诉) ----------------------------------------------------------

def test_register_export_cancelled_keeps_no_file_then_exports(qtbot, ctx, tmp_path, monkeypatch, boxes, hold):
    from PySide6.QtWidgets import QInputDialog

    from app.service import queries
    from tests.helpers.service import make_homes, new_request
    from ui.service.tab import Tab
    for home in make_homes(3):
        new_request(ctx, home)
    month = ctx.clock.today().strftime("%Y-%m")
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    out = tmp_path / "登记表.xlsx"
    save_as(monkeypatch, out)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: (month, True)))
    held = hold(queries, "export_register", at=1)
    audits = AuditLog.select().count()
    qtbot.mouseClick(w.export_button, LEFT)
    cancel_at_the_row(qtbot, w.last_run, held, "正在导出报事投诉登记表")
    assert no_file(out) and AuditLog.select().count() == audits
    assert boxes.last.text == "导出报事投诉登记表已取消，未写入任何数据。"
    held.at = 10**9
    qtbot.mouseClick(w.export_button, LEFT)
    qtbot.waitUntil(w.last_run.done)
    assert out.exists() and f"已导出 {month} 报事投诉登记表 3 条" in boxes.last.text
    assert load_workbook(out).active.max_row == 1 + 3
    assert AuditLog.select().where(AuditLog.action == "service.export").count() == 1


# -- 4. the collection-rate export (催缴与报表) ---------------------------------------------------------

def test_rate_export_cancelled_keeps_no_file_then_exports(qtbot, ctx, owing, tmp_path, monkeypatch, boxes,  # noqa: F811
                                                           hold):
    from app.ledger import reports
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitUntil(w.loaded)
    out = tmp_path / "收费率.xlsx"
    save_as(monkeypatch, out)
    held = hold(reports, "collection_xlsx", at=2)
    audits = AuditLog.select().count()
    qtbot.mouseClick(w.rate_export, LEFT)
    cancel_at_the_row(qtbot, w.last_run, held, "正在导出收费率报表")
    assert no_file(out) and AuditLog.select().count() == audits
    assert boxes.last.text == "导出收费率报表已取消，未写入任何数据。"
    held.at = 10**9
    qtbot.mouseClick(w.rate_export, LEFT)
    qtbot.waitUntil(w.last_run.done)
    assert out.exists() and boxes.last.text == f"已导出：{out}"
    names = [r[0] for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert names[:2] == ["名称", "按组团"] and "按客服管理员" in names and names.count("全小区") == 2
    qtbot.waitUntil(w.loaded)


# -- the services alone (no widgets: these run on PostgreSQL too) ---------------------------------------

def stop_at(row: int):
    """A progress callback answering 取消 once the service reports *row*; it records every report."""
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done < row
    progress.seen = seen
    return progress


def test_services_stop_between_rows_and_write_nothing(ctx, users, tmp_path):
    from app.archives import excel_export
    from app.core.progress import Cancelled
    from app.golive import owners_import
    from app.service import queries
    from models.people import Owner
    from models.property import Home
    from tests.helpers.archives import build_small_site
    from tests.helpers.service import make_homes, new_request
    build_small_site(ctx, users)
    for home in make_homes(3):
        new_request(ctx, home)
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "业主姓名", "联系电话", "建筑面积", "户型"])
    for n in range(1, 7):
        ws.append([f"9-1-20{n}", f"业主{n}", f"1381234567{n}", 100, "洋房"])
    book = tmp_path / "台账.xlsx"
    wb.save(book)
    counts = (Owner.select().count(), Home.select().count(), AuditLog.select().count())
    month = ctx.clock.today().strftime("%Y-%m")
    calls = [("导入业主档案", lambda p: owners_import.import_owners(ctx, book, progress=p), None),
             ("导出业主档案", lambda p: excel_export.export_owners(ctx, tmp_path / "o.xlsx", progress=p), "o.xlsx"),
             ("导出报事投诉登记表", lambda p: queries.export_register(ctx, month, tmp_path / "r.xlsx", progress=p),
              "r.xlsx")]
    for what, call, name in calls:
        progress = stop_at(2)
        with pytest.raises(Cancelled, match=f"^{what}已取消，未写入任何数据。$"):
            call(progress)
        assert progress.seen[0][0] == 0 and progress.seen[-1][0] == 2 and progress.seen[-1][1] >= 3
        assert (Owner.select().count(), Home.select().count(), AuditLog.select().count()) == counts
        assert name is None or no_file(tmp_path / name)
    # answered True throughout: the same calls run through, reporting the last row of the total
    progress = stop_at(10**9)
    assert owners_import.import_owners(ctx, book, progress=progress).imported == 6
    assert progress.seen[-1] == (6, 6) and Home.select().count() == counts[1] + 6
    progress = stop_at(10**9)
    assert excel_export.export_owners(ctx, tmp_path / "o.xlsx", progress=progress) == progress.seen[-1][1] > 7
    progress = stop_at(10**9)
    assert queries.export_register(ctx, month, tmp_path / "r.xlsx", progress=progress) == 3
    assert progress.seen[-1] == (3, 3)


def test_rate_export_stops_between_rows(ctx, owing, tmp_path):  # noqa: F811
    from app.core.progress import Cancelled
    from app.ledger import reports
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    audits, out = AuditLog.select().count(), tmp_path / "rate.xlsx"
    progress = stop_at(2)
    with pytest.raises(Cancelled, match="^导出收费率报表已取消"):
        reports.collection_xlsx(ctx, "2026-11", out, progress=progress)
    assert no_file(out) and AuditLog.select().count() == audits
    progress = stop_at(10**9)
    n = reports.collection_xlsx(ctx, "2026-11", out, progress=progress)
    assert out.exists() and progress.seen[-1][0] == progress.seen[-1][1] == n + 2     # + the two group lines
