"""Owner ledger import/export: header anywhere, variant columns, full-width digits, dates,
co-owners, blank and duplicate rows, rejected rows by Excel row number, dry run, one transaction."""
import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from app.archives import excel_export, excel_import, excel_rows, search
from app.core.errors import PermissionDenied, ValidationError
from app.core.validation import id_check_char
from app.demo import sites as demo
from app.golive import owners_import
from app.system.context import open_context
from models.people import HomeOwner, Owner
from models.property import Home
from models.users import AuditLog, User


def make_id(first17):
    return first17 + id_check_char(first17)


ID1 = make_id("61011319800512123")
ID2 = make_id("61010319820301234")
ID3 = make_id("11010519751120345")
ID4 = make_id("44010619900815456")
BAD_ID = ID4[:-1] + ("0" if ID4[-1] != "0" else "1")
FULLWIDTH_ID3 = ID3.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

HEADER = ["序号", "楼号", "单元", "房间号", "业主", "手机号码", "身份证号码", "面积(㎡)", "房屋类型",
          "交房日期", "入住日期", "工作单位", "籍贯", "组团"]


def ledger(path, extra_rows=()):
    wb = Workbook()
    ws = wb.active
    ws.append(["天伦庄园业主台账（2011年）"])
    ws.append(["制表：客服中心"])
    ws.append(HEADER)                                                               # row 3
    ws.append([1, "5号楼", "1单元", 203, "张伟", "138 1234 5678", ID1, 123.45, "洋房",
               dt.datetime(2011, 6, 10), "2011/6/12", "西安市第一医院", "陕西省西安市", "A组团 罗马假日"])  # row 4
    ws.append([None, None, None, None, "李娜", "139-1234-5678", ID2])              # row 5: co-owner, room continues
    ws.append([])                                                                   # row 6: blank
    ws.append([3, "５号楼", "１单元", "３０２", "王芳", "０２９－８８８８ ６６６６", FULLWIDTH_ID3, "98.6",
               "洋房", "2011.6.10", "2011年6月15日", "西安交通大学", "北京市", "A组团 罗马假日"])  # row 7
    ws.append([1, "5号楼", "1单元", 203, "张伟", "138 1234 5678", ID1, 123.45, "洋房",  # row 8: duplicate
               dt.datetime(2011, 6, 10), "2011/6/12", "西安市第一医院", "陕西省西安市", "A组团 罗马假日"])
    ws.append([4, None, None, "5-1-203", "赵强", "13700001111"])                    # row 9: same room, another name
    ws.append([5, "6号楼", "1单元", 101, "孙丽", "13600002222", BAD_ID, 110, "洋房"])  # row 10: bad identity number
    ws.append([6, "6号楼", "1单元", 102, "钱进", "138 1234 56789", "", 110, "洋房"])         # row 11: bad phone
    ws.append([7, "18号楼", None, 101, "周杰", "13500003333", ID4, 245.8, "联排", 40704, None])  # row 12: serial date
    for r in extra_rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def xlsx(tmp_path):
    return ledger(tmp_path / "台账.xlsx")


def snapshot():
    return (Home.select().count(), Owner.select().count(), HomeOwner.select().count(), AuditLog.select().count())


def test_dry_run_reports_and_writes_nothing(ctx, xlsx):
    before = snapshot()
    r = owners_import.dry_run_import(ctx, xlsx)
    assert r.dry_run and r.header_row == 3
    assert r.imported == 7 and r.created_homes == 5 and r.created_owners == 7
    assert r.skipped_blank == 1 and r.duplicates == 1
    assert r.rejected == [] and [(n, label) for _s, n, label, _raw, _why in r.pending] == [(10, "身份证号"),
                                                                                         (11, "联系电话")]
    assert snapshot() == before


