"""The 报事投诉 tab after the first release, offscreen: corrections (更正), the written reply (复函),
and the escalation timer that runs while the window is open (worker thread, status bar on failure)."""
import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt

from app.service import complaints as cp
from app.service import deadlines, handling, records
from models.service import ServiceEvent
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    import ui.common.ops
    monkeypatch.setattr(ui.common.ops.QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    return shown


def make_tab(qtbot, ctx, parent=None):
    from ui.service.tab import Tab
    w = Tab(ctx, parent)
    if parent is None:
        qtbot.addWidget(w)
    w.resize(1280, 760)
    w.show()
    return w


def select(tab, request_id):
    for i, r in enumerate(tab.model.rows):
        if r.id == request_id:
            tab.view.selectRow(i)
            return r
    raise AssertionError(f"request {request_id} not listed")


def upgrades(request_id):
    return ServiceEvent.select().where((ServiceEvent.request == request_id) & (ServiceEvent.kind == "升级")).count()


# ----------------------------------------------------------------- corrections
def test_receiver_corrects_from_the_tab_and_the_list_follows(qtbot, ctx, as_role, warnings_shown):
    homes = make_homes(3)
    fd = as_role("frontdesk")
    r = new_request(fd, homes[0], content="厨房水龙头漏水")
    tab = make_tab(qtbot, fd)
    select(tab, r.id)
    assert tab.buttons["edit"][0].isEnabled()
    from ui.service.edit import EditDialog
    dlg = EditDialog(fd, tab.current(), tab)
    qtbot.addWidget(dlg)
    assert dlg.phone.text() == "" and "138****5678" in dlg.phone.placeholderText()   # the full number stays hidden
    dlg.room.clear()
    qtbot.keyClicks(dlg.room, "5-102")
    dlg.content.setPlainText("卫生间水龙头漏水")
    assert "5-102" in dlg.read_back_text.text() and "卫生间水龙头漏水" in dlg.read_back_text.text()
    assert dlg.ok_button.text() == "保存更正"
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)   # not read back yet: refused, input kept
    assert warnings_shown and "复述确认" in warnings_shown[-1]
    assert dlg.room.text() == "5-102" and records.get(r.id).home_id == homes[0].id
    qtbot.keyClick(dlg.read_back, Qt.Key.Key_Space)
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result_value is not None and records.get(r.id).home_id == homes[1].id
    tab._after(dlg.result_value, tab.current())
    row = tab.current()
    assert row.id == r.id and row.room_code == "5-102" and row.content == "卫生间水龙头漏水"
    text = tab.detail.toPlainText()
    assert "更正受理信息" in text and "房号 5-101 → 5-102" in text and "复述：" in text and "5-102" in text


def test_edit_button_only_for_the_receiver_or_a_manager_and_open_requests(qtbot, ctx, as_role):
    homes = make_homes(2)
    r = new_request(as_role("frontdesk"), homes[0])
    am_tab = make_tab(qtbot, as_role("area_manager"))
    select(am_tab, r.id)
    assert not am_tab.buttons["edit"][0].isEnabled()          # someone else's request
    mg_tab = make_tab(qtbot, ctx)
    select(mg_tab, r.id)
    assert mg_tab.buttons["edit"][0].isEnabled()
    handling.dispatch(ctx, r.id, "张师傅")
    handling.arrive(ctx, r.id)
    handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘女士")
    mg_tab.filter.setCurrentText("全部")
    select(mg_tab, r.id)
    assert not mg_tab.buttons["edit"][0].isEnabled()          # finished: read only
    assert not make_tab(qtbot, as_role("cashier")).buttons["edit"][0].isEnabled()


# ----------------------------------------------------------------- written reply
def test_reply_letter_drafted_previewed_and_sent_from_the_tab(qtbot, ctx, warnings_shown):
    homes = make_homes(2)
    at(ctx, 2026, 11, 20, 10, 0)
    r = new_request(ctx, homes[0], kind="投诉", channel="信函", phone="", content="楼下垃圾桶连续三天满溢")
    at(ctx, 2026, 11, 24, 9, 0)
    tab = make_tab(qtbot, ctx)
    select(tab, r.id)
    assert "须在 2026-11-24 前寄出复函" in tab.detail.toPlainText()
    assert tab.buttons["letter"][0].isEnabled()
    from ui.service.reply import ReplyLetterDialog
    dlg = ReplyLetterDialog(ctx, tab.current(), tab)
    qtbot.addWidget(dlg)
    assert "2026-11-24" in dlg.findChildren(type(dlg.state))[0].text()        # the deadline in the header
    dlg.preview()                                          # nothing written yet: refused, nothing saved
    assert "调查情况" in warnings_shown[-1] and cp.reply_letter(r.id) is None
    dlg.investigation.setPlainText("经查，清运车辆故障三天。")
    dlg.outcome.setPlainText("已调派备用车辆完成清运。")
    dlg.measures.setPlainText("深表歉意，今后车辆故障当日启用备用车辆。")
    dlg.contact_phone.setText("0571-88886666")
    preview = dlg.preview()
    assert preview is not None and preview.document.pageCount() == 1
    preview.close()
    letter = cp.reply_letter(r.id)
    assert letter.number == "FH2026-000001" and "草稿" in dlg.state.text()
    at(ctx, 2026, 11, 24, 11, 0)
    assert dlg.sent_on.date().toString("yyyy-MM-dd") == "2026-11-24"
    dlg.method.setCurrentText("当面递交")
    dlg.send()
    letter = cp.reply_letter(r.id)
    assert letter.sent_on == dt.date(2026, 11, 24) and letter.send_method == "当面递交"
    assert "已于 2026-11-24 当面递交寄出" in dlg.state.text()
    assert dlg.outcome.isReadOnly() and not dlg.send_box.isEnabled() and not dlg.save_button.isEnabled()
    assert records.get(r.id).replied_at == dt.datetime(2026, 11, 24, 11, 0)
    tab._after(letter, tab.current())
    assert "书面复函 FH2026-000001：已于 2026-11-24 当面递交寄出" in tab.detail.toPlainText()
    assert "回复超时" not in (tab.current().warnings or "")


