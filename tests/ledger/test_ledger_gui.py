"""The 收费台账 tab offscreen: find a home, pay selected charges (part-payment typed in 元),
preview/reprint/void receipts, run the month's billing, the arrears views."""
import os

import pytest
from PySide6.QtCore import Qt

from app.ledger import billing
from models.ledger import Charge, Receipt
from tests.helpers.ledger import make_site

SHOTS = os.environ.get("LEDGER_SHOTS")  # set to a folder to save screenshots


@pytest.fixture
def tab(qtbot, ctx, users, boxes):   # boxes: the 月度计费 confirmation is answered 是
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1200, 700)
    w.show()
    return w


def press_ok(qtbot, dlg):
    """Click the dialog's OK button (the dialog is not shown: exec is replaced by the test)."""
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    return dlg.result()


def shot(w, name):
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, f"ledger_{name}.png"))


def test_bill_find_pay_void(qtbot, tab, ctx, monkeypatch):
    from ui.ledger import pay_dialog as ledger_pay
    tab.inner.setCurrentIndex(tab.BILLING_PAGE)
    assert tab.standards_model.rowCount() > 20
    tab.month.setText("2026-10")
    tab.bill_button.click()
    assert "新增 7 笔" in tab.bill_result.text()
    shot(tab, "billing")
    tab.bill_button.click()
    assert "已计费，无新的费用需要计收" in tab.bill_result.text()
    tab.inner.setCurrentIndex(0)
    tab.search.setText("5-102")
    tab.find()
    assert tab.charges_model.rowCount() == 2
    assert "欠费 ¥319.74" in tab.header.text()  # 219.74 property fee + 100.00 parking
    shot(tab, "charges")

    def fake_exec(dlg):
        # part-payment: only the property fee, 100 元 typed in 元
        model = dlg.model
        for r in range(model.rowCount()):
            is_fee = model.rows[r]["item"] == "物业服务费"
            model.setData(model.index(r, 0), 2 if is_fee else 0, 10)
            if is_fee:
                model.setData(model.index(r, 4), "100", 2)
        assert "100.00" in dlg.total.text() and "壹佰元整" in dlg.total.text()
        if SHOTS:
            dlg.grab().save(os.path.join(SHOTS, "ledger_pay_dialog.png"))
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_pay.PayDialog, "exec", fake_exec)
    receipt = tab.pay()
    assert receipt is not None and receipt.total_fen == 10000
    fee = Charge.get((Charge.home == tab.home_id) & (Charge.item_code == "property_fee"))
    assert fee.paid_fen == 10000
    assert tab.last_preview is not None and tab.last_preview.document.pageCount() == 1
    tab.last_preview.close()
    assert tab.receipts_model.rowCount() == 1
    tab.inner.setCurrentIndex(1)
    tab.receipts_view.selectRow(0)
    tab.reprint_receipt()
    assert Receipt.get_by_id(receipt.id).reprint_count == 1
    tab.last_preview.close()

    def fake_void(dlg):
        dlg.reason.setPlainText("收错金额")          # Qt's test keyboard types ASCII only
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_pay.VoidDialog, "exec", fake_void)
    tab.receipts_view.selectRow(0)
    tab.void_receipt()
    assert Receipt.get_by_id(receipt.id).status == "void"
    assert tab.receipts_model.rows[0]["status"] == "作废"
    assert Charge.get_by_id(fee.id).paid_fen == 0
    shot(tab, "receipts")


def test_pay_refused_keeps_dialog(qtbot, tab, ctx, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.ledger import pay_dialog as ledger_pay
    billing.run_month(ctx, "2026-10")
    tab.search.setText("5-101")
    tab.find()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))

    def fake_exec(dlg):
        dlg.model.setData(dlg.model.index(0, 4), "1.234", 2)
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_pay.PayDialog, "exec", fake_exec)
    assert tab.pay() is None
    assert warnings and "收款金额" in warnings[0]
    assert Receipt.select().count() == 0


def test_frontdesk_cannot_pay_or_void(qtbot, as_role):
    from ui.ledger.tab import Tab
    w = Tab(as_role("frontdesk"))
    qtbot.addWidget(w)
    assert not w.pay_button.isEnabled() and not w.bill_button.isEnabled()


def test_arrears_views(qtbot, tab, ctx):
    billing.run_month(ctx, "2026-09")
    billing.run_month(ctx, "2026-10")
    from ui.ledger.arrears_load import loading
    tab.inner.setCurrentIndex(tab.ARREARS_PAGE)
    qtbot.waitUntil(lambda: not loading(tab))           # the page loads in the background
    assert tab.arrears_view.model().rowCount() == 5
    assert "欠费 5 户" in tab.arrears_total.text()
    shot(tab, "arrears")
    for i in range(1, tab.arrears_kind.count()):
        tab.arrears_kind.setCurrentIndex(i)
        qtbot.waitUntil(lambda: not loading(tab))
        assert tab.arrears_view.model().rowCount() >= 1
        assert "欠费 5 户" in tab.arrears_total.text()
    tab.arrears_kind.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not loading(tab))
    tab._open_arrears_home(tab.arrears_view.model().index(0, 0))
    assert tab.home_id is not None and tab.charges_model.rowCount() >= 2


