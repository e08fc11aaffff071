"""房态图: a building's homes as a grid, floors top-down × the entrances' home positions across,
each cell carrying the home's state (未交付, 空置, 装修中, 已入住, 出租) and, when the caller passes
them, its arrears (app.office.room_state adds those from the ledger: the archives area may not
import the ledger, which imports the archives).

Two queries whatever the building's size (its row and its homes), so a 33-floor tower answers
at once. A home's position on its floor is the tail of its room number after the floor
(5-1-302 → “02”); a room code that does not follow that pattern keeps its order on the floor.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from app.archives.common import get_row, raw_rows
from app.core.permissions import require
from app.printing.room_state import ARREARS_LEVELS, NO_ARREARS, RoomCell, RoomStateData
from models.property import HOME_STATES, Building, Cluster, Entrance, Home

MODES = {"state": "房屋状态", "arrears": "欠费情况"}


def position_on_floor(room_code: str, floor: int) -> str:
    """The home's place on its floor: 5-1-302 on floor 3 → “02”; "" when the code says nothing."""
    tail = re.split(r"[-\s]", room_code.strip())[-1]
    head = str(floor)
    if tail.isdigit() and tail.startswith(head) and len(tail) > len(head):
        return tail[len(head):]
    return ""


def floor_label(floor: int) -> str:
    return f"{floor}层" if floor > 0 else f"地下{-floor}层" if floor < 0 else "0层"


def _columns(homes) -> tuple[list[tuple[int, str]], dict[int, tuple[int, str]]]:
    """The grid's columns (entrance id, position) in entrance order, and each home's column key."""
    by_floor: dict[tuple[int, int], list] = {}
    for h in homes:
        by_floor.setdefault((h[1], h[3]), []).append(h)
    key_of: dict[int, tuple[int, str]] = {}
    positions: dict[int, set] = {}
    for (eid, _floor), hs in by_floor.items():
        hs.sort(key=lambda h: h[2])
        for i, (hid, _e, room, floor, _s) in enumerate(hs, start=1):
            pos = position_on_floor(room, floor) or f"#{i}"
            key_of[hid] = (eid, pos)
            positions.setdefault(eid, set()).add(pos)
    cols = [(eid, pos) for eid in positions for pos in sorted(positions[eid], key=_pos_order)]
    return cols, key_of


def _pos_order(pos: str):
    digits = pos.lstrip("#")
    return (pos.startswith("#"), int(digits) if digits.isdigit() else 0, pos)


def room_state_grid(ctx, building_id: int, mode: str = "state",
                    arrears: Mapping[int, tuple[str, int, int]] | None = None) -> RoomStateData:
    """The frozen 房态图 of a building. *arrears* maps home id → (level, owed fen, months) for the
    homes that owe (ARREARS_LEVELS); the others count as 无欠费."""
    require(ctx, "archive.view")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    b = get_row(Building, building_id, "楼栋")
    cluster = Cluster.get_by_id(b.cluster_id)
    entrances = dict(raw_rows(ctx, Entrance.select(Entrance.id, Entrance.code).where(Entrance.building == b.id)))
    homes = raw_rows(ctx, Home.select(Home.id, Home.entrance, Home.room_code, Home.floor, Home.state)
                     .where(Home.building == b.id))
    cols, key_of = _columns(homes)
    cols.sort(key=lambda c: (_code_order(entrances.get(c[0], "")), _pos_order(c[1])))
    index = {c: i for i, c in enumerate(cols)}
    floors = sorted({h[3] for h in homes}, reverse=True)
    grid = {f: [None] * len(cols) for f in floors}
    arrears = arrears or {}
    for hid, _eid, room, floor, state in homes:
        level, owed, months = arrears.get(hid, (NO_ARREARS, 0, 0))
        grid[floor][index[key_of[hid]]] = RoomCell(hid, room, state, level, owed, months)
    cells = [c for row in grid.values() for c in row if c is not None]
    legend_keys = HOME_STATES if mode == "state" else ARREARS_LEVELS
    attr = "state" if mode == "state" else "arrears"
    legend = tuple((k, sum(1 for c in cells if getattr(c, attr) == k)) for k in legend_keys)
    return RoomStateData(
        site=str(ctx.settings.get("site.name") or ""),
        building=f"{cluster.code}组团 {cluster.name} {b.name or b.code + '号楼'}".strip(),
        mode=mode, mode_label=MODES[mode],
        entrances=tuple(f"{entrances.get(e, '')}单元" for e, _p in cols),
        positions=tuple(p.lstrip("#") for _e, p in cols),
        floors=tuple(floor_label(f) for f in floors),
        rows=tuple(tuple(grid[f]) for f in floors),
        legend=legend, homes=len(cells),
        printed_at=ctx.clock.now().strftime("%Y-%m-%d %H:%M"))


def _code_order(code: str):
    return (0, int(code), code) if code.isdigit() else (1, 0, code)
