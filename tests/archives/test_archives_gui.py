"""The owner archives tab and its dialogs, offscreen with pytest-qt."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QTabWidget

from app.archives.detail import home_detail
from app.archives.listing import COLUMNS
from app.archives.structure import update_home_info
from app.archives.visits import familiarity_rates
from models.people import Owner, Resident
from models.users import AuditLog
from tests.helpers.archives import ID_ZHANG, build_small_site, make_id


@pytest.fixture
def site(ctx, users):
    return build_small_site(ctx, users)


@pytest.fixture
def tab(qtbot, ctx, site, monkeypatch):
    messages = []
    for module in ("ui.archives.tab", "ui.archives.household"):
        monkeypatch.setattr(f"{module}.info", lambda parent, text, title="提示": messages.append(text))
    from ui.archives.tab import Tab
    t = Tab(ctx, None)
    t.messages = messages
    qtbot.addWidget(t)
    t.resize(1300, 800)
    t.show()
    yield t
    t.wait_background()


def col(key):
    return [k for k, _ in COLUMNS].index(key)


def cell(t, row, key):
    return t.model.data(t.model.index(row, col(key)))


def test_tab_opens_with_masked_rows(qtbot, tab):
    assert tab.model.rowCount() == 6
    assert tab.count_label.text() == "共 6 户"
    assert [cell(tab, r, "room_code") for r in range(6)] == ["1-101", "1-102", "1-201", "1-2-301", "2-101", "2-102"]
    assert cell(tab, 0, "owners") == "张伟、李娜"
    assert cell(tab, 0, "phone") == "138****5678"
    assert cell(tab, 0, "id_masked") == ID_ZHANG[:3] + "*" * 11 + ID_ZHANG[-4:]
    assert cell(tab, 0, "category") == "稳定期"
    assert cell(tab, 1, "arrears") == "欠费"
    qtbot.waitUntil(lambda: "全小区档案完整率 0.0%" in tab.rate_label.text(), timeout=5000)


def test_search_as_you_type(qtbot, tab):
    qtbot.keyClicks(tab.search, "1-102")          # typed key by key: one query after the pause
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)
    assert cell(tab, 0, "room_code") == "1-102"
    assert tab.pane.detail["room_code"] == "1-102"          # a single hit is opened
    tab.search.clear()
    for ch in "王芳":                                # QTest types ASCII only: an input method inserts text
        tab.search.insert(ch)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and cell(tab, 0, "owners") == "王芳", timeout=5000)
    tab.search.clear()
    tab.search.insert("张")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=5000)
    tab.search.setText("没有这个人")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=5000)
    assert tab.count_label.text() == "共 0 户"


def test_filters_and_tree(qtbot, tab, site):
    tab.arrears_box.setChecked(True)
    assert tab.model.rowCount() == 1 and cell(tab, 0, "room_code") == "1-102"
    tab.arrears_box.setChecked(False)
    tab.key_box.setChecked(True)
    assert [cell(tab, r, "room_code") for r in range(tab.model.rowCount())] == ["1-101", "2-101"]
    tab.key_box.setChecked(False)
    tab.category_box.setCurrentText("新客户")
    assert tab.model.rowCount() == 1
    tab.category_box.setCurrentText("全部")
    tab.state_box.setCurrentText("未交付")
    assert tab.model.rowCount() == 2
    tab.reset_filters()
    assert tab.model.rowCount() == 6
    tab.select_tree("building", site["b2"].id)
    assert [cell(tab, r, "room_code") for r in range(tab.model.rowCount())] == ["2-101", "2-102"]
    assert "本楼栋档案完整率 0.0%" in tab.rate_label.text()
    tab.select_tree("entrance", site["e12"].id)
    assert tab.model.rowCount() == 1
    tab.incomplete_box.setChecked(True)
    assert tab.model.rowCount() == 1


def test_tree_builds_entrances_when_expanded(tab):
    b1 = tab.tree.topLevelItem(0).child(0).child(0)
    assert b1.text(0) == "1号楼" and b1.text(1) == "4" and b1.childCount() == 0
    b1.setExpanded(True)
    assert [b1.child(i).text(0) for i in range(b1.childCount())] == ["1单元", "2单元"]


def test_header_sort_in_sql(tab):
    tab.table.sortByColumn(col("area"), Qt.SortOrder.DescendingOrder)
    assert cell(tab, 0, "room_code") == "1-2-301"
    tab.table.sortByColumn(col("room_code"), Qt.SortOrder.AscendingOrder)
    assert cell(tab, 0, "room_code") == "1-101"


def test_household_pane(tab, site):
    tab.table.selectRow(0)
    d = tab.pane.detail
    assert d["room_code"] == "1-101"
    assert tab.pane.owners.rowCount() == 2 and tab.pane.owners.item(0, 2).text() == "138****5678"
    assert tab.pane.people.rowCount() == 1
    assert tab.pane.docs.rowCount() == 15
    assert "稳定期" in tab.pane.header.text()
    tab.pane.docs.selectRow(0)
    tab.pane.mark_doc(True)
    assert tab.pane.docs.item(0, 2).text() == "✓"
    assert "1/15" in tab.pane.completeness.text()
    assert cell(tab, 0, "archive") == "1/15"


def test_attach_scan_from_pane(tab, tmp_path):
    scan = tmp_path / "invoice.pdf"
    scan.write_bytes(b"%PDF-1.4 invoice copy")
    tab.table.selectRow(0)
    tab.pane.docs.selectRow(1)
    tab.pane.attach_scan(str(scan))
    assert tab.pane.docs.item(1, 4).text() == "1"
    tab.pane.docs.selectRow(1)
    tab.pane.view_scan()            # verified by SHA-256, no message
    assert tab.messages == []


def test_owner_dialog_bad_id_shows_message_and_saves_nothing(qtbot, ctx, site):
    from ui.archives.owner_dialog import OwnerDialog
    home = site["homes"]["2-102"]
    dlg = OwnerDialog(ctx, home.id, None, None, "2-102")
    qtbot.addWidget(dlg)
    dlg.show()
    n_owners, n_audit = Owner.select().count(), AuditLog.select().count()
    bad = make_id("11010119850505123")
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    dlg.name.insert("赵六")
    qtbot.keyClicks(dlg.id_number, bad)
    qtbot.keyClicks(dlg.phone, "13911112222")
    dlg.submit()
    assert dlg.isVisible()
    assert dlg.error_label.isVisible() and "身份证号" in dlg.error_label.text() and "校验位" in dlg.error_label.text()
    assert dlg.id_number.text() == bad and dlg.name.text() == "赵六" and dlg.phone.text() == "13911112222"
    assert (Owner.select().count(), AuditLog.select().count()) == (n_owners, n_audit)
    # correct it and save
    dlg.id_number.setText(make_id("11010119850505123"))
    dlg.tag_boxes["政府"].setChecked(True)
    dlg.submit()
    assert not dlg.isVisible()
    o = Owner.get(Owner.name == "赵六")
    assert o.is_key_customer and o.key_customer_tags == "政府" and o.phone == "13911112222"
    assert home_detail(ctx, home.id)["owners"][0]["name"] == "赵六"


def test_owner_dialog_phone_error_names_field(qtbot, ctx, site):
    from ui.archives.owner_dialog import OwnerDialog
    dlg = OwnerDialog(ctx, site["homes"]["2-102"].id, None, None)
    qtbot.addWidget(dlg)
    dlg.name.setText("赵六")
    dlg.phone.setText("12345")
    dlg.submit()
    assert "联系电话" in dlg.error_label.text() and dlg.result_value is None


def test_owner_dialog_edit_keeps_masked_values_and_reveals(qtbot, ctx, site, as_role):
    from ui.archives.owner_dialog import OwnerDialog
    dlg = OwnerDialog(ctx, site["homes"]["1-101"].id, site["zhang"].id, None, "1-101")
    qtbot.addWidget(dlg)
    assert dlg.id_number.text() == "" and "****" in dlg.id_number.placeholderText()
    assert "1-101、2-101" in " ".join(w.text() for w in dlg.findChildren(type(dlg.error_label)))
    dlg.employer.setText("省电视台")
    dlg.submit()
    o = Owner.get_by_id(site["zhang"].id)
    assert o.employer == "省电视台" and ctx.vault.decrypt(o.id_enc) == ID_ZHANG and o.phone == "13812345678"
    # the manager may reveal (audited); the front desk does not get the button
    dlg2 = OwnerDialog(ctx, site["homes"]["1-101"].id, site["zhang"].id, None)
    qtbot.addWidget(dlg2)
    assert not dlg2.reveal_btn.isHidden()
    n = AuditLog.select().count()
    dlg2.reveal()
    assert dlg2.id_number.text() == ID_ZHANG and dlg2.phone.text() == "13812345678"
    assert AuditLog.select().where(AuditLog.seq > n, AuditLog.action == "pii.reveal_id").count() == 1
    dlg3 = OwnerDialog(as_role("frontdesk"), site["homes"]["1-101"].id, site["zhang"].id, None)
    qtbot.addWidget(dlg3)
    assert dlg3.reveal_btn.isHidden()


def test_resident_visit_familiarity_forms(qtbot, ctx, site):
    from ui.archives.forms import familiarity_form, resident_form, visit_form
    hid = site["homes"]["1-102"].id
    f = resident_form(ctx, hid, None, True)
    qtbot.addWidget(f)
    f.widget("name").setText("周租客")
    f.submit()
    assert "租期起" in f.error_label.text() and not Resident.select().where(Resident.name == "周租客").exists()
    f.widget("lease_from").setText("2026-11-01")
    f.submit()
    assert f.result() and Resident.get(Resident.name == "周租客").is_tenant
    v = visit_form(ctx, hid, "1-102")
    qtbot.addWidget(v)
    v.widget("residents_info").setPlainText("王芳及女儿")
    v.widget("safety_advice_given").setChecked(True)
    v.widget("satisfaction").setCurrentText("5")
    v.submit()
    assert v.result_value.kind == "入住三日回访" and v.result_value.satisfaction == 5
    fam = familiarity_form(ctx, hid, "1-102")
    qtbot.addWidget(fam)
    for k in ("knew_name", "knew_employer", "knew_family", "knew_payment"):
        fam.widget(k).setChecked(True)
    fam.widget("owner_call").setCurrentText("业主知道管家姓名")
    fam.submit()
    assert fam.result_value.owner_knows_manager is True
    assert familiarity_rates(ctx)[0]["pct"] == 100.0


def test_structure_forms_and_tree(qtbot, tab, site):
    from ui.archives.forms import new_home_form
    f = new_home_form(tab.ctx, site["e21"].id, "1单元")
    qtbot.addWidget(f)
    f.widget("room_code").setText("2-201")
    f.widget("area").setText("abc")
    f.submit()
    assert "建筑面积" in f.error_label.text()
    f.widget("area").setText("96.5")
    f.submit()
    assert f.result_value.area_x100 == 9650
    tab.reload_tree()
    tab.apply()
    assert tab.model.rowCount() == 7
    menu = tab.structure_menu(tab.tree.topLevelItem(0).child(0))
    assert any("新增楼栋" in a.text() for a in menu.actions())


def test_stats_dialog(qtbot, ctx, site):
    from ui.archives.stats import ArchiveStatsDialog
    update_home_info(ctx, site["homes"]["1-201"].id, {"state": "已入住", "move_in_date": "2026-11-21"})
    dlg = ArchiveStatsDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.due.rowCount() == 1 and dlg.due.item(0, 0).text() == "1-201"
    assert "重点客户" in dlg.rates.text() and "100%" in dlg.rates.text()
    assert dlg.unvisited.rowCount() == 2 and dlg.unvisited.item(0, 1).text() == "张伟、李娜"
    assert "全小区" in dlg.site.text() and dlg.comp.rowCount() == 2
    dlg.show()
    qtbot.waitExposed(dlg)
    cell = dlg.due.visualItemRect(dlg.due.item(0, 0)).center()
    qtbot.mouseClick(dlg.due.viewport(), Qt.MouseButton.LeftButton, pos=cell)    # a double click: press first
    with qtbot.waitSignal(dlg.home_chosen) as sig:
        qtbot.mouseDClick(dlg.due.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert sig.args == [site["homes"]["1-201"].id]
    # sorted by 房号 the other way round (two header clicks), a double click still opens the row's home
    pages = dlg.findChild(QTabWidget)
    page = next(i for i in range(pages.count()) if pages.widget(i).isAncestorOf(dlg.unvisited))
    qtbot.mouseClick(pages.tabBar(), Qt.MouseButton.LeftButton, pos=pages.tabBar().tabRect(page).center())
    header = dlg.unvisited.horizontalHeader()
    first_before = dlg.unvisited.item(0, 0).text()
    for _ in range(2):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2))
    top = dlg.unvisited.item(0, 0).text()
    assert top != first_before
    cell = dlg.unvisited.visualItemRect(dlg.unvisited.item(0, 0)).center()
    qtbot.mouseClick(dlg.unvisited.viewport(), Qt.MouseButton.LeftButton, pos=cell)    # a double click: press first
    with qtbot.waitSignal(dlg.home_chosen) as sig:
        qtbot.mouseDClick(dlg.unvisited.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert sig.args == [site["homes"][top].id]
    assert dlg.manager_box.currentText() == "张管家"
    dlg.pick_rooms()
    assert sorted(dlg.picked.item(r, 0).text() for r in range(dlg.picked.rowCount())) == \
        ["1-101", "1-102", "2-101"]        # 1-201 moved in but has no owner on file


def test_export_from_tab(qtbot, tab, tmp_path):
    path = tmp_path / "owners.xlsx"
    run = tab.export_owners(str(path))                   # in the background (progress, 取消)
    qtbot.waitUntil(run.done)
    assert path.exists() and tab.messages[-1] == f"已导出 7 行到 {path}"
    from openpyxl import load_workbook
    text = " ".join(str(c.value) for row in load_workbook(path).active.iter_rows() for c in row if c.value)
    assert "张伟" in text


def test_import_wizard_dry_run_then_import(qtbot, ctx, site, tmp_path):
    from openpyxl import Workbook

    from ui.golive.wizard import ImportWizard
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "业主姓名", "联系电话", "身份证号", "建筑面积", "户型"])
    ws.append(["2-102", "吴敏", "13600001234", make_id("11010119700101555"), "88", "洋房"])
    ws.append(["2-102", None, "13600001235", "", "88", "洋房"])       # a phone without a name: refused
    ws.append(["2-102", None, "13600001236", "", "88", "洋房"])
    path = tmp_path / "ledger.xlsx"
    wb.save(path)
    dlg = ImportWizard(ctx, None, str(path))
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(3):                                   # sheets and columns, preview, dry run
        qtbot.mouseClick(dlg.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30000)          # the dry run runs in the background
    report = dlg.dry_text.toPlainText()
    assert "拒绝 1 行" not in report and "拒绝 2 行" in report
    assert "第3行：业主姓名" in report and "第4行：业主姓名" in report
    assert not Owner.select().where(Owner.name == "吴敏").exists()
    qtbot.mouseClick(dlg.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.result_value is not None, timeout=30000)
    assert Owner.select().where(Owner.name == "吴敏").exists()


def test_print_button_previews_owner_info(tab, site):
    pytest.importorskip("app.printing.owner_info")
    tab.table.selectRow(0)
    dlg = tab.print_owner_info()
    assert dlg is not None and dlg.document.pageCount() >= 1
    dlg.close()


def test_main_window_shows_archives_first(qtbot, ctx, site):
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    t = w.show_tab("archives")
    assert w.tabs.indexOf(t) == 0 and t.model.rowCount() == 6
    t.wait_background()


def test_first_screen_then_rest(qtbot, ctx, site, monkeypatch):
    """The tab shows the first screen of ids at once and appends the rest right after the paint."""
    from ui.archives.tab import Tab
    monkeypatch.setattr(Tab, "FIRST_SCREEN", 2)
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.show()
    assert t.model.rowCount() == 2 and t.count_label.text() == "共 2+ 户"
    qtbot.waitUntil(lambda: t.count_label.text() == "共 6 户", timeout=5000)
    assert [cell(t, r, "room_code") for r in range(6)][:2] == ["1-101", "1-102"] and t.model.rowCount() == 6
    t.wait_background()


def test_parking_dialog_and_home_structure_menu(qtbot, tab, site):
    from ui.archives.forms import edit_home_form
    from ui.parking.pane import ParkingDialog
    tab.table.selectRow(0)
    menu = tab.structure_menu(tab.tree.currentItem(), with_home=True)
    assert any("修改房屋 1-101" in a.text() for a in menu.actions())
    dlg = ParkingDialog(tab.ctx, tab.pane.detail)   # 车位管理 (tests/test_parking_gui.py covers the rest)
    qtbot.addWidget(dlg)
    from app.parking import spaces, tenancy
    spaces.create_space(tab.ctx, "B1-008", "地下")
    dlg.reload()
    assert dlg.model.rowCount() == 1
    dlg.table.selectRow(0)
    tenancy.rent_space(tab.ctx, dlg.selected_space()["id"], "1-101")
    dlg.reload()
    assert dlg.model.rows[0]["state"] == "已租" and dlg.model.rows[0]["holder_text"] == "张伟（租用）"
    tab.pane.load(site["homes"]["1-101"].id)
    assert "B1-008" in tab.pane.header.text()
    f = edit_home_form(tab.ctx, tab.pane.detail)
    qtbot.addWidget(f)
    f.widget("area").setText("124.00")
    f.submit()
    assert f.result_value.area_x100 == 12400


def test_read_only_role_sees_but_cannot_edit(qtbot, site, as_role):
    from PySide6.QtWidgets import QPushButton

    from ui.archives.tab import Tab
    t = Tab(as_role("cashier"), None)
    qtbot.addWidget(t)
    t.show()
    assert t.model.rowCount() == 6 and cell(t, 0, "phone") == "138****5678"
    t.table.selectRow(0)
    assert t.pane.detail["room_code"] == "1-101"
    buttons = {b.text(): b for b in t.findChildren(QPushButton)}
    assert not buttons["新增业主"].isEnabled() and not buttons["登记拜访"].isEnabled()
    assert not buttons["登记熟知率检查"].isEnabled()
    assert not t.import_button.isEnabled() and not t.export_button.isEnabled()
    assert not t.structure_button.isEnabled()
    assert buttons["查看扫描件"].isEnabled() and t.print_button.isEnabled()
    t.wait_background()


def test_homes_model_builds_rows_lazily_in_blocks(qtbot):
    from ui.archives.table_models import BLOCK, HomesModel
    calls = []

    def fetch(ids):
        calls.append(list(ids))
        return [{"id": i, "room_code": f"R{i}", "arrears": False} for i in ids]
    m = HomesModel(fetch)
    m.set_ids(range(1, 50001))
    assert m.rowCount() == 50000 and calls == []          # nothing built for 50,000 ids
    assert m.data(m.index(12345, 0)) == "R12346"
    assert calls == [list(range(12301, 12301 + BLOCK))]    # one block around the row asked for
    m.data(m.index(12399, 0))
    assert len(calls) == 1                                 # same block: cached
    m.refresh_rows([12346])
    m.data(m.index(12345, 0))
    assert calls[-1] == [12346]                            # only the changed row is built again


def test_background_result_after_tab_closed_is_ignored(qtbot, ctx, site):
    """Work that finishes after its tab was deleted calls nothing back (and raises nothing)."""
    import time

    from shiboken6 import delete

    from ui.archives.tab import Tab
    from ui.common.runner import Op, wait_all
    t = Tab(ctx, None)
    t.wait_background()
    got = []
    op = Op(t, ctx, lambda: time.sleep(0.3) or 1).success(got.append).run()
    delete(t)                       # the window closed while the work runs
    wait_all()                      # the result arrives for a deleted tab
    assert op.done() and op.result == 1 and got == []


def test_tree_keeps_building_names_readable(qtbot, tab):
    """Dragging the splitter to the left stops before the tree's building names are cut to nothing."""
    tab.splitter.setSizes([40, 1260])
    qtbot.wait(10)
    assert tab.tree.width() >= 200


