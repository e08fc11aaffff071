"""Demo rows of the front-desk registers: two weeks of parcels (most collected within a day or
two, a few refused, some still waiting and a few beyond the free period), visitors (all gone but
today's), goods-out passes (used at the gate, one cancelled, one expired, today's open), the
shift log (app.demo.frontdesk_shifts), the letting ledger (app.demo.frontdesk_letting) and the rounds
(app.demo.frontdesk_rounds)."""
from __future__ import annotations

import datetime as dt

DAYS = 14
OPEN_HOUR, CLOSE_HOUR = 8, 21   # the desk takes parcels in and hands them out
MIN_HOMES = 10
REFUSED_SHARE = 0.04        # parcels refused at the counter (fragile or valuable)
PHONE_CONSENT_SHARE = 0.5   # passes the owner agreed to by phone
UNCOLLECTED_SHARE = 0.05    # parcels of owners away: still on the shelf, their fee running
CLERKS = ("李静", "周艳")
SHELVES = ("货架A-1", "货架A-2", "货架A-3", "货架B-1", "货架B-2", "地柜C")
CARRIERS = (("顺丰", "SF"), ("中通", "ZT"), ("圆通", "YT"), ("韵达", "YD"), ("京东", "JD"), ("邮政EMS", "EM"),
            ("极兔", "JT"))
VISITOR_NAMES = ("陈明", "周建华", "吴丽", "郑强", "孙悦", "冯涛", "何静", "高磊", "罗敏", "梁伟", "宋洁", "韩冰")
REASONS = ("探亲访友", "探亲访友", "探亲访友", "送货", "维修", "家政", "中介看房", "装修")
GOODS = (("旧沙发", "件"), ("纸箱", "个"), ("电视机", "台"), ("冰箱", "台"), ("衣柜", "个"), ("床垫", "张"),
         ("自行车", "辆"), ("装修剩余瓷砖", "箱"))
MOVERS = ("张师傅", "李师傅", "蚂蚁搬家 王师傅", "货拉拉 赵师傅")
EXPIRED_DAY, CANCELLED_DAY = 3, 8   # days back: the first pass of that day expires unused / is cancelled
PLATES = ("豫A12345", "豫A8K316", "豫AD52210", "豫K33107", "")


# (category, organisation, responsible person, phone, second phone, address)
CONTACTS = [
    ("供水", "市供水公司开元营业所", "", "0371-67021120", "", "开元路21号"),
    ("供电", "国网供电公司（报修）", "", "95598", "0371-67035566", ""),
    ("燃气", "市燃气公司东区服务站", "牛站长", "0371-67046688", "13903516688", "建设北路118号"),
    ("有线电视", "广电网络开元营业厅", "", "0371-67052233", "", "开元路35号"),
    ("电信网络", "中国电信开元营业厅（宽带报修）", "", "10000", "", "开元路40号"),
    ("派出所", "开元路派出所", "李警官（社区民警）", "0371-67061110", "110", "开元路88号"),
    ("学校", "开元路小学", "教务处", "0371-67073321", "", "开元路56号"),
    ("学校", "第二十三中学", "招生办", "0371-67074455", "", "建设北路9号"),
    ("医院", "市第三人民医院", "急诊", "120", "0371-67088120", "建设北路200号"),
    ("开锁", "平安开锁（公安备案）", "赵师傅", "13903519999", "", ""),
    ("搬家", "蚂蚁搬家", "王师傅", "13834567890", "", ""),
    ("搬家", "货拉拉", "", "4006560056", "", ""),
    ("邮局", "开元路邮政支局", "", "0371-67091185", "", "开元路12号"),
    ("建设单位", "天伦房地产开发有限公司", "陈经理", "0371-67101001", "13513510001", ""),
    ("施工单位", "山西建工第三建筑公司", "刘工（项目经理）", "13703510002", "", ""),
    ("监理单位", "华正工程监理公司", "孙工（总监）", "13603510003", "", ""),
    ("电梯维保", "奥的斯电梯维保站（13部电梯）", "郭师傅", "13803510001", "4008870000", ""),
    ("监控智能化", "安信智能系统公司（监控、门禁、对讲）", "周工", "13903510004", "", ""),
]