def test_import_rows(ctx, xlsx):
    r = owners_import.import_owners(ctx, xlsx)
    assert (r.imported, r.created_homes, r.updated, r.skipped_blank, r.duplicates) == (7, 5, 0, 1, 1)
    # a bad identity number or phone no longer drops the row: the owner is stored without it, 待核对
    pending = {n: (raw, why) for _s, n, _label, raw, why in r.pending}
    assert set(pending) == {10, 11} and r.rejected == []
    assert "身份证号" in pending[10][1] and "校验位" in pending[10][1]
    assert pending[11][0] == "138 1234 56789" and "联系电话" in pending[11][1]
    assert Owner.get(Owner.name == "孙丽").id_hash == "" and Owner.get(Owner.name == "钱进").phone == ""
    home = Home.get(Home.room_code == "5-1-203")
    assert home.area_x100 == 12345 and home.house_type == "洋房"
    assert home.handover_date == dt.date(2011, 6, 10) and home.move_in_date == dt.date(2011, 6, 12)
    assert home.state == "已入住" and home.cluster.code == "A" and home.cluster.name == "罗马假日"
    assert home.building.code == "5" and home.entrance.code == "1"
    links = list(HomeOwner.select().where(HomeOwner.home == home).order_by(HomeOwner.id))
    assert [(link.owner.name, link.is_primary) for link in links] == [("张伟", True), ("李娜", False), ("赵强", False)]
    zhang = Owner.get(Owner.name == "张伟")
    assert zhang.phone == "13812345678" and zhang.employer == "西安市第一医院" and zhang.native_place == "陕西省西安市"
    assert ctx.vault.decrypt(zhang.id_enc) == ID1 and ID1 not in zhang.id_enc
    assert zhang.birth_date == dt.date(1980, 5, 12) and zhang.gender == "男"
    assert Owner.get(Owner.name == "李娜").phone == "13912345678"
    # full-width digits, landline with dash and space, dotted and 年月日 dates
    wang = Owner.get(Owner.name == "王芳")
    assert wang.phone == "029-88886666" and ctx.vault.decrypt(wang.id_enc) == ID3
    h302 = Home.get(Home.room_code == "5-1-302")
    assert (h302.handover_date, h302.move_in_date, h302.area_x100) == (dt.date(2011, 6, 10), dt.date(2011, 6, 15), 9860)
    # a new building without cluster goes to the default cluster; an Excel serial date
    h18 = Home.get(Home.room_code == "18-101")
    assert h18.cluster.name == excel_import.DEFAULT_CLUSTER and h18.handover_date == dt.date(2011, 6, 10)
    assert h18.state == "空置" and h18.area_x100 == 24580
    assert Home.select().where(Home.room_code.in_(["6-1-101", "6-1-102"])).count() == 2
    # searchable at once, audited
    assert home.id in search.search_home_ids("赵强")
    assert AuditLog.select().where(AuditLog.action == "golive.import").count() == 1


def test_reimport_updates_instead_of_duplicating(ctx, xlsx):
    owners_import.import_owners(ctx, xlsx)
    counts = snapshot()[:3]
    r = owners_import.import_owners(ctx, xlsx)
    assert r.created_homes == 0 and r.created_owners == 0 and r.updated == 7
    assert snapshot()[:3] == counts


def test_one_owner_several_homes_by_identity_number(ctx, tmp_path):
    p = ledger(tmp_path / "a.xlsx", extra_rows=[[8, "5号楼", "2单元", 401, "张伟", "", ID1, 88, "洋房"]])
    owners_import.import_owners(ctx, p)
    zhang = Owner.get(Owner.name == "张伟")
    assert sorted(h.home.room_code for h in zhang.ownerships) == ["5-1-203", "5-2-401"]


def test_identity_number_of_someone_else_rejected(ctx, tmp_path):
    p = ledger(tmp_path / "a.xlsx", extra_rows=[[8, "5号楼", "2单元", 401, "冒名", "", ID1, 88, "洋房"]])
    r = owners_import.import_owners(ctx, p)
    assert r.rejected[-1][0] == 13 and "张伟" in r.rejected[-1][1]
    assert not Home.select().where(Home.room_code == "5-2-401").exists()   # the failed row left nothing


def test_conflicting_duplicate_and_missing_fields_rejected(ctx, tmp_path):
    p = ledger(tmp_path / "a.xlsx", extra_rows=[
        [1, "5号楼", "1单元", 203, "张伟", "13999999999"],        # row 13: same owner, different phone
        [9, "9号楼", "1单元", 101, "新业主", "13500001234"],        # row 14: new home without area
        [10, "9号楼", "1单元", 102, "", "13500001235", None, 90, "洋房"],  # row 15: owner data without name
        [11, "9号楼", "1单元", 103, "某人", "", None, 90, "别墅"],   # row 16: unknown house type
        [12, "9号楼", "1单元", 104, "某人", "", None, 90, "洋房", "2011-13-45"],  # row 17: bad date
    ])
    r = owners_import.import_owners(ctx, p)
    rej = dict(r.rejected)
    assert "第4行" in rej[13]
    assert "建筑面积" in rej[14]
    assert "业主姓名" in rej[15]
    assert "房屋类型" in rej[16]
    assert "交房日期" in rej[17]


