"""The 报事投诉 tab offscreen: list, intake, the steps of a repair, KPI dashboard, permissions."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.service import handling, queries, records
from models.service import ServiceRequest
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    import ui.common.ops
    monkeypatch.setattr(ui.common.ops.QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    return shown


@pytest.fixture
def tab(qtbot, ctx):
    make_homes(4)
    from ui.service.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 760)
    w.show()
    return w


def test_tab_lists_requests_with_masks_and_escalation(qtbot, ctx, tab):
    homes = make_homes(4)
    new_request(ctx, homes[0], content="厨房水龙头漏水")
    new_request(ctx, homes[1], kind="投诉", subject="电梯故障", complaint_class="工程")
    ctx.clock.advance(days=3)
    tab.refresh()
    m = tab.model
    assert m.rowCount() == 2
    texts = [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert all("138****5678" in row for row in texts)
    assert all("项目经理" in row for row in texts)          # 72 h: the project manager holds them now
    assert any("联系超时" in (row[m.WARN] or "") for row in texts)
    assert "2 件" in tab.count_label.text()
    tab.view.selectRow(0)
    assert "首问责任人" in tab.detail.toPlainText() and "升级" in tab.detail.toPlainText()
    tab.filter.setCurrentText("投诉")
    assert m.rowCount() == 1


def test_intake_dialog_keeps_input_on_error_then_saves(qtbot, ctx, tab, warnings_shown):
    from ui.service.intake import IntakeDialog
    dlg = IntakeDialog(ctx, tab)
    qtbot.addWidget(dlg)
    assert dlg.ok_button.text() == "受理" and "首问责任人：王经理" in dlg.intro.text()
    qtbot.keyClicks(dlg.room, "5-102")
    dlg.caller.setText("王先生")                          # QTest types ASCII only
    qtbot.keyClicks(dlg.phone, "139 1234 5678")
    dlg.content.setPlainText("客厅灯不亮")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)   # not read back yet
    assert warnings_shown and "复述确认" in warnings_shown[0]
    assert dlg.caller.text() == "王先生" and ServiceRequest.select().count() == 0
    qtbot.keyClick(dlg.read_back, Qt.Key.Key_Space)
    assert dlg.read_back.isChecked()
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == dlg.DialogCode.Accepted
    r = dlg.result_request
    assert r is not None and r.phone == "13912345678" and r.home.room_code == "5-102"
    assert not dlg.complaint_box.isEnabled()
    dlg.kind.setCurrentText("投诉")
    assert dlg.complaint_box.isEnabled()


def test_repair_steps_through_dialogs(qtbot, ctx, tab, warnings_shown):
    from ui.service.actions import CompleteDialog, DispatchDialog, VisitDialog
    r = new_request(ctx, make_homes(4)[0])
    tab.refresh()
    tab.view.selectRow(0)
    assert tab.buttons["dispatch"][0].isEnabled() and not tab.buttons["visit"][0].isEnabled()
    row = tab.current()
    d = DispatchDialog(ctx, row, tab)
    qtbot.addWidget(d)
    d.handler.setCurrentText("维修部 张师傅")
    d.save()
    assert records.get(r.id).status == "已派工"
    handling.arrive(ctx, r.id)
    tab.refresh()
    c = CompleteDialog(ctx, tab.current(), tab)
    qtbot.addWidget(c)
    c.result.setPlainText("已疏通")
    c.item.setCurrentIndex([k for k, _ in c.ITEMS].index("drain"))
    assert c.amount.text() == "30.00"                     # owner price from the settings
    c.save()
    assert "业主签字" in warnings_shown[-1]                # the owner's signature is required
    c.signed.setChecked(True)
    c.amount.setText("35")
    c.save()
    done = records.get(r.id)
    assert done.status == "已完成" and done.charge_fen == 3500
    at(ctx, 2026, 11, 23, 12, 30)                         # lunch: no visits
    v = VisitDialog(ctx, tab.current(), tab)
    qtbot.addWidget(v)
    assert "14:00" in v.hint.text()
    v.save()
    assert "不宜回访" in warnings_shown[-1]
    v.schedule()
    assert "11-23 14:00" in v.hint.text()
    at(ctx, 2026, 11, 23, 14, 5)
    v.save()
    assert records.get(r.id).status == "已关闭"


def test_attach_from_tab(qtbot, ctx, tab, tmp_path):
    new_request(ctx, make_homes(4)[0])
    tab.refresh()
    tab.view.selectRow(0)
    photo = tmp_path / "漏水照片.jpg"
    photo.write_bytes(b"jpeg")
    assert tab.attach(str(photo)) is not None
    assert "漏水照片.jpg" in tab.detail.toPlainText()


def test_kpi_page_and_chart(qtbot, ctx, tab, tmp_path):
    r = new_request(ctx, make_homes(4)[0])
    at(ctx, 2026, 11, 23, 9, 5)
    handling.dispatch(ctx, r.id, "张师傅")
    handling.arrive(ctx, r.id)
    tab.inner.setCurrentIndex(1)
    assert tab.month.currentText() == "2026-11"
    km = tab.kpi_model
    assert km.rowCount() == 7
    names = [km.data(km.index(i, 0)) for i in range(7)]
    assert names[0].startswith("有效投诉率") and "报事及时率" in names
    i = names.index("报事及时率")
    assert km.data(km.index(i, 3)) == "100.0%" and km.data(km.index(i, 4)) == "≥98%"
    assert km.data(km.index(i, 5)) == "达标"
    assert len(tab.chart.kpis) == 6
    img = tab.chart.grab().toImage()
    assert not img.isNull() and img.width() > 100
    assert "本月受理 1 件" in tab.kpi_summary.text()


def test_permissions_disable_buttons(qtbot, ctx, as_role):
    make_homes(1)
    from ui.service.tab import Tab
    w = Tab(as_role("cashier"))
    qtbot.addWidget(w)
    assert not w.buttons["new"][0].isEnabled()
    new_request(ctx, make_homes(1)[0], kind="投诉")
    fd = Tab(as_role("frontdesk"))
    qtbot.addWidget(fd)
    fd.view.selectRow(0)
    assert fd.buttons["contact"][0].isEnabled() and not fd.buttons["classify"][0].isEnabled()
    assert not fd.buttons["phone"][0].isEnabled()          # front desk sees masked phones only


def test_manager_reveals_phone_audited(qtbot, ctx, tab, monkeypatch):
    import ui.common.ops
    from models.users import AuditLog
    shown = []
    monkeypatch.setattr(ui.common.ops.QMessageBox, "information", staticmethod(lambda p, t, text: shown.append(text)))
    new_request(ctx, make_homes(4)[0])
    tab.refresh()
    tab.view.selectRow(0)
    assert tab.buttons["phone"][0].isEnabled()
    tab.show_phone()
    assert "13812345678" in shown[0]
    assert AuditLog.select().where(AuditLog.action == "pii.reveal_phone").count() == 1


def test_main_window_opens_service_tab(qtbot, ctx):
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    tab = w.show_tab("service")
    assert tab.inner.count() == 2 and tab.inner.tabText(1) == "服务指标"
    assert dt.datetime(2026, 11, 23, 9, 0) == ctx.clock.now()


def test_action_error_titles_read_naturally(qtbot, ctx, monkeypatch):
    """A refused step is titled 未能处理完成, not 处理完成未完成."""
    import ui.common.ops
    from ui.service.actions import CompleteDialog, DispatchDialog
    titles = []
    monkeypatch.setattr(ui.common.ops.QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: titles.append(title)))
    homes = make_homes(2)
    r = new_request(ctx, homes[0], content="厨房水龙头漏水")
    row = next(x for x in queries.list_requests(ctx, "全部", "") if x.id == r.id)
    for cls in (DispatchDialog, CompleteDialog):
        dlg = cls(ctx, row)
        qtbot.addWidget(dlg)
        dlg.save()
    assert titles == ["未能派工", "未能处理完成"]


def test_enter_in_the_search_opens_a_single_hit(qtbot, ctx, tab):
    """A room code typed into the search box, Enter: one request left, selected, its detail shown."""
    homes = make_homes(4)
    new_request(ctx, homes[0], content="厨房水龙头漏水")
    new_request(ctx, homes[1], content="客厅灯不亮")
    tab.refresh()
    assert tab.model.rowCount() == 2
    tab.view.clearSelection()
    qtbot.keyClicks(tab.search, homes[1].room_code)          # the test keyboard types ASCII only
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 1
    assert tab.current() is not None and "客厅灯不亮" in tab.detail.toPlainText()
    assert tab.view.window().focusWidget() is tab.view     # focus within its window, active or not
