"""Demo rows of the move-in area: a hand-over event for a cluster with homes not yet handed
over, and hand-overs at several steps (one with defects, one finished)."""
from __future__ import annotations

import datetime as dt

from app.core.validation import id_check_char
from app.movein import api as movein
from models.people import HomeOwner, Owner
from models.property import Home


def populate(ctx, rng):
    waiting = list(Home.select().where(Home.state == "未交付").order_by(Home.room_code))
    if not waiting:
        return
    cluster_id = waiting[0].cluster_id
    today = ctx.clock.today()
    ev = movein.create_event(ctx, cluster_id, "集中交房", today, today + dt.timedelta(days=2), "客户服务中心")
    from models.keys import Key, KeyLoan
    keys_out = {k for (k,) in (Key.select(Key.home).join(KeyLoan)
                               .where(KeyLoan.returned_at.is_null() & Key.home.is_null(False)).tuples())}
    homes = [h for h in waiting if h.cluster_id == cluster_id and h.id not in keys_out][:4]
    stages = ["keys", "inspection", "payment", "identity"]
    for home, upto in zip(homes, stages, strict=False):
        h = movein.start_handover(ctx, home.id, event_id=ev.id)
        owner = (Owner.select().join(HomeOwner).where(HomeOwner.home == home.id).first())
        name = owner.name if owner else rng.choice("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高") + rng.choice(
            ["建国", "秀英", "志强", "丽华", "海燕", "俊杰", "文博", "晓明", "雪梅", "子涵", "浩然", "静怡"])
        data = {"name": name, "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"}
        if not (owner and owner.id_enc):
            born = f"{rng.randint(1960, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            first17 = f"320102{born}{rng.randint(100, 999)}"
            data["id_number"] = first17 + id_check_char(first17)
        movein.do_identity(ctx, h.id, owner=data)
        if upto == "identity":
            continue
        movein.do_agreements(ctx, h.id, [c for c, _n in movein.AGREEMENTS])
        movein.do_payment(ctx, h.id, "现金", name)
        if upto == "payment":
            continue
        movein.record_defect(ctx, h.id, "卫生间", "防水", "淋浴区墙角渗水")
        if upto == "inspection":
            continue
        movein.complete_inspection(ctx, h.id, True, {"water": "8", "power": "21"})
        movein.do_keys(ctx, h.id, name, gifts="地垫一块")
