"""GUI of the notice board (offscreen): a notice drafted from a template through the dialog's own
widgets, approved, printed, posted and taken down with the tab's buttons; the register's views;
the templates and the monthly report dialogs; the posters previewed."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.notices import notices
from models.notices import Notice
from tests.helpers.gui import accept_next_dialog, click_row
from tests.helpers.notices import draft, make_buildings, posted, type_text


@pytest.fixture
def said(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def tab(qtbot, ctx):
    make_buildings()
    from ui.notices.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1300, 600)
    w.show()
    return w


def _click(qtbot, b):
    assert b.isEnabled(), b.text()
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def _row_of(tab, number) -> int:
    return next(i for i in range(tab.model.rowCount()) if tab.model.row(i)["number"] == number)


def test_draft_from_a_template_in_the_dialog(qtbot, tab, ctx, said):
    filled = {}

    def fill(dlg):
        combo = dlg.widget("template")
        qtbot.keyClick(combo, Qt.Key.Key_Down)                       # 停水通知: filled at once
        type_text(qtbot, dlg.widget("reason"), "二次供水水箱清洗")
        tree = dlg.scope
        tree.setFocus()
        tree.setCurrentItem(tree.topLevelItem(0).child(1))          # 5号楼 2单元
        qtbot.keyClick(tree, Qt.Key.Key_Space)
        qtbot.mouseClick(dlg.fill_button, Qt.MouseButton.LeftButton)
        filled["body"] = dlg.field_values()["body"]

    accept_next_dialog(qtbot, "保存草稿", fill)
    _click(qtbot, tab.buttons["new"])
    n = Notice.get()
    assert "因二次供水水箱清洗，5号楼（2单元）将于" in filled["body"] and n.body == filled["body"]
    assert (n.number, n.grade, n.title, n.state) == ("GG2026-0001", "重要通告", "停水通知", "草稿")
    assert notices.posting_places(n) == ["5号楼2单元"] and said == []


def test_a_refused_field_keeps_the_dialog_open(qtbot, tab, said):
    def fill(dlg):
        type_text(qtbot, dlg.widget("title"), "停电通知")
        type_text(qtbot, dlg.widget("body"), "因{原因}停电")
        ok = next(b for b in dlg.findChildren(QPushButton) if b.text() == "保存草稿")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)              # refused: still open
        assert dlg.isVisible()
        dlg.widget("body").clear()
        type_text(qtbot, dlg.widget("body"), "明日9:00至12:00停电")

    accept_next_dialog(qtbot, "保存草稿", fill)
    _click(qtbot, tab.buttons["new"])
    assert said and said[0].startswith("正文：还有未填写的字段：{原因}")
    assert Notice.get().body == "明日9:00至12:00停电"


def test_approve_print_post_and_take_down_with_the_buttons(qtbot, tab, ctx, said):
    n = draft(ctx, buildings=["5", "6"])
    tab.refresh()
    click_row(qtbot, tab.view, _row_of(tab, n.number))
    assert not tab.buttons["print"].isEnabled() and not tab.buttons["post"].isEnabled()
    _click(qtbot, tab.buttons["preview"])
    assert tab.last_preview.kind == "board"
    _click(qtbot, tab.buttons["approve"])
    assert notices.get_notice(n.id).state == "已审批"
    menu = tab.buttons["print"].menu()
    a3 = next(a for a in menu.actions() if a.text().startswith("A3"))
    a3.trigger()
    got = notices.get_notice(n.id)
    assert (got.state, got.print_count, got.paper) == ("已打印", 3, "A3")
    assert tab.last_preview.document.pageCount() == 3
    _click(qtbot, tab.buttons["post"])
    assert notices.get_notice(n.id).state == "已张贴"
    _click(qtbot, tab.buttons["down"])
    assert notices.get_notice(n.id).state == "已撤下" and said == []
    assert tab.summary.text().startswith("在栏公告 0 份")


def test_the_views_show_what_is_on_the_board(qtbot, tab, ctx):
    import datetime as dt
    today = ctx.clock.today()
    posted(ctx, title="过期的通知", post_from=today - dt.timedelta(days=9), post_to=today - dt.timedelta(days=2))
    posted(ctx, title="今天撤的通知", post_from=today - dt.timedelta(days=3), post_to=today)
    draft(ctx, title="待审批的通知")
    tab.refresh()
    assert "过期未撤 1 份" in tab.summary.text() and "待审批 1 份" in tab.summary.text()
    tab.view_combo.setFocus()
    for view, titles in (("过期未撤", ["过期的通知"]), ("今日到期", ["今天撤的通知"]), ("待审批", ["待审批的通知"])):
        tab.view_combo.setCurrentText(view)
        assert [tab.model.row(i)["title"] for i in range(tab.model.rowCount())] == titles
    tab.view_combo.setCurrentText("全部")
    type_text(qtbot, tab.search, "今天撤")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 1


def test_templates_dialog_saves_the_offices_wording(qtbot, tab, ctx):
    from app.notices.templates import get_template

    def fill(dlg):
        dlg.list.setCurrentRow(1)                                    # 停电通知
        body = dlg.widget("body")
        body.setFocus()
        qtbot.keyClick(body, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, body, "\n特此通知。")

    accept_next_dialog(qtbot, "保存模板", fill)
    _click(qtbot, next(b for b in tab.findChildren(QPushButton) if b.text() == "模板…"))
    assert get_template("power_cut").body.endswith("{客服电话}。\n特此通知。")


def test_monthly_report_and_fee_poster_previews(qtbot, tab, ctx):
    def fill(dlg):
        type_text(qtbot, dlg.widget("plans"), "- 冬季消防演练")

    accept_next_dialog(qtbot, "预览报告", fill)
    _click(qtbot, next(b for b in tab.findChildren(QPushButton) if b.text() == "月度工作报告…"))
    assert tab.last_preview.windowTitle().startswith("项目月度工作报告")
    _click(qtbot, next(b for b in tab.findChildren(QPushButton) if b.text() == "收费标准公示"))
    assert tab.last_preview.windowTitle().startswith("收费标准公示")
    QApplication.processEvents()


def test_attach_and_export_through_the_file_dialogs(qtbot, tab, ctx, tmp_path, monkeypatch, said):
    from PySide6.QtWidgets import QFileDialog
    n = draft(ctx)
    f = tmp_path / "停水函.pdf"
    f.write_bytes(b"%PDF-1.4 letter")
    out = tmp_path / "公告登记.xlsx"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(f), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    tab.refresh()
    click_row(qtbot, tab.view, _row_of(tab, n.number))
    _click(qtbot, tab.buttons["attach"])
    assert notices.attachment_names(n.id) == ["停水函.pdf"]
    _click(qtbot, next(b for b in tab.findChildren(QPushButton) if b.text() == "导出Excel"))
    assert out.is_file() and said[-1].startswith("已导出 1 条公告")


def test_the_front_desk_cannot_approve(qtbot, ctx, as_role):
    make_buildings()
    n = draft(ctx)
    from ui.notices.tab import Tab
    w = Tab(as_role("frontdesk"), None)
    qtbot.addWidget(w)
    w.show()
    click_row(qtbot, w.view, _row_of(w, n.number))
    assert w.buttons["edit"].isEnabled() and not w.buttons["approve"].isEnabled()
