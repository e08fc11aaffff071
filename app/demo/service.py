"""Demo rows of the service area: about two months of requests, complaints and return visits on
the demo site's existing homes.

The history is simulated in Python with the site's rules (deadlines, visit hours, paid-service
prices) and written in bulk (``insert_many``), as the other demo modules do: the ORM costs several
milliseconds per query, so driving ~170 requests through the services one call at a time took
14 s. Grades come from app.service.complaints.detect_grade, the escalation ladder from
app.service.deadlines.run_escalations, paid services go to the ledger through
app.ledger.billing.post_charge; one audit row records the demo load.
"""
from __future__ import annotations

import datetime as dt

from models.property import Home
from models.service import ReturnVisit, ServiceEvent, ServiceRequest
from models.system import Sequence
from models.users import User

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
HANDLERS = ["维修部 张师傅", "维修部 李师傅", "维修部 王师傅"]
M = dt.timedelta(minutes=1)


def _phone(rng) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))


class _Sim:
    """One simulated request: its row, its events and its visit."""

    def __init__(self, row):
        self.row = row
        self.events = []
        self.visit = None

    def ev(self, ts, kind, note, user_id, holder=""):
        self.events.append(dict(ts=ts, kind=kind, note=note, user=user_id, level=0, holder=holder))


# chances in the simulated history
P_LETTER_PHONE = 0.5          # a letter leaves a phone number
P_RECENT_UNDISPATCHED = 0.08  # a request of the last 10 days still waits for dispatch
P_PAID_SERVICE = 0.6          # a repair with a paid-service item is charged
P_REPAIR_VISITED = 0.88
P_GROUP_COMPLAINT = 0.05      # three complainants together
P_VALID_COMPLAINT = 0.6
P_COMPLAINT_OPEN = 0.08       # an answered complaint not yet finished
P_COMPLAINT_VISITED = 0.95
P_REPAIR = 0.66               # the kinds of the day's requests: repairs, complaints, the rest
P_REPAIR_OR_COMPLAINT = 0.76
RECENT = dt.timedelta(days=3)          # recent requests are often still under way
UNDISPATCHED_WINDOW = dt.timedelta(days=10)
REPEAT_WEEKS = (6, 4, 1)               # one home complaining three times (重大); only the first is worked
WORKED_REPEAT_WEEK = REPEAT_WEEKS[0]