# ----------------------------------------------------------------- escalation timer
def test_timer_created_with_the_tab_interval_from_the_setting(qtbot, ctx):
    ctx.settings.set("request.auto_escalate_minutes", 2)
    make_homes(1)
    tab = make_tab(qtbot, ctx)
    assert tab.timer.isActive() and tab.timer.interval() == 120_000


def test_timer_escalates_off_the_gui_thread_once_and_updates_the_list(qtbot, ctx, monkeypatch):
    homes = make_homes(2)
    r = new_request(ctx, homes[0])
    tab = make_tab(qtbot, ctx)
    assert tab.model.rows[0].level == 0
    threads = []
    real = deadlines.run_escalations

    def spy(c):
        threads.append(threading.current_thread())
        return real(c)
    monkeypatch.setattr(deadlines, "run_escalations", spy)
    ctx.clock.advance(days=3)                              # nobody presses refresh
    tab.timer.setInterval(20)
    qtbot.waitUntil(lambda: tab.model.rows and tab.model.rows[0].level == 3, timeout=5000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert "项目经理" in tab.model.rows[0].holder and "已检查" in tab.auto_label.text()
    qtbot.waitUntil(lambda: len(threads) >= 3, timeout=5000)   # further ticks write nothing again
    qtbot.waitUntil(lambda: not tab._escalating, timeout=5000)
    tab.timer.stop()
    assert upgrades(r.id) == 3 and records.get(r.id).escalation_level == 3


def test_timer_failure_shows_in_the_status_bar_and_work_goes_on(qtbot, ctx, monkeypatch, warnings_shown):
    from PySide6.QtWidgets import QMainWindow
    homes = make_homes(2)
    r = new_request(ctx, homes[0])
    win = QMainWindow()
    qtbot.addWidget(win)
    tab = make_tab(qtbot, ctx, win)
    win.setCentralWidget(tab)
    win.show()

    def broken(c):
        raise RuntimeError("磁盘读写错误")
    monkeypatch.setattr(deadlines, "run_escalations", broken)
    ctx.clock.advance(days=3)
    assert tab.auto_escalate()
    qtbot.waitUntil(lambda: "失败" in tab.auto_label.text(), timeout=5000)
    assert "自动升级检查失败" in win.statusBar().currentMessage() and "磁盘读写错误" in win.statusBar().currentMessage()
    assert not warnings_shown                              # no dialog in the way
    assert tab.timer.isActive()
    handling.dispatch(ctx, r.id, "张师傅")                      # the desk keeps working
    tab.reload()
    assert tab.model.rows[0].status == "已派工"
    monkeypatch.undo()
    warnings_shown.clear()
    assert tab.auto_escalate()
    qtbot.waitUntil(lambda: "已检查" in tab.auto_label.text(), timeout=5000)
    assert win.statusBar().currentMessage().startswith("报事投诉已自动升级")
    assert upgrades(r.id) == 3


def test_main_window_service_tab_runs_its_timer(qtbot, ctx):
    from ui.main_window import MainWindow
    make_homes(1)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    tab = w.show_tab("service")
    assert tab.timer.isActive() and tab._status_bar() is w.statusBar()


# ----------------------------------------------------------------- attachments can be opened
def test_letter_scan_opens_from_the_detail_and_a_tampered_file_is_refused(qtbot, ctx, tmp_path, warnings_shown):
    from PySide6.QtCore import QUrl
    r = new_request(ctx, make_homes(1)[0], kind="投诉", channel="信函", phone="")
    tab = make_tab(qtbot, ctx)
    select(tab, r.id)
    scan = tmp_path / "来信扫描.pdf"
    scan.write_bytes(b"%PDF-1.4 letter")
    att = tab.attach(str(scan))
    assert "来信扫描.pdf" in tab.detail.toHtml() and f"att:{att.id}" in tab.detail.toHtml()
    path = tab.open_attachment(att.id)
    assert path.read_bytes() == b"%PDF-1.4 letter"
    tab.detail.anchorClicked.emit(QUrl(f"att:{att.id}"))
    assert not warnings_shown
    path.write_bytes(b"changed")
    assert tab.open_attachment(att.id) is None
    assert "已丢失或被改动" in warnings_shown[-1]
    other = new_request(ctx, make_homes(2)[1])
    with pytest.raises(Exception, match="不属于"):
        handling.attachment_path(ctx, other.id, att.id)


def test_export_register_from_the_tab(qtbot, ctx, as_role, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    import ui.common.ops
    shown = []
    monkeypatch.setattr(ui.common.ops.QMessageBox, "information", staticmethod(lambda p, t, text: shown.append(text)))
    new_request(ctx, make_homes(1)[0])
    tab = make_tab(qtbot, ctx)
    assert tab.export_button.isEnabled()
    out = tmp_path / "reg.xlsx"
    qtbot.waitUntil(tab.export_register("2026-11", str(out)).done)     # in the background (progress, 取消)
    assert "已导出 2026-11 报事投诉登记表 1 条" in shown[-1]
    assert load_workbook(out).active["J2"].value == "138****5678"
    assert not make_tab(qtbot, as_role("frontdesk")).export_button.isEnabled()
