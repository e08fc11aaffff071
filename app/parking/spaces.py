"""Parking spaces (车位): the list with holders, plates and fees, the counts, one space, and
creating, changing or deleting a space; plus the look-ups the other parking modules share.

Spaces are above (地上) or under (地下) ground; a space is free (空闲), sold (已售, 产权) or
rented (已租, 租用) to the owner(s) of a home (app.parking.tenancy). The monthly billing run
charges fee.parking_above / fee.parking_under for every space attached to a home (``home_id``).
"""
from __future__ import annotations

import re

from peewee import JOIN, fn

from app.archives.homes import home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import period_of
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import require
from app.core.privacy import mask_phone
from models.ledger import Charge
from models.parking import Vehicle
from models.people import HomeOwner, Owner, ParkingOwner
from models.property import Home, ParkingSpace

LEVELS = ("地上", "地下")
STATES = ("空闲", "已售", "已租")
FREE = "空闲"
KINDS = {"产权": "已售", "租用": "已租"}
LEVEL_ITEMS = {"地上": ("parking_above", "fee.parking_above"), "地下": ("parking_under", "fee.parking_under")}
CODE_MAX = 20
CODE_RE = re.compile(r"[A-Z0-9\-_#\u4e00-\u9fff]+")

find_home = home_by_room   # a room code typed → Home, or ValidationError naming 房号


def monthly_fee(ctx, level: str) -> int:
    return int(ctx.settings.get(LEVEL_ITEMS[level][1]))


def get_space(space_id) -> ParkingSpace:
    return get_or_404(ParkingSpace, space_id, message=f"车位不存在（编号 {space_id}）")


def bill_ref(space: ParkingSpace) -> str:
    """The key of a space's monthly lines (``Charge.bill_ref``), as the monthly run writes it."""
    return f"P{space.id}"


def _check_code(code) -> str:
    code = v.check_required(v.normalize(code).replace(" ", ""), "车位编号").upper()
    if len(code) > CODE_MAX:
        raise ValidationError("车位编号", f"不能超过{CODE_MAX}个字符")
    if not CODE_RE.fullmatch(code):
        raise ValidationError("车位编号", f"“{code}”只能含字母、数字、汉字和“-”")
    return code


def holders_of(space_ids) -> dict[int, list[dict]]:
    """The holders of each space (owner id, name, 产权/租用, masked phone), in the order attached."""
    out: dict[int, list[dict]] = {}
    if not space_ids:
        return out
    q = (ParkingOwner.select(ParkingOwner.space, ParkingOwner.kind, Owner.id, Owner.name, Owner.phone)
         .join(Owner).where(ParkingOwner.space.in_(list(space_ids))).order_by(ParkingOwner.id).tuples())
    for sid, kind, oid, name, phone in q:
        out.setdefault(sid, []).append({"owner_id": oid, "name": name, "kind": kind, "phone": mask_phone(phone)})
    return out


def plates_of(space_ids) -> dict[int, list[str]]:
    """The plates with a valid card on each space."""
    q = (Vehicle.select(Vehicle.space, Vehicle.plate)
         .where((Vehicle.status == "有效") & Vehicle.space.in_(list(space_ids))))
    out: dict[int, list[str]] = {}
    for sid, plate in q.order_by(Vehicle.id).tuples():
        out.setdefault(sid, []).append(plate)
    return out


def current_owner_ids(home_id) -> list[int]:
    """The home's owners now, the primary one first."""
    return [oid for (oid,) in HomeOwner.select(HomeOwner.owner).where((HomeOwner.home == home_id)
                                                                      & HomeOwner.until.is_null())
            .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples()]


def space_row(ctx, s: ParkingSpace, room_code: str, holders: list[dict], plates: list[str]) -> dict:
    fee = monthly_fee(ctx, s.level) if s.level in LEVEL_ITEMS else 0
    return {"id": s.id, "code": s.code, "level": s.level, "state": s.state, "home_id": s.home_id,
            "room_code": room_code or "", "holders": holders,
            "holder_text": "、".join(f"{h['name']}（{h['kind']}）" for h in holders) or (s.owner_name or ""),
            "phone": "、".join(dict.fromkeys(h["phone"] for h in holders if h["phone"])),
            "plates": "、".join(plates), "plate_list": plates, "fee_fen": fee, "fee": fmt_fen(fee),
            "billed": s.home_id is not None, "notes": s.notes}