def test_all_or_nothing(ctx, xlsx, monkeypatch):
    before = snapshot()

    def boom(ids):
        raise RuntimeError("disk full")
    monkeypatch.setattr(search, "index_homes", boom)
    with pytest.raises(RuntimeError):
        owners_import.import_owners(ctx, xlsx)
    assert snapshot() == before


@pytest.mark.parametrize("content,name,expect", [
    (b"this is not a workbook", "x.xlsx", "不是Excel"),
    (b"PK\x03\x04broken zip", "y.xlsx", "Excel"),
    (b"\xd0\xcf\x11\xe0old", "z.xls", ".xls"),
])
def test_corrupt_files_give_chinese_message(ctx, tmp_path, content, name, expect):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ValidationError) as e:
        owners_import.dry_run_import(ctx, p)
    assert expect in str(e.value) and e.value.field == "文件"


def test_missing_file_and_missing_header(ctx, tmp_path):
    with pytest.raises(ValidationError, match="找不到文件"):
        owners_import.import_owners(ctx, tmp_path / "none.xlsx")
    wb = Workbook()
    wb.active.append(["甲", "乙"])
    wb.active.append(["1", "2"])
    wb.save(tmp_path / "h.xlsx")
    with pytest.raises(ValidationError) as e:
        owners_import.import_owners(ctx, tmp_path / "h.xlsx")
    assert e.value.field == "表头"


def test_permissions(as_role, xlsx, tmp_path):
    with pytest.raises(PermissionDenied, match="权限不足"):
        owners_import.import_owners(as_role("frontdesk"), xlsx)
    with pytest.raises(PermissionDenied):
        excel_export.export_owners(as_role("cashier"), tmp_path / "o.xlsx")
    assert owners_import.import_owners(as_role("area_manager"), xlsx).imported == 7


def owner_snapshot(ctx):
    out = set()
    for link in HomeOwner.select().join(Owner).switch(HomeOwner).join(Home):
        o, h = link.owner, link.home
        out.add((h.room_code, h.area_x100, h.house_type, h.state, h.handover_date, h.move_in_date,
                 h.building.code, h.entrance.code, h.cluster.code, o.name, o.gender, o.birth_date, o.phone, o.phone2,
                 ctx.vault.decrypt(o.id_enc), o.employer, o.native_place, o.education, o.spouse_name,
                 o.spouse_phone, o.key_customer_tags, link.is_primary))
    return out


def test_export_import_round_trip(ctx, tmp_path):
    demo.build_site(ctx, "tianlun", extensions=False)
    out = tmp_path / "导出.xlsx"
    n = excel_export.export_owners(ctx, out)
    assert n >= 292
    ws = load_workbook(out).active
    assert [c.value for c in ws[3]][:4] == ["组团", "楼栋", "单元", "房号"]
    original = owner_snapshot(ctx)
    homes = Home.select().count()
    # a fresh site imports the export and holds the same households
    ctx2 = open_context(tmp_path / "site2", clock=ctx.clock)
    ctx2.user = User.create(username="m2", display_name="经理", role="manager")
    dry = owners_import.dry_run_import(ctx2, out)
    assert dry.rejected == [] and Home.select().count() == 0
    r = owners_import.import_owners(ctx2, out)
    assert r.rejected == [] and (r.imported, r.created_homes) == (dry.imported, dry.created_homes) and r.imported == n
    # homes not handed over are listed without an owner and come back as homes
    assert Home.select().count() == homes and r.created_homes == homes
    assert Home.select().where(Home.state == "未交付").count() == 8
    assert owner_snapshot(ctx2) == original


def test_masked_export_and_reimport_keeps_data(ctx, xlsx, tmp_path, monkeypatch):
    owners_import.import_owners(ctx, xlsx)
    before = owner_snapshot(ctx)
    monkeypatch.setattr(excel_export, "may_see_full", lambda c: False)
    out = tmp_path / "masked.xlsx"
    excel_export.export_owners(ctx, out)
    ws = load_workbook(out).active
    values = [c.value for row in ws.iter_rows(min_row=4) for c in row if c.value]
    assert ID1 not in values and "13812345678" not in values
    assert ID1[:3] + "*" * 11 + ID1[-4:] in values and "138****5678" in values
    r = owners_import.import_owners(ctx, out)
    assert r.rejected == [] and r.created_owners == 0
    assert owner_snapshot(ctx) == before


