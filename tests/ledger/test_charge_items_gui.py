"""The 收费项目 editor driven as the manager does: 收费项目… on the 月度计费与收费标准 page, 新增 an
电梯费 for building 5 (a bad rate refused naming 单价), 修改 its rate, 停用 and 启用 it, close, bill
the month, and see it in the home's charges; a cashier cannot open the editor."""
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from models.ledger import Charge
from tests.helpers.ledger import make_site
from tests.helpers.notices import type_text  # Chinese typed as an input method sends it

SHOTS = os.environ.get("LEDGER_SHOTS")  # set to a folder to save screenshots
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def tab(qtbot, ctx, users, boxes):   # boxes: the 月度计费 confirmation is answered 是
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.inner.setCurrentIndex(w.BILLING_PAGE)
    return w


def click_row(qtbot, view, name):
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.rows[r]["name"] == name)
    rect = view.visualRect(model.index(row, 0))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())


def choose(combo, value):
    combo.setCurrentIndex(combo.findData(value))


def type_into(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_add_edit_stop_bill_and_see_the_item(qtbot, tab, ctx):
    button = tab.findChild(QPushButton, "ledger_charge_items")
    assert button.isEnabled()
    qtbot.mouseClick(button, LEFT)
    dlg = tab.charge_items_dialog
    qtbot.waitUntil(dlg.isVisible)
    names = [r["name"] for r in dlg.model.rows]
    assert "物业服务费" in names and not dlg.edit_button.isEnabled()

    qtbot.mouseClick(dlg.add_button, LEFT)
    form = dlg.item_form
    qtbot.waitUntil(form.isVisible)
    type_text(qtbot, form.widget("name"), "电梯费")
    type_text(qtbot, form.widget("rate"), "三毛")
    choose(form.widget("scope"), "building")
    type_text(qtbot, form.widget("scope_values"), "5号楼")
    type_text(qtbot, form.widget("basis"), "物价局备案")
    qtbot.mouseClick(form.ok_button, LEFT)
    assert form.isVisible() and "单价" in form.error_label.text()
    type_into(qtbot, form.widget("rate"), "0.35")
    if SHOTS:
        form.grab().save(os.path.join(SHOTS, "charge_item_form.png"))
    qtbot.mouseClick(form.ok_button, LEFT)
    qtbot.waitUntil(lambda: not form.isVisible())
    row = next(r for r in dlg.model.rows if r["name"] == "电梯费")
    assert (row["scope"], row["state"]) == ("5号楼", "启用")
    assert any(r["item_name"] == "电梯费" for r in tab.standards_model.rows)

    click_row(qtbot, dlg.view, "电梯费")
    assert dlg.edit_button.isEnabled() and dlg.toggle_button.text() == "停用"
    qtbot.mouseClick(dlg.edit_button, LEFT)
    form = dlg.item_form
    qtbot.waitUntil(form.isVisible)
    assert form.widget("name").text() == "电梯费"
    type_into(qtbot, form.widget("rate"), "0.40")
    qtbot.mouseClick(form.ok_button, LEFT)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert "0.40" in next(r for r in dlg.model.rows if r["name"] == "电梯费")["standard"]

    click_row(qtbot, dlg.view, "电梯费")
    qtbot.mouseClick(dlg.toggle_button, LEFT)
    assert next(r for r in dlg.model.rows if r["name"] == "电梯费")["state"] == "停用"
    assert not any(r["item_name"] == "电梯费" for r in tab.standards_model.rows)
    click_row(qtbot, dlg.view, "电梯费")
    assert dlg.toggle_button.text() == "启用"
    qtbot.mouseClick(dlg.toggle_button, LEFT)
    assert next(r for r in dlg.model.rows if r["name"] == "电梯费")["state"] == "启用"
    if SHOTS:
        dlg.grab().save(os.path.join(SHOTS, "charge_items.png"))
    qtbot.mouseClick(dlg.findChild(QPushButton, "charge_items_close"), LEFT)
    qtbot.waitUntil(lambda: not dlg.isVisible())

    type_into(qtbot, tab.month, "2026-11")
    qtbot.mouseClick(tab.bill_button, LEFT)
    assert "电梯费 3 笔" in tab.bill_result.text()
    if SHOTS:
        tab.grab().save(os.path.join(SHOTS, "charge_items_billing_page.png"))
    tab.inner.setCurrentIndex(0)
    qtbot.keyClicks(tab.search, "5-102")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(r["item"] == "电梯费" for r in tab.charges_model.rows))
    line = next(r for r in tab.charges_model.rows if r["item"] == "电梯费")
    assert line["period"] == "2026-11"
    # 123.45 m² × 0.40 = 49.38 元
    assert Charge.get((Charge.home == tab.home_id) & (Charge.bill_period == "2026-11")
                      & (Charge.item_code == line["item_code"])).amount_fen == 4938


def test_cashier_cannot_open_the_editor(qtbot, ctx, users, boxes):
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx.with_user(users["cashier"]))
    qtbot.addWidget(w)
    w.show()
    w.inner.setCurrentIndex(w.BILLING_PAGE)
    assert not w.findChild(QPushButton, "ledger_charge_items").isEnabled()


def test_desk_registers_an_office_one_off_item(qtbot, ctx, users, boxes):
    from app.ledger import charge_item_edit
    from ui.ledger.charge_dialog import ChargeDialog
    site = make_site(ctx, users)
    item = charge_item_edit.save_item(ctx, {"name": "门禁卡补办", "category": "one_off", "formula": "fixed",
                                            "rate": "20", "valid_from": "2026-11"})
    dlg = ChargeDialog(ctx, site["5-101"].id, "5-101")
    qtbot.addWidget(dlg)
    dlg.show()
    combo = dlg.widget("item")
    choose(combo, item.code)
    assert combo.currentText() == "门禁卡补办" and dlg.amount.text() == "20.00"
    qtbot.mouseClick(dlg.ok_button, LEFT)
    qtbot.waitUntil(lambda: dlg.result_value is not None)
    c = dlg.result_value
    assert (c.item_code, c.amount_fen, c.source) == (item.code, 2000, "desk")
