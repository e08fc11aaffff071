"""Parking spaces and vehicles from the office's 车位车辆登记表 (issue 16): a dry run writes nothing, the import
matches the spaces the owners' workbook brought, links spaces to homes, registers the cars; a bad phone or
date goes to 待核对, a repeated plate or a space held by another home is refused by row; once per file;
manager only."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.crypto import SEALED_PREFIX
from app.core.errors import PermissionDenied, StateError
from app.golive import worklist
from app.golive.checklist import steps
from app.golive.owners_import import import_owners
from app.golive.registers_import import import_register
from app.golive.vehicles_import import import_vehicles
from app.golive.vehicles_rows import excel_date, half_width, space_code
from app.parking.plates import check_plate
from models.golive_opening import RegisterImport
from models.parking import Vehicle
from models.people import HomeOwner, ParkingOwner
from models.property import Home, ParkingSpace
from models.users import AuditLog
from tests.helpers.golive import office_ledger
from tests.helpers.golive_vehicles import BAD_PHONE, vehicles_workbook

N = None
EXTRA = [  # Excel rows 39 … 44 (36 good rows from row 3)
    [37, "G-01", "地面", "公共", N, N, N, N, N, N, N, N, "访客车位"],
    [38, "B2-001", "地下", "产权", "99-9-999", "粤A88888", "张三", "13900000000", N, N, N, N, N],
    [39, "B2-002", "地下", "租赁", "1-1-102", "粤A66666", "李四", BAD_PHONE, "丰田", "黑色", N, "2027-06-30", N],
    [40, N, N, N, "1-1-202", "粤B10000", "王某", "13900000003", N, N, N, N, N],
    [41, N, N, N, "1-1-101", N, "王五", "13900000001", N, N, N, N, N],
    [42, N, N, N, "1-2-101", "粤C12345", "赵六", "13900000002", N, N, "2026-01-01", "明年", N],
]


@pytest.fixture
def site(ctx, tmp_path):
    rep = import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=36))
    assert rep.created_homes == 36
    # spaces the owners' workbook brought: one without a home, one held by 1-1-102, one by 1-1-101
    ParkingSpace.create(code="B1-0001", level="地下", state="空闲")
    ParkingSpace.create(code="B1-0002", level="地下", state="已售", home=hid("1-1-102"))
    ParkingSpace.create(code="B1-0003", level="地下", state="已售", home=hid("1-1-101"))
    return ctx


def hid(code):
    return Home.get(Home.room_code == code).id


def book(tmp_path, name="车位车辆.xlsx"):
    return vehicles_workbook(tmp_path / name, homes=36, extra=EXTRA)


def test_dry_run_reports_row_by_row_and_writes_nothing(site, tmp_path):
    rep = import_vehicles(site, book(tmp_path), dry_run=True)
    assert rep.lines()[0] == ("试导入（未写入）：车位 38 个（新建 36，与已有车位匹配 2，关联房屋 36 个），车辆 19 辆，"
                              "待核对 2 项，拒绝 4 处（共 42 行）")
    text = "\n".join(rep.lines())
    assert rep.lines()[2] == ("核对：写入后数据库新增车位 36 个、新关联房屋的车位 35 个、车辆 19 辆、待核对 2 项，"
                              "与上列相符")
    assert "  第3行：车位 B1-0001 已有，匹配，关联 1-1-101；车辆 粤B10000（1-1-101）" in text
    assert "  第39行：车位 G-01 新建，未关联房屋" in text
    assert ParkingSpace.select().count() == 3 and Vehicle.select().count() == 0
    assert not RegisterImport.select().exists() and worklist.open_count() == 0
    assert AuditLog.select().where(AuditLog.action == "golive.register").count() == 0


def test_import_links_spaces_registers_cars_and_refuses_by_row(site, tmp_path):
    path = book(tmp_path)
    rep = import_vehicles(site, path)
    assert (rep.spaces_new, rep.spaces_matched, rep.linked, rep.vehicles, rep.pending) == (36, 2, 36, 19, 2)
    assert rep.found == (36, 35, 19, 2) and rep.lines()[2].endswith("与上列相符")
    assert rep.rejected == [
        (5, "车位号：B1-0003 已属于房屋 1-1-101，与本行房号 1-1-201 矛盾（车辆 粤B10002 也未导入）"),
        (40, "车辆 粤A88888：房号为空或不在小区房屋中，车辆须登记在房屋下，未导入；车位 B2-001 已导入"),
        (42, "车牌号：粤B10000 与第3行重复，登记在不同房屋（1-1-101、1-1-202），车辆未导入"),
        (43, "车位号、车牌号：都为空，无法导入")]
    assert (40, "房号：“99-9-999”不在小区房屋中（请先导入房屋与业主），车位未关联房屋") in rep.notes
    # the counts tie to the database
    assert ParkingSpace.select().count() == 3 + 36 - 1 + 1        # B1-0003 was there already and stays
    assert ParkingSpace.select().where(ParkingSpace.home.is_null(False)).count() == 37
    assert Vehicle.select().count() == 19
    # a space matched, not duplicated, and linked to the row's home as 产权 with its owner
    s1 = ParkingSpace.get(ParkingSpace.code == "B1-0001")
    assert (s1.home_id, s1.state) == (hid("1-1-101"), "已售")
    assert ParkingSpace.get(ParkingSpace.code == "B1-0003").home_id == hid("1-1-101")
    rented = ParkingSpace.get(ParkingSpace.code == "B1-0005")         # n = 4: 产权 …, n = 1: 租赁
    assert ParkingSpace.get(ParkingSpace.code == "B1-0002").state == "已售"
    assert rented.level == "地上" and rented.home_id == hid("1-1-301")
    lease = ParkingSpace.get(ParkingSpace.code == "B1-0008")          # n = 7: 租赁, 地下B1区
    owner = HomeOwner.get((HomeOwner.home == lease.home_id) & HomeOwner.until.is_null()).owner_id
    assert (lease.state, lease.level, lease.notes) == ("已租", "地下", "区域：地下B1区")
    assert ParkingOwner.get(ParkingOwner.space == lease.id).owner_id == owner
    assert ParkingOwner.get(ParkingOwner.space == lease.id).kind == "租用"
    public = ParkingSpace.get(ParkingSpace.code == "G-01")
    assert (public.home_id, public.state, public.level) == (None, "空闲", "地上")
    assert ParkingSpace.get(ParkingSpace.code == "B2-001").home_id is None
    # plates normalised; cards with their Excel and text dates; the form numbers from the car-card sequence
    car = Vehicle.get(Vehicle.plate == "粤B10000")
    assert (car.home_id, car.space.code, car.valid_from, car.valid_until) == (
        hid("1-1-101"), "B1-0001", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert car.number.startswith("CK2026-") and car.card_number == car.number and car.phone == "13900000000"
    stored = site.db.execute_sql("SELECT phone FROM vehicle WHERE id = %s" % car.id).fetchone()[0]
    assert stored.startswith(SEALED_PREFIX) and "13900000000" not in stored        # sealed at rest
    assert Vehicle.get(Vehicle.plate == "粤B10006").space.code == "B1-0007"     # written 粤b10006 → upper case
    assert Vehicle.select().where(Vehicle.plate == "粤BD00008").exists()
    # a bad phone and a bad date: the car stored without them, the raw text on the worklist
    bad = Vehicle.get(Vehicle.plate == "粤A66666")
    assert bad.phone == "" and bad.home_id == hid("1-1-102") and bad.space.code == "B2-002"
    items = {i["label"]: i for i in worklist.list_items(site)}
    assert set(items) == {"联系电话", "月卡到期"} and items["月卡到期"]["raw_text"] == "明年"
    assert [i["entity"] for i in worklist.list_items(site, query="1381234")] == ["vehicle"]   # the raw phone found
    assert Vehicle.get(Vehicle.plate == "粤C12345").space_id is None
    # one audit row, the file once
    assert AuditLog.select().where(AuditLog.action == "golive.register").count() == 1
    assert RegisterImport.get(RegisterImport.kind == "vehicles").rows == 39
    with pytest.raises(StateError, match="不会重复导入"):
        import_vehicles(site, path)
    # the checklist counts what came in
    parking = next(s for s in steps(site) if s.step == "parking")
    assert parking.counts == "车位 39 个（已关联房屋 37 个），登记车辆 19 辆，待核对 2 项" and parking.filled


def test_a_second_register_matches_and_refuses_what_is_there(site, tmp_path):
    import_vehicles(site, book(tmp_path))
    again = import_vehicles(site, vehicles_workbook(tmp_path / "车位2.xlsx", homes=4))
    assert (again.spaces_new, again.spaces_matched, again.vehicles) == (0, 3, 0)   # B1-0003's row refused again
    assert (3, "车牌号：粤B10000 已在系统中登记（1-1-101，车卡 CK2026-000001），未重复导入；"
            "车位 B1-0001 已导入") in again.rejected
    assert ParkingSpace.select().count() == 39 and Vehicle.select().count() == 19


def test_manager_only_and_through_import_register(site, tmp_path, as_role):
    path = book(tmp_path)
    for role in ("area_manager", "frontdesk"):
        with pytest.raises(PermissionDenied):
            import_vehicles(as_role(role), path)
    rep = import_register(site, "vehicles", path, dry_run=True)
    assert rep.vehicles == 19 and Vehicle.select().count() == 0


def test_plates_and_space_numbers_in_full_width_or_with_a_dot():
    assert space_code(" ｂ１－００１ ") == "B1-001" and space_code(101.0) == "101"
    assert [check_plate(half_width(p)) for p in ("粤Ｂ·１２３４５", "粤ｂ１２３４５", " 粤B 12345", "粤B·D12345")] == [
        "粤B12345", "粤B12345", "粤B12345", "粤BD12345"]


def test_excel_and_text_dates():
    assert excel_date(46023, "月卡开始") == dt.date(2026, 1, 1)
    assert excel_date("46023", "月卡开始") == dt.date(2026, 1, 1)
    assert excel_date("2026年1月5日", "月卡开始") == dt.date(2026, 1, 5)
    assert excel_date(dt.datetime(2026, 3, 1, 0, 0), "月卡开始") == dt.date(2026, 3, 1)
    assert excel_date(None, "月卡开始") is None


def test_card_numbers_written_in_the_register_are_kept_and_never_given_twice(site, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["车位号", "房号", "车牌", "车卡号", "月卡到期"])
    ws.append(["C-1", "1-1-101", "粤B20001", N, 46387])                  # Excel day number: 2026-12-31
    ws.append(["C-2", "1-1-102", "粤B20002", "ck2026-000002", N])      # the number the sequence gives next
    ws.append(["C-3", "1-1-201", "粤B20003", "CK2026-000002", N])      # used on the row above
    ws.append(["C-4", "1-1-202", "粤B20004", N, N])
    wb.save(tmp_path / "车卡.xlsx")
    rep = import_vehicles(site, tmp_path / "车卡.xlsx")
    assert rep.vehicles == 4 and (4, "车卡号 CK2026-000002 已使用，改用登记表编号") in rep.notes
    cards = dict(Vehicle.select(Vehicle.plate, Vehicle.card_number).tuples())
    assert cards == {"粤B20001": "CK2026-000001", "粤B20002": "CK2026-000002", "粤B20003": "CK2026-000004",
                     "粤B20004": "CK2026-000005"}
    first = Vehicle.get(Vehicle.plate == "粤B20001")
    assert (first.valid_from, first.valid_until) == (dt.date(2026, 11, 23), dt.date(2026, 12, 31))
    assert Vehicle.get(Vehicle.plate == "粤B20004").notes == "上线导入：未登记月卡到期日"


def test_spaces_of_the_owners_workbook_are_matched_not_duplicated(ctx, tmp_path):
    from openpyxl import Workbook

    from tests.helpers.golive import system_export
    rep = import_owners(ctx, system_export(tmp_path / "导出.xlsx"))
    assert rep.parking_created == 12 and ParkingOwner.select().count() == 8
    wb = Workbook()
    ws = wb.active
    ws.append(["车位号", "车位性质", "房号", "车牌号", "车主姓名"])
    ws.append(["B1-001", "产权", "1-1-101", "粤A10001", N])          # as the owners' workbook has it
    ws.append(["b1-002", N, N, "粤A10002", "业主家属"])               # no room: the car is the space's home's
    ws.append(["B1-009", "租赁", "2-1-101", "粤A10009", N])          # was without a home: linked, 租用
    ws.append(["B1-003", "产权", "1-2-101", "粤A10003", N])          # held by 1-1-201: refused
    ws.append(["B1-013", "产权", "1-1-501", "粤A10013", N])          # new
    wb.save(tmp_path / "车位.xlsx")
    rep = import_vehicles(ctx, tmp_path / "车位.xlsx")
    assert (rep.spaces_new, rep.spaces_matched, rep.linked, rep.vehicles) == (1, 3, 4, 4)
    assert rep.rejected == [(5, "车位号：B1-003 已属于房屋 1-1-201，与本行房号 1-2-101 矛盾（车辆 粤A10003 也未导入）")]
    assert ParkingSpace.select().count() == 13 and ParkingOwner.select().count() == 10
    b1 = ParkingSpace.get(ParkingSpace.code == "B1-001")
    assert ParkingOwner.select().where(ParkingOwner.space == b1).count() == 1       # its holder not repeated
    leased = ParkingSpace.get(ParkingSpace.code == "B1-009")
    assert (leased.home.room_code, leased.state, ParkingOwner.get(ParkingOwner.space == leased).kind) == (
        "2-1-101", "已租", "租用")
    second = Vehicle.get(Vehicle.plate == "粤A10002")
    assert (second.home.room_code, second.space.code, second.driver_name) == ("1-1-102", "B1-002", "业主家属")
    primary = Vehicle.get(Vehicle.plate == "粤A10001")
    assert primary.owner_id is not None and primary.driver_name == primary.owner.name


def test_a_csv_register_in_gbk(site, tmp_path):
    import csv

    from tests.helpers.golive_vehicles import HEADER, good_rows
    path = tmp_path / "车位车辆.csv"
    with open(path, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for row in good_rows(6):
            w.writerow(["" if c is None else c.strftime("%Y/%m/%d") if isinstance(c, dt.datetime) else c
                        for c in row])
    rep = import_vehicles(site, path)
    assert (rep.spaces_new, rep.spaces_matched, rep.vehicles) == (3, 2, 2)        # B1-0003 held by 1-1-101
    assert [r for r, _m in rep.rejected] == [4]                                    # the header is row 1 here
    assert rep.lines()[2].endswith("与上列相符")
    car = Vehicle.get(Vehicle.plate == "粤B10004")                   # written 粤B·10004
    assert (car.home.room_code, car.valid_from, car.valid_until) == ("1-1-301", dt.date(2026, 1, 1),
                                                                     dt.date(2026, 12, 31))
