"""Going live: the office ledger and the several-sheet export come in whole; a bad phone or identity
number does not drop its home (待核对); mappings recognised, saved by name and reused."""
from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from app.archives import search
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.privacy import mask_phone
from app.golive import mapping as maps
from app.golive import worklist
from app.golive.owners_import import dry_run_import, import_owners, preview
from models.golive import ImportMapping, PendingCheck
from models.people import HomeOwner, Owner, ParkingOwner
from models.property import Home, ParkingSpace
from models.users import AuditLog
from tests.helpers.golive import BAD_PHONE, BAD_PHONE_ROOM, office_ledger, system_export


def counts():
    return (Home.select().count(), Owner.select().count(), HomeOwner.select().count(),
            ParkingSpace.select().count(), PendingCheck.select().count())


def test_office_ledger_of_292_homes_with_one_bad_phone_gives_292_homes(ctx, tmp_path):
    path = office_ledger(tmp_path / "台账.xlsx")
    rep = import_owners(ctx, path)
    assert rep.mapping == "业主台账（单表）" and rep.header_row == 3
    assert (rep.created_homes, rep.created_owners, rep.rejected_at) == (292, 292, [])
    assert Home.select().count() == 292 == rep.homes_total
    home = Home.get(Home.room_code == BAD_PHONE_ROOM)
    owner = HomeOwner.get(HomeOwner.home == home).owner
    assert owner.phone == "" and owner.id_hash                      # stored without the bad phone only
    assert len(rep.pending) == 1 and rep.pending[0][:4] == ("业主台账", 86, "联系电话", BAD_PHONE)
    [item] = worklist.list_items(ctx)
    assert (item["entity_id"], item["home_id"], item["raw_text"]) == (owner.id, home.id, mask_phone(BAD_PHONE))
    assert worklist.reveal_raw(ctx, item["id"]) == BAD_PHONE          # kept encrypted, shown masked
    assert "联系电话" in item["reason"] and "第86行" in item["source"]
    assert home.id in search.search_home_ids("1381234567")        # search finds the raw text
    assert AuditLog.select().where(AuditLog.action == "golive.import").count() == 1


def test_dry_run_gives_the_same_report_and_writes_nothing(ctx, tmp_path):
    path = office_ledger(tmp_path / "台账.xlsx", homes=30)
    before = counts()
    dry = dry_run_import(ctx, path)
    assert dry.dry_run and counts() == before
    real = import_owners(ctx, path)
    assert (dry.imported, dry.created_homes, dry.created_owners, dry.pending) == \
           (real.imported, real.created_homes, real.created_owners, real.pending) == (30, 30, 30, [])
    assert "试导入（未写入）" in dry.lines()[0] and "导入完成" in real.lines()[0]


def test_reimport_updates_and_replaces_the_open_item(ctx, tmp_path):
    path = office_ledger(tmp_path / "台账.xlsx")
    import_owners(ctx, path)
    before = counts()
    rep = import_owners(ctx, path)
    assert rep.created_homes == rep.created_owners == 0 and rep.updated == 292
    assert counts() == before and worklist.open_count() == 1


def test_several_sheet_export_recognised_linked_and_imported(ctx, tmp_path):
    path = system_export(tmp_path / "物业系统导出.xlsx")
    rep = import_owners(ctx, path)
    assert rep.mapping == "物业系统导出（楼栋单元、业主、房屋、车位）"
    assert [s for s, _role, _h in rep.sheets] == ["楼栋单元", "业主信息", "房屋信息", "车位信息"]
    assert rep.created_homes == 119 and rep.created_owners == 100 and rep.parking_created == 12
    assert [(s, r) for s, r, _m in rep.rejected_at] == [("房屋信息", 121)]      # the home without room number
    assert "房号" in rep.rejected_at[0][2]
    assert [(s, r, label) for s, r, label, _raw, _why in rep.pending] == [("业主信息", 14, "联系电话"),
                                                                           ("业主信息", 22, "身份证号")]
    assert [m for _s, r, m in rep.notes if r == 102][0].startswith("业主编号 YZ9999")
    # 1 + 2 + 1001 → 1-2-1001; the owner number links owner and homes; owner 7 holds two homes
    h = Home.get(Home.room_code == "1-2-1001")
    assert (h.building.code, h.entrance.code, h.floor, h.house_type) == ("1", "2", 10, "高层")
    seven = Owner.get(Owner.name == HomeOwner.get(HomeOwner.home == Home.get(Home.room_code == "1-1-401")).owner.name)
    assert sorted(x.home.room_code for x in seven.ownerships) == ["1-1-401", "3-2-102"]
    assert not HomeOwner.select().where(HomeOwner.home == Home.get(Home.room_code == "3-2-101")).exists()
    thirteen = HomeOwner.get(HomeOwner.home == Home.get(Home.room_code == "1-1-701")).owner
    assert thirteen.phone == "" and worklist.list_items(ctx, query="1391234567")[0]["entity_id"] == thirteen.id
    # parking spaces linked to their owners, 地上/地下 from the sheet
    space = ParkingSpace.get(ParkingSpace.code == "B1-001")
    assert space.level == "地下" and space.state == "已售" and space.home.room_code == "1-1-101"
    assert ParkingOwner.select().count() == 8
    assert ParkingSpace.get(ParkingSpace.code == "B1-012").level == "地上"


