"""Shift log (交接班记录): the shifts from the site setting, open items counted live, the drawer
set against the day's receipts in fen, the taker's password, one hand-over per shift (also when two
desks race), corrections as new entries, the audit rows, the printed day sheet."""
import datetime as dt
import json

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.frontdesk import parcels, prints, shifts, visitors
from models.frontdesk import ShiftLog
from models.users import AuditLog
from tests.helpers import signin
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text

PASSWORD = signin.test_password()
T0 = dt.datetime(2026, 11, 23, 15, 50)


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def _entry(ctx, users, **data):
    data = {"events": "上午停水一小时，已通知各单元。", "pending": "5-201业主要求明早回电", "cash": "200", **data}
    return shifts.hand_over(ctx, data, users["frontdesk"].username, PASSWORD)


def test_the_schedule_and_the_running_shift(ctx):
    assert shifts.shift_names(ctx.settings) == ["早班", "中班", "晚班"]
    at = dt.datetime(2026, 11, 23, 23, 30)
    assert shifts.current_shift(ctx, at) == {"shift": "中班", "hours": "16:00-24:00", "date": at.date()}
    ctx.settings.set("shift.schedule", "白班 08:00-20:00；夜班 20:00-08:00")
    assert shifts.current_shift(ctx, dt.datetime(2026, 11, 24, 3, 0)) == {
        "shift": "夜班", "hours": "20:00-08:00", "date": dt.date(2026, 11, 23)}
    ctx.settings.set("shift.schedule", "白班 8点到20点")
    with pytest.raises(ValidationError) as e:
        shifts.schedule(ctx.settings)
    assert e.value.field == "班次及时间" and "早班 08:00-16:00" in str(e.value)


def test_hand_over_counts_open_items_and_the_drawer(ctx, users, homes):
    from app.ledger import billing, payments
    ctx.clock.set(T0 - dt.timedelta(hours=30))
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "SF1", "place": "货架A-1"})
    ctx.clock.set(T0 - dt.timedelta(hours=2))
    parcels.check_in(ctx, {"room_code": "5-202", "carrier": "中通", "tracking_no": "ZT1", "place": "货架A-2"})
    visitors.register_visit(ctx, {"name": "陈明", "room_code": "5-201", "reason": "探亲访友"})
    home = homes["5-201"]
    cash = billing.post_charge(ctx, home.id, "parcel_fee", 1250, memo="t")
    card = billing.post_charge(ctx, home.id, "parcel_fee", 3000, memo="t")
    payments.pay(ctx, home.id, [cash.id], "现金", "刘女士")
    payments.pay(ctx, home.id, [card.id], "银行卡", "刘女士")
    ctx.settings.set("shift.cash_float", 50000)
    ctx.clock.set(T0)
    e = _entry(ctx, users, cash="512.50")
    assert (e.number, e.kind, e.shift, e.hours, e.slot) == ("JB2026-000001", "交接", "早班", "08:00-16:00",
                                                            "2026-11-23 早班")
    items = dict((label, n) for label, n, _unit in json.loads(e.open_items))
    assert items["待取包裹"] == 2 and items["其中超过免费保管期"] == 1 and items["仍在小区内的访客"] == 1
    assert items["借出未还的钥匙"] == 0 and items["未完成的报事投诉"] == 0
    assert (e.cash_fen, e.float_fen, e.receipts_fen, e.cash_receipts_fen) == (51250, 50000, 4250, 1250)
    row = shifts.day_entries(ctx)[0]
    assert (row["diff_fen"], row["diff"], row["expected"]) == (0, "相符", "512.50")
    assert (row["handed_name"], row["taken_name"]) == (ctx.user.display_name, "李前台")
    audit = AuditLog.select().where(AuditLog.action == "shiftlog.hand_over").get()
    assert audit.entity_id == str(e.id)


def test_the_taker_proves_their_password(ctx, users, homes):
    ctx.clock.set(T0)
    with pytest.raises(PermissionDenied):
        shifts.hand_over(ctx, {"events": "无事"}, users["frontdesk"].username, "wrong")
    with pytest.raises(ValidationError) as e:
        shifts.hand_over(ctx, {"events": "无事"}, users["frontdesk"].username, "")
    assert e.value.field == "接班人密码"
    with pytest.raises(ValidationError) as e:
        shifts.hand_over(ctx, {"events": "无事"}, ctx.user.username, PASSWORD)
    assert e.value.field == "接班人" and "本人" in str(e.value)
    with pytest.raises(ValidationError) as e:
        shifts.hand_over(ctx, {"events": "无事"}, users["cashier"].username, PASSWORD)
    assert e.value.field == "接班人" and "不能接班" in str(e.value)
    with pytest.raises(ValidationError) as e:
        _entry(ctx, users, events=" ")
    assert e.value.field == "值班记事"
    with pytest.raises(ValidationError) as e:
        _entry(ctx, users, cash="两百")
    assert e.value.field == "抽屉现金"
    with pytest.raises(ValidationError) as e:
        _entry(ctx, users, shift="夜班")
    assert e.value.field == "班次" and "早班、中班、晚班" in str(e.value)
    assert ShiftLog.select().count() == 0


def test_one_hand_over_per_shift_and_corrections_are_new_entries(ctx, users, homes):
    ctx.clock.set(T0)
    e = _entry(ctx, users)
    with pytest.raises(StateError) as err:
        _entry(ctx, users)
    assert "2026-11-23 早班已交接" in str(err.value)
    fix = shifts.correct(ctx, e.id, "抽屉现金点错，实为190元", cash="190")
    assert (fix.kind, fix.corrects_id, fix.cash_fen, fix.slot, fix.shift) == ("更正", e.id, 19000, None, "早班")
    with pytest.raises(StateError):
        shifts.correct(ctx, fix.id, "再更正")
    with pytest.raises(ValidationError) as err:
        shifts.correct(ctx, e.id, "")
    assert err.value.field == "更正内容"
    e = ShiftLog.get_by_id(e.id)
    assert e.events == "上午停水一小时，已通知各单元。" and e.cash_fen == 20000    # the entry stays as written
    rows = shifts.day_entries(ctx)
    assert [(r["kind"], r["corrects"]) for r in rows] == [("交接", ""), ("更正", e.number)]
    assert AuditLog.select().where(AuditLog.action == "shiftlog.correct").count() == 1
    assert [r["number"] for r in shifts.recent_entries(ctx, "点错")] == [fix.number]
    assert shifts.last_hand_over(ctx)["number"] == e.number


def test_the_front_desk_writes_and_the_cashier_only_reads(ctx, users, as_role, homes):
    ctx.clock.set(T0)
    with pytest.raises(PermissionDenied):
        shifts.hand_over(as_role("cashier"), {"events": "x"}, "frontdesk", PASSWORD)
    e = shifts.hand_over(as_role("frontdesk"), {"events": "无异常"}, "manager", PASSWORD)
    assert e.handed_name == "李前台" and shifts.day_entries(as_role("cashier"))[0]["id"] == e.id


def test_the_day_sheet_prints_every_entry(ctx, users, homes):
    ctx.clock.set(T0)
    e = _entry(ctx, users)
    shifts.correct(ctx, e.id, "补记：3-101钥匙已归还")
    text = pdf_text(prints.shift_day_pdf(ctx, T0.date()))
    for words in ("交接班记录", "2026-11-23", "早班", "08:00-16:00", "上午停水一小时", "5-201业主要求明早回电",
                  "待取包裹", "200.00", "李前台", "更正", "补记：3-101钥匙已归还", "接班人签字"):
        assert words in text, words
