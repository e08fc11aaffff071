"""A demo site's structure: clusters, buildings, entrances and homes from the site plan, each
home's state with its hand-over and move-in dates, and the parking spaces with their holders."""
from __future__ import annotations

import datetime as dt

from app.demo.base import DAYS_PER_MONTH, batched_insert, chance, months_ago
from app.demo.specs import TIANLUN, WANXING, WANXING_COUNTS, BuildingPlan
from models.people import Owner, ParkingOwner
from models.property import Building, Cluster, Entrance, ParkingSpace

# 天伦庄园: how many homes stand in each state before the rest are moved in
TIANLUN_STATES = [("未交付", 8), ("空置", 20), ("装修中", 14), ("出租", 32)]
WANXING_LET_SHARE = 0.12      # of the moved-in homes of 万兴现代城, let to tenants
UNDERGROUND_TAKEN = 0.7       # share of the underground spaces sold or let
ABOVE_GROUND_TAKEN = 0.5
UNDERGROUND_SOLD = 0.7        # of the taken underground spaces, sold (the rest let)


def layout_tianlun() -> list[dict]:
    """Buildings of 天伦庄园 (before state/owner assignment): cluster, building code, plan, homes."""
    out = []
    bno = 0
    for ccode, cname, groups in TIANLUN["clusters"]:
        for count, plan, homes_each in groups:
            for _ in range(count):
                bno += 1
                out.append({"cluster": (ccode, cname), "building": str(bno), "plan": plan, "homes": homes_each})
    return out


def layout_wanxing() -> list[dict]:
    out = []
    for ccode, (cname, n, _r, _m) in WANXING_COUNTS.items():
        plan = WANXING["plans"][ccode]
        per_building = plan.entrances * plan.floors * plan.per_floor
        bno = 0
        left = n
        while left > 0:
            bno += 1
            take = min(per_building, left)
            out.append({"cluster": (ccode, cname), "building": f"{ccode}{bno}", "plan": plan, "homes": take})
            left -= take
    return out


def room_codes(bcode: str, plan: BuildingPlan, count: int):
    """(entrance code, floor, room code) of the first *count* homes of a building."""
    if plan.two_part:
        return [("1", 1, f"{bcode}-{101 + i}") for i in range(count)]
    out = []
    for ent in range(1, plan.entrances + 1):
        for floor in range(1, plan.floors + 1):
            for k in range(1, plan.per_floor + 1):
                fl = 2 * floor - 1 if plan.house_type == "叠加" else floor  # a duplex spans two floors: 101, 301
                out.append((str(ent), fl, f"{bcode}-{ent}-{fl}{k:02d}"))
    # fill entrances evenly: interleave so a short building still uses every entrance
    out.sort(key=lambda t: (t[1], t[0], t[2]))
    chosen = out[:count]
    chosen.sort(key=lambda t: (int(t[0]), t[1], t[2]))
    return chosen


