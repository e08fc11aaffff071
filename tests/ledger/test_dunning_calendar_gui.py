"""The 催缴 board's buttons for the calendar rules: 打印二次通知 asks before a second batch in the
same month and says how many exist; 打印三次通知 before its day asks the manager's reason;
登记上门催缴 and 问题转经理 record in the dunning record."""
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from models.ledger import DunningRecord
from tests.helpers.gui import accept_next_dialog, click_row
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def _tab(qtbot, ctx, when):
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(when)
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitUntil(w.loaded)                           # the pages load in the background
    return w


def _type_into(field_text):
    def fill(dlg):
        edit = dlg.findChildren(QLineEdit)[0]
        edit.setFocus()
        edit.setText(field_text)
    return fill


def test_second_notice_again_asks_with_the_count(qtbot, ctx, owing, boxes):  # noqa: F811
    w = _tab(qtbot, ctx, dt.datetime(2026, 11, 17, 10))
    qtbot.mouseClick(w.notice_buttons[2], Qt.MouseButton.LeftButton)
    assert "将向全部楼栋 2 户发出二次通知" in boxes.last.text
    qtbot.waitUntil(w.loaded)                           # the batch is drawn in the background
    assert w.last_preview is not None and w.last_preview.document.pageCount() == 2
    w.last_preview.close()
    qtbot.waitUntil(w.loaded)
    assert [r.second_notice for r in w.board.rows] == ["2026-11-17", "2026-11-17"]
    # again the same day: asked first, with the count; declined → nothing issued
    from PySide6.QtWidgets import QMessageBox
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.mouseClick(w.notice_buttons[2], Qt.MouseButton.LeftButton)
    assert "本月已有 2 户发出二次通知（共 2 份）" in boxes.last.text
    assert DunningRecord.select().where(DunningRecord.stage == 2).count() == 2
    boxes.answer = None
    qtbot.mouseClick(w.notice_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.loaded)
    assert DunningRecord.select().where(DunningRecord.stage == 2).count() == 4
    w.last_preview.close()
    qtbot.waitUntil(w.loaded)


def test_third_notice_early_needs_the_managers_reason(qtbot, ctx, owing, boxes):  # noqa: F811
    w = _tab(qtbot, ctx, dt.datetime(2026, 11, 19, 10))
    accept_next_dialog(qtbot, "确定", _type_into("业主下周出国，提前告知"))
    qtbot.mouseClick(w.notice_buttons[3], Qt.MouseButton.LeftButton)
    assert "今天未到每月21日" in w.last_form.intro.text()
    assert "2 户发出三次通知" in boxes.last.text
    qtbot.waitUntil(w.loaded)
    w.last_preview.close()
    recs = DunningRecord.select().where(DunningRecord.stage == 3)
    assert {r.outcome for r in recs} == {"经理特批：业主下周出国，提前告知"}
    qtbot.waitUntil(w.loaded)


def test_third_notice_early_refused_for_the_cashier(qtbot, ctx, owing, users, boxes):  # noqa: F811
    w = _tab(qtbot, ctx.with_user(users["cashier"]), dt.datetime(2026, 11, 19, 10))
    qtbot.mouseClick(w.notice_buttons[3], Qt.MouseButton.LeftButton)
    assert "三次通知须在每月21日及以后发出" in boxes.last.text
    assert DunningRecord.select().count() == 0


def test_visit_and_hand_to_manager(qtbot, ctx, owing, boxes):  # noqa: F811
    w = _tab(qtbot, ctx, dt.datetime(2026, 11, 23, 10))
    click_row(qtbot, w.board_view, 0)
    room = w._selected().room_code
    accept_next_dialog(qtbot, "确定", _type_into("门上留言"))
    qtbot.mouseClick(w.visit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.loaded)
    row = next(r for r in w.board.rows if r.room_code == room)
    assert row.visits == 1
    click_row(qtbot, w.board_view, [r.room_code for r in w.board.rows].index(room))
    accept_next_dialog(qtbot, "确定", _type_into("业主称漏水未修"))
    qtbot.mouseClick(w.manager_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.loaded)
    row = next(r for r in w.board.rows if r.room_code == room)
    assert row.escalated == "业主称漏水未修" and row.next_action == "已转经理处理"
    methods = [r.method for r in DunningRecord.select().order_by(DunningRecord.id)]
    assert methods == ["上门", "转经理"]
    w.grab().save("/tmp/w17/dunning_board.png")
