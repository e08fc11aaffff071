"""The 催缴与报表 tab: board on a date, phone log through the dialog, reports and chart."""
import datetime as dt

from PySide6.QtCore import QDate

from tests.helpers.gui import accept_next_dialog, click_tab
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def test_dunning_tab(qtbot, ctx, owing, monkeypatch):  # noqa: F811
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 8, 10))
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1200, 700)
    w.show()
    qtbot.waitUntil(w.loaded)                           # the pages load in the background
    assert w.day.date() == QDate(2026, 11, 8)
    assert "电话催缴" in w.stage_label.text()
    assert sorted(r.room_code for r in w.board.rows) == ["3-101", "7-102"]
    w.board_view.selectRow(0)
    row = w._selected()
    forms = []
    monkeypatch.setattr("ui.ledger.dunning_tab.FieldForm.exec",
                        lambda self: (forms.append(self), self.submit(), self.result())[2])
    w.log_phone()
    qtbot.waitUntil(w.loaded)
    assert forms and forms[0].result_value is not None
    assert next(r for r in w.board.rows if r.room_code == row.room_code).calls == 1
    w.grab().save("/tmp/dunning_tab.png")
    # daily report and the collection rate with its chart
    w.report_day.setDate(QDate(2026, 11, 23))
    qtbot.waitUntil(w.loaded)
    assert any(x["room"] == "3-102" for x in w.daily.rows)
    w.month.setDate(QDate(2026, 11, 1))
    qtbot.waitUntil(w.loaded)
    assert w.rate_cluster.rows[-1].name == "全小区" and "33.33%" in w.rate_label.text()
    assert w.chart.bars and w.chart.target == 96
    w.tabs.setCurrentIndex(2)
    w.grab().save("/tmp/rate_tab.png")


def test_payment_in_the_ledger_tab_drops_the_home_from_the_dunning_board(qtbot, ctx, owing):  # noqa: F811
    """Paid at the 收费台账 desk, the home leaves the 催缴 board and enters the daily report at once,
    without anyone touching the board's date."""
    from PySide6.QtCore import Qt

    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    board = click_tab(qtbot, w, "dunning")
    qtbot.waitUntil(board.loaded)
    day = board.day.date()
    assert "3-101" in [r.room_code for r in board.board.rows]
    assert not any(x["room"] == "3-101" for x in board.daily.rows)
    ledger = click_tab(qtbot, w, "ledger")
    qtbot.keyClicks(ledger.search, "3-101")
    qtbot.keyClick(ledger.search, Qt.Key.Key_Return)
    assert "欠费 ¥356.00" in ledger.header.text()
    accept_next_dialog(qtbot, "收款并开收据")
    qtbot.mouseClick(ledger.pay_button, Qt.MouseButton.LeftButton)
    assert "欠费 ¥0.00" in ledger.header.text()
    ledger.last_preview.close()
    board = click_tab(qtbot, w, "dunning")
    qtbot.waitUntil(board.loaded)
    assert board.day.date() == day
    assert [r.room_code for r in board.board.rows] == ["7-102"]
    assert any(x["room"] == "3-101" and x["total_fen"] == 35600 for x in board.daily.rows)