def test_preview_shows_rows_as_stored(ctx, tmp_path):
    rows = preview(ctx, system_export(tmp_path / "e.xlsx"), limit=14)
    assert rows[0]["room"] == "1-1-101" and rows[0]["home"]["area_x100"] == 8150
    assert rows[0]["owner"]["name"] and rows[0]["id_number"] == "已填写"
    assert rows[12]["pending"] and "联系电话“1391234567”" in rows[12]["pending"][0]
    assert Home.select().count() == 0


def test_explicit_mapping_file_and_saved_mapping_reused(ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["单元房间", "户主", "电话", "面积", "类型"])
    ws.append(["5-1-203", "张伟", "13812345678", 100, "洋房"])
    path = tmp_path / "odd.xlsx"
    wb.save(path)
    with pytest.raises(ValidationError, match="未能识别工作簿") as e:
        import_owners(ctx, path)
    assert e.value.field == "表头"
    toml = tmp_path / "my.toml"
    toml.write_text('title = "我们的表"\n[[sheets]]\nrole = "ledger"\n[sheets.columns]\nroom = "单元房间"\n'
                    'name = "户主"\nphone = "电话"\narea = "面积"\nhouse_type = "类型"\n', encoding="utf-8")
    m = maps.load(str(toml))
    assert import_owners(ctx, path, m).created_homes == 1
    maps.save(ctx, m, "我们的表")
    assert ImportMapping.get().name == "我们的表"
    assert AuditLog.select().where(AuditLog.action == "golive.mapping").count() == 1
    # recognised from now on, and its header names are proposed for other sheets
    assert maps.recognise([maps.Sheet("x", [("单元房间", "户主", "电话", "面积", "类型")])]).name == "我们的表"
    assert import_owners(ctx, path).mapping == "我们的表"
    with pytest.raises(ValidationError, match="系统自带"):
        maps.save(ctx, m, "office_ledger")
    with pytest.raises(NotFound, match="没有名为"):
        maps.load("不存在")


def test_formula_without_value_names_its_cell(ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "业主姓名", "建筑面积", "房屋类型"])
    ws.append(["5-203", "张伟", "=100+23.45", "洋房"])
    ws.append(["5-204", "李娜", 98, "洋房"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    rep = import_owners(ctx, path)
    assert rep.created_homes == 1
    assert rep.rejected == [(2, "建筑面积（C2单元格）是公式=100+23.45，但没有计算结果；请在Excel中打开并保存后再导入")]


def test_csv_ledger_with_full_width_digits(ctx, tmp_path):
    p = tmp_path / "台账.csv"
    p.write_text("房号,业主姓名,手机号码,建筑面积,房屋类型,交房日期\n"
                 "５－２０３,张伟,１３８１２３４５６７８,１２３．４５,洋房,2011年6月10日\n", encoding="utf-8")
    rep = import_owners(ctx, p)
    assert rep.created_homes == 1
    h = Home.get(Home.room_code == "5-203")
    assert h.area_x100 == 12345 and str(h.handover_date) == "2011-06-10"
    assert HomeOwner.get(HomeOwner.home == h).owner.phone == "13812345678"


def test_permission_and_worklist_export(ctx, tmp_path, as_role):
    path = office_ledger(tmp_path / "台账.xlsx", homes=100)
    with pytest.raises(PermissionDenied):
        import_owners(as_role("cashier"), path)
    import_owners(ctx, path)
    out = tmp_path / "待核对.xlsx"
    assert worklist.export_xlsx(ctx, out) == 1
    assert load_workbook(out).active["E2"].value == mask_phone(BAD_PHONE)
