"""The import wizard and the 待核对 list, driven through their widgets."""
from __future__ import annotations

from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from app.golive import worklist
from models.golive import ImportMapping
from models.people import Owner
from models.property import Home, ParkingSpace
from tests.helpers.golive import system_export
from ui.golive.wizard import ImportWizard
from ui.golive.worklist_dialog import WorklistDialog

LEFT = Qt.MouseButton.LeftButton


def type_chinese(widget, text):
    """Chinese comes through the input method (qtbot.keyClicks types ASCII keys only)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _combo(table, row, col):
    return table.cellWidget(row, col)


def test_wizard_export_file_to_import_and_saved_mapping(qtbot, ctx, tmp_path, monkeypatch):
    path = system_export(tmp_path / "物业系统导出.xlsx")
    dlg = ImportWizard(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(dlg.next_button, LEFT)                       # no file yet
    assert "请先选择" in dlg.message.text() and dlg.stack.currentIndex() == 0
    browse = next(b for b in dlg.findChildren(type(dlg.next_button)) if b.text() == "浏览…")
    qtbot.mouseClick(browse, LEFT)
    assert dlg.path.text() == str(path)
    qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.stack.currentIndex() == 1 and "物业系统导出" in dlg.mapping_label.text()
    roles = [_combo(dlg.sheet_table, r, 1).currentText() for r in range(dlg.sheet_table.rowCount())]
    assert roles == ["楼栋单元", "业主", "房屋", "车位"]
    dlg.sheet_table.setCurrentCell(1, 0)                          # the owners sheet's columns
    headers = [dlg.column_table.item(r, 1).text() for r in range(dlg.column_table.rowCount())]
    assert headers == ["业主编号", "业主名称", "性别", "手机号", "身份证号"]   # 说明 beside the data left out
    assert _combo(dlg.column_table, 3, 2).currentText() == "联系电话"
    qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.stack.currentIndex() == 2 and dlg.preview_table.rowCount() == 20
    assert dlg.preview_table.item(0, 2).text() == "1-1-101" and "联系电话" in dlg.preview_table.item(12, 7).text()
    qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30000)        # the dry run runs in the background
    assert "新建房屋 119 户" in dlg.dry_text.toPlainText() and Home.select().count() == 0
    qtbot.mouseClick(dlg.back_button, LEFT)
    assert dlg.stack.currentIndex() == 2
    qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30000)
    qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.stack.currentIndex() == 4
    qtbot.mouseClick(dlg.import_button, LEFT)
    qtbot.waitUntil(lambda: dlg.result_value is not None, timeout=30000)
    assert Home.select().count() == 119 and ParkingSpace.select().count() == 12
    assert "导入完成" in dlg.import_text.toPlainText()
    type_chinese(dlg.mapping_name, "老系统导出")
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert ImportMapping.get().name == "老系统导出" and "已保存" in dlg.message.text()


def test_wizard_user_corrects_a_column(qtbot, ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "户主", "手机", "建筑面积", "房屋类型"])
    ws.append(["5-1-203", "张伟", "13812345678", 100, "洋房"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    dlg = ImportWizard(ctx, None, str(path))
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.next_button, LEFT)
    # 户主 is no known header: the sheet is not recognised until the user maps it
    role = _combo(dlg.sheet_table, 0, 1)
    role.setCurrentIndex(role.findText("业主台账"))
    owner_col = _combo(dlg.column_table, 1, 2)
    owner_col.setCurrentIndex(owner_col.findText("业主姓名"))
    qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.preview_table.item(0, 5).text() == "张伟"
    qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30000)
    qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.mouseClick(dlg.import_button, LEFT)
    qtbot.waitUntil(lambda: dlg.result_value is not None, timeout=30000)
    assert Owner.get().name == "张伟"


def test_worklist_dialog_search_resolve_locate_export(qtbot, ctx, tmp_path, monkeypatch):
    from app.golive.owners_import import import_owners
    import_owners(ctx, system_export(tmp_path / "e.xlsx"))
    located = []
    dlg = WorklistDialog(ctx, None, located.append)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 2
    qtbot.keyClicks(dlg.search, "1391234567")
    qtbot.keyClick(dlg.search, Qt.Key.Key_Return)
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 3).text() == "******4567"   # shown masked
    dlg.table.selectRow(0)
    qtbot.mouseClick(dlg.locate_button, LEFT)
    assert located == [Home.get(Home.room_code == "1-1-701").id]
    out = tmp_path / "待核对.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(dlg.export_button, LEFT)
    assert load_workbook(out).active.max_row == 3 and "已导出 2 项" in dlg.message.text()
    type_chinese(dlg.note, "已电话核实")
    qtbot.mouseClick(dlg.resolve_button, LEFT)
    assert worklist.open_count() == 1 and dlg.table.rowCount() == 0
    qtbot.mouseClick(dlg.resolve_button, LEFT)
    assert "请先选择" in dlg.message.text()