def test_household_header_keeps_names_and_dates_whole(qtbot, tab):
    """The household header puts dates and the area manager on their own line, so the manager's
    name is not broken at the window edge."""
    tab.table.selectRow(0)
    h = tab.pane.header.text()
    assert "<br>交房：" in h and "客服管理员：" in h.split("<br>")[1]


def test_owner_edit_by_clicks_reaches_the_other_open_views(qtbot, ctx, site):
    """编辑 on the owners page, the owner dialog typed into and saved: MainWindow.changed carries the
    news from the archives tab, the movein tab (open, hidden) reloads when shown, the archives tab
    does not reload on its own news."""
    from PySide6.QtWidgets import QApplication, QPushButton

    from ui.archives.owner_dialog import OwnerDialog
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    arch = w.show_tab("archives")
    arch.wait_background()
    movein = w.tab("movein")                        # created, not shown
    reloads = []
    real_refresh = movein.news.reload              # what the news makes each view do
    movein.news.reload = lambda: reloads.append(1) or real_refresh()
    arch_reloads = []
    real_refresh_all = arch.news.reload
    arch.news.reload = lambda: arch_reloads.append(1) or real_refresh_all()
    news = []
    w.changed.connect(lambda kinds, source: news.append((set(kinds), source)))
    arch.table.selectRow(0)                         # 1-101: 张伟, 李娜
    assert arch.pane.detail["room_code"] == "1-101"
    arch.pane.owners.selectRow(0)
    zhang = arch.pane.detail["owners"][0]["id"]
    seen = []

    def type_and_save():
        dlg = QApplication.activeModalWidget()
        seen.append(dlg)
        if isinstance(dlg, OwnerDialog):
            dlg.employer.clear()
            qtbot.keyClicks(dlg.employer, "CCTV")
            qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        elif dlg is not None:
            dlg.reject()

    QTimer.singleShot(0, type_and_save)
    edit = arch.pane.owners.parentWidget().findChild(QPushButton, "btn_编辑")
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and isinstance(seen[0], OwnerDialog)
    assert Owner.get_by_id(zhang).employer == "CCTV"
    assert news == [({"archives"}, arch)]
    assert "CCTV" in arch.pane.owners.item(0, 4).text()        # the pane shows the saved record
    assert not reloads and not arch_reloads                     # movein is hidden; archives wrote itself
    w.show_tab("movein")
    assert reloads == [1]                                       # the other view reloads when shown
    arch.wait_background()


def test_archives_tab_reloads_on_news_from_another_tab(qtbot, ctx, site):
    from app.archives.people import update_owner
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    arch = w.show_tab("archives")
    arch.wait_background()
    assert cell(arch, 1, "owners") == "王芳"
    ledger = w.show_tab("ledger")                   # archives hidden now
    update_owner(ctx, site["wang"].id, {"name": "王芳芳"})
    w.notify_changed({"archives"}, ledger)          # what ui.common.runner.notify_changed relays
    assert cell(arch, 1, "owners") == "王芳"        # hidden: reloads when shown
    w.show_tab("archives")
    qtbot.waitUntil(lambda: cell(arch, 1, "owners") == "王芳芳", timeout=5000)
    arch.wait_background()