def populate(ctx, rng):
    with ctx.db.atomic():
        _populate(ctx, rng)


def _homes():
    from models.property import Home
    return list(Home.select(Home.id, Home.room_code).where(Home.state.in_(("已入住", "出租", "装修中")))
                .order_by(Home.id))


def _populate(ctx, rng):
    from app.demo.keys import acting_manager
    from models.frontdesk import Parcel
    ctx = acting_manager(ctx)
    homes = _homes()
    if Parcel.select().exists() or len(homes) < MIN_HOMES:
        return
    clock = ctx.clock
    saved = clock.fixed
    now = clock.now()
    today = now.date()
    events = []
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        events += _parcel_day(rng, homes, day, now)
        events += _visitor_day(rng, homes, day, now)
        events += _pass_day(rng, homes, day, now, back)
    from app.demo.frontdesk_shifts import shift_events
    events += shift_events(ctx, rng, homes, DAYS, now)
    events.sort(key=lambda e: e[0])   # pick-ups, departures and the gate after their check-in
    from app.frontdesk import contacts
    for category, name, person, phone, phone2, address in CONTACTS:
        contacts.add_contact(ctx, {"category": category, "name": name, "person": person, "phone": phone,
                                   "phone2": phone2, "address": address})
    made: dict = {}   # what a later event acts on, by the key its first event gave it
    try:
        for when, fn, args in events:
            clock.fixed = when
            fn(ctx, made, *args)
    finally:
        clock.fixed = saved
    from app.demo.frontdesk_letting import populate_letting
    populate_letting(ctx, rng, homes, now)
    from app.demo.frontdesk_rounds import populate_rounds
    populate_rounds(ctx, rng, DAYS, now)


def _at(day, hour, minute):
    return dt.datetime.combine(day, dt.time(hour, minute))


def _parcel_day(rng, homes, day, now):
    out = []
    for _ in range(rng.randint(2, 5)):
        when = _at(day, rng.randint(9, 17), rng.randint(0, 59))
        if when >= now:
            continue
        home = rng.choice(homes)
        carrier, prefix = rng.choice(CARRIERS)
        tracking = f"{prefix}{rng.randint(10**11, 10**12)}"
        data = {"room_code": home.room_code, "carrier": carrier, "tracking_no": tracking,
                "size": rng.choice(("小件", "小件", "中件", "大件")), "place": rng.choice(SHELVES),
                "received_by": rng.choice(CLERKS)}
        if rng.random() < REFUSED_SHARE:
            data["refuse_reasons"] = [rng.choice(("易碎物品", "贵重物品"))]
        out.append((when, _check_in, (data,)))
        later = _desk_hours(when + dt.timedelta(hours=rng.choice((2, 5, 8, 20, 23, 30, 40, 60))), rng)
        if later < now and not data.get("refuse_reasons") and rng.random() >= UNCOLLECTED_SHARE:
            out.append((later, _pick_up, (data["tracking_no"],)))
    return out


def _desk_hours(when: dt.datetime, rng) -> dt.datetime:
    """*when*, or the next morning when the desk is closed (before 8:00, from 21:00)."""
    if OPEN_HOUR <= when.hour < CLOSE_HOUR:
        return when
    day = when.date() + dt.timedelta(days=1 if when.hour >= CLOSE_HOUR else 0)
    return _at(day, OPEN_HOUR + rng.randint(0, 2), rng.randint(0, 59))


def _check_in(ctx, made, data):
    from app.frontdesk import parcels
    from models.property import Home
    owner = _owner_name(Home.get(Home.room_code == data["room_code"]).id)
    made[data["tracking_no"]] = parcels.check_in(ctx, dict(data, recipient=owner or ""))


def _pick_up(ctx, made, key):
    from app.frontdesk import parcels
    p = made[key]
    parcels.pick_up(ctx, p.id, {"collector_name": _collector(p), "collector_signed": True})


