"""GUI of the loan register (offscreen): lend and return dialogs, refusals in Chinese with the
input kept, deposit typed in 元 and kept in fen, items, tab lists and slip preview."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.validation import id_check_char
from app.desk import loans
from models.loans import Loan, LoanItem
from tests.helpers.keys import DEFAULT_HOMES, make_homes

ID17 = "14010519620415123"
GOOD_ID = ID17 + id_check_char(ID17)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def site(ctx):
    make_homes(DEFAULT_HOMES)
    return {
        "轮椅": loans.create_item(ctx, {"name": "轮椅", "category": "助行", "quantity": 1, "needs_id": True}),
        "雨伞": loans.create_item(ctx, {"name": "雨伞", "category": "雨具", "quantity": 3}),
        "工具箱": loans.create_item(ctx, {"name": "工具箱", "category": "工具", "quantity": 1, "deposit_fen": 5000}),
    }


@pytest.fixture
def tab(qtbot, ctx, site):
    from ui.desk.loans_tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1200, 500)
    return w


def fill(dlg, room="5-201"):
    dlg.room.setText(room)
    dlg.name.setText("马建国")
    dlg.phone.setText("13703519876")
    dlg.signed.setChecked(True)


def test_lend_dialog_unknown_room_and_wheelchair_without_id(qtbot, ctx, site, warnings):
    from ui.desk.loan_dialogs import LendDialog
    dlg = LendDialog(ctx, site["轮椅"].id)
    qtbot.addWidget(dlg)
    fill(dlg, room="9-999")
    dlg.id_number.setText(GOOD_ID)
    assert dlg.submit() is None and warnings[-1] == "房号：房号“9-999”不存在，请核对"
    dlg.room.setText("5-201")
    dlg.id_number.setText("")
    assert dlg.submit() is None and "借用轮椅须登记有效身份证件" in warnings[-1]
    assert Loan.select().count() == 0 and dlg.name.text() == "马建国"
    dlg.id_number.setText(GOOD_ID)
    loan = dlg.submit()
    assert loan.id_masked.endswith(GOOD_ID[-4:]) and loan.due_date == dt.date(2026, 11, 26)


def test_lend_dialog_deposit_in_yuan_and_quantity_limit(qtbot, ctx, users, site, warnings):
    from models.property import Building
    from ui.desk.loan_dialogs import LendDialog
    Building.update(area_manager=users["area_manager"].id).execute()
    dlg = LendDialog(ctx, site["工具箱"].id)
    qtbot.addWidget(dlg)
    dlg.room.setText("5-201")
    dlg.room.editingFinished.emit()
    assert dlg.manager_note.text() == "本楼管家：张管家（借出后请告知）"
    assert dlg.deposit.text() == "50.00"                          # the item's deposit, shown in 元
    fill(dlg)
    dlg.deposit.setText("abc")
    assert dlg.submit() is None and warnings[-1].startswith("押金")
    dlg.deposit.setText("50.5")
    loan = dlg.submit()
    assert loan.deposit_fen == 5050 and isinstance(loan.deposit_fen, int)
    second = LendDialog(ctx, site["工具箱"].id)
    qtbot.addWidget(second)
    fill(second, room="5-202")
    assert second.submit() is None and "可借0件" in warnings[-1]
    umbrellas = LendDialog(ctx, site["雨伞"].id)
    qtbot.addWidget(umbrellas)
    fill(umbrellas)
    umbrellas.quantity.setValue(4)
    assert umbrellas.submit() is None and "共3件" in warnings[-1]
    assert Loan.select().count() == 1


def test_return_dialog_partial_refund_needs_damage_note(qtbot, ctx, site, warnings):
    from ui.desk.loan_dialogs import ReturnDialog
    loan = loans.lend(ctx, {"item_id": site["工具箱"].id, "room_code": "5-201", "borrower_name": "马建国",
                            "phone": "13703519876", "condition_out": "工具齐全", "borrower_signed": True,
                            "deposit_fen": 5000})
    row = loans.open_loans(ctx)[0]
    dlg = ReturnDialog(ctx, row)
    qtbot.addWidget(dlg)
    assert dlg.refund.text() == "50.00"
    dlg.refund.setText("30")
    assert dlg.submit() is None and warnings[-1].startswith("损坏说明")
    dlg.condition.setCurrentText("有损坏")
    dlg.damage.setText("扳手遗失")
    back = dlg.submit()
    assert back.refund_fen == 3000 and back.condition_in == "有损坏" and Loan.get_by_id(loan.id).returned_at
    assert dlg.update_item.isChecked() and LoanItem.get_by_id(site["工具箱"].id).condition == "有损坏"


def test_tab_lend_preview_and_overdue(qtbot, ctx, site, tab, monkeypatch, warnings):
    import ui.desk.loans_tab as mod

    class AutoLend(mod.LendDialog):
        def exec(self):
            fill(self)
            self.quantity.setValue(2)
            return bool(self.submit())

    monkeypatch.setattr(mod, "LendDialog", AutoLend)
    tab.inner.setCurrentIndex(1)
    rows = tab.items_model.rows
    tab.items_view.setCurrentIndex(tab.items_model.index(next(i for i, r in enumerate(rows) if r["name"] == "雨伞"), 0))
    tab.lend_selected_item()
    assert tab.last_preview.document.pageCount() == 1
    tab.last_preview.close()
    assert [r["available"] for r in tab.items_model.rows if r["name"] == "雨伞"] == [1]
    ctx.clock.set(dt.datetime(2026, 11, 28, 9, 0))
    tab.inner.setCurrentIndex(0)
    tab.refresh()
    assert tab.open_model.rowCount() == 1 and "逾期 1 笔" in tab.summary.text()
    idx = tab.open_model.index(0, 11)
    assert tab.open_model.data(idx, Qt.ItemDataRole.DisplayRole) == "逾期2天"
    assert tab.open_model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    tab.inner.setCurrentIndex(2)
    assert tab.hist_model.rowCount() == 1


def test_item_dialog(qtbot, ctx, site, warnings):
    from ui.desk.loan_dialogs import ItemDialog
    dlg = ItemDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.submit() is None and warnings[-1].startswith("物品名称")
    dlg.name.setText("人字梯")
    dlg.category.setCurrentText("工具")
    dlg.quantity.setValue(2)
    dlg.deposit.setText("20")
    item = dlg.submit()
    assert (item.quantity, item.deposit_fen) == (2, 2000)
    edit = ItemDialog(ctx, site["轮椅"].id)
    qtbot.addWidget(edit)
    assert edit.needs_id.isChecked() and edit.name.text() == "轮椅"
    edit.quantity.setValue(2)
    assert edit.submit().quantity == 2
    assert LoanItem.select().count() == 4


def test_reveal_phone_button(qtbot, ctx, users, site, warnings):
    from ui.desk.loans_tab import Tab
    loans.lend(ctx, {"item_id": site["雨伞"].id, "room_code": "5-201", "borrower_name": "马建国",
                     "phone": "13703519876", "condition_out": "完好", "borrower_signed": True})
    desk = Tab(ctx.with_user(users["frontdesk"]), None)
    qtbot.addWidget(desk)
    assert not desk.phone_button.isEnabled() and desk.open_model.rows[0]["phone"] == "137****9876"
    mgr = Tab(ctx, None)
    qtbot.addWidget(mgr)
    mgr.open_view.setCurrentIndex(mgr.open_model.index(0, 0))
    mgr.phone_button.click()
    assert "13703519876" in warnings[-1]


def test_retire_item_from_tab(qtbot, ctx, site, tab, monkeypatch, warnings):
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", lambda *a, **k: ("遗失", True))
    tab.inner.setCurrentIndex(1)
    i = next(i for i, r in enumerate(tab.items_model.rows) if r["name"] == "雨伞")
    tab.items_view.setCurrentIndex(tab.items_model.index(i, 0))
    tab.retire_button.click()
    row = next(r for r in tab.items_model.rows if r["name"] == "雨伞")
    assert not row["active"] and tab.items_model.data(tab.items_model.index(i, 9)) == "已停用"
    tab.items_view.setCurrentIndex(tab.items_model.index(i, 0))
    tab.lend_selected_item()
    assert "已停用" in warnings[-1]


def test_lend_with_deposit_in_the_loans_tab_shows_in_the_open_ledger_tab(qtbot, ctx, site):
    """The deposit of a loan is charged and receipted in the fee ledger: the 收费台账 tab showing the
    borrower's home lists the charge and the receipt at once, without searching again."""
    from tests.helpers.gui import accept_next_dialog, click_page, click_row, click_tab
    from ui.desk.loans_tab import ITEMS_PAGE
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    ledger = click_tab(qtbot, w, "ledger")
    qtbot.keyClicks(ledger.search, "5-201")
    qtbot.keyClick(ledger.search, Qt.Key.Key_Return)
    assert ledger.charges_model.rowCount() == 0 and ledger.receipts_model.rowCount() == 0
    desk = click_tab(qtbot, w, "loans")
    click_page(qtbot, desk.inner, ITEMS_PAGE)
    click_row(qtbot, desk.items_view, next(i for i, r in enumerate(desk.items_model.rows) if r["name"] == "工具箱"))

    def fill(dlg):
        assert dlg.deposit.text() == "50.00"
        qtbot.keyClicks(dlg.room, "5-201")
        dlg.name.setText("马建国")                     # Qt's test keyboard types ASCII only
        qtbot.keyClicks(dlg.phone, "13703519876")
        dlg.signed.click()
        dlg.print_slip.click()                        # no slip preview
    accept_next_dialog(qtbot, "借出", fill)
    qtbot.mouseClick(desk.lend_item_button, Qt.MouseButton.LeftButton)
    loan = Loan.get()
    assert loan.deposit_fen == 5000 and loan.deposit_receipt
    assert [r["item"] for r in desk.open_model.rows] == ["工具箱"]
    assert [r["item_code"] for r in ledger.charges_model.rows] == ["loan_deposit"]     # told, while hidden
    assert [r["number"] for r in ledger.receipts_model.rows] == [loan.deposit_receipt]
    assert click_tab(qtbot, w, "ledger") is ledger and "5-201" in ledger.header.text()
