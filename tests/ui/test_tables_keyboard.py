"""Tables sort by a click on their header (Chinese in pinyin order, money by value), columns fit and
are remembered; the keyboard: F5, Ctrl+F, an exact room code, Esc, the 快捷键 list under 帮助."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.archives.structure import create_home
from app.core.money import fmt_fen
from tests.helpers.archives import build_small_site
from ui.common.tables import STATE_KEY, RowsModel, table_view

ROWS = [
    {"name": "张三", "room": "11-1-302", "owed": 99_00},
    {"name": "王五", "room": "1-2-101", "owed": 1_234_50},
    {"name": "阿姨", "room": "1-1-302", "owed": 5_00},
    {"name": "李四", "room": "2-1-101", "owed": None},
]


def click_header(qtbot, view, col):
    """Click the header section of column *col* where a user clicks it."""
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def column(model, col):
    return [model.index(r, col).data() for r in range(model.rowCount())]


@pytest.fixture
def own_settings(tmp_path):
    """QSettings of this test only (other test runs on this PC write the user's file meanwhile)."""
    import os
    from pathlib import Path
    fmt, scope = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(tmp_path))
    yield
    QSettings.setPath(fmt, scope, os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config"))


@pytest.fixture
def view(qtbot, own_settings):
    settings = QSettings("PropertyDesk", "PropertyDesk")
    settings.remove(STATE_KEY + "test_sort_table")        # no widths left from an earlier run
    model = RowsModel([("业主", "name"), ("房号", "room"),
                       ("欠费（元）", lambda r: fmt_fen(r["owed"]) if r["owed"] is not None else "")])
    model.set_rows(ROWS)
    v = table_view(model, None, "test_sort_table")
    qtbot.addWidget(v)
    v.resize(600, 300)
    v.show()
    yield v
    settings.remove(STATE_KEY + "test_sort_table")


def test_header_click_sorts_pinyin_room_codes_and_money_by_value(qtbot, view):
    model = view.model()
    click_header(qtbot, view, 0)
    assert column(model, 0) == ["阿姨", "李四", "王五", "张三"]          # pinyin, not code points
    click_header(qtbot, view, 0)
    assert column(model, 0) == ["张三", "王五", "李四", "阿姨"]
    click_header(qtbot, view, 1)
    assert column(model, 1) == ["1-1-302", "1-2-101", "2-1-101", "11-1-302"]   # digit runs by value
    click_header(qtbot, view, 2)
    assert column(model, 2) == ["5.00", "99.00", "1,234.50", ""]      # by value, blank last
    click_header(qtbot, view, 2)
    assert column(model, 2) == ["1,234.50", "99.00", "5.00", ""]
    click_header(qtbot, view, 2)                                        # third click: the service's order
    assert column(model, 0) == [r["name"] for r in ROWS]


def test_sort_is_kept_for_new_rows_and_selection_follows_its_row(qtbot, view):
    model = view.model()
    click_header(qtbot, view, 0)
    view.selectRow(3)                                                   # 张三
    click_header(qtbot, view, 0)                                        # descending: 张三 first
    assert model.row_at(view.currentIndex())["name"] == "张三"
    assert view.currentIndex().row() == 0
    model.set_rows(list(reversed(ROWS)) + [{"name": "安", "room": "3-1-101", "owed": 1}])
    assert column(model, 0) == ["张三", "王五", "李四", "安", "阿姨"]


def test_tuple_model_keys_move_with_their_rows(qtbot):
    from ui.system.table_models import TupleModel
    model = TupleModel(["账号", "姓名"])
    v = table_view(model)
    qtbot.addWidget(v)
    v.show()
    model.set_rows([("b", "赵"), ("a", "钱"), ("c", "孙")], keys=[2, 1, 3])
    click_header(qtbot, v, 0)
    assert column(model, 0) == ["a", "b", "c"] and model.keys == [1, 2, 3]


def test_columns_fit_content_and_are_remembered(qtbot, view):
    header = view.horizontalHeader()
    assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance("阿姨")
    header.resizeSection(1, 211)
    assert QSettings("PropertyDesk", "PropertyDesk").value(STATE_KEY + "test_sort_table") is not None
    model2 = RowsModel([("业主", "name"), ("房号", "room"), ("欠费（元）", "owed")])
    again = table_view(model2, None, "test_sort_table")
    qtbot.addWidget(again)
    model2.set_rows(ROWS)
    assert again.columnWidth(1) == 211


def test_big_list_sorts_fast(qtbot):
    import random
    import time
    rng = random.Random(7)
    rows = [{"name": rng.choice("张王李赵钱孙周吴郑") + rng.choice("建国明华丽芳伟"), "owed": rng.randint(0, 10**7)}
            for _ in range(5000)]
    model = RowsModel([("业主", "name"), ("欠费（元）", lambda r: fmt_fen(r["owed"]))])
    model.set_rows(rows)
    v = table_view(model)
    qtbot.addWidget(v)
    v.show()
    start = time.perf_counter()
    click_header(qtbot, v, 1)
    assert time.perf_counter() - start < 2.0
    values = [r["owed"] for r in model.rows]
    assert values == sorted(values)


@pytest.fixture
def window(qtbot, ctx, users):
    site = build_small_site(ctx, users)
    e = site["e11"]
    for code in ("1-1-302", "11-1-302"):
        site["homes"][code] = create_home(ctx, e.id, {"room_code": code, "area": "90.00", "house_type": "高层",
                                                      "floor": 3})
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: "archives" in w._created)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)        # shortcuts go to the active window
    w.site = site
    yield w
    w._created["archives"].wait_background()


