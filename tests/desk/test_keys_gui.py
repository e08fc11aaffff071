"""GUI of the key register (offscreen): tab lists, sign-out/return dialogs, refusals shown in
Chinese with the input kept, catalogue, history and vacant-home inspection."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.desk import keys
from models.keys import Key, KeyLoan, VacantInspection
from tests.helpers.keys import DEFAULT_HOMES, make_homes

WORKER = {"borrower_name": "刘工", "borrower_kind": "施工单位", "company": "通达电梯维保公司",
          "phone": "13603512233", "purpose": "电梯月度保养"}


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def site(ctx):
    homes = make_homes(DEFAULT_HOMES)
    pump = keys.create_key(ctx, {"area": "水泵房", "supply_method": "厂家配备", "keeper_place": "维修办公室",
                                 "keeper_person": "赵师傅"})
    shaft = keys.create_key(ctx, {"area": "楼道竖井", "supply_method": "通锁", "keeper_place": "客服前台", "copies": 2})
    door = keys.register_door_keys(ctx, homes["5-101"].id)
    return {"homes": homes, "pump": pump, "shaft": shaft, "door": door}


@pytest.fixture
def tab(qtbot, ctx, site):
    from ui.desk.keys_tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1200, 600)
    return w


def select_row(view, model, pred):
    for i, r in enumerate(model.rows):
        if pred(r):
            view.setCurrentIndex(model.index(i, 0))
            return r
    raise AssertionError("row not found")


def test_tab_lists_keys_out_with_overdue_shaded(qtbot, ctx, site, tab):
    keys.sign_out(ctx, site["pump"].id, WORKER)                              # due 13:00
    keys.sign_out(ctx, site["shaft"].id, WORKER | {"due_at": "2026-11-30 10:00"})
    ctx.clock.set(dt.datetime(2026, 11, 23, 15, 0))
    tab.refresh()
    assert tab.out_model.rowCount() == 2
    assert "逾期 1 把" in tab.summary.text()
    idx = tab.out_model.index(0, 0)
    assert tab.out_model.data(idx, Qt.ItemDataRole.DisplayRole) == "YS2026-000001"
    assert tab.out_model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    assert tab.out_model.data(tab.out_model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert tab.out_model.headerData(6, Qt.Orientation.Horizontal) == "电话"
    assert tab.out_model.rows[0]["phone"] == "136****2233"
    assert tab.out_view.property("fitted")                         # columns fitted once, then the user's
    tab.out_view.setColumnWidth(1, 222)
    tab.save_state()
    from PySide6.QtCore import QSettings
    assert QSettings("PropertyDesk", "PropertyDesk").value("columns/keys_out") is not None


def test_sign_out_dialog_and_double_sign_out_refused(qtbot, ctx, site, warnings):
    from ui.desk.key_dialogs import KeySignOutDialog
    dlg = KeySignOutDialog(ctx, site["pump"].id)
    qtbot.addWidget(dlg)
    assert dlg.copy.count() == 1
    dlg.name.setText("刘工")
    dlg.kind.setCurrentText("施工单位")
    dlg.company.setText("通达电梯维保公司")
    dlg.phone.setText("136 0351 2233")
    dlg.purpose.setText("电梯月度保养")
    loan = dlg.submit()
    assert loan is not None and loan.phone == "13603512233" and loan.due_at == dt.datetime(2026, 11, 23, 13, 0)
    again = KeySignOutDialog(ctx, site["pump"].id)
    qtbot.addWidget(again)
    assert again.copy.count() == 0
    again.name.setText("陈工")
    again.purpose.setText("检修")
    assert again.submit() is None
    assert "不能重复借出" in warnings[-1]
    assert KeyLoan.select().count() == 1 and again.name.text() == "陈工"


def test_sign_out_bad_input_keeps_input(qtbot, ctx, site, warnings):
    from ui.desk.key_dialogs import KeySignOutDialog
    dlg = KeySignOutDialog(ctx, site["shaft"].id)
    qtbot.addWidget(dlg)
    dlg.name.setText("刘工")
    dlg.kind.setCurrentText("施工单位")
    dlg.phone.setText("13603512233")
    assert dlg.submit() is None
    assert warnings[-1].startswith("单位名称")
    dlg.company.setText("通达")
    assert dlg.submit() is None and warnings[-1].startswith("借用事由")
    assert KeyLoan.select().count() == 0 and dlg.name.text() == "刘工"


def test_tab_sign_out_prints_slip_then_return(qtbot, ctx, site, tab, monkeypatch, warnings):
    import ui.desk.keys_tab as mod

    class AutoSignOut(mod.KeySignOutDialog):
        def exec(self):
            self.name.setText("赵师傅")
            self.purpose.setText("空置房巡查")
            return bool(self.submit())

    class AutoReturn(mod.KeyReturnDialog):
        def exec(self):
            self.notes.setText("完好")
            return bool(self.submit())

    monkeypatch.setattr(mod, "KeySignOutDialog", AutoSignOut)
    monkeypatch.setattr(mod, "KeyReturnDialog", AutoReturn)
    tab.inner.setCurrentIndex(1)
    select_row(tab.cat_view, tab.cat_model, lambda r: r["room_code"] == "5-101")
    tab.sign_out_selected()
    assert tab.out_model.rowCount() == 1 and tab.out_model.rows[0]["area"] == "入户门 5-101"
    assert tab.last_preview.document.pageCount() == 1
    tab.last_preview.close()
    tab.inner.setCurrentIndex(0)
    tab.out_view.setCurrentIndex(tab.out_model.index(0, 0))
    tab.return_selected()
    assert tab.out_model.rowCount() == 0
    assert KeyLoan.get().received_by == "王经理" and KeyLoan.get().return_notes == "完好"
    # returning from the catalogue a key that is not out: a Chinese message, nothing changes
    tab.inner.setCurrentIndex(1)
    select_row(tab.cat_view, tab.cat_model, lambda r: r["area"] == "水泵房")
    tab.return_from_catalogue()
    assert "未借出，不能归还" in warnings[-1]


def test_catalogue_search_edit_and_history(qtbot, ctx, site, tab, warnings):
    from ui.desk.key_dialogs import KeyEditDialog, KeyHistoryDialog
    tab.inner.setCurrentIndex(1)
    assert tab.cat_model.rowCount() == 3
    tab.search.setText("水泵")
    assert [r["area"] for r in tab.cat_model.rows] == ["水泵房"]
    tab.search.setText("")
    dlg = KeyEditDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.kind.setCurrentText("入户门钥匙")
    dlg.room.setText("9-999")
    assert dlg.submit() is None and "房号“9-999”不存在" in warnings[-1]
    dlg.room.setText("5-102")
    dlg.copies.setValue(3)
    key = dlg.submit()
    assert key.area == "入户门 5-102" and key.copies == 3 and key.home.room_code == "5-102"
    edit = KeyEditDialog(ctx, site["pump"].id)
    qtbot.addWidget(edit)
    assert edit.area.text() == "水泵房" and not edit.kind.isEnabled()
    edit.person.setText("钱师傅")
    assert edit.submit().keeper_person == "钱师傅"
    tab.register_doors_button.click()                    # 5-101 and 5-102 have keys now: nothing to add
    assert warnings[-1] == "未交付、空置房屋的入户门钥匙均已登记。"
    loan = keys.sign_out(ctx, site["pump"].id, WORKER)
    keys.return_key(ctx, loan.id)
    hist = KeyHistoryDialog(ctx, site["pump"].id)
    qtbot.addWidget(hist)
    assert hist.model.rowCount() == 1 and hist.model.rows[0]["borrower_name"] == "刘工"


def test_vacant_inspection_tab(qtbot, ctx, site, tab, monkeypatch, warnings):
    import ui.desk.keys_tab as mod
    tab.inner.setCurrentIndex(2)
    assert [r["room_code"] for r in tab.vac_model.rows] == ["5-101", "5-102"]
    assert "本周待巡查 2 套" in tab.vacant_label.text()

    class AutoInspect(mod.InspectionDialog):
        def exec(self):
            self.result.setCurrentText("有问题")
            if self.submit() is None:                     # findings missing: refused, stays open
                self.findings.setPlainText("阳台门未锁")
                return bool(self.submit())
            return True

    monkeypatch.setattr(mod, "InspectionDialog", AutoInspect)
    select_row(tab.vac_view, tab.vac_model, lambda r: r["room_code"] == "5-102")
    tab.inspect_selected()
    assert warnings and warnings[0].startswith("发现问题")
    ins = VacantInspection.get()
    assert ins.findings == "阳台门未锁" and ins.inspector == "王经理"
    tab.due_only.setChecked(True)
    assert [r["room_code"] for r in tab.vac_model.rows] == ["5-101"]


def test_cashier_cannot_sign_keys_buttons_disabled(qtbot, ctx, users, site):
    from ui.desk.keys_tab import Tab
    w = Tab(ctx.with_user(users["cashier"]), None)
    qtbot.addWidget(w)
    assert not w.sign_button.isEnabled() and not w.return_button.isEnabled()
    assert Key.select().count() == 3


def test_tab_refreshes_when_shown_again(qtbot, ctx, site, tab):
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.out_model.rowCount() == 0
    tab.hide()
    keys.sign_out(ctx, site["pump"].id, WORKER)          # e.g. from another window or tab
    tab.show()
    assert tab.out_model.rowCount() == 1 and "借出未还 1 把钥匙" in tab.summary.text()


def test_key_writes_tell_the_other_tabs(qtbot, ctx, site, warnings):
    """登记空置房钥匙 clicked in the main window: the catalogue shows the new door keys and the
    window relays {"keys"} news from the keys tab to the other tabs."""
    from tests.helpers.gui import click_page, click_tab
    from ui.desk.keys_tab import CATALOGUE_PAGE
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    tab = click_tab(qtbot, w, "keys")
    click_page(qtbot, tab.inner, CATALOGUE_PAGE)
    before = tab.cat_model.rowCount()
    with qtbot.waitSignal(w.changed, timeout=1000) as news:
        qtbot.mouseClick(tab.register_doors_button, Qt.MouseButton.LeftButton)
    assert news.args == [frozenset({"keys"}), tab]
    assert "已登记" in warnings[-1] and tab.cat_model.rowCount() > before