def _owner_name(home_id) -> str:
    from models.people import HomeOwner, Owner
    row = Owner.select(Owner.name).join(HomeOwner).where(HomeOwner.home == home_id).tuples().first()
    return row[0] if row else ""


def _collector(p):
    return p.recipient or _owner_name(p.home_id) or "业主家属"


def _visitor_day(rng, homes, day, now):
    from app.core.validation import id_check_char
    out = []
    times = [_at(day, rng.randint(8, 19), rng.randint(0, 59)) for _ in range(rng.randint(2, 4))]
    if day == now.date():   # this morning's visitors, still inside
        times += [now - dt.timedelta(minutes=rng.randint(10, 55)) for _ in range(3)]
    for when in times:
        if when >= now:
            continue
        home = rng.choice(homes)
        id17 = f"4101{rng.randint(10, 99)}19{rng.randint(60, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
               f"{rng.randint(100, 999)}"
        data = {"name": rng.choice(VISITOR_NAMES), "id_type": "身份证", "id_number": id17 + id_check_char(id17),
                "phone": f"13{rng.randint(5, 9)}{rng.randint(10**7, 10**8 - 1)}",
                "room_code": home.room_code, "reason": rng.choice(REASONS), "companions": rng.choice((0, 0, 0, 1, 2)),
                "plate": rng.choice(PLATES)}
        key = ("visit", when, data["id_number"])
        out.append((when, _visit, (data, key)))
        left = when + dt.timedelta(minutes=rng.randint(20, 240))
        if left < now:
            out.append((left, _leave, (key,)))
    return out


def _visit(ctx, made, data, key):
    from app.frontdesk import visitors
    made[key] = visitors.register_visit(ctx, data)


def _leave(ctx, made, key):
    from app.frontdesk import visitors
    visitors.sign_out(ctx, made[key].id)


def _pass_day(rng, homes, day, now, back):
    out = []
    count = rng.choice((0, 1, 1, 2))
    if back in (EXPIRED_DAY, CANCELLED_DAY):
        count = max(count, 1)
    times = [_at(day, rng.randint(9, 16), rng.randint(0, 59)) for _ in range(count)]
    if back == 0:           # issued this morning, the movers not at the gate yet
        times.append(now - dt.timedelta(minutes=rng.randint(5, 60)))
    for i, when in enumerate(times):
        if when >= now:
            continue
        home = rng.choice(homes)
        items = "\n".join(f"{name}×{rng.randint(1, 4)}{unit}" for name, unit in rng.sample(GOODS, rng.randint(1, 3)))
        phone = rng.random() < PHONE_CONSENT_SHARE
        data = {"room_code": home.room_code, "consent": "电话确认" if phone else "业主本人到场",
                "consent_by": "业主", "consent_phone": f"139{rng.randint(10**7, 10**8 - 1)}" if phone else "",
                "items": items, "carrier": rng.choice(MOVERS), "plate": rng.choice(PLATES), "valid_date": day}
        key = ("pass", when, i)
        out.append((when, _issue, (data, key)))
        if back == EXPIRED_DAY and i == 0:
            continue                                  # never came to the gate: expired
        later = when + dt.timedelta(minutes=rng.randint(30, 180))
        if back == CANCELLED_DAY and i == 0:
            out.append((later, _cancel, (key,)))
        elif later < now:
            out.append((later, _use, (key,)))
    return out


def _use(ctx, made, key):
    from app.frontdesk import passes
    passes.use_pass(ctx, made[key].id, "门岗")


def _cancel(ctx, made, key):
    from app.frontdesk import passes
    passes.cancel_pass(ctx, made[key].id, "业主改期搬运")


def _issue(ctx, made, data, key):
    from app.frontdesk import passes
    from models.property import Home
    data = dict(data, consent_by=_owner_name(Home.get(Home.room_code == data["room_code"]).id) or "业主")
    made[key] = passes.issue_pass(ctx, data)
