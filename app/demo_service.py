"""Demo rows of the service area: about two months of requests, complaints and return visits on
the demo site's existing homes, made through the real services with a clock set back in time."""
from __future__ import annotations

import dataclasses
import datetime as dt

from models.property import Home
from models.users import User

from .clock import Clock

REPAIRS = [
    ("厨房水龙头滴水", "tap"), ("卫生间下水道堵塞", "drain"), ("客厅吊灯不亮，需更换安装", "lamp"),
    ("空气开关频繁跳闸", "breaker"), ("面盆下水漏水", "basin_drain"), ("入户门锁芯松动", ""),
    ("阳台地漏返味", ""), ("楼道声控灯不亮", ""), ("可视对讲无法开门", ""), ("外墙渗水到卧室", ""),
    ("暖气片不热", ""), ("地下车库顶棚滴水", ""), ("单元门闭门器损坏", ""),
]
COMPLAINTS = [
    ("环境", "垃圾清运不及时", "楼下垃圾桶满溢，气味很大"),
    ("环境", "宠物粪便", "草坪上狗粪无人清理"),
    ("安全", "夜间噪音", "楼上装修夜间施工噪音"),
    ("安全", "外来人员", "陌生人随意进入单元"),
    ("工程", "电梯故障", "电梯经常停运，老人上下楼困难"),
    ("综合服务", "服务态度", "前台接待态度冷淡"),
    ("业户纠纷", "占用车位", "邻居长期占用本户车位"),
    ("开发相关", "房屋质量", "墙面开裂，开发商未处理"),
    ("其它", "快递存放", "快递放在门口丢失"),
]
OTHERS = [("建议", "建议在小区增设儿童游乐设施"), ("建议", "希望延长游泳池开放时间"),
          ("咨询", "咨询物业费缴纳方式"), ("咨询", "咨询装修申请所需材料"), ("咨询", "咨询停车月卡办理")]
CALLERS = ["刘女士", "王先生", "张阿姨", "李先生", "陈女士", "赵先生", "孙女士", "周先生", "吴女士", "郑先生"]
HANDLERS = ["维修部 张师傅", "维修部 李师傅", "维修部 王师傅", "保洁部 周主管", "秩序部 吴队长"]


def _phone(rng) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))


def populate(ctx, rng, days: int = 60, per_day: tuple[int, int] = (1, 4)):
    from . import complaints as cp
    from . import service_requests as sr
    homes = [h.id for h in Home.select(Home.id).where(Home.state.in_(["已入住", "出租", "装修中", "空置"]))]
    if not homes:
        homes = [h.id for h in Home.select(Home.id)]
    staff = list(User.select().where((User.active == True)  # noqa: E712
                                     & User.role.in_(["frontdesk", "area_manager", "manager"])))
    if not homes or not staff:
        return 0
    managers = [u for u in staff if u.role == "manager"] or staff
    real_now = ctx.clock.now()
    start_day = real_now.date() - dt.timedelta(days=days)
    made = 0

    def at(when, user=None):
        return dataclasses.replace(ctx, clock=Clock(when), user=user or rng.choice(staff))

    def visit_time(done: dt.datetime) -> dt.datetime:
        t = done + dt.timedelta(hours=rng.choice([2, 4, 18, 20, 22, 30]))
        return sr.next_visit_slot(ctx, t)

    with ctx.db.atomic():
        for offset in range(days + 1):
            day = start_day + dt.timedelta(days=offset)
            for _ in range(rng.randint(*per_day)):
                received = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randrange(60)))
                if received >= real_now:
                    continue
                roll = rng.random()
                home = rng.choice(homes)
                kw = dict(channel=rng.choices(["电话", "来访", "信函"], [6, 3, 1])[0], home_id=home,
                          caller=rng.choice(CALLERS), read_back=True)
                kw["phone"] = _phone(rng) if kw["channel"] != "信函" or rng.random() < 0.5 else ""
                if roll < 0.66:
                    content, item = rng.choice(REPAIRS)
                    r = sr.intake(at(received), kind="报修", content=content, **kw)
                    _work_repair(at, sr, r, item, received, real_now, rng, visit_time)
                elif roll < 0.76:
                    cls, subject, content = rng.choice(COMPLAINTS)
                    r = sr.intake(at(received), kind="投诉", complaint_class=cls, subject=subject, content=content,
                                  group_size=3 if rng.random() < 0.05 else 1, **kw)
                    _work_complaint(at, sr, cp, r, received, real_now, rng, visit_time, managers)
                else:
                    kind, content = rng.choice(OTHERS)
                    r = sr.intake(at(received), kind=kind, content=content, **kw)
                    done = received + dt.timedelta(minutes=rng.randint(5, 90))
                    if done < real_now:
                        sr.complete(at(done), r.id, result="已答复业主" if kind == "咨询" else "已记录并转相关部门")
                made += 1
        # a hot topic (three homes, one week ago) and a repeated complaint from one home (重大)
        cls, subject, content = COMPLAINTS[4]
        base = dt.datetime.combine(real_now.date() - dt.timedelta(days=7), dt.time(9, 30))
        for i, home in enumerate(rng.sample(homes, min(3, len(homes)))):
            r = sr.intake(at(base + dt.timedelta(hours=i)), kind="投诉", channel="电话", home_id=home,
                          caller=rng.choice(CALLERS), phone=_phone(rng), read_back=True,
                          complaint_class=cls, subject=subject, content=content)
            cp.record_contact(at(base + dt.timedelta(hours=i, minutes=15)), r.id, "已联系，电梯维保单位已到场")
            made += 1
        cls, subject, content = COMPLAINTS[6]
        home = rng.choice(homes)
        for weeks in (6, 4, 1):
            when = dt.datetime.combine(real_now.date() - dt.timedelta(weeks=weeks), dt.time(15, 10))
            r = sr.intake(at(when), kind="投诉", channel="来访", home_id=home, caller="郑先生", phone=_phone(rng),
                          read_back=True, complaint_class=cls, subject=subject, content=content)
            made += 1
        sr.run_escalations(dataclasses.replace(ctx, user=ctx.user or managers[0]))
    return made