class _Simulation:
    """The service history of the demo site, simulated with the site's rules."""

    def __init__(self, ctx, rng, homes, staff):
        from app.service.deadlines import next_visit_slot
        from app.service.handling import PAID_SERVICES, paid_service_price
        self.ctx, self.rng, self.homes, self.staff = ctx, rng, homes, staff
        self.managers = [u for u in staff if u.role == "manager"] or staff
        self.names = {u.id: u.display_name for u in staff}
        s = ctx.settings
        self.now = ctx.clock.now()
        self.dispatch_min, self.arrival_min = s.get("request.dispatch_minutes"), s.get("request.arrival_minutes")
        self.contact_min = s.get("request.complaint_contact_minutes")
        self.visit_hours = s.get("request.return_visit_hours")
        self.next_visit_slot, self.paid_services, self.paid_service_price = (next_visit_slot, PAID_SERVICES,
                                                                             paid_service_price)
        self.sims: list[_Sim] = []

    def new(self, received, kind, home, content, channel=None, **extra):
        rng = self.rng
        channel = channel or rng.choices(["电话", "来访", "信函"], [6, 3, 1])[0]
        user = rng.choice(self.staff).id
        row = dict(channel=channel, kind=kind, home=home, caller=extra.pop("caller", rng.choice(CALLERS)),
                   phone=_phone(rng) if channel != "信函" or rng.random() < P_LETTER_PHONE else "", content=content,
                   read_back=True, received_at=received, receiver=user, status="待派工",
                   grade="一般" if kind == "投诉" else "", **extra)
        sim = _Sim(row)
        sim.ev(received, "受理", f"{channel}受理，首问责任人：{self.names[user]}", user)
        self.sims.append(sim)
        return sim

    def visit(self, sim, done, complaint=False):
        rng = self.rng
        when = self.next_visit_slot(self.ctx, done + dt.timedelta(hours=rng.choice([2, 4, 18, 20, 22, 30])))
        if when >= self.now:
            return
        weights = [5, 3, 1, 0.5, 0.3] if complaint else [6, 3, 1, 0.3, 0.1]
        score = rng.choices([5, 4, 3, 2, 1], weights)[0]
        comment = rng.choice(["", "满意", "处理及时", "希望再快一些"])
        user = rng.choice(self.staff).id
        due = done + dt.timedelta(hours=self.visit_hours)
        late = "" if when <= due else "（超过回访时限）"
        sim.visit = dict(scheduled_at=when, visited_at=when, method="电话", score=score, comment=comment, visitor=user)
        sim.ev(when, "回访", f"电话回访，评分 {score} 分{late}" + (f"：{comment}" if comment else ""), user)
        sim.ev(when, "关闭", "回访后关闭", user)
        sim.row.update(status="已关闭", closed_at=when)

    def repair(self, received):
        rng, now = self.rng, self.now
        content, item = rng.choice(REPAIRS)
        sim = self.new(received, "报修", rng.choice(self.homes), content)
        r = sim.row
        stop = rng.choice(["intake", "dispatch", "arrive", "done"]) if now - received < RECENT else ""
        disp = received + M * rng.choices([3, 6, 9, 14], [4, 4, 3, 1])[0]
        if disp >= now or stop == "intake" or (now - received < UNDISPATCHED_WINDOW
                                               and rng.random() < P_RECENT_UNDISPATCHED):
            return
        handler = rng.choice(HANDLERS)
        late = "" if disp <= received + M * self.dispatch_min else "（超过派工时限）"
        sim.ev(disp, "派工", f"派工给 {handler}{late}", r["receiver"], handler)
        r.update(handler=handler, dispatched_at=disp, status="已派工")
        arr = disp + M * rng.choices([8, 15, 19, 26], [3, 4, 3, 1])[0]
        if arr >= now or stop == "dispatch":
            return
        late = "" if arr <= disp + M * self.arrival_min else "（超过到场时限）"
        sim.ev(arr, "到场", f"{handler} 到场{late}", r["receiver"], handler)
        r.update(arrived_at=arr, status="处理中")
        done = arr + M * rng.randint(20, 240)
        if done >= now or stop == "arrive":
            return
        self.finish_repair(sim, done, item)
        if rng.random() < P_REPAIR_VISITED and stop != "done":
            self.visit(sim, done)

    def finish_repair(self, sim, done, item):
        from app.core.money import fmt_fen
        r = sim.row
        note = "处理完成：已处理完毕，业主确认"
        r.update(completed_at=done, status="已完成", result="已处理完毕，业主确认", owner_signed=True,
                 signer_name=r["caller"])
        if item and self.rng.random() < P_PAID_SERVICE:
            amount = self.paid_service_price(self.ctx, item)
            label = self.paid_services[item]
            r.update(service_item=item, charge_fen=amount, charge_memo=label)
            note += f"；有偿服务 {label} {fmt_fen(amount)} 元"
        sim.ev(done, "完成", note, r["receiver"])

    def complaint(self, received, topic=None, home=None, channel=None, caller=None, work=True):
        rng, now = self.rng, self.now
        cls, subject, content = topic or rng.choice(COMPLAINTS)
        extra = {"caller": caller} if caller else {}
        sim = self.new(received, "投诉", home or rng.choice(self.homes), content, channel=channel,
                       complaint_class=cls, subject=subject,
                       group_size=3 if rng.random() < P_GROUP_COMPLAINT else 1, **extra)
        r = sim.row
        contact = received + M * rng.choices([10, 20, 28, 45], [4, 4, 2, 1])[0]
        if contact >= now or not work:
            return sim
        late = "" if contact <= received + M * self.contact_min else "（超过联系时限）"
        sim.ev(contact, "联系", "已电话联系投诉人，了解情况" + late, r["receiver"])
        r.update(contacted_at=contact, status="处理中")
        reply = contact + (dt.timedelta(hours=rng.randint(1, 6)) if r["channel"] != "信函" else dt.timedelta(days=1))
        if reply >= now:
            return sim
        text = "已安排相关部门处理，并向业主说明处理进度"
        sim.ev(reply, "回复", f"{'书面' if r['channel'] == '信函' else '口头'}答复：{text}", r["receiver"])
        r.update(replied_at=reply, reply=text)
        valid = rng.random() < P_VALID_COMPLAINT
        note = "" if valid else "经核实不属于物业服务范围，已向业主耐心解释"
        sim.ev(reply, "定性", ("有效投诉" if valid else "无效投诉") + (f"：{note}" if note else ""),
               rng.choice(self.managers).id)
        r.update(valid=valid, validity_note=note, classified_at=reply)
        done = reply + dt.timedelta(hours=rng.randint(2, 72))
        if done >= now or rng.random() < P_COMPLAINT_OPEN:
            return sim
        sim.ev(done, "完成", "处理完成：问题已解决，业主认可", r["receiver"])
        r.update(completed_at=done, status="已完成", result="问题已解决，业主认可")
        if rng.random() < P_COMPLAINT_VISITED:
            self.visit(sim, done, complaint=True)
        return sim

    def other(self, received):
        kind, content = self.rng.choice(OTHERS)
        sim = self.new(received, kind, self.rng.choice(self.homes), content)
        done = received + M * self.rng.randint(5, 90)
        if done < self.now:
            result = "已答复业主" if kind == "咨询" else "已记录并转相关部门"
            sim.ev(done, "完成", f"处理完成：{result}", sim.row["receiver"])
            sim.row.update(completed_at=done, status="已完成", result=result)

    def days(self, days, per_day):
        rng, now = self.rng, self.now
        start_day = now.date() - dt.timedelta(days=days)
        for offset in range(days + 1):
            day = start_day + dt.timedelta(days=offset)
            for _ in range(rng.randint(*per_day)):
                received = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randrange(60)))
                if received >= now - dt.timedelta(minutes=5):
                    continue
                roll = rng.random()
                if roll < P_REPAIR:
                    self.repair(received)
                elif roll < P_REPAIR_OR_COMPLAINT:
                    self.complaint(received)
                else:
                    self.other(received)

    def hot_and_major(self):
        """A hot topic (three homes one week ago) and one home complaining three times (重大)."""
        rng, now = self.rng, self.now
        base = dt.datetime.combine(now.date() - dt.timedelta(days=7), dt.time(9, 30))
        for i, home in enumerate(rng.sample(self.homes, min(3, len(self.homes)))):
            self.complaint(base + dt.timedelta(hours=i), COMPLAINTS[4], home, "电话")
        home = rng.choice(self.homes)
        for weeks in REPEAT_WEEKS:
            when = dt.datetime.combine(now.date() - dt.timedelta(weeks=weeks), dt.time(15, 10))
            self.complaint(when, COMPLAINTS[6], home, "来访", "郑先生", work=weeks == WORKED_REPEAT_WEEK)


