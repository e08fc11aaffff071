"""Closing 待核对 from the owner edit (issue 16): a phone or identity number corrected in the owner's (or
resident's) record closes its open worklist item in the same transaction, resolution 已在业主档案中更正,
audited; the home's search line follows. GUI: 定位 from the worklist, the owner dialog typed into, saved."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.archives import search
from app.core.errors import ValidationError
from app.golive import worklist
from app.golive.corrections import update_owner, update_resident
from app.golive.worklist import Flag
from models.golive import PendingCheck
from models.people import Owner, Resident
from models.users import AuditLog
from tests.helpers.archives import build_small_site, make_id

LEFT = Qt.MouseButton.LeftButton
BAD_PHONE = "1391234567８"


@pytest.fixture
def site(ctx, users):
    s = build_small_site(ctx, users)
    home = s["homes"]["1-102"]
    worklist.flag(ctx, Flag("owner", s["wang"].id, "phone", "联系电话", BAD_PHONE, "联系电话：位数不对",
                            home.id, "导入 台账.xlsx 第12行"))
    worklist.flag(ctx, Flag("owner", s["wang"].id, "id_number", "身份证号", "41010119800101", "身份证号：位数不对",
                            home.id, "导入 台账.xlsx 第12行"))
    search.index_homes([home.id])
    return s


def _open_fields(owner_id):
    return sorted(f for (f,) in PendingCheck.select(PendingCheck.field).where(
        PendingCheck.entity_id == owner_id, PendingCheck.resolved_at.is_null()).tuples())


def test_corrected_phone_closes_its_item_audited_and_the_search_line_follows(ctx, site):
    wang, home = site["wang"], site["homes"]["1-102"]
    assert home.id in search.search_home_ids("1391234567")          # the raw text is found while open
    update_owner(ctx, wang.id, {"name": "王芳", "phone": "13700002222"})
    assert _open_fields(wang.id) == ["id_number"]
    item = PendingCheck.get((PendingCheck.entity_id == wang.id) & (PendingCheck.field == "phone"))
    assert item.resolution == "已在业主档案中更正" and item.resolved_by_id == ctx.user.id
    log = AuditLog.select().where(AuditLog.action == "worklist.resolve").get()
    assert "已在业主档案中更正" in log.after and "联系电话" in log.after
    assert Owner.get_by_id(wang.id).phone == "13700002222"
    assert home.id not in search.search_home_ids("1391234567")      # the closed item left the home's line
    assert worklist.open_home_ids() == {home.id}                     # the ID item is still open


def test_an_edit_that_leaves_the_field_out_closes_nothing_and_a_bad_value_writes_nothing(ctx, site):
    wang = site["wang"]
    update_owner(ctx, wang.id, {"name": "王芳", "employer": "市一中"})
    assert _open_fields(wang.id) == ["id_number", "phone"]
    with pytest.raises(ValidationError, match="联系电话"):
        update_owner(ctx, wang.id, {"name": "王芳", "phone": "12345"})
    assert _open_fields(wang.id) == ["id_number", "phone"]
    assert not AuditLog.select().where(AuditLog.action == "worklist.resolve").exists()


def test_corrected_identity_number_closes_its_item(ctx, site):
    wang = site["wang"]
    new_id = make_id("41010119800101123")
    update_owner(ctx, wang.id, {"name": "王芳", "id_number": new_id})
    assert _open_fields(wang.id) == ["phone"]
    assert ctx.vault.decrypt(Owner.get_by_id(wang.id).id_enc) == new_id


def test_a_failed_save_rolls_the_closing_back(ctx, site, monkeypatch):
    wang = site["wang"]

    def boom(_ids):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.archives.search.index_homes", boom)
    with pytest.raises(RuntimeError):
        update_owner(ctx, wang.id, {"name": "王芳", "phone": "13700002222"})
    assert _open_fields(wang.id) == ["id_number", "phone"]
    assert Owner.get_by_id(wang.id).phone == "0351-7654321"


def test_resident_phone_corrected_closes_its_item(ctx, site):
    r = Resident.get(Resident.name == "张小明")
    worklist.flag(ctx, Flag("resident", r.id, "phone", "电话", "138-abc", "不是电话号码", r.home_id, "导入"))
    update_resident(ctx, r.id, {"name": "张小明", "relation": "子女", "phone": "13800001111"})
    item = PendingCheck.get((PendingCheck.entity == "resident") & (PendingCheck.entity_id == r.id))
    assert item.resolved_at is not None and item.resolution == "已在业主档案中更正"


def test_gui_locate_from_the_worklist_then_correct_the_phone(qtbot, ctx, site, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from ui.archives.owner_dialog import OwnerDialog
    from ui.archives.tab import Tab
    from ui.golive.worklist_dialog import WorklistDialog
    wang, home = site["wang"], site["homes"]["1-102"]
    opened = []

    def shown(self):                     # the worklist opens as a user sees it; the test drives it
        opened.append(self)
        self.show()
        return 0

    def typed_and_saved(self):           # the owner dialog: phone typed, 保存 clicked
        opened.append(self)
        self.show()
        qtbot.keyClicks(self.phone, "13700002222")
        qtbot.mouseClick(self.ok_button, LEFT)
        return self.result()

    monkeypatch.setattr(WorklistDialog, "exec", shown)
    monkeypatch.setattr(OwnerDialog, "exec", typed_and_saved)
    tab = Tab(ctx, None)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    tab.wait_background()
    qtbot.mouseClick(tab.worklist_button, LEFT)
    wl = opened[0]
    qtbot.addWidget(wl)
    assert wl.message.text() == "待核对 2 项"
    row = next(r for r in range(wl.table.rowCount()) if wl.table.item(r, 2).text() == "联系电话")
    rect = wl.table.visualItemRect(wl.table.item(row, 0))
    qtbot.mouseClick(wl.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseClick(wl.locate_button, LEFT)
    assert not wl.isVisible()
    qtbot.waitUntil(lambda: bool(tab.pane.detail) and tab.pane.detail["room_code"] == "1-102", timeout=10000)
    tab.pane.owners.selectRow(0)
    edit = tab.pane.owners.parentWidget().findChild(QPushButton, "btn_编辑")
    qtbot.mouseClick(edit, LEFT)
    assert isinstance(opened[-1], OwnerDialog) and opened[-1].result_value is not None
    assert _open_fields(wang.id) == ["id_number"]
    assert Owner.get_by_id(wang.id).phone == "13700002222"
    assert home.id not in search.search_home_ids("1391234567")
    again = WorklistDialog(ctx, tab)
    qtbot.addWidget(again)
    assert again.message.text() == "待核对 1 项" and again.table.item(0, 2).text() == "身份证号"
    tab.wait_background()