def test_ctrl_f_then_exact_room_code_opens_that_home_alone(qtbot, window):
    tab = window._created["archives"]
    tab.table.setFocus()
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    assert window.focusWidget() is tab.search
    qtbot.keyClicks(tab.search, "1-1-302")
    QTest.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.ids() == [window.site["homes"]["1-1-302"].id]      # not 11-1-302 too
    assert tab.pane.detail["room_code"] == "1-1-302"
    tab.search.clear()
    qtbot.keyClicks(tab.search, "1-302")
    QTest.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 2                                     # a part of a code still searches


def test_f5_refreshes_the_current_tab(qtbot, window, ctx):
    from app.archives.structure import update_home_info
    tab = window._created["archives"]
    home = window.site["homes"]["1-201"]
    row = tab.model.row_for_home(home.id)
    state_col = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    col = state_col.index("状态")
    assert tab.model.index(row, col).data() == "空置"
    update_home_info(ctx, home.id, {"state": "装修中"})               # written elsewhere, no news sent
    tab.table.setFocus()
    QTest.keyClick(tab.table, Qt.Key.Key_F5)
    assert tab.model.index(tab.model.row_for_home(home.id), col).data() == "装修中"


def test_help_menu_lists_the_shortcuts(qtbot, window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("帮助"))
    entry = next(a for a in help_menu.actions() if a.text() == "快捷键")
    seen = []

    def read_and_close():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, read_and_close)
            return
        seen.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Escape)           # Esc closes it
    QTimer.singleShot(20, read_and_close)
    entry.trigger()                                      # returns when the box is closed
    assert not window.shortcuts_box.isVisible()
    for words in ("F5", "Ctrl+F", "Esc", "1-1-302"):
        assert words in seen[0]


def test_status_bar_names_site_and_database(qtbot, window, ctx):
    texts = [w.text() for w in window.statusBar().findChildren(type(window.database_label))]
    assert any(ctx.settings.get("site.name") in t for t in texts)
    assert "本机数据库" in texts or any(t.startswith("共享数据库（") for t in texts)
    assert not any("sqlite:" in t or "postgresql:" in t for t in texts)


def test_database_words():
    from ui.main_window import database_words
    assert database_words("sqlite:////home/x/propertydesk.db") == "本机数据库"
    assert database_words("postgresql://desk:secret@db-server:5432/pd") == "共享数据库（db-server）"


def test_form_dialog_focus_order_and_escape(qtbot):
    from ui.common.forms import Field, FormDialog
    dlg = FormDialog("测试", [Field("name", "姓名"), Field("phone", "电话")])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.focusWidget() is dlg.widget("name")
    QTest.keyClick(dlg.focusWidget(), Qt.Key.Key_Tab)
    assert dlg.focusWidget() is dlg.widget("phone")
    QTest.keyClick(dlg.focusWidget(), Qt.Key.Key_Tab)
    assert dlg.focusWidget() is dlg.ok_button
    QTest.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible() and dlg.result() == 0
    assert isinstance(dlg.widget("name"), QLineEdit)


def test_household_tables_sort_and_keep_their_ids(qtbot):
    from ui.archives.household import fill, selected_id, small_table
    t = small_table(["业主", "欠费（元）"])
    qtbot.addWidget(t)
    t.show()
    fill(t, [("张伟", "1,200.00"), ("王芳", "30.00"), ("李娜", "")], ids=[1, 2, 3])
    click_header(qtbot, t, 1)
    assert [t.item(r, 1).text() for r in range(3)] == ["30.00", "1,200.00", ""]
    click_header(qtbot, t, 0)
    assert [t.item(r, 0).text() for r in range(3)] == ["李娜", "王芳", "张伟"]
    t.selectRow(2)
    assert selected_id(t) == 1
    fill(t, [("赵六", None), ("阿明", None)], ids=[7, 8])                # a new home: sorted the same way
    assert [t.item(r, 0).text() for r in range(2)] == ["阿明", "赵六"]
