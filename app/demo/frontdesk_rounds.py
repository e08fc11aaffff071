"""Demo rounds of the estate (巡查记录): two or three rounds a day over the last two weeks by the
area managers and the desk, most findings handled within a day or two, a few still open."""
from __future__ import annotations

import datetime as dt

PLACES = ("5号楼大堂", "地下车库B区", "中心花园", "东门岗", "12号楼电梯厅", "垃圾分类点", "儿童游乐区", "西侧围墙")
FINDINGS = (("单元门闭门器损坏，门关不严", "已报维修"), ("车库照明两盏不亮", "已通知电工"),
            ("绿化带有积水", "已通知保洁疏通"), ("消防通道停放电动车两辆", "已贴告知单，通知车主挪车"),
            ("电梯轿厢广告框松动", "已联系电梯维保"), ("垃圾桶满溢", "已通知保洁清运"),
            ("滑梯螺丝松动", "已设警示并报维修"), ("围墙外侧有小广告", "已安排清理"))
OPEN_DAYS = 2   # findings of the last days may still be open
QUIET_SHARE = 0.5   # rounds that find nothing
LATE_SHARE = 0.3    # recent findings already handled


def populate_rounds(ctx, rng, days: int, now: dt.datetime):
    from app.demo.frontdesk_shifts import clerks
    from app.frontdesk import rounds
    staff = [u.display_name for u in clerks()] or ["张管家"]
    clock, saved = ctx.clock, ctx.clock.fixed
    try:
        for back in range(days, -1, -1):
            day = now.date() - dt.timedelta(days=back)
            for hour in rng.sample((9, 11, 14, 16), rng.randint(2, 3)):
                at = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 50)))
                if at >= now:
                    continue
                clock.fixed = at
                place = rng.choice(PLACES)
                if rng.random() < QUIET_SHARE:
                    rounds.record_round(ctx, {"place": place, "found": "巡视正常，无异常", "done": True,
                                              "patrolled_by": rng.choice(staff)})
                    continue
                found, follow = rng.choice(FINDINGS)
                e = rounds.record_round(ctx, {"place": place, "found": found, "follow_up": follow,
                                              "patrolled_by": rng.choice(staff)})
                if back > OPEN_DAYS or rng.random() < LATE_SHARE:
                    clock.fixed = min(now, at + dt.timedelta(hours=rng.randint(2, 30)))
                    rounds.handle(ctx, e.id, "已处理完毕，现场复查正常")
    finally:
        clock.fixed = saved