def populate(ctx, rng, days: int = 60, per_day: tuple[int, int] = (1, 4)) -> int:
    """Add about *days* days of service history up to now. Returns the number of requests."""
    homes = [h.id for h in Home.select(Home.id).where(Home.state.in_(["已入住", "出租", "装修中", "空置"]))]
    homes = homes or [h.id for h in Home.select(Home.id)]
    staff = list(User.select().where((User.active == True)  # noqa: E712 - a peewee expression
                                     & User.role.in_(["frontdesk", "area_manager", "manager"])))
    if not homes or not staff:
        return 0
    sim = _Simulation(ctx, rng, homes, staff)
    sim.days(days, per_day)
    sim.hot_and_major()
    sims = sorted(sim.sims, key=lambda x: x.row["received_at"])
    with ctx.db.atomic():
        return _write(ctx, sims, sim.managers)


def _write(ctx, sims, managers) -> int:
    """Number the requests, insert them with their events and visits, grade, charge, escalate."""
    import dataclasses

    from app.core import audit
    from app.service.deadlines import run_escalations
    by_year: dict[int, list[_Sim]] = {}
    for sim in sims:
        by_year.setdefault(sim.row["received_at"].year, []).append(sim)
    for year, items in by_year.items():
        seq, _ = Sequence.get_or_create(name="service_request", year=year, defaults={"last": 0})
        first = seq.last + 1
        Sequence.update(last=Sequence.last + len(items)).where(Sequence.id == seq.id).execute()
        for i, sim in enumerate(items):
            sim.row["number"] = f"FW{year}-{first + i:06d}"
    ids = _insert_returning_ids(ServiceRequest, [sim.row for sim in sims])
    events, visits = [], []
    for rid, sim in zip(ids, sims, strict=True):
        events.extend(dict(e, request=rid) for e in sim.events)
        if sim.visit:
            visits.append(dict(sim.visit, request=rid))
    _batched(ServiceEvent, events)
    _batched(ReturnVisit, visits)
    _grade_complaints(ctx, ids)
    _post_charges(ctx, ids)
    audit.record(ctx, "demo.service", "service_request", "", None,
                 {"requests": len(ids), "events": len(events), "visits": len(visits)})
    run_escalations(ctx if getattr(ctx, "user", None) else dataclasses.replace(ctx, user=managers[0]))
    return len(ids)


