"""The demo's dunning calendar (催缴, domain.md §7) for one month, through the services: the
area managers phone the homes in arrears between the phone days, the second notices go up on
their first day and the third notices (with the late fee) on theirs; in the current month some
of the homes called come to the desk and pay what they owe. Nothing happens after the demo's
clock."""
from __future__ import annotations

import datetime as dt

from app.demo.base import at

CALLS_PER_MONTH = 60    # homes the area managers phone in a month (largest arrears first)
OUTCOMES = (("承诺缴费", 0.4), ("无人接听", 0.3), ("拒缴", 0.1), ("有投诉", 0.05), ("其他", 0.15))
NOTES = {"承诺缴费": "业主称近日到前台缴纳", "拒缴": "业主对维修进度不满", "有投诉": "反映楼道照明不亮",
         "其他": "业主在外地，月底回来后缴纳", "无人接听": ""}
PAY_AFTER_DAYS = (1, 5)  # a home that promised pays this many days after the call


def _outcome(rng) -> str:
    x = rng.random()
    for outcome, share in OUTCOMES:
        if x < share:
            return outcome
        x -= share
    return OUTCOMES[-1][0]


def _when(rng, day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """A moment of office hours on *day* (09:00–17:00), None when that is after *now*."""
    opens = dt.datetime.combine(day, dt.time(8, 30))
    when = opens + dt.timedelta(minutes=30 + rng.randrange(8 * 60))
    if when > now:   # today: some time between the office's opening and now
        when = opens + (now - opens) / 2
    return when.replace(microsecond=0) if opens <= when <= now else None


def _managers(home_ids) -> dict:
    """home id → its building's area manager (the User), for the homes that have one."""
    from models.property import Building, Home
    from models.users import User
    pairs = (Home.select(Home.id, Building.area_manager).join(Building, on=(Home.building == Building.id))
             .where(Home.id.in_(home_ids) & Building.area_manager.is_null(False)).tuples())
    users = {u.id: u for u in User.select()}
    return {hid: users[uid] for hid, uid in pairs}


def run_month(ctx, rng, start: dt.date, *, calls: bool, pays: bool = False) -> None:
    """The calendar of the month beginning *start*, up to the demo's clock; ``ctx`` acts as the
    cashier (the notices, the payments), the calls are made by each building's area manager."""
    from app.ledger import dunning, payments
    from app.ledger.arrears import home_arrears, home_open_items
    now = ctx.clock.now()
    s = ctx.settings
    events: list[tuple[dt.datetime, int, tuple]] = []
    for n, (stage, key) in enumerate(((dunning.STAGE_SECOND, "dunning.second_from_day"),
                                      (dunning.STAGE_THIRD, "dunning.third_from_day"))):
        when = dt.datetime.combine(start.replace(day=int(s.get(key))), dt.time(10, 0))
        if when <= now:
            events.append((when, n, ("notice", stage)))
    first_call = start.replace(day=int(s.get("dunning.phone_from_day")))
    last_call = start.replace(day=int(s.get("dunning.phone_to_day")))
    if calls and dt.datetime.combine(first_call, dt.time(9, 0)) <= now:
        owing = home_arrears(ctx, first_call)[:CALLS_PER_MONTH]
        managers = _managers([h.home_id for h in owing])
        for h in owing:
            day = first_call + dt.timedelta(days=rng.randint(0, (last_call - first_call).days))
            when = _when(rng, day, now)
            if when is None:
                continue
            outcome = _outcome(rng)
            events.append((when, 2, ("call", h.home_id, outcome, managers.get(h.home_id))))
            if pays and outcome == "承诺缴费":
                paid = _when(rng, day + dt.timedelta(days=rng.randint(*PAY_AFTER_DAYS)), now)
                if paid is not None:
                    events.append((paid, 3, ("pay", h.home_id)))
    for when, _n, event in sorted(events, key=lambda e: (e[0], e[1])):
        if event[0] == "notice":
            dunning.notices(at(ctx, when), when.date(), event[1])
        elif event[0] == "call":
            _kind, hid, outcome, manager = event
            dunning.log_phone(at(ctx, when, manager), hid, outcome, NOTES[outcome])
        else:
            hid = event[1]
            owed = [c.id for c in home_open_items(ctx, hid, when.date())]
            if owed:
                method = rng.choice(("cash", "card", "transfer"))
                ref = f"{when:%Y%m%d}{rng.randrange(10 ** 8):08d}" if method == "transfer" else ""
                payments.pay(at(ctx, when), hid, owed, method, payments.primary_owner_name(hid) or "业主", ref)
