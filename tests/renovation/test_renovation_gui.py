"""The 装修管理 tab (offscreen): opens on what needs doing, walks a renovation through its dialogs."""
import datetime as dt

import pytest

from app.renovation import api as rv
from tests.helpers.renovation import (
    APPLICATION,
    make_file,
    make_homes,
    make_id,
    make_photo,
    pay_all,
)


@pytest.fixture
def tab(qtbot, ctx):
    from ui.renovation.tab import Tab
    make_homes(ctx)
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.resize(1400, 850)
    t.show()
    return t


def fill_and_submit(values=None, rows=None):
    """An exec_dialog replacement: type the field values, click 确定, report whether it closed."""
    def run(dlg):
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from ui.renovation.dialogs import ApplicationDialog, DeductionsDialog
        for k, v in (values or {}).items():
            if isinstance(dlg, ApplicationDialog) and k == "plan":
                dlg.plan.setPlainText(v)
            elif isinstance(dlg, ApplicationDialog) and k == "drawing":
                dlg.add_drawing_path(v)
            elif isinstance(dlg, ApplicationDialog) and k == "room":
                dlg.room_search.setText(v)
            elif isinstance(v, str) and v.isascii() and dlg.fields[k].kind == "text":
                dlg.widget(k).clear()
                QTest.keyClicks(dlg.widget(k), v)       # Qt's test keyboard types ASCII only
            else:
                dlg.set_value(k, v)
        if isinstance(dlg, DeductionsDialog):
            for i, (reason, amount) in enumerate(rows or []):
                if i >= len(dlg.rows):
                    QTest.mouseClick(dlg.more_button, Qt.MouseButton.LeftButton)
                r, a = dlg.rows[i]
                r.setText(reason)
                QTest.keyClicks(a, amount)
        QTest.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        return dlg.result() == 1
    return run


