"""Small fixture helpers for the keys and loans tests: a cluster, a building and some homes."""
from __future__ import annotations

from models.property import Building, Cluster, Entrance, Home


def make_homes(states: dict[str, str]) -> dict[str, Home]:
    """Create homes {room_code: state} in one building of one cluster; returns them by room code."""
    cluster, _ = Cluster.get_or_create(code="A", defaults={"name": "罗马假日"})
    building, _ = Building.get_or_create(code="5", defaults={"cluster": cluster, "name": "5号楼"})
    entrance, _ = Entrance.get_or_create(building=building, code="1")
    out = {}
    for code, state in states.items():
        out[code] = Home.create(entrance=entrance, building=building, cluster=cluster, room_code=code,
                                floor=int(code.split("-")[-1]) // 100, area_x100=12345, house_type="洋房", state=state)
    return out


DEFAULT_HOMES = {"5-101": "未交付", "5-102": "空置", "5-201": "已入住", "5-202": "出租", "5-301": "装修中"}