@pytest.mark.parametrize("cell,phones", [
    ("138 1234 5678", ["13812345678"]), ("139-1234-5678", ["13912345678"]), (13712345678, ["13712345678"]),
    ("029-8888 6666", ["029-88886666"]), ("02988886666", ["029-88886666"]), ("0351-7654321", ["0351-7654321"]),
    ("（029）88886666", ["029-88886666"]), ("13812345678/029-88886666", ["13812345678", "029-88886666"]),
    ("138****5678", []),
])
def test_phone_cells(cell, phones):
    assert excel_rows.phones(cell, "联系电话") == phones


@pytest.mark.parametrize("room,building,unit,code", [
    ("5-1-203", None, None, "5-1-203"), ("５－１－２０３", None, None, "5-1-203"),
    (203, "5号楼", "1单元", "5-1-203"), ("203室", "5栋", "一单元", "5-1-203"),
    ("5号楼1单元203室", None, None, "5-1-203"), ("101", "18号楼", None, "18-101"),
    ("A1-2-1802", None, None, "A1-2-1802"),
    # four-digit building codes (issue 20: "D1000号楼" was refused)
    (1001, "D1000号楼", "1单元", "D1000-1-1001"), ("D1000号楼2单元1802室", None, None, "D1000-2-1802"),
    ("1203-101", None, None, "1203-101"),
])
def test_room_codes(room, building, unit, code):
    assert excel_rows.room_code(room, building, unit) == code
    from app.core.validation import check_room_code
    assert check_room_code(code) == code


def test_a_four_digit_building_comes_in(ctx, tmp_path):
    p = ledger(tmp_path / "d.xlsx", extra_rows=[[8, "D1000号楼", "1单元", 1001, "刘洋", "", "", 88, "洋房"]])
    r = owners_import.import_owners(ctx, p)
    assert not [x for x in r.rejected if "楼栋" in str(x) or "D1000" in str(x)], r.rejected
    home = Home.get(Home.room_code == "D1000-1-1001")
    assert home.building.code == "D1000"


def test_identity_number_stored_as_number_kept_for_checking(ctx, tmp_path):
    id_as_number = 6.10113198005121e17
    p = ledger(tmp_path / "n.xlsx", extra_rows=[[8, "5号楼", "2单元", 401, "刘洋", "", id_as_number, 88, "洋房"]])
    r = owners_import.dry_run_import(ctx, p)
    assert "文本格式" in {n: why for _s, n, _l, _raw, why in r.pending}[13]


def test_office_words_and_second_phone_column(ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["房屋编号", "业主姓名", "联系电话", "手机", "建筑面积", "户型", "状态", "入住日期"])
    ws.append(["7-1-101", "吴敏", "029-88886666", "13512345678", "150", "叠拼别墅", "入住", "2020年5月1日"])
    ws.append(["7-1-102", "郑红", "", "", "150", "别墅", "空房"])
    wb.save(tmp_path / "w.xlsx")
    r = owners_import.import_owners(ctx, tmp_path / "w.xlsx")
    assert r.header_row == 1 and r.imported == 1
    assert r.rejected[0][0] == 3 and "房屋类型" in r.rejected[0][1] and "别墅" in r.rejected[0][1]
    h = Home.get(Home.room_code == "7-1-101")
    assert (h.house_type, h.state, h.move_in_date) == ("叠加", "已入住", dt.date(2020, 5, 1))
    o = Owner.get(Owner.name == "吴敏")
    assert (o.phone, o.phone2) == ("029-88886666", "13512345678")


def test_exported_text_starting_with_equals_stays_text(ctx, tmp_path):
    """A work address typed as “=1+1” must not become a formula Excel evaluates (all exports
    write through app.core.xlsx.append_row)."""
    demo.build_site(ctx, "tianlun", extensions=False)
    o = Owner.select().order_by(Owner.id).first()
    Owner.update(work_address="=1+1").where(Owner.id == o.id).execute()
    out = tmp_path / "导出.xlsx"
    excel_export.export_owners(ctx, out)
    cells = [c for row in load_workbook(out).active.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not list(tmp_path.glob("*.part"))
