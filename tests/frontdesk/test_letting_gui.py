"""GUI of the 租售登记 page (offscreen), driven with real clicks and typing: a home and a seeker
registered through their forms, a viewing refused until the fee agreement box is ticked, the deal
concluded with the meters read (the agency fee in the fee ledger), a listing withdrawn, the list
previewed and exported."""
import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.frontdesk import letting
from models.frontdesk import LettingDeal, LettingListing, LettingSeeker, LettingViewing
from models.ledger import Charge
from tests.helpers.gui import accept_next_dialog, click_page, click_row
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.notices import type_text

pytestmark = pytest.mark.gui
PAGE = 6   # 代收快递, 来访登记, 物品放行条, 通讯录, 项目概况, 交接班记录, 租售登记


@pytest.fixture
def page(qtbot, ctx):
    make_homes(DEFAULT_HOMES)
    ctx.clock.set(dt.datetime(2026, 11, 23, 10, 0))
    from ui.frontdesk.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitExposed(w)
    click_page(qtbot, w.inner, PAGE)
    assert w.inner.currentWidget() is w.letting
    return w.letting


def _ok(qtbot, dlg, text):
    qtbot.mouseClick(next(b for b in dlg.buttons.buttons() if b.text() == text), Qt.MouseButton.LeftButton)


def test_list_seek_view_and_conclude_with_clicks(qtbot, ctx, page, box_texts):
    def listing(dlg):
        qtbot.keyClicks(dlg.widget("room_code"), "5-201")
        qtbot.keyClicks(dlg.widget("price"), "2300")
        type_text(qtbot, dlg.widget("owner_name"), "刘女士")
    accept_next_dialog(qtbot, "登记", listing)
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    assert LettingListing.get().price_fen == 230000 and page.model.rowCount() == 1

    def seeker(dlg):
        type_text(qtbot, dlg.widget("name"), "陈明")
        qtbot.keyClicks(dlg.widget("phone"), "13912345678")
    accept_next_dialog(qtbot, "登记", seeker)
    qtbot.mouseClick(page.seek_button, Qt.MouseButton.LeftButton)
    assert LettingSeeker.get().name == "陈明" and page.seeker_model.rowCount() == 1

    click_row(qtbot, page.table, 0)
    click_row(qtbot, page.seeker_table, 0)

    def viewing(dlg):
        _ok(qtbot, dlg, "预约")                                   # refused: no agreement yet
        assert dlg.isVisible() and LettingViewing.select().count() == 0
        box = dlg.widget("agreement_signed")
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))   # on the tick box
        assert dlg.widget("agreement_signed").isChecked()
    accept_next_dialog(qtbot, "预约", viewing)
    qtbot.mouseClick(page.view_button, Qt.MouseButton.LeftButton)
    assert box_texts == ["服务费协议：与业主见面（看房）前，求租人须先签订中介服务费协议"]
    assert LettingViewing.select().count() == 1

    click_row(qtbot, page.table, 0)
    click_row(qtbot, page.seeker_table, 0)

    def deal(dlg):
        qtbot.keyClicks(dlg.widget("water"), "123")
        qtbot.keyClicks(dlg.widget("power"), "4567")
    accept_next_dialog(qtbot, "成交", deal)
    qtbot.mouseClick(page.deal_button, Qt.MouseButton.LeftButton)
    d = LettingDeal.get()
    assert (d.fee_fen, d.water_reading, d.power_reading) == (92000, "123", "4567")
    assert Charge.get_by_id(d.charge_id).item_code == "service_letting"
    assert page.model.rowCount() == 0 and page.seeker_model.rowCount() == 0


def test_withdraw_print_and_export(qtbot, ctx, page, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    letting.add_listing(ctx, {"room_code": "5-202", "price": "3000", "owner_name": "马先生"})
    page.refresh()
    buttons = {b.text(): b for b in page.findChildren(type(page.list_button))}
    qtbot.mouseClick(buttons["打印房源表"], Qt.MouseButton.LeftButton)
    assert page.last_preview.isVisible() and page.last_preview.windowTitle().startswith("租售房源登记表")
    page.last_preview.close()
    path = tmp_path / "letting.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert load_workbook(path).active["B2"].value == "5-202"
    click_row(qtbot, page.table, 0)

    def reason(dlg):
        type_text(qtbot, dlg.widget("reason"), "业主自行出租")
    accept_next_dialog(qtbot, "撤回", reason)
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    assert LettingListing.get().status == "已撤回" and page.model.rowCount() == 0


def test_viewing_without_a_seeker_selected_says_so(qtbot, ctx, page, box_texts):
    letting.add_listing(ctx, {"room_code": "5-202", "price": "3000", "owner_name": "马先生"})
    page.refresh()
    click_row(qtbot, page.table, 0)
    qtbot.mouseClick(page.view_button, Qt.MouseButton.LeftButton)
    assert box_texts == ["请先在下方求租登记中选择求租人。"]


def test_the_cashier_only_reads(qtbot, ctx, users):
    from ui.frontdesk.letting_page import LettingPage
    w = LettingPage(ctx.with_user(users["cashier"]))
    qtbot.addWidget(w)
    assert not any(b.isEnabled() for b in (w.list_button, w.seek_button, w.view_button, w.deal_button,
                                           w.withdraw_button))
