"""预交… on the 费用明细 bar, driven through its widgets: the amount follows the months typed, the
payment writes one receipt previewed with the period from–to, the header shows 已缴至."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from models.ledger import Charge, Receipt
from tests.helpers.ledger import make_site


@pytest.fixture
def tab(qtbot, ctx, users, boxes):   # boxes: a refusal's message box is recorded, not shown
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.search.setText("5-101")
    w.find()
    return w


def _prepay_button(tab) -> QPushButton:
    return tab.findChild(QPushButton, "ledger_prepay")


def test_prepay_button_six_months_parking(qtbot, tab, ctx, monkeypatch):
    from ui.ledger import prepay_dialog
    seen = {}

    def fill_and_ok(dlg):
        combo = dlg.widget("item")
        combo.setCurrentIndex(combo.findData("parking_under"))
        months = dlg.widget("months")
        months.lineEdit().clear()
        qtbot.keyClicks(months.lineEdit(), "6")
        seen["quote"] = dlg.widget("quote").text()
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        return dlg.result()
    monkeypatch.setattr(prepay_dialog.PrepayDialog, "exec", fill_and_ok)
    button = _prepay_button(tab)
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "2026-11 至 2027-04" in seen["quote"] and "1,440.00" in seen["quote"]
    r = Receipt.get(Receipt.home == tab.home_id)
    assert r.total_fen == 144000
    assert Charge.get(Charge.item_code == "parking_under_prepay").period == "2026-11"
    assert tab.last_preview is not None and tab.last_preview.document.pageCount() == 1
    tab.last_preview.close()
    assert "已缴至" in tab.header.text() and "地下停车费 2027-04" in tab.header.text()
    assert tab.receipts_model.rowCount() == 1


def test_prepay_refusal_keeps_dialog_and_writes_nothing(qtbot, tab, ctx, monkeypatch, box_texts):
    from ui.ledger import prepay_dialog
    seen = {}

    def fill_and_ok(dlg):
        combo = dlg.widget("item")
        combo.setCurrentIndex(combo.findData("bicycle"))          # 5-101 keeps no bicycle
        seen["quote"] = dlg.widget("quote").text()
        payer = dlg.widget("payer")
        payer.clear()
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        seen["open"] = dlg.result() == 0 and dlg.result_value is None
        return 0
    monkeypatch.setattr(prepay_dialog.PrepayDialog, "exec", fill_and_ok)
    qtbot.mouseClick(_prepay_button(tab), Qt.MouseButton.LeftButton)
    assert "自行车" in seen["quote"] and seen["open"]
    assert any("交款人" in t or "自行车" in t for t in box_texts)
    assert not Receipt.select().exists() and not Charge.select().where(Charge.category == "prepay").exists()


def test_history_button_shows_the_households_payment_history(qtbot, tab, ctx, monkeypatch, tmp_path):
    from app.golive.history_import import import_history
    from tests.golive.test_history_import import ROWS, book
    from ui.ledger import history_page
    import_history(ctx, book(tmp_path / "h.xlsx", ROWS[:1]))
    seen = {}

    def look_and_close(dlg):
        dlg.show()
        qtbot.waitExposed(dlg)
        seen["rows"] = [dlg.model.rows[i]["period"] for i in range(dlg.model.rowCount())]
        seen["summary"] = dlg.summary.text()
        seen["title"] = dlg.windowTitle()
        qtbot.mouseClick(dlg.close_button, Qt.MouseButton.LeftButton)
        return dlg.result()
    monkeypatch.setattr(history_page.HistoryDialog, "exec", look_and_close)
    tab.refresh_home()
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_history"), Qt.MouseButton.LeftButton)
    assert seen["rows"] == ["2026-03 至 2027-02"] and seen["title"] == "缴费历史 5-101"
    assert "物业服务费 2027-02" in seen["summary"]
    assert "已缴至：物业服务费 2027-02" in tab.header.text()
    assert not tab.last_dialog.isVisible()     # 关闭 closed it: nothing left open


def test_archives_household_header_shows_paid_until(qtbot, ctx, users):
    from app.ledger import prepay_desk
    from models.property import Home
    from tests.helpers.gui import click_row
    from ui.archives.tab import Tab
    make_site(ctx, users)
    h = Home.get(Home.room_code == "5-101")
    prepay_desk.prepay_at_desk(ctx, h.id, "parking_under", "cash", "业主1", months=6)
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.resize(1366, 768)
    t.show()
    model = t.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=5000)
    row = next(r for r in range(6) if any(model.index(r, c).data() == "5-101" for c in range(model.columnCount())))
    click_row(qtbot, t.table, row)
    qtbot.waitUntil(lambda: "已缴至：地下停车费 2027-04" in t.pane.header.text(), timeout=5000)
    t.wait_background()
