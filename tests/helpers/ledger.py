"""Small realistic site for the ledger tests: one cluster, two buildings, homes of each type."""
from __future__ import annotations

import datetime as dt

from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home, ParkingSpace


def make_site(ctx, users=None):
    am = (users or {}).get("area_manager")
    c = Cluster.create(code="A", name="罗马假日", sort_order=1)
    b5 = Building.create(cluster=c, code="5", name="5号楼", floors=6, area_manager=am)
    b6 = Building.create(cluster=c, code="6", name="6号楼", floors=3)
    e5 = Entrance.create(building=b5, code="1")
    e6 = Entrance.create(building=b6, code="1")
    homes = {}
    spec = [("5-101", e5, b5, 10000, "洋房", "已入住"), ("5-102", e5, b5, 12345, "洋房", "已入住"),
            ("5-201", e5, b5, 15000, "叠加", "空置"), ("6-101", e6, b6, 20000, "联排", "装修中"),
            ("6-102", e6, b6, 8000, "商铺", "出租"), ("6-201", e6, b6, 9000, "洋房", "未交付")]
    for i, (room, e, b, area, ht, state) in enumerate(spec):
        h = Home.create(entrance=e, building=b, cluster=c, room_code=room, floor=int(room.split("-")[1][0]),
                        area_x100=area, house_type=ht, state=state,
                        handover_date=None if state == "未交付" else dt.date(2026, 1, 10))
        o = Owner.create(name=f"业主{i + 1}", phone=f"1381234{i:04d}")
        HomeOwner.create(home=h, owner=o, is_primary=True)
        homes[room] = h
    ParkingSpace.create(code="D-001", level="地下", home=homes["5-101"], state="已售")
    ParkingSpace.create(code="U-001", level="地上", home=homes["5-102"], state="已租")
    return homes
