"""GUI of the 巡查记录 page (offscreen): a finding recorded through the form (a refused empty one
keeps the dialog open), handled with 已处理…, the day's sheet previewed and the list exported."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from models.frontdesk import RoundEntry
from tests.helpers.gui import accept_next_dialog, click_page, click_row
from tests.helpers.notices import type_text

pytestmark = pytest.mark.gui
PAGE = 7   # … 交接班记录, 租售登记, 巡查记录


@pytest.fixture
def page(qtbot, ctx):
    from ui.frontdesk.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitExposed(w)
    click_page(qtbot, w.inner, PAGE)
    assert w.inner.currentWidget() is w.rounds
    return w.rounds


def test_record_handle_print_and_export(qtbot, ctx, page, box_texts, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    def fill(dlg):
        type_text(qtbot, dlg.widget("place"), "地下车库B区")
        qtbot.mouseClick(next(b for b in dlg.buttons.buttons() if b.text() == "记录"), Qt.MouseButton.LeftButton)
        assert dlg.isVisible() and RoundEntry.select().count() == 0          # 发现情况 missing
        type_text(qtbot, dlg.widget("found"), "照明两盏不亮")
        type_text(qtbot, dlg.widget("follow_up"), "已通知电工")
    accept_next_dialog(qtbot, "记录", fill)
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    assert box_texts == ["请填写发现情况"]
    e = RoundEntry.get()
    assert (e.place, e.found, e.follow_up, e.status) == ("地下车库B区", "照明两盏不亮", "已通知电工", "待跟进")
    assert page.model.rowCount() == 1

    click_row(qtbot, page.table, 0)
    accept_next_dialog(qtbot, "确定", lambda dlg: type_text(qtbot, dlg.widget("result"), "已更换灯管"))
    qtbot.mouseClick(page.handle_button, Qt.MouseButton.LeftButton)
    assert RoundEntry.get().result == "已更换灯管" and page.model.rowCount() == 0

    page.view.setCurrentIndex(1)                                               # 今日巡查
    assert page.model.rowCount() == 1
    buttons = {b.text(): b for b in page.findChildren(type(page.record_button))}
    qtbot.mouseClick(buttons["打印当日巡查表"], Qt.MouseButton.LeftButton)
    assert page.last_preview.isVisible() and page.last_preview.windowTitle().startswith("巡查记录表")
    page.last_preview.close()
    path = tmp_path / "rounds.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert load_workbook(path).active["C2"].value == "地下车库B区"


def test_the_cashier_only_reads(qtbot, ctx, users):
    from ui.frontdesk.rounds_page import RoundsPage
    w = RoundsPage(ctx.with_user(users["cashier"]))
    qtbot.addWidget(w)
    assert not w.record_button.isEnabled() and not w.handle_button.isEnabled()
