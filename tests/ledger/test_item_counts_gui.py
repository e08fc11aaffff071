"""计费数量… on the 费用明细 bar, driven through its widgets: the spin box typed, 保存 clicked, the count
stored and billed; a wrong month refused in the dialog; a site without per-count items says so."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ledger import billing, charge_item_edit
from models.item_counts import ItemCount
from models.ledger import Charge
from tests.helpers.ledger import make_site


@pytest.fixture
def tab(qtbot, ctx, users, boxes):   # boxes: message boxes recorded, not shown
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.search.setText("5-101")
    w.find()
    return w


def _item(ctx):
    return charge_item_edit.save_item(ctx, {"name": "电动车充电桩管理费", "category": "periodic", "formula": "count",
                                            "rate": "8.00", "count_unit": "辆", "valid_from": "2026-01"})


def _open(qtbot, tab):
    button = tab.findChild(QPushButton, "ledger_item_counts")
    assert button is not None and button.isEnabled() and button.text() == "计费数量…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return getattr(tab, "count_dialog", None)


def _type(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def test_spin_box_typed_and_saved_then_billed(qtbot, tab, ctx):
    ev = _item(ctx)
    dlg = _open(qtbot, tab)
    assert dlg is not None and dlg.isVisible()
    spin = dlg.widget(ev.code)
    assert spin.value() == 0 and spin.maximum() == 99 and spin.suffix() == " 辆"
    _type(qtbot, spin, "2")
    assert spin.value() == 2
    dlg.widget("memo").setText("两辆电动车")   # QTest cannot type CJK characters (aborts); the spin box is typed
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    row = ItemCount.get()
    assert (row.home_id, row.count, row.valid_from, row.memo) == (tab.home_id, 2, "2026-11", "两辆电动车")
    billing.run_month(ctx, "2026-11")
    assert Charge.get(Charge.item_code == ev.code).amount_fen == 1600
    # opened again it shows the count held now
    again = _open(qtbot, tab)
    assert again.widget(ev.code).value() == 2
    qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)


def test_bad_month_refused_in_the_dialog(qtbot, tab, ctx):
    ev = _item(ctx)
    dlg = _open(qtbot, tab)
    _type(qtbot, dlg.widget(ev.code), "3")
    start = dlg.widget("start")
    start.clear()
    qtbot.keyClicks(start, "2026-13")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and "起始月份" in dlg.error_label.text()
    assert ItemCount.select().count() == 0
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)


def test_no_per_count_items_says_where_to_add_them(qtbot, tab, box_texts):
    assert _open(qtbot, tab) is None
    assert any("按数量" in t for t in box_texts)
