"""Small fixture helpers for the service-area tests: a few homes on a fresh site."""
from __future__ import annotations

import datetime as dt

from models.property import Building, Cluster, Entrance, Home


def make_homes(n: int = 5, building: str = "5") -> list[Home]:
    """n occupied 洋房 homes 5-101, 5-102 … in A组团 罗马假日."""
    cluster, _ = Cluster.get_or_create(code="A", defaults={"name": "罗马假日"})
    b, _ = Building.get_or_create(code=building, defaults={"cluster": cluster, "name": f"{building}号楼", "floors": 6})
    e, _ = Entrance.get_or_create(building=b, code="1")
    homes = []
    for i in range(n):
        code = f"{building}-{101 + i}"
        h = Home.get_or_none(Home.room_code == code) or Home.create(
            entrance=e, building=b, cluster=cluster, room_code=code, floor=1, area_x100=12345,
            house_type="洋房", state="已入住", move_in_date=dt.date(2025, 5, 1))
        homes.append(h)
    return homes


def at(ctx, *args):
    """Set the controllable clock: at(ctx, 2026, 11, 23, 9, 0)."""
    ctx.clock.set(dt.datetime(*args))
    return ctx.clock.now()


def new_request(ctx, home, kind="报修", channel="电话", **kw):
    from app.service.intake import intake
    data = dict(channel=channel, kind=kind, home_id=home.id, caller="刘女士", phone="13812345678",
                content=kw.pop("content", "厨房水龙头漏水"), read_back=True)
    if kind == "投诉":
        data.update(complaint_class=kw.pop("complaint_class", "环境"), subject=kw.pop("subject", "垃圾清运不及时"))
    data.update(kw)
    return intake(ctx, **data)
