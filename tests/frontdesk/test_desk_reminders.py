"""The front desk's open items at sign-in (今日提醒): one line per open kind of the current shift,
as the shift log counts them, for the front desk role only; nothing on a quiet desk."""
import datetime as dt

import pytest

from app.frontdesk import parcels, reminders, rounds, shifts, visitors
from app.office import reminders as office_reminders
from tests.helpers.keys import DEFAULT_HOMES, make_homes

T0 = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def test_the_desk_sees_its_open_items_one_line_per_kind(ctx, users, homes, as_role):
    desk = as_role("frontdesk")
    assert reminders.startup_reminders(desk) == []                    # a quiet desk: nothing to say
    ctx.clock.set(T0 - dt.timedelta(hours=30))
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "SF1", "place": "货架A-1"})
    ctx.clock.set(T0 - dt.timedelta(hours=2))
    parcels.check_in(ctx, {"room_code": "5-202", "carrier": "中通", "tracking_no": "ZT1", "place": "货架A-2"})
    visitors.register_visit(ctx, {"name": "陈明", "room_code": "5-201", "reason": "探亲访友"})
    ctx.clock.set(T0)
    rounds.record_round(ctx, {"place": "5号楼大堂", "found": "单元门闭门器损坏"})
    head = "前台待办（早班 08:00-16:00）"
    expected = [f"{head}：待取包裹 2 件", f"{head}：超过免费保管期的包裹 1 件",
                f"{head}：仍在小区内的访客 1 人次", f"{head}：巡查发现待跟进 1 项"]
    assert reminders.startup_reminders(desk) == expected
    assert [line for line in office_reminders.startup_reminders(desk) if "前台待办" in line] == expected
    assert len(expected) == sum(1 for _label, n, _unit in shifts.open_items(desk) if n)
    assert reminders.startup_reminders(as_role("cashier")) == []     # other roles: their own areas only
    assert not [line for line in office_reminders.startup_reminders(ctx) if "前台待办" in line]   # the manager


def test_the_evening_shift_is_named(ctx, users, homes, as_role):
    ctx.clock.set(T0.replace(hour=18))
    rounds.record_round(ctx, {"place": "东门", "found": "岗亭灯不亮"})
    lines = reminders.startup_reminders(as_role("frontdesk"))
    shift = shifts.current_shift(ctx)
    assert lines == [f"前台待办（{shift['shift']} {shift['hours']}）：巡查发现待跟进 1 项"]
    assert shift["shift"] != "早班"
