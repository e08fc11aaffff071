"""Every go-live register's columns corrected in the import window (issue 16, point 2): the file chosen, the
renamed column's field left at 不导入 (a required one named in the message and by 试导入 before anything
runs), the column picked in its combo by keyboard, 试导入 shows the rows and writes nothing, 导入 writes
them with what was chosen, 保存映射 keeps it by name and the next file of that shape gets it proposed."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.golive import register_sheets as rs
from models.golive import ImportMapping
from tests.golive.test_history_columns import choose
from tests.golive.test_register_columns import BOOKS, book, written
from tests.golive.test_register_columns import site as site  # noqa: F401,PLC0414  (fixture)
from ui.golive.register_dialog import RegisterImportDialog

LEFT = Qt.MouseButton.LeftButton


def _idle(dlg):
    return dlg.dry_button.isEnabled() and dlg.import_button.isEnabled()


def opened(qtbot, ctx, kind, path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dlg = RegisterImportDialog(ctx, kind)
    qtbot.addWidget(dlg)
    dlg.resize(1366, 768)
    dlg.show()
    qtbot.mouseClick(dlg.browse_button, LEFT)
    qtbot.waitUntil(lambda: bool(dlg.columns.combos), timeout=20000)
    return dlg


@pytest.mark.parametrize("kind", ["balances", "keys", "vehicles"])
def test_renamed_column_corrected_by_keyboard_then_imported_and_saved(qtbot, ctx, site, tmp_path,  # noqa: F811
                                                                      monkeypatch, kind):
    _s, header, _rows, key, renamed = BOOKS[kind]
    col = header.index(renamed)
    dlg = opened(qtbot, ctx, kind, book(tmp_path / f"{kind}.xlsx", kind), monkeypatch)
    cols = dlg.columns
    assert cols.table.rowCount() == len(rs.FIELDS[kind]) and "表头在第 2 行" in cols.title.text()
    assert cols.combos[key].currentText() == "（不导入）"
    label = rs.label(kind, key)
    if kind == "keys":                                  # the key column: named before anything runs
        assert "尚缺：钥匙名称：必须指定对应的列" in dlg.message.text()
        qtbot.mouseClick(dlg.dry_button, LEFT)
        assert "钥匙名称：必须指定对应的列" in dlg.message.text() and _idle(dlg)
        qtbot.mouseClick(cols.save_button, LEFT)
        assert "钥匙名称：必须指定对应的列" in cols.saved_label.text() and not ImportMapping.select().exists()
    else:
        assert "请在左侧核对列对应" in dlg.message.text()
    assert cols.table.item(list(rs.FIELDS[kind]).index(key), 0).text().startswith(label)
    choose(qtbot, cols.combos[key], col)
    assert cols.combos[key].currentText().endswith(renamed)
    qtbot.mouseClick(dlg.dry_button, LEFT)
    qtbot.waitUntil(lambda: _idle(dlg) and dlg.report.toPlainText().startswith("试导入"), timeout=20000)
    dry = dlg.report.toPlainText()
    assert "导入窗口中核对的列对应" in dry and "拒绝 0" in dry and written(kind) == 0
    qtbot.mouseClick(dlg.import_button, LEFT)
    qtbot.waitUntil(lambda: dlg.result_value is not None and _idle(dlg), timeout=20000)
    assert not dlg.result_value.rejected and written(kind) == (2 if kind == "balances" else 3)
    qtbot.keyClicks(cols.name, "oldsys")
    qtbot.mouseClick(cols.save_button, LEFT)
    assert f"映射已保存为“oldsys”；命令行：propertydesk import {kind} 文件 --mapping oldsys" in \
        cols.saved_label.text()
    assert ImportMapping.get(ImportMapping.name == "oldsys").kind == kind
    nxt = opened(qtbot, ctx, kind, book(tmp_path / f"{kind}-2.xlsx", kind, "下一份"), monkeypatch)
    assert "（oldsys）" in nxt.columns.title.text()
    assert nxt.columns.combos[key].currentData() == col and f"{label}←“{renamed}”" in nxt.report.toPlainText()


def test_a_file_without_the_register_is_named(qtbot, ctx, site, tmp_path, monkeypatch):  # noqa: F811
    from openpyxl import Workbook
    path = tmp_path / "别的表.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dlg = RegisterImportDialog(ctx, "vehicles")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.mouseClick(dlg.browse_button, LEFT)
    qtbot.waitUntil(lambda: "没有车位与车辆表" in dlg.message.text(), timeout=20000)
    assert not dlg.columns.combos and not dlg.columns.save_button.isEnabled()
