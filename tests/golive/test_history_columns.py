"""缴费历史's columns corrected in the import window (issue 16): a workbook whose 实收金额 column is named
实付 (no known header name) is chosen, the window proposes the other columns from their names and
leaves 实收金额 at 不导入; 试导入 refuses naming the field before anything runs; the user picks the
column in its combo (keyboard), leaves 备注 out, 试导入 shows the rows, 导入 writes them with what was
chosen, the choice saved by name is proposed for the next file and used by the command line."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.core.errors import ValidationError
from app.golive import history_mapping as hmaps
from app.golive import mapping as owner_maps
from app.golive.history_import import column_proposal, import_history
from models.golive import ImportMapping
from models.payhistory import PaymentHistory
from models.users import AuditLog
from tests.golive.test_history_import import HEADER, ROWS, book, run_cli
from tests.golive.test_history_import import site as site  # noqa: F401,PLC0414  (fixture)
from ui.golive.register_dialog import RegisterImportDialog

LEFT = Qt.MouseButton.LeftButton
RENAMED = [("实付" if h == "实收金额" else h) for h in HEADER]        # H列: no header name the app knows
PAID_COL, MEMO_COL = RENAMED.index("实付"), RENAMED.index("备注")


def renamed_book(path):
    return book(path, ROWS, header=RENAMED)


def choose(qtbot, combo, column):
    """Pick *column* (None: 不导入) in the combo with the arrow keys, as a user does."""
    target = combo.findData(column) if column is not None else 0
    assert target >= 0
    combo.setFocus()
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def _idle(dlg):
    return dlg.dry_button.isEnabled() and dlg.import_button.isEnabled()


def test_renamed_column_corrected_in_the_window_then_imported_and_saved(qtbot, ctx, site, tmp_path,  # noqa: F811
                                                                        monkeypatch):
    path = renamed_book(tmp_path / "旧系统缴费.xlsx")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dlg = RegisterImportDialog(ctx, "history")
    qtbot.addWidget(dlg)
    dlg.resize(1366, 768)
    dlg.show()
    qtbot.mouseClick(dlg.browse_button, LEFT)
    cols = dlg.columns
    qtbot.waitUntil(lambda: bool(cols.combos), timeout=20000)
    assert "工作表“缴费记录”，表头在第 2 行" in cols.title.text() and "按表头名称推测" in cols.title.text()
    assert cols.table.rowCount() == len(hmaps.FIELDS)
    assert cols.combos["room"].currentText() == "B列  房号"
    assert cols.combos["paid"].currentText() == "（不导入）"                # 实付 is no name it knows
    assert "尚缺：实收金额：必须指定对应的列" in dlg.message.text()
    options = [cols.combos["paid"].itemText(i) for i in range(cols.combos["paid"].count())]
    assert options[0] == "（不导入）" and "H列  实付" in options and not any("说明" in o for o in options)

    qtbot.mouseClick(dlg.dry_button, LEFT)                                  # refused before anything runs
    assert "实收金额：必须指定对应的列" in dlg.message.text()
    assert not hasattr(dlg, "last_run") and _idle(dlg)

    choose(qtbot, cols.combos["paid"], PAID_COL)
    choose(qtbot, cols.combos["memo"], None)
    assert cols.combos["paid"].currentText() == "H列  实付" and cols.combos["memo"].currentText() == "（不导入）"
    qtbot.mouseClick(dlg.dry_button, LEFT)
    qtbot.waitUntil(lambda: _idle(dlg) and dlg.report.toPlainText().startswith("试导入"), timeout=20000)
    dry = dlg.report.toPlainText()
    assert "数据行 7 行：导入 3 行，拒绝 4 行；涉及 2 户" in dry
    assert "实收金额←“实付”(H列)" in dry and "备注←" not in dry and "映射：导入窗口中核对的列对应" in dry
    assert PaymentHistory.select().count() == 0

    qtbot.mouseClick(dlg.import_button, LEFT)
    qtbot.waitUntil(lambda: dlg.result_value is not None and _idle(dlg), timeout=20000)
    assert "实收 3,795.74 元" in dlg.report.toPlainText()
    stored = list(PaymentHistory.select().order_by(PaymentHistory.id))
    assert len(stored) == 3 and sum(h.paid_fen for h in stored) == 379574
    assert all(h.memo == "" for h in stored)                                # 备注 was left out: "一年" not stored

    qtbot.keyClicks(cols.name, "oldsys")
    qtbot.mouseClick(cols.save_button, LEFT)
    assert "映射已保存为“oldsys”" in cols.saved_label.text()
    row = ImportMapping.get(ImportMapping.name == "oldsys")
    assert row.kind == "history"
    saved = hmaps.load_history_mapping("oldsys")
    assert saved.exact and saved.columns["paid"] == "实付" and "memo" not in saved.columns
    assert AuditLog.select().where(AuditLog.action == "golive.mapping").count() == 1

    qtbot.mouseClick(dlg.browse_button, LEFT)                               # the next file: the saved choice
    qtbot.waitUntil(lambda: "oldsys" in cols.title.text(), timeout=20000)
    assert cols.combos["paid"].currentText() == "H列  实付" and cols.combos["memo"].currentText() == "（不导入）"


def test_a_field_without_a_column_is_named(ctx, site, tmp_path):  # noqa: F811
    path = renamed_book(tmp_path / "h.xlsx")
    base = {"room": "房号", "item": "收费项目", "period": "所属期间", "paid": "实付"}
    cases = [({k: v for k, v in base.items() if k != "item"}, "收费项目：必须指定对应的列"),
             ({k: v for k, v in base.items() if k != "room"}, "房号：房号和车牌号至少要指定一列"),
             ({k: v for k, v in base.items() if k != "period"}, "所属期间：所属期间和起始/截止月份至少要指定一列"),
             ({**base, "billed": "实付"}, "应收金额：与“实收金额”选了同一列“实付”")]
    for columns, message in cases:
        with pytest.raises(ValidationError) as e:
            import_history(ctx, path, hmaps.HistoryMapping("w", "w", "缴费记录", columns, exact=True), dry_run=True)
        assert str(e.value) == message
    with pytest.raises(ValidationError, match="没有缴费历史表"):               # no mapping fits: as before
        import_history(ctx, path, dry_run=True)


def test_saved_mapping_is_exact_kept_apart_from_the_owners_and_proposed(ctx, site, tmp_path):  # noqa: F811
    path = renamed_book(tmp_path / "h.xlsx")
    guess = column_proposal(path)
    assert guess.source == "按表头名称推测" and "paid" not in guess.columns and guess.columns["memo"] == MEMO_COL
    chosen = {**guess.header_columns(), "paid": "实付"}
    chosen.pop("memo")
    m = hmaps.HistoryMapping("w", "w", guess.sheet, chosen, exact=True)
    with pytest.raises(ValidationError, match="系统自带映射"):
        hmaps.save_history_mapping(ctx, m, "缴费历史")
    owner_maps.save(ctx, owner_maps.shipped()[0], "台账A")
    with pytest.raises(ValidationError, match="另一类导入"):
        hmaps.save_history_mapping(ctx, m, "台账A")
    hmaps.save_history_mapping(ctx, m, "旧系统")
    assert [x.name for x in owner_maps.saved()] == ["台账A"]              # the owners' list keeps its kind
    with pytest.raises(Exception, match="没有名为“旧系统”的导入映射"):
        owner_maps.load("旧系统")
    again = column_proposal(path)
    assert again.source == "旧系统" and again.columns["paid"] == PAID_COL and "memo" not in again.columns
    rep = import_history(ctx, path, "旧系统")
    assert (rep.imported, len(rep.rejected_at), rep.paid_fen) == (3, 4, 379574) and rep.mapping == "旧系统"
    assert not PaymentHistory.select().where(PaymentHistory.memo != "").exists()


@pytest.mark.slow
def test_the_command_line_uses_the_saved_mapping(ctx, site, data_dir, tmp_path):  # noqa: F811
    path = renamed_book(tmp_path / "缴费历史.xlsx")
    r = run_cli(data_dir, "import", "history", str(path), "--dry-run")
    assert r.returncode == 2 and "没有缴费历史表" in r.stderr + r.stdout
    guess = column_proposal(path)
    hmaps.save_history_mapping(ctx, hmaps.HistoryMapping("w", "w", guess.sheet,
                                                         {**guess.header_columns(), "paid": "实付"}, True), "oldsys")
    r = run_cli(data_dir, "import", "history", str(path), "--mapping", "oldsys", "--dry-run")
    assert r.returncode == 3, r.stderr
    assert "映射：oldsys" in r.stdout and "导入 3 行，拒绝 4 行" in r.stdout and "实收金额←“实付”(H列)" in r.stdout
    assert PaymentHistory.select().count() == 0
    r = run_cli(data_dir, "import", "history", str(path), "--mapping", "oldsys")
    assert r.returncode == 3, r.stderr
    assert PaymentHistory.select().count() == 3
    r = run_cli(data_dir, "import", "history", str(path), "--mapping", "nosuch", "--dry-run")
    assert r.returncode == 2
    assert "没有名为“nosuch”的缴费历史映射（可用：oldsys、payment_history）" in r.stderr + r.stdout
