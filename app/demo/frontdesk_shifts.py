"""Demo shift log (交接班记录): every shift of the front desk's last weeks handed over between the
demo's clerks, with what happened, what was handed over, the drawer counted (now and then a
miscount put right by a correction entry). Called by app.demo.frontdesk among its timed events,
so the open items are counted as they stood at each hand-over."""
from __future__ import annotations

import datetime as dt

EVENTS = ("接待业主咨询{n}人次，均已答复。", "收快递{n}件，已通知业主领取。",
          "5号楼电梯困人报警一次，维保10分钟到场解除。", "巡视大堂及信报箱，无异常。",
          "业主反映地下车库照明不亮，已报维修。", "接待看房中介两批，已登记。",
          "停水通知已张贴至各单元。", "夜间巡楼两次，无异常。", "业主来电报下水不畅，已派维修。")
PENDING = ("{room}业主要求回电", "{room}的快递业主出差，下周领取", "维修单待回访", "", "", "")
MISCOUNT_EVERY = 9          # one shift in this many counts the drawer wrong
MISCOUNT_FEN = 1000
HAND_OVER = 2               # a giver and a taker


def clerks():
    """The demo's desk staff who hand over to one another (front desk first)."""
    from models.users import User
    q = User.select().where((User.active == True) & User.role.in_(("frontdesk", "area_manager")))  # noqa: E712
    return sorted(q, key=lambda u: (u.role != "frontdesk", u.id))


def shift_events(ctx, rng, homes, days: int, now: dt.datetime) -> list:
    """(when, fn, args) of every hand-over of the last *days* days that ended before *now*."""
    from app.frontdesk.shifts import schedule
    staff = clerks()
    if len(staff) < HAND_OVER:      # nobody to hand over to
        return []
    out, turn = [], 0
    slots = schedule(ctx.settings)
    for back in range(days, -1, -1):
        day = now.date() - dt.timedelta(days=back)
        for name, start, end in slots:
            end_day = day + dt.timedelta(days=1) if end <= start else day
            when = dt.datetime.combine(end_day, end) - dt.timedelta(minutes=rng.randint(2, 9))
            if when >= now:
                continue
            giver, taker = staff[turn % len(staff)], staff[(turn + 1) % len(staff)]
            turn += 1
            room = rng.choice(homes).room_code
            data = {"shift": name, "shift_date": day, "events": rng.choice(EVENTS).format(n=rng.randint(3, 15)),
                    "pending": rng.choice(PENDING).format(room=room)}
            out.append((when, _hand_over, (giver, taker, data, turn % MISCOUNT_EVERY == 0)))
    return out


def _hand_over(ctx, _made, giver, taker, data, miscount):
    from app.core.money import fmt_fen
    from app.frontdesk import shifts
    ctx = ctx.with_user(giver)
    expected = max(0, shifts.drawer(ctx)["expected_fen"])
    counted = expected + MISCOUNT_FEN if miscount else expected
    entry = shifts.record_hand_over(ctx, shifts.shift_fields(ctx, {**data, "cash": fmt_fen(counted)}), taker)
    if miscount:
        shifts.correct(ctx.with_user(taker), entry.id, f"复点抽屉现金，实为 {fmt_fen(expected)} 元，交班时多点 10 元。",
                       cash=fmt_fen(expected))
