"""Demo rows of the notice board: a few weeks of notices of every grade drafted from the shipped
templates and taken through the services at their own dates — some taken down, some on the board,
one due down today, one expired and never taken down, and one each waiting for approval, printing
and posting."""
from __future__ import annotations

import dataclasses
import datetime as dt

# (days before today it was drafted, template, days posted, where it got to, reason)
PLAN = [
    (24, "water_cut", 2, "已撤下", "市政供水管网抢修"),
    (17, "lift_service", 2, "已撤下", "电梯季度保养"),
    (12, "fire_check", 6, "已张贴", ""),                 # expired five days ago, never taken down
    (10, "dry_weather", 14, "已张贴", ""),
    (4, "dues_notice", 7, "已张贴", ""),
    (2, "power_cut", 2, "已张贴", "变电站设备检修"),       # due down today
    (1, "renovation_noise", 7, "已打印", ""),
    (0, "water_cut", 1, "已审批", "二次供水水箱清洗"),
    (0, "spring_festival", 14, "草稿", ""),
]
URGENT = ("燃气泄漏紧急通知", "尊敬的业主/住户：\n今日上午{楼栋}地下管道发现燃气泄漏，燃气公司正在抢修，请各位业主：\n"
          "- 立即关闭家中燃气阀门，不要开关电器；\n- 打开门窗通风，不要使用明火；\n"
          "- 听从现场工作人员指挥，抢修完成后将另行通知。\n紧急联系电话：{客服电话}。")


def populate(ctx, rng):
    from app.core.clock import Clock
    from app.demo.keys import acting_manager
    from models.notices import Notice
    from models.property import Building
    if Notice.select().exists():
        return
    ctx = acting_manager(ctx)
    codes = [b.code for b in Building.select().order_by(Building.sort_order, Building.id)]
    today = ctx.clock.today()
    for back, template, days, state, reason in PLAN:
        when = dt.datetime.combine(today - dt.timedelta(days=back), dt.time(9, 10 + back))
        c = dataclasses.replace(ctx, clock=Clock(when))
        picked = sorted(rng.sample(codes, k=min(len(codes), rng.randint(1, 3))), key=codes.index) \
            if template in ("water_cut", "power_cut", "lift_service", "renovation_noise") else []
        _one(c, template, picked, days, state, reason)
    # the urgent one, straight from the desk: on the board since yesterday, for three days
    when = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10, 30))
    _one(dataclasses.replace(ctx, clock=Clock(when)), None, codes[:1], 3, "已张贴", "", urgent=True)


def _one(ctx, template, buildings, days, state, reason, urgent=False):
    from app.core.clock import Clock
    from app.notices import notices, templates
    today = ctx.clock.today()
    words = notices.scope_words(buildings)
    form = {"start_date": today + dt.timedelta(days=1), "end_date": today + dt.timedelta(days=1),
            "start_time": "8:00", "end_time": "18:00", "reason": reason}
    if urgent:
        values = templates.fill_values(ctx, form, words)
        data = {"grade": "紧急通告", "title": URGENT[0], "body": templates.fill(URGENT[1], values)}
    else:
        data = templates.draft_from_template(ctx, template, form, words)
    n = notices.create_notice(ctx, {**data, "buildings": buildings, "post_from": today,
                                    "post_to": today + dt.timedelta(days=days)})
    if state == "草稿":
        return n
    notices.approve(ctx, n.id)
    if state == "已审批":
        return n
    later = dataclasses.replace(ctx, clock=Clock(ctx.clock.now() + dt.timedelta(minutes=40)))
    notices.record_print(later, n.id, len(notices.posting_places(n)), "A4")   # the job, without rendering it
    if state == "已打印":
        return n
    notices.post(dataclasses.replace(ctx, clock=Clock(ctx.clock.now() + dt.timedelta(hours=1))), n.id)
    if state == "已撤下":
        down = dt.datetime.combine(n.post_to, dt.time(17, 30))
        notices.take_down(dataclasses.replace(ctx, clock=Clock(down)), n.id)
    return n