def build_structure(layout, area_managers, rng):
    """Create clusters, buildings and entrances; return the home rows to insert and, in the same
    order, each home's facts the later steps need (cluster, building, manager, house type, room)."""
    clusters: dict[str, Cluster] = {}
    home_rows, meta = [], []
    for order, b in enumerate(layout):
        ccode, cname = b["cluster"]
        if ccode not in clusters:
            clusters[ccode] = Cluster.create(code=ccode, name=cname, sort_order=len(clusters))
        cluster = clusters[ccode]
        plan: BuildingPlan = b["plan"]
        manager = area_managers[order * len(area_managers) // len(layout)]
        building = Building.create(cluster=cluster, code=b["building"], name=f"{b['building']}号楼",
                                   floors=plan.floors * (2 if plan.house_type == "叠加" else 1),
                                   area_manager=manager, sort_order=order)
        entrances = {}
        for ent, floor, room in room_codes(b["building"], plan, b["homes"]):
            if ent not in entrances:
                entrances[ent] = Entrance.create(building=building, code=ent)
            area = rng.choice(plan.area_choices)
            home_rows.append({"entrance": entrances[ent].id, "building": building.id, "cluster": cluster.id,
                              "room_code": room, "floor": floor, "area_x100": area,
                              "house_type": plan.house_type, "developer_done": True})
            meta.append({"cluster": ccode, "building": building.id, "manager": manager.id,
                         "house_type": plan.house_type, "room": room})
    return home_rows, meta


def state_row(state, handover, move_in):
    occupancy = {"已入住": "自住", "出租": "出租"}.get(state, "空置")
    return {"state": state, "handover_date": handover, "move_in_date": move_in, "occupancy": occupancy}


def assign_states(site, meta, rng, today) -> list[dict]:
    """State, hand-over and move-in dates per home. Moved-in dates spread over four years."""
    if site == "tianlun":
        return _tianlun_states(len(meta), rng, today)
    return _wanxing_states(meta, rng, today)


def _tianlun_states(n, rng, today) -> list[dict]:
    states: list[str] = ["已入住"] * n
    idx = list(range(n))
    rng.shuffle(idx)
    pos = 0
    for state, count in TIANLUN_STATES:
        for i in idx[pos:pos + count]:
            states[i] = state
        pos += count
    rows = []
    for state in states:
        if state == "未交付":
            rows.append(state_row(state, None, None))
            continue
        if state in ("已入住", "出租"):
            move_in = months_ago(today, rng.uniform(0.3, 48))
            handover = move_in - dt.timedelta(days=rng.randint(20, 120))
        else:
            move_in = None
            handover = months_ago(today, rng.uniform(0.5, 14))
        rows.append(state_row(state, handover, move_in))
    return rows


def _wanxing_states(meta, rng, today) -> list[dict]:
    """万兴现代城: exact counts per cluster."""
    by_cluster: dict[str, list[int]] = {}
    for i, m in enumerate(meta):
        by_cluster.setdefault(m["cluster"], []).append(i)
    rows: list[dict] = [{}] * len(meta)
    for ccode, cluster_homes in by_cluster.items():
        _name, homes, renovated, moved = WANXING_COUNTS[ccode]
        assert len(cluster_homes) == homes
        idx = cluster_homes[:]
        rng.shuffle(idx)
        months = WANXING["handover_months"][ccode]
        handover_base = months_ago(today, months)
        for k, i in enumerate(idx):
            handover = handover_base + dt.timedelta(days=rng.randint(0, 2))  # a 3-day hand-over event
            if k < moved:
                state = "出租" if chance(rng, WANXING_LET_SHARE) else "已入住"
                move_in = handover + dt.timedelta(days=int(rng.uniform(60, max(90, months * DAYS_PER_MONTH - 5))))
                move_in = min(move_in, today - dt.timedelta(days=3))
                rows[i] = state_row(state, handover, move_in)
            elif k < renovated:
                rows[i] = state_row("装修中", handover, None)
            else:   # the five clusters were all handed over (002, 篇1): the rest stand vacant
                rows[i] = state_row("空置", handover, None)
    return rows


def populate_parking(spec, meta, owners_by_home, rng) -> int:
    above, under = spec["parking"]
    homes_with_owner = [m for m in meta if m["id"] in owners_by_home]
    rng.shuffle(homes_with_owner)
    spaces = []
    for level, prefix, count in (("地上", "DS", above), ("地下", "DX", under)):
        for i in range(1, count + 1):
            spaces.append({"code": f"{prefix}-{i:03d}", "level": level, "home": None, "owner_name": "",
                           "state": "空闲", "notes": ""})
    holders = []
    for space in spaces:
        underground = space["level"] == "地下"
        if not homes_with_owner or not chance(rng, UNDERGROUND_TAKEN if underground else ABOVE_GROUND_TAKEN):
            continue
        m = homes_with_owner.pop()
        space["home"] = m["id"]
        space["state"] = "已售" if underground and chance(rng, UNDERGROUND_SOLD) else "已租"
        holders.append((space["code"], owners_by_home[m["id"]][0], "产权" if space["state"] == "已售" else "租用"))
    batched_insert(ParkingSpace, spaces)
    if holders:
        _record_holders(holders)
    return len(spaces)


def _record_holders(holders):
    ids = dict(ParkingSpace.select(ParkingSpace.code, ParkingSpace.id).tuples())
    names = dict(Owner.select(Owner.id, Owner.name).where(Owner.id.in_([h[1] for h in holders])).tuples())
    batched_insert(ParkingOwner, [{"space": ids[c], "owner": oid, "kind": kind} for c, oid, kind in holders])
    # owner names on the space record for the parking list
    by_name: dict[str, list[int]] = {}
    for c, oid, _kind in holders:
        by_name.setdefault(names[oid], []).append(ids[c])
    for name, sids in by_name.items():
        ParkingSpace.update(owner_name=name).where(ParkingSpace.id.in_(sids)).execute()
