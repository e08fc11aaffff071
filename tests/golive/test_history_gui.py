"""缴费历史 in the go-live window (issue 16, point 1): 上线检查 → 导入缴费历史…, the file chosen, the columns
its mapping found shown, 试导入 with the row-level report (nothing written), 导入 in one transaction with
the tie-out to the workbook's totals, the checklist's step 缴费历史 then showing its count."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from models.ledger import Charge
from models.parking import Vehicle
from models.payhistory import PaymentHistory
from models.users import AuditLog
from tests.golive.test_history_import import ROWS, book
from tests.helpers.ledger import make_site
from ui.golive.checklist_dialog import ChecklistDialog
from ui.golive.register_dialog import RegisterImportDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    Vehicle.create(number="CK2026-000001", home=homes["5-101"], plate="豫A12345", card_number="C001",
                   valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2027, 12, 31))
    return homes


def _idle(dlg):
    return dlg.dry_button.isEnabled() and dlg.import_button.isEnabled()


def test_history_imported_from_the_checklist(qtbot, ctx, site, tmp_path, monkeypatch):
    path = book(tmp_path / "缴费历史.xlsx", ROWS)
    seen = {}

    def driven(self):                    # the import window as a user works it, inside its exec()
        qtbot.addWidget(self)
        self.show()
        seen["title"] = self.windowTitle()
        qtbot.mouseClick(self.browse_button, LEFT)
        qtbot.waitUntil(lambda: "列对应" in self.report.toPlainText(), timeout=20000)
        seen["proposed"] = self.report.toPlainText()
        qtbot.mouseClick(self.dry_button, LEFT)
        qtbot.waitUntil(lambda: _idle(self) and self.report.toPlainText().startswith("试导入"), timeout=20000)
        seen["dry"] = self.report.toPlainText()
        seen["written_after_dry"] = PaymentHistory.select().count()
        qtbot.mouseClick(self.import_button, LEFT)
        qtbot.waitUntil(lambda: self.result_value is not None and _idle(self), timeout=20000)
        seen["report"] = self.report.toPlainText()
        self.close()
        return 0

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(RegisterImportDialog, "exec", driven)
    dlg = ChecklistDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.table.item(3, 0).text() == "缴费历史" and dlg.table.item(3, 1).text().startswith("缴费历史 0 条")
    qtbot.mouseClick(dlg.import_buttons["history"], LEFT)
    assert seen["title"] == "导入缴费历史"
    assert "工作表“缴费记录”" in seen["proposed"]
    assert "房号←“房号”(B列)" in seen["proposed"] and "实收金额←“实收金额”(H列)" in seen["proposed"]
    assert "说明" not in seen["proposed"]                        # the note beside the table is no column
    dry = seen["dry"]
    assert "数据行 7 行：导入 3 行，拒绝 4 行；涉及 2 户" in dry and "第6行" in dry and "9-999" in dry
    assert "列对应：" in dry and seen["written_after_dry"] == 0
    rep = seen["report"]
    assert rep.startswith("已导入缴费历史")
    assert "导入合计：应收 3,795.74 元，实收 3,795.74 元" in rep
    assert "工作簿合计：应收 4,095.74 元，实收 4,095.74 元" in rep
    assert "上线后不再计费的月份：19 笔" in rep
    assert PaymentHistory.select().count() == 3
    assert Charge.select().where(Charge.source == "history").count() == 19
    assert AuditLog.select().where(AuditLog.action == "golive.history").count() == 1
    assert dlg.table.item(3, 1).text() == "缴费历史 3 条，涉及房屋 2 户"    # the checklist refreshed
    assert dlg.table.item(7, 0).text() == "车位与车辆"                     # point 3: the parking step
    assert dlg.table.item(7, 1).text() == "车位 2 个（已关联房屋 2 个），登记车辆 1 辆"


def test_a_file_without_a_history_sheet_is_named_and_nothing_is_written(qtbot, ctx, site, tmp_path, monkeypatch):
    bad = book(tmp_path / "别的表.xlsx", [["5-101", "x"]], header=["房号", "姓名"], note=False)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    imp = RegisterImportDialog(ctx, "history")
    qtbot.addWidget(imp)
    imp.show()
    qtbot.mouseClick(imp.browse_button, LEFT)
    qtbot.waitUntil(lambda: "没有缴费历史表" in imp.message.text(), timeout=20000)
    qtbot.mouseClick(imp.import_button, LEFT)
    qtbot.waitUntil(lambda: _idle(imp), timeout=20000)
    assert "没有缴费历史表" in imp.message.text() and imp.result_value is None
    assert PaymentHistory.select().count() == 0 and not AuditLog.select().where(
        AuditLog.action == "golive.history").exists()
    qtbot.mouseClick(imp.dry_button, LEFT)
    qtbot.waitUntil(lambda: _idle(imp), timeout=20000)
    assert "没有缴费历史表" in imp.message.text()


def test_only_who_may_bill_gets_the_history_import(qtbot, site, as_role):
    clerk = ChecklistDialog(as_role("area_manager"))
    qtbot.addWidget(clerk)
    assert not clerk.import_buttons["history"].isEnabled()
    cashier = ChecklistDialog(as_role("cashier"))
    qtbot.addWidget(cashier)
    assert cashier.import_buttons["history"].isEnabled() and not cashier.import_buttons["balances"].isEnabled()