def _batched(model, rows, size=200):
    """insert_many with every row carrying every column (peewee takes the columns of the first row)."""
    fields = [f for f in model._meta.sorted_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        d = f.default
        defaults[f.name] = d() if callable(d) else d
    full = [{f.name: row.get(f.name, defaults[f.name]) for f in fields} for row in rows]
    for i in range(0, len(full), size):
        model.insert_many(full[i:i + size]).execute()


def _insert_returning_ids(model, rows) -> list[int]:
    last = model.select(model.id).order_by(model.id.desc()).scalar() or 0
    _batched(model, rows)
    ids = [r[0] for r in model.select(model.id).where(model.id > last).order_by(model.id).tuples()]
    if len(ids) != len(rows):
        raise RuntimeError(f"{model.__name__}: inserted {len(rows)} rows, found {len(ids)}")
    return ids


def _grade_complaints(ctx, ids):
    from app.service.complaints import detect_grade
    for c in ServiceRequest.select().where(ServiceRequest.id.in_(ids) & (ServiceRequest.kind == "投诉")):
        grade, reason = detect_grade(ctx, c)
        if grade != "一般":
            ServiceRequest.update(grade=grade, grade_reason=reason).where(ServiceRequest.id == c.id).execute()
            ServiceEvent.create(request=c.id, ts=c.received_at, kind="定级", note=f"自动定为{grade}投诉：{reason}")


def _post_charges(ctx, ids):
    from app.ledger import billing
    for r in ServiceRequest.select().where(ServiceRequest.id.in_(ids) & (ServiceRequest.charge_fen > 0)):
        charge = billing.post_charge(ctx, r.home_id, f"service_{r.service_item}", r.charge_fen,
                                     memo=f"{r.charge_memo}（{r.number}）", source="service", source_id=r.id)
        ServiceRequest.update(charge_id=charge.id).where(ServiceRequest.id == r.id).execute()