def test_add_parcel_and_service_charge(qtbot, tab, ctx, monkeypatch):
    from ui.ledger import charge_dialog as ledger_charge
    tab.search.setText("5-101")
    tab.find()

    def parcel(dlg):
        dlg.item.setCurrentIndex(dlg.item.findData("parcel_fee"))
        qtbot.keyClicks(dlg.hours, "37")                       # 37 h → 3 元
        assert dlg.amount.text() == "3.00" and dlg.amount_text.text() == "叁元整"
        if SHOTS:
            dlg.grab().save(os.path.join(SHOTS, "ledger_charge_dialog.png"))
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_charge.ChargeDialog, "exec", parcel)
    c = tab.add_charge()
    assert c.item_code == "parcel_fee" and c.amount_fen == 300 and "37" in c.memo

    def drain(dlg):
        dlg.item.setCurrentIndex(dlg.item.findData("service_drain"))
        assert dlg.amount.text() == "30.00"
        dlg.market.click()                            # the dialog is not laid out: no mouse position
        assert dlg.market.isChecked()
        assert dlg.amount.text() == "50.00"
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_charge.ChargeDialog, "exec", drain)
    c2 = tab.add_charge()
    assert c2.amount_fen == 5000 and c2.memo.startswith("市场价")
    assert tab.charges_model.rowCount() == 2


def test_reading_dialog_records_and_refuses(qtbot, tab, ctx, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ledger import meters
    from ui.ledger import pay_dialog as ledger_pay
    tab.search.setText("5-101")
    tab.find()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))

    def enter(value):
        def fake(dlg):
            dlg.kind.setCurrentIndex(dlg.kind.findData("gas"))
            qtbot.keyClicks(dlg.reading, value)
            return press_ok(qtbot, dlg)
        return fake
    monkeypatch.setattr(ledger_pay.ReadingDialog, "exec", enter("120.5"))
    tab.reading()
    assert meters.readings(ctx, tab.home_id, "gas")[0]["reading"] == "120.50"
    assert tab.readings_model.rowCount() == 1 and tab.readings_model.text(0, 2) == "120.50"
    ctx.clock.advance(days=1)
    monkeypatch.setattr(ledger_pay.ReadingDialog, "exec", enter("100"))
    tab.reading()
    assert warnings and "不能小于上次读数" in warnings[-1]


def test_import_readings_button_then_bill(qtbot, tab, ctx, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期"])
    ws.append(["5-101", "燃气", 100, "2026-09-30"])
    ws.append(["5-101", "燃气", 160, "2026-10-31"])
    path = tmp_path / "抄表.xlsx"
    wb.save(path)
    run = tab.import_readings(str(path))              # in the background
    qtbot.waitUntil(run.done)
    assert run.op.result == 2 and "已导入 2 条" in tab.bill_result.text()
    tab.month.setText("2026-10")
    tab.bill_button.click()
    assert "燃气费 1 笔" in tab.bill_result.text()
    gas = Charge.get(Charge.item_code == "gas")
    assert gas.amount_fen == 14170   # 60 m³ = 50 × 2.25 + 10 × 2.92


def test_refund_deposit_from_tab(qtbot, tab, ctx, monkeypatch):
    from app.ledger import payments
    from ui.ledger import refund_dialog as ledger_refund
    home = tab
    tab.search.setText("6-101")
    tab.find()
    dep = billing.post_charge(ctx, tab.home_id, "renovation_deposit", 1000000)
    payments.pay(ctx, tab.home_id, [dep.id], "card", "业主4")

    def fake(dlg):
        assert dlg.amount.text() == "10000.00" and dlg.amount_text.text() == "壹万元整"
        dlg.amount.clear()
        qtbot.keyClicks(dlg.amount, "9500")
        dlg.reason.setText("复验合格，扣除损坏赔偿500元")
        if SHOTS:
            dlg.grab().save(os.path.join(SHOTS, "ledger_refund_dialog.png"))
        return press_ok(qtbot, dlg)
    monkeypatch.setattr(ledger_refund.RefundDialog, "exec", fake)
    p = home.refund()
    assert p.amount_fen == -950000 and p.receipt.number == "TK2026-000001"
    assert payments.deposits_held(ctx, tab.home_id)[0]["held_fen"] == 50000
    assert tab.last_preview is not None
    assert any(r["number"] == "TK2026-000001" for r in tab.receipts_model.rows)


def test_pay_dialog_sorts_by_its_headers_keeping_ticks_and_amounts(qtbot, tab, ctx):
    """The charges to pay sort by a header click (所属月份 newest first, then by 收费项目); a charge
    unticked and an amount typed stay with their charge."""
    from PySide6.QtCore import QPoint

    from app.ledger import payments
    from ui.ledger.pay_dialog import PayDialog
    billing.run_month(ctx, "2026-09")
    billing.run_month(ctx, "2026-10")
    tab.search.setText("5-102")
    tab.find()
    dlg = PayDialog(ctx, tab.home_id, payments.home_charges(ctx, tab.home_id, only_open=True))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    model, header = dlg.model, dlg.view.horizontalHeader()

    def click_header(col):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(col) + 5, header.height() // 2))

    assert model.rowCount() == 4
    click_header(2)                                           # 所属月份, oldest first
    assert [model.rows[r]["period"] for r in range(4)] == ["2026-09", "2026-09", "2026-10", "2026-10"]
    click_header(2)                                           # newest first
    assert [model.rows[r]["period"] for r in range(4)] == ["2026-10", "2026-10", "2026-09", "2026-09"]
    dropped = model.rows[0]["id"]
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    model.setData(model.index(1, 4), "10", Qt.ItemDataRole.EditRole)
    typed = model.rows[1]["id"]
    click_header(1)                                           # 收费项目
    ids, amounts = model.plan()
    assert dropped not in ids and amounts[typed] == 1000
    assert model.checked[[r["id"] for r in model.rows].index(dropped)] is False
