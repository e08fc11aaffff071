"""The move-in tab driven as a user would: board, steps through the dialogs, a refused step."""
import pytest
from PySide6.QtWidgets import QMessageBox

from app.movein import api as movein
from tests.movein.test_movein import OWNER_ID, site  # noqa: F401  (fixture)


@pytest.fixture
def tab(qtbot, ctx, site):  # noqa: F811
    from ui.movein.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    return w


def select_room(tab, room):
    for i, r in enumerate(tab.board.rows):
        if r.room_code == room:
            tab.board_view.selectRow(i)
            return r
    raise AssertionError(room)


def fill_and_accept(form, values):
    for k, v in values.items():
        form.set_value(k, v)
    form.submit()


def test_walk_through_tab(qtbot, tab, ctx, site, monkeypatch):  # noqa: F811
    ev = movein.create_event(ctx, site["cluster"].id, "A组团集中交房", "2026-11-23", "2026-11-25")
    tab.refresh()
    tab.event_box.setCurrentIndex(tab.event_box.findData(ev.id))
    assert [r.stage for r in tab.board.rows] == ["待办理"] * 4
    select_room(tab, "5-101")
    assert tab.start_button.isEnabled() and not tab.next_button.isEnabled()
    tab.start()
    assert "身份核验" in tab.next_button.text()
    # identity with a bad number: the message names the field, the form stays open with the input
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    form = tab.step_form("identity")
    fill_and_accept(form, {"id_number": "140102198005120031"})
    assert warnings and "身份证号" in warnings[-1] and form.result_value is None
    assert form.values()["name"] == "陈志强"
    fill_and_accept(form, {"id_number": OWNER_ID})
    assert form.result_value is not None
    tab.refresh()
    select_room(tab, "5-101")
    assert "签署协议" in tab.next_button.text()
    form = tab.step_form("agreements")
    fill_and_accept(form, {"owner_covenant": True, "service_agreement": True})
    assert "装修管理协议" in warnings[-1]
    fill_and_accept(form, {"reno_agreement": True})
    tab.refresh()
    assert "缴纳物业费" in tab.next_button.text()
    assert "签署协议" in tab.counts_label.text() or "缴纳物业费" in tab.counts_label.text()
    row = next(r for r in tab.board.rows if r.room_code == "5-101")
    assert row.stage == "缴纳物业费"
    tab.grab().save("/tmp/movein_tab.png")
    # the cashier's step: the amount shown is one year of property fee, a real receipt
    form = tab.step_form("payment")
    assert "2,563.20" in form.widget("amount").text()
    fill_and_accept(form, {"method": "转账"})  # a transfer needs its reference
    assert "参考号" in warnings[-1] and form.result_value is None
    fill_and_accept(form, {"method": "现金"})
    assert form.result_value.number.startswith("SJ")
    tab.refresh()
    # inspection: two defects, then the hand-over document and the meter start readings
    monkeypatch.setattr("ui.movein.tab.FormDialog.exec", lambda self: (fill_and_accept(
        self, {"room": "卫生间", "kind": "防水", "description": "地漏反水"}), self.result())[1])
    tab.add_defect()
    monkeypatch.undo()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    assert [d.description for d in tab.defects.rows] == ["地漏反水"]
    form = tab.step_form("inspection")
    fill_and_accept(form, {"water": "abc"})
    assert "房屋交接书" in warnings[-1]
    fill_and_accept(form, {"signed": True, "water": "12", "power": "30"})
    assert form.result_value is not None
    tab.refresh()
    form = tab.step_form("keys")
    fill_and_accept(form, {"gifts": "地垫一块"})
    assert form.result_value is not None
    tab.refresh()
    row = select_room(tab, "5-101")
    assert row.stage == "已完成" and row.open_defects == 1
    assert "已完成" in tab.detail_title.text()


def test_single_handover_button_path(qtbot, tab, ctx, monkeypatch):
    monkeypatch.setattr("ui.movein.tab.QInputDialog.getText", lambda *a, **k: ("5-202", True))
    tab.single_handover()
    assert tab.confirm_dev_button.isVisibleTo(tab)
    tab.confirm_developer()
    assert not tab.confirm_dev_button.isVisibleTo(tab) and tab.next_button.isEnabled()


def test_done_home_shows_done(qtbot, tab, ctx):
    from tests.movein.test_movein import walk_to
    h = movein.start_handover(ctx, "5-101")
    walk_to(ctx, h, "keys")
    tab.refresh()
    row = select_room(tab, "5-101")
    assert row.stage == "已完成"
    assert not tab.next_button.isEnabled()
    assert all(b.isEnabled() for b in tab.print_buttons)


def test_prepayment_at_the_desk_shows_in_the_ledger_tab_at_once(qtbot, ctx, site, box_texts):  # noqa: F811
    """The cashier's step of the hand-over (缴纳物业费), clicked through in 入住办理, shows as the
    home's prepaid balance in 收费台账 without pressing anything there; the board moves the home on to 验房交接."""
    from PySide6.QtCore import Qt

    from tests.helpers.gui import accept_next_dialog, click_row, click_tab
    from tests.movein.test_movein import walk_to
    from ui.main_window import MainWindow
    walk_to(ctx, movein.start_handover(ctx, "5-101"), "agreements")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    ledger = click_tab(qtbot, w, "ledger")
    qtbot.keyClicks(ledger.search, "5-101")
    qtbot.keyClick(ledger.search, Qt.Key.Key_Return)
    assert "预交物业费余额 ¥0.00" in ledger.header.text()
    tab = click_tab(qtbot, w, "movein")
    click_row(qtbot, tab.board_view, [r.room_code for r in tab.board.rows].index("5-101"))
    assert "缴纳物业费" in tab.next_button.text()
    accept_next_dialog(qtbot, "确定")
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    assert box_texts == [] and "验房交接" in tab.next_button.text()
    ledger = click_tab(qtbot, w, "ledger")
    assert "预交物业费余额 ¥2,563.20" in ledger.header.text()     # one year of property fee
