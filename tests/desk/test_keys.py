"""Key register (domain.md §5, 000 items 19, 23, 24): catalogue, sign-out/return, overdue,
history, door keys at hand-over, weekly vacant-home inspection, prints and the command line."""
import datetime as dt
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.desk import inspections, key_prints, keys, reminders
from models.keys import Key, KeyLoan, VacantInspection
from models.users import AuditLog
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text as helpers_pdf_text

ROOT = Path(__file__).resolve().parents[2]
WORKER = {"borrower_name": "刘工", "borrower_kind": "施工单位", "company": "通达电梯维保公司",
          "phone": "13603512233", "purpose": "电梯月度保养"}


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


@pytest.fixture
def pump(ctx):
    return keys.create_key(ctx, {"area": "水泵房", "supply_method": "厂家配备", "keeper_place": "维修办公室",
                                 "keeper_person": "赵师傅", "copies": 1})


@pytest.fixture
def shaft(ctx):
    return keys.create_key(ctx, {"area": "楼道竖井", "supply_method": "通锁", "keeper_place": "客服前台、监控中心",
                                 "copies": 2})


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, NFKC-normalised (the forms print ASCII in full-width forms)."""
    return unicodedata.normalize("NFKC", helpers_pdf_text(pdf))


def has(text: str, s: str) -> bool:
    return unicodedata.normalize("NFKC", s) in text


def audit_count():
    return AuditLog.select().count()


# catalogue ---------------------------------------------------------------------------------------

def test_catalogue_lists_supply_place_keeper_and_copies(ctx, pump, shaft):
    rows = {r["area"]: r for r in keys.list_keys(ctx)}
    assert rows["水泵房"]["supply_method"] == "厂家配备"
    assert rows["水泵房"]["keeper_place"] == "维修办公室" and rows["水泵房"]["keeper_person"] == "赵师傅"
    assert rows["楼道竖井"]["copies"] == 2 and rows["楼道竖井"]["status"] == "在库"
    assert AuditLog.select().where(AuditLog.action == "keys.create").count() == 2


@pytest.mark.parametrize("data,field", [
    ({"area": "", "keeper_place": "客服前台"}, "钥匙区域"),
    ({"area": "电梯", "keeper_place": ""}, "存放地点"),
    ({"area": "电梯", "keeper_place": "经理办公室", "copies": 0}, "钥匙数量"),
    ({"area": "电梯", "keeper_place": "经理办公室", "copies": "两把"}, "钥匙数量"),
    ({"area": "入户门", "keeper_place": "客服前台", "kind": "入户门钥匙", "room_code": "9-999"}, "房号"),
])
def test_catalogue_bad_input(ctx, homes, data, field):
    n = Key.select().count()
    with pytest.raises(ValidationError, match=field):
        keys.create_key(ctx, data)
    assert Key.select().count() == n


def test_door_keys_only_for_homes_kept_at_desk(ctx, homes):
    """000 item 23: the desk keeps the door keys of homes not yet handed over (and vacant ones)."""
    k1 = keys.register_door_keys(ctx, homes["5-101"].id, copies=2)
    keys.register_door_keys(ctx, homes["5-102"].id, copies=3)
    assert [k.id for k in keys.home_door_keys(homes["5-101"].id)] == [k1.id]
    with pytest.raises(StateError, match="已入住"):
        keys.register_door_keys(ctx, homes["5-201"].id)
    with pytest.raises(StateError, match="已登记"):
        keys.register_door_keys(ctx, homes["5-101"].id)
    row = next(r for r in keys.list_keys(ctx) if r["id"] == k1.id)
    assert row["room_code"] == "5-101" and row["kind"] == "入户门钥匙"


def test_register_missing_door_keys_in_one_go(ctx, homes):
    keys.register_door_keys(ctx, homes["5-101"].id, copies=3)
    before = audit_count()
    assert keys.register_missing_door_keys(ctx, copies=2, keeper_person="李娜") == 1     # only 5-102 left
    assert audit_count() == before + 1
    assert [k.copies for k in keys.home_door_keys(homes["5-102"].id)] == [2]
    assert keys.home_door_keys(homes["5-201"].id) == []                                  # occupied: none
    assert keys.register_missing_door_keys(ctx) == 0
    with pytest.raises(PermissionDenied):
        keys.register_missing_door_keys(ctx.with_user(None))


def test_update_key_cannot_drop_copies_below_one_out(ctx, shaft):
    keys.sign_out(ctx, shaft.id, WORKER | {"copy_no": 2})
    with pytest.raises(ValidationError, match="钥匙数量"):
        keys.update_key(ctx, shaft.id, {"copies": 1})
    assert keys.update_key(ctx, shaft.id, {"copies": 3, "keeper_person": "李娜"}).copies == 3


def test_permissions(ctx, as_role, pump):
    with pytest.raises(PermissionDenied, match="权限不足"):
        keys.sign_out(as_role("cashier"), pump.id, WORKER)
    with pytest.raises(PermissionDenied):
        keys.create_key(as_role("area_manager"), {"area": "电梯", "keeper_place": "经理办公室"})
    loan = keys.sign_out(as_role("frontdesk"), pump.id, WORKER)
    assert loan.issued_by.username == "frontdesk"


# sign-out and return -----------------------------------------------------------------------------

def test_sign_out_records_who_what_when_due(ctx, pump):
    loan = keys.sign_out(ctx, pump.id, WORKER)
    assert loan.number == "YS2026-000001"
    assert loan.out_at == dt.datetime(2026, 11, 23, 9, 0)
    # default due back: keys.default_hours (4 h) after sign-out
    assert loan.due_at == dt.datetime(2026, 11, 23, 13, 0)
    assert (loan.borrower_kind, loan.company, loan.phone) == ("施工单位", "通达电梯维保公司", "13603512233")
    ctx.settings.set("keys.default_hours", 8)
    keys.return_key(ctx, loan.id)
    assert keys.sign_out(ctx, pump.id, WORKER).due_at == dt.datetime(2026, 11, 23, 17, 0)


@pytest.mark.parametrize("change,field", [
    ({"borrower_name": ""}, "借用人"),
    ({"purpose": " "}, "借用事由"),
    ({"phone": ""}, "联系电话"),
    ({"phone": "12345"}, "联系电话"),
    ({"company": ""}, "单位名称"),
    ({"borrower_kind": "路人"}, "借用人类别"),
    ({"due_at": "2026-11-22 10:00"}, "预计归还时间"),
    ({"due_at": "明天"}, "预计归还时间"),
    ({"copy_no": 3}, "钥匙序号"),
])
def test_sign_out_bad_input_changes_nothing(ctx, pump, change, field):
    before = audit_count()
    with pytest.raises(ValidationError, match=field):
        keys.sign_out(ctx, pump.id, WORKER | change)
    assert KeyLoan.select().count() == 0 and audit_count() == before


def test_staff_may_sign_out_without_phone(ctx, pump):
    loan = keys.sign_out(ctx, pump.id, {"borrower_name": "赵师傅", "borrower_kind": "员工", "purpose": "检修"})
    assert loan.phone == ""


def test_key_cannot_be_signed_out_twice(ctx, pump):
    keys.sign_out(ctx, pump.id, WORKER)
    before = audit_count()
    with pytest.raises(StateError, match="不能重复借出"):
        keys.sign_out(ctx, pump.id, WORKER | {"borrower_name": "陈工"})
    with pytest.raises(StateError, match="第1把已于2026-11-23 09:00借给刘工"):
        keys.sign_out(ctx, pump.id, WORKER | {"copy_no": 1})
    assert KeyLoan.select().count() == 1 and audit_count() == before


def test_several_copies_are_signed_out_one_by_one(ctx, shaft):
    a = keys.sign_out(ctx, shaft.id, WORKER)
    b = keys.sign_out(ctx, shaft.id, WORKER | {"borrower_name": "陈工"})
    assert (a.copy_no, b.copy_no) == (1, 2)
    with pytest.raises(StateError, match="共2把已全部借出"):
        keys.sign_out(ctx, shaft.id, WORKER)
    assert next(r for r in keys.list_keys(ctx) if r["id"] == shaft.id)["status"] == "借出 2/2"
    keys.return_key(ctx, a.id)
    assert keys.free_copies(shaft.id) == [1]
    assert keys.sign_out(ctx, shaft.id, WORKER).copy_no == 1


def test_database_refuses_a_second_open_sign_out_of_a_copy(ctx, pump):
    """The rule holds even past the service: a partial unique index on the open sign-outs."""
    from peewee import IntegrityError
    loan = keys.sign_out(ctx, pump.id, WORKER)
    with pytest.raises(IntegrityError), ctx.db.atomic():
        KeyLoan.create(key=pump, copy_no=1, number="X", borrower_name="x", purpose="x",
                       out_at=loan.out_at, due_at=loan.due_at)


def test_return_records_receiver(ctx, users, pump):
    loan = keys.sign_out(ctx, pump.id, WORKER)
    ctx.clock.advance(hours=2)
    back = keys.return_key(ctx.with_user(users["frontdesk"]), loan.id, {"notes": "完好"})
    assert back.returned_at == dt.datetime(2026, 11, 23, 11, 0)
    assert back.received_by == "李前台" and back.returned_by == "刘工" and back.return_notes == "完好"
    assert keys.keys_out(ctx) == []


def test_return_of_a_key_not_out_is_refused(ctx, pump):
    with pytest.raises(StateError, match="未借出，不能归还"):
        keys.return_key_copy(ctx, pump.id)
    loan = keys.sign_out(ctx, pump.id, WORKER)
    keys.return_key(ctx, loan.id)
    before = audit_count()
    with pytest.raises(StateError, match="未借出"):
        keys.return_key(ctx, loan.id)
    with pytest.raises(StateError, match="未借出"):
        keys.return_key_copy(ctx, pump.id)
    with pytest.raises(NotFound, match="不存在"):
        keys.return_key(ctx, 9999)
    assert audit_count() == before


def test_keys_out_and_overdue(ctx, pump, shaft):
    keys.sign_out(ctx, pump.id, WORKER)                                       # due 13:00
    keys.sign_out(ctx, shaft.id, WORKER | {"due_at": "2026-11-24 18:00"})
    ctx.clock.set(dt.datetime(2026, 11, 23, 15, 30))
    out = keys.keys_out(ctx)
    assert [r["area"] for r in out] == ["水泵房", "楼道竖井"]
    assert out[0]["overdue"] and out[0]["overdue_text"] == "逾期2小时30分"
    assert out[0]["phone"] == "136****2233"                                   # masked in lists
    assert not out[1]["overdue"]
    assert [r["area"] for r in keys.overdue_keys(ctx)] == ["水泵房"]
    ctx.clock.set(dt.datetime(2026, 11, 25, 9, 0))
    assert len(keys.overdue_keys(ctx)) == 2
    assert keys.overdue_keys(ctx)[0]["overdue_text"] == "逾期1天20小时"


def test_history_per_key(ctx, homes):
    door = keys.register_door_keys(ctx, homes["5-101"].id)
    first = keys.sign_out(ctx, door.id, WORKER | {"purpose": "空置房巡查"})
    ctx.clock.advance(hours=1)
    keys.return_key(ctx, first.id, {"received_by": "李娜"})
    ctx.clock.advance(days=1)
    keys.sign_out(ctx, door.id, WORKER | {"purpose": "维修水管"})
    ctx.clock.advance(hours=1)
    keys.return_key_copy(ctx, door.id, 1)
    ctx.clock.advance(days=1)
    keys.hand_over_home_keys(ctx, homes["5-101"].id, "张三")
    hist = keys.key_history(ctx, door.id)
    assert [h["event"] for h in hist] == ["交付业主", "借出", "借出"]
    assert hist[1]["purpose"] == "维修水管" and hist[2]["received_by"] == "李娜"
    assert hist[0]["borrower_name"] == "张三"


# hand-over (cross-area contract) -----------------------------------------------------------------

def test_hand_over_moves_door_keys_to_owner(ctx, homes):
    keys.register_door_keys(ctx, homes["5-101"].id, copies=3)
    handed = keys.hand_over_home_keys(ctx, homes["5-101"].id, "张三")
    assert handed[0]["copies"] == 3 and handed[0]["area"] == "入户门 5-101"
    assert keys.home_door_keys(homes["5-101"].id) == []
    assert all(r["room_code"] != "5-101" for r in keys.list_keys(ctx))
    key = Key.get(Key.home == homes["5-101"].id)
    assert not key.active and key.handed_over_to == "张三"
    with pytest.raises(StateError, match="已于2026-11-23交给张三"):
        keys.sign_out(ctx, key.id, WORKER)
    assert keys.hand_over_home_keys(ctx, homes["5-102"].id, "李四") == []


def test_hand_over_refused_while_a_copy_is_out(ctx, homes):
    door = keys.register_door_keys(ctx, homes["5-101"].id)
    keys.sign_out(ctx, door.id, WORKER)
    with pytest.raises(StateError, match="请先收回"):
        keys.hand_over_home_keys(ctx, homes["5-101"].id, "张三")
    assert keys.home_door_keys(homes["5-101"].id)[0].active
    with pytest.raises(ValidationError, match="领取人"):
        keys.hand_over_home_keys(ctx, homes["5-101"].id, "")


# vacant homes ------------------------------------------------------------------------------------

def test_weekly_inspection_list_from_home_states(ctx, homes):
    """000 item 24: vacant homes inspected weekly (keys.vacant_inspection_days = 7)."""
    rows = {r["room_code"]: r for r in inspections.vacant_inspection_list(ctx)}
    assert set(rows) == {"5-101", "5-102"}                         # only 未交付 and 空置
    assert rows["5-101"]["due_this_week"] and rows["5-101"]["next_due"] == "2026-11-23"
    # Monday 2026-11-23: inspected on 11-18 → due 11-25, this week; on 11-23 → due 11-30, next week.
    inspections.record_inspection(ctx, "5-101", {"inspector": "张管家", "inspected_on": "2026-11-18"})
    inspections.record_inspection(ctx, "5-102", {"inspector": "张管家", "result": "有问题", "findings": "卫生间渗水"})
    rows = {r["room_code"]: r for r in inspections.vacant_inspection_list(ctx)}
    assert rows["5-101"]["next_due"] == "2026-11-25" and rows["5-101"]["due_this_week"]
    assert rows["5-102"]["next_due"] == "2026-11-30" and not rows["5-102"]["due_this_week"]
    assert rows["5-102"]["findings"] == "卫生间渗水"
    assert [r["room_code"] for r in inspections.vacant_inspection_list(ctx, due_only=True)] == ["5-101"]
    ctx.settings.set("keys.vacant_inspection_days", 3)
    rows = {r["room_code"]: r for r in inspections.vacant_inspection_list(ctx)}
    assert rows["5-101"]["next_due"] == "2026-11-21" and rows["5-101"]["overdue"]
    assert len(inspections.inspection_history(ctx, homes["5-102"].id)) == 1


def test_latest_inspection_counts_even_when_entered_late(ctx, homes):
    inspections.record_inspection(ctx, "5-101", {"inspector": "张管家", "inspected_on": "2026-11-20"})
    # the paper of an earlier round entered late
    inspections.record_inspection(ctx, "5-101", {"inspector": "李娜", "inspected_on": "2026-11-13"})
    row = next(r for r in inspections.vacant_inspection_list(ctx) if r["room_code"] == "5-101")
    assert (row["last_inspected"], row["inspector"], row["next_due"]) == ("2026-11-20", "张管家", "2026-11-27")


@pytest.mark.parametrize("room,data,exc,text", [
    ("9-999", {"inspector": "张管家"}, ValidationError, "房号“9-999”不存在"),
    ("5-101", {"inspector": ""}, ValidationError, "巡查人"),
    ("5-101", {"inspector": "张管家", "result": "有问题"}, ValidationError, "发现问题"),
    ("5-101", {"inspector": "张管家", "inspected_on": "2026-11-24"}, ValidationError, "巡查日期"),
    ("5-201", {"inspector": "张管家"}, StateError, "不是空置房"),
])
def test_inspection_bad_input(ctx, homes, room, data, exc, text):
    with pytest.raises(exc, match=text):
        inspections.record_inspection(ctx, room, data)
    assert VacantInspection.select().count() == 0


# reminders, demo ---------------------------------------------------------------------------------

def test_startup_reminders(ctx, pump):
    assert reminders.startup_reminders(ctx) == []
    keys.sign_out(ctx, pump.id, WORKER)
    ctx.clock.set(dt.datetime(2026, 11, 23, 14, 0))
    lines = reminders.startup_reminders(ctx)
    assert len(lines) == 1 and "水泵房" in lines[0] and "刘工（通达电梯维保公司）" in lines[0]
    make_homes({"5-101": "空置"})
    inspections.record_inspection(ctx, "5-101", {"inspector": "张管家", "inspected_on": "2026-11-10"})
    assert reminders.startup_reminders(ctx)[1] == "空置房巡查逾期：1 套（5-101）"   # due 11-17 (7 days)


def test_demo_populate(ctx):
    from app.demo import keys as demo_keys
    make_homes({"1-101": "未交付", "1-102": "空置", "1-201": "已入住"})
    demo_keys.populate(ctx, random.Random(1))
    public = [r for r in keys.list_keys(ctx) if r["kind"] == "公共钥匙"]
    assert len(public) == 11
    assert {r["area"] for r in public} >= {"楼道竖井", "消防监控室控制柜", "储藏间"}
    assert next(r for r in public if r["area"] == "景观柜")["keeper_place"] == "维修办公室、秩序办公室"
    assert {r["room_code"] for r in keys.list_keys(ctx) if r["kind"] == "入户门钥匙"} == {"1-101", "1-102"}
    assert len(keys.keys_out(ctx)) == 4 and len(keys.overdue_keys(ctx)) == 1


# prints ------------------------------------------------------------------------------------------

def test_sign_out_slip_pdf(ctx, pump):
    loan = keys.sign_out(ctx, pump.id, WORKER)
    text = pdf_text(key_prints.sign_out_slip_pdf(ctx, loan.id))
    for s in ("钥匙借用单", "YS2026-000001", "水泵房", "刘工", "通达电梯维保公司", "136****2233",
              "电梯月度保养", "2026-11-23 09:00", "2026-11-23 13:00", "借用人签字"):
        assert has(text, s), s
    assert "13603512233" not in text


def test_register_sheet_and_overdue_pdf(ctx, pump, shaft):
    keys.sign_out(ctx, pump.id, WORKER)
    text = pdf_text(key_prints.register_sheet_pdf(ctx))
    for s in ("钥匙登记表", "水泵房", "厂家配备", "维修办公室", "赵师傅", "楼道竖井", "借出 1/1"):
        assert has(text, s), s
    ctx.clock.set(dt.datetime(2026, 11, 24, 9, 0))
    text = pdf_text(key_prints.overdue_list_pdf(ctx))
    assert has(text, "钥匙逾期未还清单") and has(text, "水泵房") and has(text, "逾期20小时")


def test_inspection_sheet_pdf(ctx, homes):
    keys.register_door_keys(ctx, homes["5-101"].id)
    inspections.record_inspection(ctx, "5-102", {"inspector": "张管家", "inspected_on": "2026-11-23"})
    text = pdf_text(key_prints.inspection_sheet_pdf(ctx, due_only=True))
    assert has(text, "空置房巡查表") and has(text, "5-101") and has(text, "未巡查") and has(text, "巡查人签字")
    assert "5-102" not in text                                       # due next week
    assert has(pdf_text(key_prints.inspection_sheet_pdf(ctx, due_only=False)), "2026-11-30")


# command line ------------------------------------------------------------------------------------

def run_cli(data_dir, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PROPERTYDESK_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)],
                          check=False, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env,
                          timeout=60)


def test_cli_keys_out(ctx, data_dir, pump, shaft):
    ctx.clock.set(dt.datetime(2026, 1, 2, 9, 0))                 # the subprocess runs on the real clock
    keys.sign_out(ctx, pump.id, WORKER | {"due_at": dt.datetime(2026, 1, 2, 10, 0)})
    keys.sign_out(ctx, shaft.id, WORKER | {"borrower_name": "陈工", "due_at": dt.datetime(2099, 1, 1, 10, 0)})
    r = run_cli(data_dir, "keys", "out")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    pump_line = next(ln for ln in lines if "水泵房" in ln)
    shaft_line = next(ln for ln in lines if "楼道竖井" in ln)
    assert "逾期" in pump_line and "逾期" not in shaft_line
    assert "136****2233" in pump_line and "共 2 把钥匙借出" in r.stdout
    out_pdf = data_dir / "reg.pdf"
    r = run_cli(data_dir, "print", "key-register", "--out", str(out_pdf))
    assert r.returncode == 0, r.stderr
    assert "水泵房" in pdf_text(out_pdf.read_bytes())


def test_reveal_borrower_phone_needs_permission_and_is_audited(ctx, as_role, pump):
    loan = keys.sign_out(ctx, pump.id, WORKER)
    with pytest.raises(PermissionDenied):
        keys.reveal_borrower_phone(as_role("frontdesk"), loan.id)
    assert keys.reveal_borrower_phone(as_role("area_manager"), loan.id) == "13603512233"
    assert AuditLog.select().where(AuditLog.action == "pii.reveal_phone").count() == 1
