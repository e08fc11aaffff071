"""GUI of the 前台登记 tab (offscreen), driven as the clerk does: a parcel typed in from the
keyboard (room, Enter, tracking number, Enter), refused with a box ticked, picked up through the
dialog; a visitor in and out; a goods-out pass issued, found at the gate by its number and used;
prints previewed, lists exported, buttons a role may not use disabled."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.frontdesk import parcels, passes, visitors
from models.frontdesk import GoodsPass, Parcel, Visitor
from models.ledger import Receipt
from tests.helpers.gui import accept_next_dialog, click_page, click_row
from tests.helpers.keys import DEFAULT_HOMES, make_homes

pytestmark = pytest.mark.gui


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def _tab(qtbot, ctx):
    from ui.frontdesk.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def tab(qtbot, ctx, homes):
    return _tab(qtbot, ctx)


def test_a_parcel_is_registered_from_the_keyboard_alone(qtbot, ctx, tab, box_texts):
    page = tab.parcels
    page.room.setFocus()
    qtbot.keyClicks(page.room, "5-201")
    qtbot.keyClick(page.room, Qt.Key.Key_Return)             # on to the tracking number
    assert page.tracking.window().focusWidget() is page.tracking and Parcel.select().count() == 0
    qtbot.keyClicks(page.tracking, "sf1234567890")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)         # registered
    p = Parcel.get()
    assert (p.home.room_code, p.carrier, p.tracking_no, p.place) == ("5-201", "顺丰", "SF1234567890", "货架A-1")
    assert page.room.text() == "" and page.tracking.text() == "" and page.room.window().focusWidget() is page.room
    assert page.last.text() == "已登记 KD2026-000001 5-201 顺丰 货架A-1"
    assert page.model.rowCount() == 1 and box_texts == []
    qtbot.keyClicks(page.room, "9-999")                      # a wrong room: named, the input kept
    qtbot.keyClick(page.room, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.tracking, "ZT1")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    assert box_texts == ["房号：房号“9-999”不存在，请核对"] and page.room.text() == "9-999"


def test_a_fragile_parcel_is_refused_by_ticking_and_clicking(qtbot, tab):
    page = tab.parcels
    qtbot.keyClicks(page.room, "5-202")
    qtbot.keyClicks(page.tracking, "JD77")
    qtbot.mouseClick(page.fragile, Qt.MouseButton.LeftButton, pos=page.fragile.rect().center())
    qtbot.mouseClick(page.checkin_button, Qt.MouseButton.LeftButton)
    p = Parcel.get()
    assert p.status == "拒收" and p.refuse_reason == "易碎物品" and not page.fragile.isChecked()
    assert page.model.rowCount() == 0                        # not waiting
    page.view.setCurrentText("今日登记")
    assert page.model.rowCount() == 1


def test_pick_up_through_the_dialog_charges_and_pays_the_fee(qtbot, ctx, tab):
    t0 = ctx.clock.now()
    a = parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "A1", "place": "A"})
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "中通", "tracking_no": "B2", "place": "B"})
    ctx.clock.set(t0 + dt.timedelta(hours=30))
    page = tab.parcels
    page.refresh()
    click_row(qtbot, page.table, 0)
    view = page.table
    rect = view.visualRect(page.model.index(1, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, rect.center())

    def fill(dlg):
        dlg.collector.setText("刘女士")
        dlg.signed.setChecked(True)
    accept_next_dialog(qtbot, "领取", fill)
    qtbot.mouseClick(page.pickup_button, Qt.MouseButton.LeftButton)
    picked = list(Parcel.select().order_by(Parcel.id))
    assert [p.status for p in picked] == ["已取", "已取"] and picked[0].id == a.id
    receipt = Receipt.get(Receipt.number == picked[0].receipt_number)
    assert receipt.total_fen == 400 and picked[1].receipt_number == receipt.number
    assert page.model.rowCount() == 0


def test_prints_preview_and_export_writes_the_list(qtbot, ctx, tab, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "A1", "place": "A"})
    page = tab.parcels
    page.refresh()
    buttons = {b.text(): b for b in page.findChildren(type(page.pickup_button))}
    qtbot.mouseClick(buttons["打印当日登记表"], Qt.MouseButton.LeftButton)
    assert page.last_preview.isVisible() and page.last_preview.windowTitle().startswith("代收快递登记表")
    page.last_preview.close()
    path = tmp_path / "out.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert load_workbook(path).active["E2"].value == "A1"


def test_visitor_in_through_the_dialog_and_out_with_one_click(qtbot, ctx, tab):
    click_page(qtbot, tab.inner, 1)
    page = tab.visitors

    def fill(dlg):
        dlg.name.setText("陈明")                         # QTest types Latin keys only
        qtbot.keyClicks(dlg.room, "5-201")
        dlg.plate.setText("晋A12345")
    accept_next_dialog(qtbot, "登记进入", fill)
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    vs = Visitor.get()
    assert vs.name == "陈明" and vs.reason == "探亲访友" and vs.left_at is None
    assert page.model.rowCount() == 1
    click_row(qtbot, page.table, 0)
    qtbot.mouseClick(page.leave_button, Qt.MouseButton.LeftButton)
    assert Visitor.get().left_at is not None and page.model.rowCount() == 0


def test_pass_issued_found_at_the_gate_by_number_and_cancelled(qtbot, ctx, tab, answer_boxes, monkeypatch):
    click_page(qtbot, tab.inner, 2)
    page = tab.passes

    def fill(dlg):
        qtbot.keyClicks(dlg.room, "5-201")
        dlg.consent_by.setText("刘女士")
        dlg.items.setPlainText("旧沙发×1")
        dlg.carrier.setText("张师傅")
        dlg.print_pass.setChecked(True)
    accept_next_dialog(qtbot, "开具", fill)
    qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    gp = GoodsPass.get()
    assert gp.number == "FX2026-000001" and page.last_preview.isVisible()    # printed with its stub
    page.last_preview.close()
    answer_boxes(QMessageBox.StandardButton.Yes)
    qtbot.keyClicks(page.gate_number, "fx2026-000001")
    qtbot.keyClick(page.gate_number, Qt.Key.Key_Return)
    assert GoodsPass.get().status == "已放行" and page.model.rowCount() == 0
    other = passes.issue_pass(ctx, {"room_code": "5-202", "consent": "业主本人到场", "consent_by": "马先生",
                                    "items": "纸箱×2", "carrier": "李师傅"})
    page.refresh()
    click_row(qtbot, page.table, 0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("业主改期", True))
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert GoodsPass.get_by_id(other.id).status == "已作废"


def test_roles_disable_what_they_may_not_do(qtbot, ctx, homes, as_role):
    cashier = _tab(qtbot, as_role("cashier"))
    assert not cashier.parcels.checkin_button.isEnabled() and not cashier.parcels.room.isEnabled()
    assert not cashier.visitors.enter_button.isEnabled() and not cashier.passes.issue_button.isEnabled()
    assert not cashier.parcels.export_button.isEnabled()
    desk = as_role("frontdesk")
    p = parcels.check_in(desk, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "A1", "place": "A"})
    desk.clock.set(desk.clock.now() + dt.timedelta(hours=40))
    from ui.frontdesk.dialogs import PickupDialog
    dlg = PickupDialog(desk, parcels.waiting_parcels(desk), None)
    qtbot.addWidget(dlg)
    assert not dlg.waive.isVisibleTo(dlg) and not dlg.method.isVisibleTo(dlg)   # no waiving, no cash taken
    dlg.collector.setText("刘女士")
    dlg.signed.setChecked(True)
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    done = Parcel.get_by_id(p.id)
    assert done.status == "已取" and done.fee_fen == 300 and done.receipt_number == ""
    assert visitors.inside(desk) == []


def test_contacts_added_found_and_printed_and_the_site_facts_shown(qtbot, ctx, tab):
    from app.frontdesk import contacts
    click_page(qtbot, tab.inner, 3)
    page = tab.contacts

    def fill(dlg):
        dlg.set_value("category", "开锁")
        dlg.widget("name").setText("平安开锁")
        qtbot.keyClicks(dlg.widget("phone"), "13903519999")
    accept_next_dialog(qtbot, "确定", fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert [(r["category"], r["name"], r["phone"]) for r in contacts.list_contacts(ctx)] == \
        [("开锁", "平安开锁", "13903519999")]
    assert page.model.rowCount() == 1
    qtbot.keyClicks(page.search, "8888")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    click_page(qtbot, tab.inner, 4)
    facts = tab.site_facts
    labels = [facts.facts.itemAt(i, facts.facts.ItemRole.FieldRole).widget().text()
              for i in range(facts.facts.rowCount())]
    assert "天伦庄园" in labels and "开元路9号" in labels
    printed = next(b for b in facts.findChildren(type(page.add_button)) if b.text() == "打印项目概况")
    qtbot.mouseClick(printed, Qt.MouseButton.LeftButton)
    assert facts.last_preview.isVisible()
    facts.last_preview.close()