def _apply_and_approve(tab, ctx, tmp_path, warnings):
    """Application through the dialog (a missing contractor phone refused, the input kept), approval,
    a worker registered, the fees paid, tests and fire undertaking, the permit (refused too early)."""
    data = {k: v for k, v in APPLICATION.items() if not k.startswith("planned")}
    bad = dict(data, contractor_phone="")
    tab.exec_dialog = fill_and_submit(dict(bad, room="5-101", drawing=str(make_file(tmp_path))))
    assert tab.new_application() is None and "负责人电话" in warnings[-1]
    tab.exec_dialog = fill_and_submit(dict(data, room="5-101", drawing=str(make_file(tmp_path))))
    r = tab.new_application()
    assert r is not None and r.home.room_code == "5-101"
    assert tab.due_model.rowCount() == 1 and tab.due_model.row(0).category == "待审批"
    tab.select_row(0)
    assert tab.current_id == r.id and tab.buttons["approve"].isEnabled() and not tab.buttons["permit"].isEnabled()
    assert "5-101" in tab.header.text()
    # approve → fees in the ledger
    tab.exec_dialog = fill_and_submit({"note": "同意"})
    assert tab.do_approve() is not None
    assert tab.fee_model.rowCount() == 2 and tab.fee_model.text(tab.fee_model.row(0), 2) == "3,000.00"
    tab.exec_dialog = fill_and_submit({"name": "张木工", "id_number": make_id(), "card": "B"})
    assert tab.do_worker() is not None and tab.worker_model.rowCount() == 1
    assert tab.worker_model.text(tab.worker_model.row(0), 6) == "待缴费"
    pay_all(ctx, r.home_id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    tab.exec_dialog = fill_and_submit({"pressure_ok": True, "water_ok": True, "signed_by": "王建国"})
    assert tab.do_tests() is not None
    tab.exec_dialog = fill_and_submit({"signed_by": "王建国"})
    assert tab.do_fire() is not None
    # premature permit refused with the date it can be issued
    assert tab.do_permit() is None and "2026-11-25" in warnings[-1]
    ctx.clock.set(dt.datetime(2026, 11, 25, 9))
    tab.refresh()
    assert [d.category for d in tab.due_model.rows] == ["待领许可证"]
    assert tab.do_permit() is not None and rv.get(ctx, r.id).state == "施工中"
    return r


def _works(tab, ctx, r, tmp_path, shown):
    """The pass issued, extended, its photo; a patrol, a notice; the permit and notice printed."""
    tab.workers.selectRow(0)
    assert tab.do_issue_pass() is not None
    assert tab.drawings_btn.isEnabled() and len(tab.drawings_menu.actions()) == 1
    tab.workers.selectRow(0)
    tab.exec_dialog = fill_and_submit({"valid_until": dt.date(2027, 6, 30)})
    assert tab.do_extend_pass() is not None and rv.workers_of(ctx, r.id)[0].valid_until == dt.date(2027, 6, 30)
    tab.workers.selectRow(0)
    assert rv.worker_photo(ctx, rv.workers_of(ctx, r.id)[0].id) is None
    assert tab.do_worker_photo(str(make_photo(tmp_path))) is not None
    assert rv.worker_photo(ctx, rv.workers_of(ctx, r.id)[0].id).is_file()
    tab.workers.selectRow(0)
    tab.exec_dialog = fill_and_submit({"ok": False, "findings": "楼道堆放垃圾", "workers_present": 2})
    assert tab.do_patrol() is not None and tab.patrol_model.rowCount() == 1
    tab.exec_dialog = fill_and_submit({"content": "楼道堆放垃圾", "requirement": "当日清运"})
    assert tab.do_notice() is not None and tab.notice_model.rowCount() == 1
    tab.print_form("permit", "装修许可证")
    tab.notices.selectRow(0)
    tab.do_print_notice()
    assert [s[0] for s in shown] == ["装修许可证", "整改通知单"] and all(s[2] == b"%PDF" for s in shown)
    assert [s[3] for s in shown] == [None, "notice"]  # the notice prints with the 通知单 kind's printer
    tab.grab().save(str(tmp_path / "tab.png"))
    stages = tab.stage_model.rows
    assert [s.done for s in stages][:5] == [True] * 5


def test_tab_walks_a_renovation(tab, ctx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    shown = []
    monkeypatch.setattr(tab, "show_pdf", lambda pdf, title, name, kind=None: shown.append((title, name, pdf[:4], kind)))
    assert tab.view_combo.currentText() == "待办事项" and tab.due_model.rowCount() == 0
    r = _apply_and_approve(tab, ctx, tmp_path, warnings)
    _works(tab, ctx, r, tmp_path, shown)
    # abandon with a deduction larger than the deposit: refused, then a valid one
    tab.workers.selectRow(0)
    assert tab.do_return_pass() is not None
    tab.exec_dialog = fill_and_submit({"reason": "业主出售房屋"}, rows=[("损坏电梯", "3000.01")])
    assert tab.do_abandon() is None and "超过" in warnings[-1]
    tab.exec_dialog = fill_and_submit({"reason": "业主出售房屋"}, rows=[("损坏电梯", "100")])
    assert tab.do_abandon() is not None
    r = rv.get(ctx, r.id)
    assert r.state == "已放弃" and r.refund_fen == 290000
    assert shown[-1][0] == "装修保证金退还单"
    tab.view_combo.setCurrentText("已结案/驳回/放弃")
    assert tab.list_model.rowCount() == 1 and tab.list_model.text(tab.list_model.row(0), 6) == "已放弃"


def test_frontdesk_cannot_approve(qtbot, ctx, users, tmp_path):
    from ui.renovation.tab import Tab
    homes = make_homes(ctx)
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    t = Tab(ctx.with_user(users["frontdesk"]), None)
    qtbot.addWidget(t)
    t.select_row(0)
    assert t.current_id == r.id
    assert not t.buttons["approve"].isEnabled() and t.buttons["drawing"].isEnabled() and t.new_btn.isEnabled()
    c = Tab(ctx.with_user(users["cashier"]), None)
    qtbot.addWidget(c)
    assert not c.new_btn.isEnabled()


def test_application_dialog_prefills_owner(qtbot, ctx):
    from models.people import HomeOwner, Owner
    from ui.renovation.dialogs import ApplicationDialog
    homes = make_homes(ctx)
    HomeOwner.create(home=homes["5-102"], owner=Owner.create(name="陈美玲", phone="13811112222"))
    dlg = ApplicationDialog(None, lambda text: rv.homes_for_application(ctx, text), ctx.clock.today(),
                            lambda hid: rv.owner_name(ctx, hid))
    qtbot.addWidget(dlg)
    # 5-301 is not handed over: not offered
    assert [dlg.home.itemText(i)[:5] for i in range(dlg.home.count())] == ["5-101", "5-102", "5-201"]
    dlg.room_search.setText("5-102")
    assert dlg.widget("applicant").text() == "陈美玲"
    dlg.widget("applicant").setText("陈美玲之子")
    dlg.room_search.setText("5-10")           # a typed name is kept when the home changes
    assert dlg.widget("applicant").text() == "陈美玲之子"
    dlg.show()
    dlg.grab().save(str(ctx.data_dir / "application_dialog.png"))


def test_areas_shown_with_fmt_area(qtbot, ctx, monkeypatch):
    """Areas in the application dialog and the tab header go through app.core.validation.fmt_area."""
    import ui.renovation.tab as tabmod
    from ui.renovation import dialogs
    from ui.renovation.dialogs import ApplicationDialog
    homes = make_homes(ctx)
    monkeypatch.setattr(dialogs, "fmt_area", lambda a: f"<{a}>")
    monkeypatch.setattr(tabmod, "fmt_area", lambda a: f"<{a}>")
    dlg = ApplicationDialog(None, lambda text: rv.homes_for_application(ctx, text), ctx.clock.today(),
                            lambda hid: rv.owner_name(ctx, hid))
    qtbot.addWidget(dlg)
    assert dlg.home.itemText(0) == "5-101（洋房 <12345>㎡ 已入住）"
    r = rv.apply(ctx, homes["5-101"].id, dict(APPLICATION))
    t = tabmod.Tab(ctx, None)
    qtbot.addWidget(t)
    t.load(r.id)
    assert "洋房 <12345>㎡" in t.header.text()


def test_header_escapes_typed_names(qtbot, ctx):
    """A contractor name with <, & is shown as typed, not read as markup."""
    from ui.renovation.tab import Tab
    homes = make_homes(ctx)
    r = rv.apply(ctx, homes["5-101"].id, dict(APPLICATION, contractor_name="<b>A&B装饰</b>"))
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.load(r.id)
    assert "&lt;b&gt;A&amp;B装饰&lt;/b&gt;" in t.header.text()


def test_search_box_shows_its_whole_hint(tab):
    """The search hint 房号 / 申请人 / 施工单位 / 编号 is not cut off."""
    hint = tab.search.placeholderText()
    assert tab.search.width() >= tab.search.fontMetrics().horizontalAdvance(hint) + 20


def test_pass_and_notice_buttons_follow_permissions(qtbot, ctx, users):
    """The cashier may only pay back pass deposits; the front desk does everything but that refund."""
    from ui.renovation.tab import Tab
    make_homes(ctx)
    enabled = {}
    for role in ("cashier", "frontdesk", "manager"):
        t = Tab(ctx.with_user(users[role]), None)
        qtbot.addWidget(t)
        enabled[role] = {text for text, (b, _p) in t.bar_buttons.items() if b.isEnabled()}
    assert enabled["cashier"] == {"退押金", "打印通知单"}
    assert "退押金" not in enabled["frontdesk"] and "发放出入证" in enabled["frontdesk"]
    assert len(enabled["manager"]) == 8


def test_fees_approved_here_and_paid_in_the_ledger_tab_show_at_once(qtbot, ctx, tmp_path, box_texts):
    """Approved in 装修管理, the deposit and rubbish fee are owed in 收费台账 at once; paid there, the
    renovation shows them paid and its third stage done, without pressing 刷新 anywhere."""
    from PySide6.QtCore import Qt

    from app.core.money import fmt_fen
    from tests.helpers.gui import accept_next_dialog, click_tab
    from ui.main_window import MainWindow
    homes = make_homes(ctx)
    rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    ledger = click_tab(qtbot, w, "ledger")
    qtbot.keyClicks(ledger.search, "5-101")
    qtbot.keyClick(ledger.search, Qt.Key.Key_Return)
    assert "欠费 ¥0.00" in ledger.header.text()
    tab = click_tab(qtbot, w, "renovation")
    assert tab.current_id is not None and tab.buttons["approve"].isEnabled()
    tab.exec_dialog = fill_and_submit({"note": "同意"})
    qtbot.mouseClick(tab.buttons["approve"], Qt.MouseButton.LeftButton)
    owed = sum(f["amount"] for f in tab.fee_model.rows)
    assert tab.fee_model.rowCount() == 2 and all(f["paid"] == 0 for f in tab.fee_model.rows)
    deposit = sum(f["amount"] for f in tab.fee_model.rows if "保证金" in f["item"])
    assert 0 < deposit < owed
    ledger = click_tab(qtbot, w, "ledger")
    # the refundable deposit is shown apart from what is owed (issue 17)
    assert f"欠费 ¥{fmt_fen(owed - deposit)}" in ledger.header.text()
    assert f"待交 ¥{fmt_fen(deposit)}" in ledger.header.text()
    accept_next_dialog(qtbot, "收款并开收据", lambda dlg: dlg.set_value("payer", "王建国"))
    qtbot.mouseClick(ledger.pay_button, Qt.MouseButton.LeftButton)
    assert box_texts == [] and "欠费 ¥0.00" in ledger.header.text()
    ledger.last_preview.close()
    tab = click_tab(qtbot, w, "renovation")
    assert all(f["paid"] == f["amount"] for f in tab.fee_model.rows)
    assert [s.done for s in tab.stage_model.rows][:3] == [True] * 3


def test_enter_in_the_search_opens_a_single_hit(qtbot, ctx, tab):
    """Typed into the search box, Enter: the list of all renovations narrows to 5-201's, which opens."""
    from PySide6.QtCore import Qt

    from models.property import Home
    for room in ("5-101", "5-201"):
        rv.apply(ctx, Home.get(Home.room_code == room).id, APPLICATION)
    tab.view_combo.setCurrentText("全部")
    assert tab.left.model().rowCount() == 2
    tab.current_id = None
    qtbot.keyClicks(tab.search, "5-201")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.left.model().rowCount() == 1
    assert tab.current_id is not None and "5-201" in tab.header.text()
    assert tab.left.window().focusWidget() is tab.left     # focus within its window, active or not
