"""导入车位与车辆… from 上线检查, driven through the widgets: choose the file, 试导入 (the row-by-row report,
nothing written), 导入, the same file refused; the checklist's 车位与车辆 step shows what came in."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.golive.owners_import import import_owners
from models.parking import Vehicle
from models.property import ParkingSpace
from tests.golive.test_vehicles_import import EXTRA
from tests.helpers.golive import office_ledger
from tests.helpers.golive_vehicles import vehicles_workbook
from ui.golive.checklist_dialog import ChecklistDialog
from ui.golive.register_dialog import RegisterImportDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def site(ctx, tmp_path):
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=36))
    return ctx


def test_vehicles_imported_from_the_checklist(qtbot, site, tmp_path, monkeypatch):
    path = vehicles_workbook(tmp_path / "车位车辆.xlsx", homes=36, extra=EXTRA)
    opened = []

    def shown(self):                    # the import window opens as a user sees it; the test drives it
        opened.append(self)
        self.show()
        return 0

    monkeypatch.setattr(RegisterImportDialog, "exec", shown)
    dlg = ChecklistDialog(site)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.table.item(7, 1).text() == "车位 0 个（已关联房屋 0 个），登记车辆 0 辆"
    qtbot.mouseClick(dlg.import_buttons["vehicles"], LEFT)
    imp = opened[-1]
    qtbot.addWidget(imp)
    assert imp.windowTitle() == "导入车位与车辆"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(imp.browse_button, LEFT)
    assert imp.path.text() == str(path)
    qtbot.mouseClick(imp.dry_button, LEFT)
    qtbot.waitUntil(lambda: imp.dry_button.isEnabled() and bool(imp.report.toPlainText()), timeout=20000)
    text = imp.report.toPlainText()
    assert text.startswith("试导入（未写入）：车位 39 个（新建 39，与已有车位匹配 0，关联房屋 37 个），"
                           "车辆 20 辆，待核对 2 项")
    assert "第39行：车位 G-01 新建，未关联房屋" in text and "拒绝 第42行：车牌号：粤B10000 与第3行重复" in text
    assert ParkingSpace.select().count() == 0
    qtbot.mouseClick(imp.import_button, LEFT)
    qtbot.waitUntil(lambda: imp.result_value is not None, timeout=20000)
    assert imp.message.text().startswith("导入完成：车位 39 个")
    assert ParkingSpace.select().count() == 39 and Vehicle.select().count() == 20
    qtbot.mouseClick(imp.import_button, LEFT)                     # the same file again: refused
    qtbot.waitUntil(lambda: "不会重复导入" in imp.message.text(), timeout=20000)
    assert Vehicle.select().count() == 20
    imp.close()
    again = ChecklistDialog(site)
    qtbot.addWidget(again)
    assert again.table.item(7, 1).text() == "车位 39 个（已关联房屋 37 个），登记车辆 20 辆，待核对 2 项"


def test_only_a_manager_may_import_parking(qtbot, site, as_role):
    dlg = ChecklistDialog(as_role("area_manager"))
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.import_buttons["vehicles"].isEnabled() and dlg.import_buttons["residents"].isEnabled()