# ---------------------------------------------------------------------------------------------
# the list
def space_rows(ctx, level: str | None = None, state: str | None = None, text: str = "") -> list[dict]:
    """Every parking space (filtered): level, state, home, holders (masked phones), plates with a
    valid card, monthly fee from the settings. ``text`` matches code, room, holder or plate."""
    require(ctx, "parking.view")
    q = (ParkingSpace.select(ParkingSpace, Home.room_code).join(Home, join_type=JOIN.LEFT_OUTER,
                                                                  on=(ParkingSpace.home == Home.id)))
    if level:
        q = q.where(ParkingSpace.level == level)
    if state:
        q = q.where(ParkingSpace.state == state)
    spaces = list(q.order_by(ParkingSpace.level, ParkingSpace.code).objects())
    ids = [s.id for s in spaces]
    holders = holders_of(ids)
    plates = plates_of(ids)
    rows = [space_row(ctx, s, getattr(s, "room_code", "") or "", holders.get(s.id, []), plates.get(s.id, []))
            for s in spaces]
    t = v.normalize(text).upper().replace(" ", "")
    if t:
        rows = [r for r in rows if t in r["code"].upper() or t in r["room_code"].upper() or t in r["plates"]
                or t in r["holder_text"].upper() or t in r["notes"].upper()]
    return rows


def summary(ctx) -> dict:
    """Counts per level and state, for the window's status line."""
    require(ctx, "parking.view")
    out = {lv: dict.fromkeys(STATES, 0) for lv in LEVELS}
    for lv, st, n in (ParkingSpace.select(ParkingSpace.level, ParkingSpace.state, fn.COUNT(ParkingSpace.id))
                      .group_by(ParkingSpace.level, ParkingSpace.state).tuples()):
        out.setdefault(lv, {}).setdefault(st, 0)
        out[lv][st] += n
    return out


def space_detail(ctx, space_id) -> dict:
    require(ctx, "parking.view")
    s = get_space(space_id)
    room = s.home.room_code if s.home_id else ""
    return space_row(ctx, s, room, holders_of([s.id]).get(s.id, []), plates_of([s.id]).get(s.id, []))


# ---------------------------------------------------------------------------------------------
# creating, changing, deleting
def create_space(ctx, code, level, notes: str = "") -> ParkingSpace:
    require(ctx, "parking.edit")
    code = _check_code(code)
    level = v.check_choice(level, LEVELS, "车位位置")
    if ParkingSpace.select().where(ParkingSpace.code == code).exists():
        raise ValidationError("车位编号", f"“{code}”已存在")
    with ctx.db.atomic():
        s = ParkingSpace.create(code=code, level=level, state=FREE, notes=str(notes or "").strip())
        record(ctx, "parking.space_create", "parking_space", s.id, None, model_dict(s))
    return s


def _check_level_change(ctx, s: ParkingSpace, new_level: str) -> None:
    """The month's line is keyed by item: a line billed as the old level would be billed again as
    the new one (by release_space or a re-run of the month)."""
    if new_level == s.level or s.home_id is None or s.level not in LEVEL_ITEMS:
        return
    billed = [p for (p,) in Charge.select(Charge.bill_period).where(
        (Charge.home == s.home_id) & (Charge.item_code == LEVEL_ITEMS[s.level][0])
        & (Charge.bill_ref == bill_ref(s)) & (Charge.bill_period >= period_of(ctx.clock.today())))
        .order_by(Charge.bill_period).tuples()]
    if billed:
        raise ValidationError("车位位置", f"车位 {s.code} 已按{s.level}车位计收 {'、'.join(billed)} 的车位费，"
                                          f"改为{new_level}会重复计费；请在这些月份之后、下次月度计费前修改")


def update_space(ctx, space_id, code=None, level=None, notes=None) -> ParkingSpace:
    """Change a space's code, level or notes. A level change of an attached space changes its
    monthly fee from the next billing run on."""
    require(ctx, "parking.edit")
    s = get_space(space_id)
    new_code = _check_code(code) if code is not None else s.code
    new_level = v.check_choice(level, LEVELS, "车位位置") if level is not None else s.level
    if new_code != s.code and ParkingSpace.select().where((ParkingSpace.code == new_code)
                                                          & (ParkingSpace.id != s.id)).exists():
        raise ValidationError("车位编号", f"“{new_code}”已存在")
    _check_level_change(ctx, s, new_level)
    before = model_dict(s)
    with ctx.db.atomic():
        s.code, s.level = new_code, new_level
        if notes is not None:
            s.notes = str(notes).strip()
        s.save()
        record(ctx, "parking.space_update", "parking_space", s.id, before, model_dict(s))
    return s


def delete_space(ctx, space_id) -> None:
    """Delete a space entered by mistake: only a free one without any card or parking fee ever."""
    require(ctx, "parking.edit")
    s = get_space(space_id)
    if s.state != FREE:
        raise StateError(f"车位 {s.code} {s.state}，不能删除")
    if Vehicle.select().where(Vehicle.space == s.id).exists():
        raise StateError(f"车位 {s.code} 办理过车卡，记录需保留，不能删除")
    if Charge.select().where(Charge.bill_ref == bill_ref(s)).exists():
        # its lines are keyed by the space's id, which SQLite may give to the next new space
        raise StateError(f"车位 {s.code} 已有车位费记录，记录需保留，不能删除")
    with ctx.db.atomic():
        before = model_dict(s)
        s.delete_instance()
        record(ctx, "parking.space_delete", "parking_space", space_id, before, None)
