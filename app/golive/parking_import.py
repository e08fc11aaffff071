"""Parking spaces of a go-live workbook: each space created (or found by its code) and linked to its
owner by the owner number, inside the import's transaction. Going live records what already is:
no sale or rent is billed here (app.parking.tenancy does that for new business)."""
from __future__ import annotations

import re

from app.archives.excel_rows import cell_text
from app.core.validation import normalize

LEVEL_WORDS = {"地上": "地上", "地面": "地上", "露天": "地上", "地下": "地下", "地库": "地下", "车库": "地下"}
STATE_WORDS = {"已售": "已售", "产权": "已售", "自有": "已售", "已租": "已租", "租用": "已租", "出租": "已租",
               "空闲": "空闲", "未售": "空闲"}
CODE_MAX_LEN = 20


def _level(cells: dict) -> str:
    text = cell_text(cells.get("level")).replace(" ", "")
    for word, level in LEVEL_WORDS.items():
        if word in text:
            return level
    return "地下"      # most spaces of a site are under ground (the demo site: 24 above, 78 under)


def write_parking(ctx, rows, owner_ids: dict[str, int | None], cache) -> tuple[int, list[tuple[str, int, str]]]:
    """(spaces created, rejected rows as (sheet, row, reason))."""
    from models.people import Owner, ParkingOwner
    from models.property import ParkingSpace
    created, rejected = 0, []
    known = {code: sid for sid, code in ParkingSpace.select(ParkingSpace.id, ParkingSpace.code).tuples()}
    owner_home: dict[int, int] = {}
    for (hid, oid) in cache.links:
        owner_home.setdefault(oid, hid)
    for (sheet, row), cells in rows:
        code = re.sub(r"\s+", "", normalize(cell_text(cells.get("space_code")))).upper()
        if not code:
            rejected.append((sheet, row, "车位编号：不能为空"))
            continue
        if len(code) > CODE_MAX_LEN:
            rejected.append((sheet, row, f"车位编号：“{code}”过长"))
            continue
        number = cell_text(cells.get("owner_no"))
        owner_id = owner_ids.get(number) if number else None
        if number and owner_id is None:
            rejected.append((sheet, row, f"业主编号 {number} 不在已导入的业主中，无法关联车位 {code}"))
            continue
        state = STATE_WORDS.get(cell_text(cells.get("space_state")), "已售" if owner_id else "空闲")
        if code in known:
            sid = known[code]
        else:
            name = Owner.get_by_id(owner_id).name if owner_id else ""
            sid = ParkingSpace.insert(code=code, level=_level(cells), home=owner_home.get(owner_id),
                                      owner_name=name, state=state,
                                      notes=cell_text(cells.get("notes"))).execute()
            known[code] = sid
            created += 1
        if owner_id and not ParkingOwner.select().where(ParkingOwner.space == sid,
                                                        ParkingOwner.owner == owner_id).exists():
            ParkingOwner.insert(space=sid, owner=owner_id, kind="租用" if state == "已租" else "产权").execute()
    return created, rejected
