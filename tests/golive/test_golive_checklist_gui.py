"""上线检查 and the registers' import window, driven through their widgets: counts from the database,
a manager's sign-off (audited; a step without data needs a reason), the opening balances imported
from the checklist (试导入, then 导入, the report tying to the workbook)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.golive.owners_import import import_owners
from models.golive_opening import GoLiveSignoff
from models.ledger import Charge
from models.users import AuditLog
from tests.golive.test_golive_gui import type_chinese
from tests.helpers.golive import office_ledger
from tests.helpers.golive_registers import balances_workbook
from ui.golive.checklist_dialog import ChecklistDialog
from ui.golive.register_dialog import RegisterImportDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def site(ctx, tmp_path):
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=40))
    return ctx


def click_row(qtbot, table, row):
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())


def test_checklist_counts_and_a_managers_sign_off(qtbot, site, box_texts):
    dlg = ChecklistDialog(site)
    qtbot.addWidget(dlg)
    dlg.show()
    t = dlg.table
    assert [t.item(r, 0).text() for r in range(t.rowCount())] == [
        "楼栋房屋结构", "业主档案", "期初欠费与预存", "缴费历史", "钥匙登记", "水电气表读数", "住户与租户",
        "车位与车辆"]
    assert t.item(0, 1).text().endswith("房屋 40 户") and "业主 40 人" in t.item(1, 1).text()
    assert t.item(0, 2).text() == "（未签字）" and not dlg.sign_button.isEnabled()
    click_row(qtbot, t, 0)
    qtbot.mouseClick(dlg.sign_button, LEFT)
    assert t.item(0, 2).text() == "王经理" and t.item(0, 3).text() == "2026-11-23 09:00"
    assert "已签字 1 / 8 步" in dlg.message.text()
    click_row(qtbot, t, 4)                                        # 钥匙登记: nothing there yet
    qtbot.mouseClick(dlg.sign_button, LEFT)
    assert "请写明原因再签字" in box_texts[-1] and GoLiveSignoff.select().count() == 1
    type_chinese(dlg.note, "本小区钥匙已全部交业主，前台不保管")
    qtbot.mouseClick(dlg.sign_button, LEFT)
    assert t.item(4, 4).text() == "本小区钥匙已全部交业主，前台不保管" and dlg.note.text() == ""
    assert AuditLog.select().where(AuditLog.action == "golive.signoff").count() == 2


def test_a_clerk_sees_the_checklist_but_may_not_sign(qtbot, site, as_role):
    dlg = ChecklistDialog(as_role("area_manager"))
    qtbot.addWidget(dlg)
    dlg.show()
    click_row(qtbot, dlg.table, 0)
    assert not dlg.sign_button.isEnabled() and not dlg.import_buttons["balances"].isEnabled()
    assert dlg.import_buttons["keys"].isEnabled()


def test_balances_imported_from_the_checklist(qtbot, site, tmp_path, monkeypatch):
    path = balances_workbook(tmp_path / "期初余额.xlsx", homes=40)
    opened = []

    def shown(self):                    # the import window opens as a user sees it; the test drives it
        opened.append(self)
        self.show()
        return 0

    monkeypatch.setattr(RegisterImportDialog, "exec", shown)
    dlg = ChecklistDialog(site)
    qtbot.addWidget(dlg)
    dlg.show()
    for kind in ("keys", "meters", "residents", "balances"):
        qtbot.mouseClick(dlg.import_buttons[kind], LEFT)
    assert [d.windowTitle() for d in opened] == ["导入钥匙登记", "导入水电气表", "导入住户与租户", "导入期初欠费与预存"]
    for d in opened[:3]:
        d.close()
    imp = opened[-1]
    qtbot.addWidget(imp)
    qtbot.mouseClick(imp.dry_button, LEFT)
    assert imp.message.text() == "请先选择要导入的文件。"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(imp.browse_button, LEFT)
    assert imp.path.text() == str(path)
    qtbot.mouseClick(imp.dry_button, LEFT)
    qtbot.waitUntil(lambda: imp.dry_button.isEnabled() and bool(imp.report.toPlainText()), timeout=20000)
    assert "试导入（未写入）：期初欠费与预存 20 条，拒绝 7 行" in imp.report.toPlainText()
    assert Charge.select().count() == 0
    qtbot.mouseClick(imp.import_button, LEFT)
    qtbot.waitUntil(lambda: imp.result_value is not None, timeout=20000)
    text = imp.report.toPlainText()
    assert "导入完成：期初欠费与预存 20 条" in text and "预存余额：4 笔 4,800.00 元 → 4 笔 4,800.00 元，相符" in text
    assert Charge.select().where(Charge.source == "opening").count() == 20
    qtbot.mouseClick(imp.import_button, LEFT)                     # the same file again: refused, nothing more
    qtbot.waitUntil(lambda: "不会重复导入" in imp.message.text(), timeout=20000)
    assert Charge.select().where(Charge.source == "opening").count() == 20
    imp.close()
    again = ChecklistDialog(site)
    qtbot.addWidget(again)
    assert again.table.item(2, 1).text().startswith("期初欠费 16 笔")