def _work_repair(at, sr, r, item, received, now, rng, visit_time):
    disp = received + dt.timedelta(minutes=rng.choices([3, 6, 9, 14], [4, 4, 3, 1])[0])
    if disp >= now or (now - received < dt.timedelta(days=10) and rng.random() < 0.08):
        return  # still waiting: shows in the open list and climbs the ladder
    sr.dispatch(at(disp), r.id, rng.choice(HANDLERS[:3]))
    arr = disp + dt.timedelta(minutes=rng.choices([8, 15, 19, 26], [3, 4, 3, 1])[0])
    if arr >= now:
        return
    sr.arrive(at(arr), r.id)
    done = arr + dt.timedelta(minutes=rng.randint(20, 240))
    if done >= now:
        return
    paid = item and rng.random() < 0.6
    sr.complete(at(done), r.id, result="已处理完毕，业主确认", owner_signed=True, signer_name=r.caller,
                service_item=item if paid else "")
    if rng.random() < 0.88:
        v = visit_time(done)
        if v < now:
            sr.record_visit(at(v), r.id, rng.choices([5, 4, 3, 2], [6, 3, 1, 0.3])[0],
                            rng.choice(["", "满意", "师傅很专业", "希望再快一些"]))


def _work_complaint(at, sr, cp, r, received, now, rng, visit_time, managers):
    contact = received + dt.timedelta(minutes=rng.choices([10, 20, 28, 45], [4, 4, 2, 1])[0])
    if contact >= now:
        return
    cp.record_contact(at(contact), r.id, "已电话联系投诉人，了解情况")
    reply = contact + (dt.timedelta(hours=rng.randint(1, 6)) if r.channel != "信函" else dt.timedelta(days=1))
    if reply >= now:
        return
    cp.record_reply(at(reply), r.id, "已安排相关部门处理，并向业主说明处理进度")
    valid = rng.random() < 0.7
    cp.classify(at(reply, rng.choice(managers)), r.id, valid,
                "" if valid else "经核实不属于物业服务范围，已向业主耐心解释")
    done = reply + dt.timedelta(hours=rng.randint(2, 72))
    if done >= now or rng.random() < 0.08:
        return
    sr.complete(at(done), r.id, result="问题已解决，业主认可")
    v = visit_time(done)
    if v < now and rng.random() < 0.95:
        sr.record_visit(at(v), r.id, rng.choices([5, 4, 3, 2, 1], [5, 3, 1, 0.5, 0.3])[0])
