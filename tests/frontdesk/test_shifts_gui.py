"""GUI of the 交接班记录 page (offscreen), driven as the desk does: the running shift and the open
items shown on the page; 交接班… filled in, refused for a wrong password (the dialog stays open,
the input kept), then confirmed by the taker's own password; 更正… on the selected entry; the day
sheet previewed and the list exported."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.frontdesk import parcels
from models.frontdesk import ShiftLog
from tests.helpers import signin
from tests.helpers.gui import accept_next_dialog, click_page, click_row
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.notices import type_text

pytestmark = pytest.mark.gui
PAGE = 5   # 代收快递, 来访登记, 物品放行条, 通讯录, 项目概况, 交接班记录


@pytest.fixture
def page(qtbot, ctx, users):
    make_homes(DEFAULT_HOMES)
    ctx.clock.set(dt.datetime(2026, 11, 23, 15, 50))
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "SF1", "place": "货架A-1"})
    from ui.frontdesk.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitExposed(w)
    click_page(qtbot, w.inner, PAGE)
    assert w.inner.currentWidget() is w.shifts
    return w.shifts


def test_hand_over_with_the_takers_password_then_correct(qtbot, ctx, page, box_texts):
    assert "当前班次：早班（08:00-16:00）" in page.now_label.text() and "待取包裹 1 件" in page.now_label.text()
    assert "尚无交接记录" in page.now_label.text()

    def fill(dlg):
        type_text(qtbot, dlg.widget("events"), "上午停水一小时，已通知各单元。")
        qtbot.keyClicks(dlg.widget("cash"), "150")
        taker = dlg.widget("taker")
        taker.setCurrentIndex(taker.findText("李前台"))
        qtbot.keyClicks(dlg.widget("password"), "wrong-password")
        ok = next(b for b in dlg.buttons.buttons() if b.text() == "确认交接")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)              # refused: the dialog stays open
        assert dlg.isVisible() and ShiftLog.select().count() == 0
        assert dlg.widget("events").toPlainText() == "上午停水一小时，已通知各单元。"
        dlg.widget("password").clear()
        qtbot.keyClicks(dlg.widget("password"), signin.test_password())
    accept_next_dialog(qtbot, "确认交接", fill)
    qtbot.mouseClick(page.hand_button, Qt.MouseButton.LeftButton)
    assert box_texts == ["登录名或密码错误"]
    e = ShiftLog.get()
    assert (e.shift, e.cash_fen, e.taken_name, e.events) == ("早班", 15000, "李前台", "上午停水一小时，已通知各单元。")
    assert page.model.rowCount() == 1 and "上次交接：2026-11-23 早班" in page.now_label.text()

    click_row(qtbot, page.table, 0)

    def fix(dlg):
        type_text(qtbot, dlg.widget("text"), "现金复点为一百四十元")
        qtbot.keyClicks(dlg.widget("cash"), "140")
    accept_next_dialog(qtbot, "写入更正", fix)
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    fixed = ShiftLog.select().where(ShiftLog.kind == "更正").get()
    assert (fixed.corrects_id, fixed.cash_fen) == (e.id, 14000)
    assert ShiftLog.get_by_id(e.id).cash_fen == 15000 and page.model.rowCount() == 2


def test_an_empty_record_is_refused_naming_the_field(qtbot, page, box_texts):
    def fill(dlg):
        ok = next(b for b in dlg.buttons.buttons() if b.text() == "确认交接")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        assert dlg.isVisible()
    accept_next_dialog(qtbot, "取消", fill)
    qtbot.mouseClick(page.hand_button, Qt.MouseButton.LeftButton)
    assert box_texts == ["请填写值班记事"] and ShiftLog.select().count() == 0


def test_day_sheet_preview_and_export(qtbot, ctx, page, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from app.frontdesk import shifts
    shifts.hand_over(ctx, {"events": "无异常"}, "frontdesk", signin.test_password())
    page.refresh()
    buttons = {b.text(): b for b in page.findChildren(type(page.hand_button))}
    qtbot.mouseClick(buttons["打印当日记录"], Qt.MouseButton.LeftButton)
    assert page.last_preview.isVisible() and page.last_preview.windowTitle().startswith("交接班记录")
    page.last_preview.close()
    path = tmp_path / "shifts.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    ws = load_workbook(path).active
    assert ws["A2"].value == "JB2026-000001" and ws["I2"].value == "无异常"


def test_the_cashier_cannot_hand_over(qtbot, ctx, users):
    from ui.frontdesk.shifts_page import ShiftsPage
    w = ShiftsPage(ctx.with_user(users["cashier"]))
    qtbot.addWidget(w)
    assert not w.hand_button.isEnabled() and not w.correct_button.isEnabled()
