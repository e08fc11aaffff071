"""GUI (offscreen) of 车位管理, 车卡办理, the household pane's 车位/车辆 page and 包月服务: filters,
forms refusing with the Chinese message and keeping the input, the registration form preview,
the archives tab and the ledger tab doors."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.ledger import billing
from app.parking import cards, spaces, tenancy
from models.ledger import Subscription
from models.parking import Vehicle
from models.property import ParkingSpace
from tests.helpers.archives import build_small_site


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def site(ctx, users):
    s = build_small_site(ctx, users)
    for code, level in (("DS-001", "地上"), ("DS-002", "地上"), ("DX-001", "地下"), ("DX-002", "地下")):
        spaces.create_space(ctx, code, level)
    return s


@pytest.fixture
def previews(monkeypatch):
    seen = []
    monkeypatch.setattr("ui.common.print_preview.preview", lambda parent, pdf, title, name: seen.append((title, pdf)))
    return seen


def _space(code):
    return ParkingSpace.get(ParkingSpace.code == code)


def _window(qtbot, ctx, household=None):
    from ui.parking.pane import ParkingWindow
    w = ParkingWindow(ctx, household)
    qtbot.addWidget(w)
    return w


def _select(view, model, pred):
    for i, r in enumerate(model.rows):
        if pred(r):
            view.selectRow(i)
            return r
    raise AssertionError("row not found")


def test_window_lists_and_filters(qtbot, ctx, site):
    tenancy.rent_space(ctx, _space("DX-001").id, "1-101")
    cards.register_card(ctx, {"space_id": _space("DX-001").id, "plate": "晋A12345", "identity_checked": True})
    w = _window(qtbot, ctx)
    assert [r["code"] for r in w.model.rows] == ["DS-001", "DS-002", "DX-001", "DX-002"]
    headers = [w.model.headerData(i, Qt.Orientation.Horizontal) for i in range(w.model.columnCount())]
    assert headers[:8] == ["车位编号", "位置", "状态", "房号", "产权/租用人", "电话", "车牌", "车位费（元/月）"]
    row = [w.model.data(w.model.index(2, c)) for c in range(8)]
    assert row == ["DX-001", "地下", "已租", "1-101", "张伟（租用）", "138****5678", "晋A12345", "240.00"]
    w.level.setCurrentText("地上")
    assert [r["code"] for r in w.model.rows] == ["DS-001", "DS-002"]
    w.level.setCurrentText("全部")
    w.state.setCurrentText("已租")
    assert [r["code"] for r in w.model.rows] == ["DX-001"]
    w.state.setCurrentText("全部")
    w.search.setText("张伟")
    qtbot.waitUntil(lambda: len(w.model.rows) == 1, timeout=2000)
    assert "地下：空闲 1，已售 0，已租 1（240 元/月）" in w.summary.text()
    assert [r["plate"] for r in w.vmodel.rows] == ["晋A12345"]


def test_add_space_dialog_refuses_duplicate_and_keeps_input(qtbot, ctx, site, warnings):
    from ui.parking.forms import SpaceDialog
    dlg = SpaceDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.code.setText("dx-001")
    assert dlg.submit() is None and warnings[-1] == "车位编号：“DX-001”已存在"
    assert dlg.code.text() == "dx-001"
    dlg.code.setText("DX-003")
    dlg.level.setCurrentText("地下")
    assert dlg.submit().code == "DX-003"


def test_rent_through_the_window_and_refusals(qtbot, ctx, site, warnings, monkeypatch):
    w = _window(qtbot, ctx, {"id": site["homes"]["1-101"].id, "room_code": "1-101"})
    filled = []

    def fill(dlg):
        filled.append(dlg)
        if hasattr(dlg, "owners"):                      # AttachDialog: room proposed from the household
            assert dlg.room.text() == "1-101" and dlg.owners.count() == 2
            assert dlg.owners.item(0).checkState() == Qt.CheckState.Checked  # the primary owner
            dlg.room.setText("9-999")
            assert dlg.submit() is None and warnings[-1] == "房号：房号“9-999”不存在，请核对"
            dlg.room.setText("1-101")
            dlg.load_owners()
        return dlg.submit() is not None

    monkeypatch.setattr(type(w), "_exec", lambda self, dlg: fill(dlg))
    w.attach("租用")
    assert w.message.text() == "请先在列表中选择车位"
    _select(w.table, w.model, lambda r: r["code"] == "DX-002")
    w.attach("租用")
    assert "车位 DX-002 已租给 1-101 张伟" in w.message.text() and "按整月计收" in w.message.text()
    assert _space("DX-002").state == "已租"
    _select(w.table, w.model, lambda r: r["code"] == "DX-002")
    w.attach("租用")                                    # a rented space is not rented again
    assert "请先办理退租" in w.message.text() and len(filled) == 1
    _select(w.table, w.model, lambda r: r["code"] == "DX-002")
    w.release()
    assert "车位 DX-002 已收回（原 1-101）" in w.message.text() and _space("DX-002").state == "空闲"


def test_card_dialog_identity_plate_and_print(qtbot, ctx, site, warnings, previews):
    from ui.parking.forms import CardDialog
    tenancy.sell_space(ctx, _space("DX-001").id, "1-101")
    dlg = CardDialog(ctx, spaces.space_rows(ctx), _space("DX-001").id)
    qtbot.addWidget(dlg)
    assert dlg.space.count() == 1 and dlg.holder.currentText() == "张伟（产权）"
    dlg.plate.setText("晋A1234")
    assert dlg.submit() is None and warnings[-1] == "身份核验：请先核验业主身份证原件"
    dlg.identity.setChecked(True)
    assert dlg.submit() is None and warnings[-1].startswith("车牌号：“晋A1234”不是有效的车牌号")
    assert dlg.plate.text() == "晋A1234"
    dlg.plate.setText("晋AD12345")
    x = dlg.submit()
    assert x.plate == "晋AD12345" and x.phone == "13812345678" and x.driver_name == "张伟"
    w = _window(qtbot, ctx)
    w.tabs.setCurrentIndex(1)
    _select(w.vtable, w.vmodel, lambda r: r["plate"] == "晋AD12345")
    w.print_card()
    title, pdf = previews[-1]
    assert title == "车卡办理登记表" and pdf.startswith(b"%PDF")


def test_household_page_lists_spaces_and_vehicles(qtbot, ctx, site, previews, monkeypatch):
    monkeypatch.setattr("ui.archives.tab.info", lambda *a, **k: None)
    from ui.archives.tab import Tab
    tenancy.rent_space(ctx, _space("DS-001").id, "1-101")
    cards.register_card(ctx, {"space_id": _space("DS-001").id, "plate": "晋A12345", "identity_checked": True})
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.resize(1300, 800)
    t.show()
    t.table.selectRow(0)
    t.pane.load(site["homes"]["1-101"].id)
    page = t.pane.parking_page
    assert t.pane.tabs.tabText(t.pane.tabs.indexOf(page)) == "车位/车辆"
    assert [r["code"] for r in page.spaces_model.rows] == ["DS-001"]
    assert [r["plate"] for r in page.vehicles_model.rows] == ["晋A12345"]
    assert page.vehicles_model.rows[0]["phone"] == "138****5678"
    assert "有效车卡 1 张" in page.note.text() and "100.00 元/月" in page.note.text()
    page.print_card()
    assert previews[-1][0] == "车卡办理登记表"
    # 车位管理 opens non-modal from the pane (and from the structure menu) and reloads the pane on change
    win = t.open_parking()
    qtbot.addWidget(win)
    assert win.isVisible() and not win.isModal() and "1-101" in win.findChildren(type(win.message))[0].text()
    tenancy.release_space(ctx, _space("DS-001").id)
    win.changed.emit()
    assert page.spaces_model.rows == [] and page.vehicles_model.rows[0]["status"] == "已注销"
    t.wait_background()


def test_subscriptions_dialog(qtbot, ctx, site, warnings):
    from ui.parking.subscriptions import SubscriptionsDialog
    dlg = SubscriptionsDialog(ctx, None, "")
    qtbot.addWidget(dlg)
    assert not dlg.add_button.isEnabled()
    dlg.room.setText("9-999")
    dlg.find()
    assert "不存在" in dlg.header.text() and not dlg.add_button.isEnabled()
    dlg.room.setText("1-101")
    dlg.find()
    assert dlg.add_button.isEnabled()
    dlg.item.setCurrentIndex(dlg.item.findData("bicycle"))
    dlg.count.setValue(2)
    dlg.start.setText("2026-13")
    assert dlg.add() is None and warnings[-1].startswith("起始月份")
    dlg.start.setText("2026-11")
    s = dlg.add()
    assert (s.item_code, s.count, s.start_period) == ("bicycle", 2, "2026-11")
    assert dlg.model.rows[0]["monthly"] == "80.00" and "80.00 元/月" in dlg.header.text()
    assert dlg.end_selected() is None and "请先在列表中选择" in dlg.message.text()
    dlg.table.selectRow(0)
    dlg.end.setText("2026-10")
    assert dlg.end_selected() is None and warnings[-1].startswith("截止月份")
    dlg.end.setText("2026-12")
    assert dlg.end_selected().end_period == "2026-12"
    billing.run_month(ctx, "2026-11")
    assert Subscription.get_by_id(s.id).end_period == "2026-12"


def test_ledger_tab_opens_subscriptions_for_its_home(qtbot, ctx, site, monkeypatch):
    from ui.ledger.tab import Tab
    from ui.parking import subscriptions
    opened = []
    monkeypatch.setattr(subscriptions.SubscriptionsDialog, "exec", lambda self: opened.append(self) or 0)
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.open_home(site["homes"]["1-102"].id)
    t.open_subscriptions()
    assert opened and opened[-1].home_id == site["homes"]["1-102"].id and opened[-1].room.text() == "1-102"


def test_frontdesk_may_rent_and_card_but_not_edit(qtbot, site, as_role):
    fd = as_role("frontdesk")
    w = _window(qtbot, fd)
    buttons = {b.text(): b.isEnabled() for b in w.findChildren(QPushButton)}
    assert buttons["新增车位…"] is False and buttons["售出…"] is False
    assert buttons["出租…"] is True and buttons["办理车卡…"] is True
    assert Vehicle.select().count() == 0


def test_renew_and_cancel_card_in_the_window(qtbot, ctx, site, warnings, monkeypatch):
    tenancy.rent_space(ctx, _space("DS-001").id, "1-102")
    x = cards.register_card(ctx, {"space_id": _space("DS-001").id, "plate": "晋A54321", "identity_checked": True,
                                    "months": 1})
    w = _window(qtbot, ctx)
    w.renew_card()
    assert w.message.text() == "请先在车辆列表中选择一条车卡登记"
    _select(w.vtable, w.vmodel, lambda r: r["plate"] == "晋A54321")
    monkeypatch.setattr("ui.parking.pane.QInputDialog.getInt", lambda *a, **k: (3, True))
    w.renew_card()
    assert "已续期至 2027-02-28" in w.message.text() and w.vmodel.rows[0]["valid_until"].isoformat() == "2027-02-28"

    def fill(dlg):
        assert dlg.submit() is None and warnings[-1] == "注销原因：不能为空"
        dlg.text.setPlainText("业主换车")
        return dlg.submit() is not None

    monkeypatch.setattr(type(w), "_exec", lambda self, dlg: fill(dlg))
    _select(w.vtable, w.vmodel, lambda r: r["plate"] == "晋A54321")
    w.cancel_card()
    assert "已注销" in w.message.text() and w.vmodel.rows == []
    assert Vehicle.get_by_id(x.id).cancel_reason == "业主换车"
    w.with_cancelled.setChecked(True)
    assert [r["status"] for r in w.vmodel.rows] == ["已注销"]


def test_card_for_a_selected_free_space_is_refused_not_moved_to_another(qtbot, ctx, site, monkeypatch):
    tenancy.rent_space(ctx, _space("DS-001").id, "1-101")        # another home's rented space
    w = _window(qtbot, ctx)
    opened = []
    monkeypatch.setattr(type(w), "_exec", lambda self, dlg: opened.append(dlg) or False)
    _select(w.table, w.model, lambda r: r["code"] == "DX-002")   # free
    w.register_card()
    assert opened == [] and w.message.text() == "车位 DX-002 空闲，须先售出或出租才能办理车卡"
    _select(w.table, w.model, lambda r: r["code"] == "DS-001")
    w.register_card()
    assert opened and opened[0].space.currentData() == _space("DS-001").id


INDICATOR_X = 6   # a check box's tick square, at its left edge (its box may be wider than its text)


def test_card_registered_in_the_household_pane_shows_in_the_open_parking_window(qtbot, ctx, site, box_texts):
    """With 车位管理 open beside the archives tab, a car card registered from the household pane's
    车位/车辆 page shows in the window's vehicle list at once, without pressing 刷新 there."""
    from PySide6.QtCore import QPoint

    from tests.helpers.gui import accept_next_dialog, click_page, click_row
    from ui.main_window import MainWindow
    tenancy.rent_space(ctx, _space("DS-001").id, "1-101")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    qtbot.waitUntil(lambda: hasattr(w.tabs.currentWidget(), "pane"))   # 业主档案 is built after the first paint
    tab = w.tabs.currentWidget()
    tab.wait_background()
    click_row(qtbot, tab.table, tab.model.row_for_home(site["homes"]["1-101"].id))
    page = tab.pane.parking_page
    click_page(qtbot, tab.pane.tabs, tab.pane.tabs.indexOf(page))
    qtbot.mouseClick(page.buttons["manage"], Qt.MouseButton.LeftButton)
    win = page.parking_window
    assert win.isVisible() and win.vmodel.rows == []

    def fill(dlg):
        dlg.plate.setText("晋A12345")          # Qt's test keyboard types ASCII only
        for box in (dlg.identity, dlg.print_form):         # identity checked; no form printed
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(INDICATOR_X, box.height() // 2))
    accept_next_dialog(qtbot, "办理", fill)
    qtbot.mouseClick(page.buttons["card"], Qt.MouseButton.LeftButton)
    assert box_texts == [] and [r["plate"] for r in page.vehicles_model.rows] == ["晋A12345"]
    assert [r["plate"] for r in win.vmodel.rows] == ["晋A12345"]
    tab.wait_background()
