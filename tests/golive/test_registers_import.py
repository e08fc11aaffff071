"""Other registers on going live (issue 16): keys, meters (the last reading is the first bill's base)
and residents, each from a workbook with a shipped mapping, bad rows refused with Chinese reasons."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError
from app.golive import worklist
from app.golive.owners_import import import_owners
from app.golive.registers_import import import_register
from app.ledger.billing import run_month
from models.golive_opening import RegisterImport
from models.keys import Key
from models.ledger import Charge, MeterReading
from models.people import Resident
from models.property import Home
from models.users import AuditLog
from tests.helpers.golive import office_ledger
from tests.helpers.golive_registers import keys_workbook, meters_workbook, residents_workbook


@pytest.fixture
def site(ctx, tmp_path):
    rep = import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=36))
    assert rep.created_homes == 36
    Home.update(state="空置").where(Home.room_code.in_(["1-1-101", "1-1-102"])).execute()   # keys at the desk
    return ctx


def home_id(code):
    return Home.get(Home.room_code == code).id


def test_keys_come_in_as_the_key_register_keeps_them(site, tmp_path):
    ctx = site
    rep = import_register(ctx, "keys", keys_workbook(tmp_path / "钥匙登记.xlsx"))
    assert rep.written == 5 and Key.select().count() == 5
    public = Key.get(Key.area == "地下车库 消防通道")
    assert (public.kind, public.copies, public.keeper_place, public.home_id) == ("公共钥匙", 3, "客服前台", None)
    door = Key.get(Key.home == home_id("1-1-102"))
    assert (door.kind, door.area, door.copies) == ("入户门钥匙", "入户门 1-1-102", 2)
    assert rep.rejected == [(7, "数量：“两把”应为1到99之间的整数"),
                            (8, "房号：“99-9-999”不在小区房屋中（请先导入房屋与业主）"),
                            (9, "钥匙“1号楼 楼道竖井”与第2行重复")]
    assert AuditLog.select().where(AuditLog.action == "golive.register").count() == 1
    with pytest.raises(StateError, match="不会重复导入"):
        import_register(ctx, "keys", tmp_path / "钥匙登记.xlsx")


def test_a_door_key_of_a_home_handed_over_is_refused(site, tmp_path):
    ctx = site
    Home.update(state="已入住").where(Home.room_code == "1-1-102").execute()
    rep = import_register(ctx, "keys", keys_workbook(tmp_path / "钥匙登记.xlsx"))
    assert (6, "房号：1-1-102 状态为“已入住”，钥匙已交业主，前台不登记入户门钥匙") in rep.rejected
    assert rep.written == 4


def test_meter_readings_are_the_base_of_the_first_bill(site, tmp_path):
    ctx = site
    rep = import_register(ctx, "meters", meters_workbook(tmp_path / "水电表.xlsx", homes=36))
    assert rep.written == 72 and MeterReading.select().count() == 72
    assert rep.rejected == [(74, "表类：应为水、电或燃气，收到“暖气”"), (75, "读数：“约100”不是有效的数字")]
    h = home_id("1-1-101")
    base = MeterReading.get((MeterReading.home == h) & (MeterReading.kind == "water"))
    assert (base.reading_x100, base.reading_date, base.note) == (10050, dt.date(2026, 10, 31),
                                                                  "期初读数（上线导入） 表号 S000000")
    # the first month's reading bills only what was used since the imported one
    from app.ledger.meters import record_reading
    record_reading(ctx, h, "water", "112.5", dt.date(2026, 11, 20))
    run_month(ctx, "2026-11")
    water = Charge.get((Charge.home == h) & (Charge.item_code == "water"))
    assert water.quantity_milli == 12000
    # importing again another file with the same readings: each refused, the base is already there
    again = import_register(ctx, "meters", meters_workbook(tmp_path / "水电表2.xlsx", homes=2))
    assert again.written == 0 and "1-1-101 的水表读数已在系统中登记，未重复导入" in again.rejected[0][1]


def test_residents_and_tenants_a_bad_phone_goes_to_the_worklist(site, tmp_path):
    ctx = site
    rep = import_register(ctx, "residents", residents_workbook(tmp_path / "住户.xlsx"))
    assert rep.written == 3 and rep.rejected == [(5, "姓名：不能为空")]
    tenant = Resident.get(Resident.name == "赵租户")
    assert (tenant.is_tenant, tenant.relation, tenant.phone, tenant.lease_to) == (True, "租户", "",
                                                                                 dt.date(2026, 12, 31))
    assert Resident.get(Resident.name == "王小明").phone == "13900001111"
    [item] = worklist.list_items(ctx)
    assert (item["entity"], item["raw_text"], item["home_id"]) == ("resident", "***0000", home_id("1-1-102"))
    assert any("电话“1380000”待核对" in m for _r, m in rep.notes)


def test_a_dry_run_writes_nothing_and_a_clerk_may_not_import(site, tmp_path, as_role):
    ctx = site
    path = meters_workbook(tmp_path / "水电表.xlsx", homes=36)
    dry = import_register(ctx, "meters", path, dry_run=True)
    assert dry.written == 72 and MeterReading.select().count() == 0 and RegisterImport.select().count() == 0
    with pytest.raises(PermissionDenied):
        import_register(as_role("frontdesk"), "meters", path)
