"""Parking spaces, vehicles and car cards (车位、车辆、车卡), and the monthly services of a home
(包月服务: bicycle parking, cable TV) as the customer-service desk handles them.

Spaces are above (地上) or under (地下) ground; a space is free (空闲), sold (已售, 产权) or
rented (已租, 租用) to the owner(s) of a home. The monthly billing run (app/billing.py) charges
fee.parking_above / fee.parking_under for every space attached to a home (``home_id``).

Billing rule chosen here: **whole months**. A space is billed for every calendar month in which
it was held, in full: renting (or selling) in a month bills that month, releasing in a month
still bills that month, and nothing from the next month. The run only sees the spaces attached
when it runs, so this module completes it in the same transaction as the change:
- attaching a space after the current month (or the next, billed ahead) was already run adds
  that month's line for the space, exactly as the run writes it (same unique key: home, item,
  bill period, ``P<space id>``), so a later re-run bills nothing twice;
- releasing a space before the current month was run adds the current month's line (the run
  would no longer see the space); a line of a later month already billed ahead and still unpaid
  is waived (免收) when the user may waive, otherwise reported to the user.

Car cards (车卡, seed 000 车卡办理): the clerk checks the owner's identity and fills the car-card
registration form; the card only proves the space is rented (or owned), it is not custody of
the car; the cashier takes the fee. A card needs a sold or rented space of the car's home.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from peewee import JOIN, fn

from app.archives.homes import home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import allowed, require
from app.core.privacy import mask_phone
from models.ledger import Charge, Payment, Subscription
from models.parking import Vehicle
from models.people import HomeOwner, Owner, ParkingOwner
from models.property import Home, ParkingSpace

LEVELS = ("地上", "地下")
STATES = ("空闲", "已售", "已租")
KINDS = {"产权": "已售", "租用": "已租"}
LEVEL_ITEMS = {"地上": ("parking_above", "fee.parking_above"), "地下": ("parking_under", "fee.parking_under")}
CARD_SEQUENCE = "car_card"
CODE_MAX = 20

# ---------------------------------------------------------------------------------------------
# plates
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"            # letters used on plates (no I, no O)
_PLATE_RES = (
    # ordinary 7 characters: 豫A12345, 陕AB123挂 / 学 / 警 / 港 / 澳
    re.compile(rf"^[{PROVINCES}][{_L}][{_L}0-9]{{4}}[{_L}0-9挂学警港澳]$"),
    # new-energy small cars, 8 characters: 豫AD12345, 豫AF1A234 (D/F, since 2021 also A–K)
    re.compile(rf"^[{PROVINCES}][{_L}][A-HJK][{_L}0-9][0-9]{{4}}$"),
    # new-energy large vehicles, 8 characters: 豫A12345D
    re.compile(rf"^[{PROVINCES}][{_L}][0-9]{{5}}[DF]$"),
)


def check_plate(text, field: str = "车牌号") -> str:
    """A Chinese plate, normalised (half-width, upper case, no space or middle dot). Accepts the
    ordinary 7-character plates and the 8-character new-energy plates (豫A12345, 豫AD12345)."""
    s = v.normalize(text).upper()
    s = re.sub(r"[\s·•.\-]", "", s)
    if not s:
        raise ValidationError(field, "不能为空")
    if s[0] not in PROVINCES:
        raise ValidationError(field, f"“{text}”应以省份简称开头，如 豫A12345")
    if not any(p.match(s) for p in _PLATE_RES):
        raise ValidationError(field, f"“{text}”不是有效的车牌号，应如 豫A12345 或新能源 豫AD12345"
                                     "（字母不用 I、O）")
    return s


# ---------------------------------------------------------------------------------------------
# helpers
def monthly_fee(ctx, level: str) -> int:
    return int(ctx.settings.get(LEVEL_ITEMS[level][1]))


def _space(space_id) -> ParkingSpace:
    return get_or_404(ParkingSpace, space_id, message=f"车位不存在（编号 {space_id}）")


find_home = home_by_room   # a room code typed → Home, or ValidationError naming 房号


def _check_code(code) -> str:
    code = v.check_required(v.normalize(code).replace(" ", ""), "车位编号").upper()
    if len(code) > CODE_MAX:
        raise ValidationError("车位编号", f"不能超过{CODE_MAX}个字符")
    if not re.fullmatch(r"[A-Z0-9\-_#\u4e00-\u9fff]+", code):
        raise ValidationError("车位编号", f"“{code}”只能含字母、数字、汉字和“-”")
    return code


def _period(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _add_months(period: str, n: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    idx = y * 12 + m - 1 + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _holders(space_ids) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    if not space_ids:
        return out
    q = (ParkingOwner.select(ParkingOwner.space, ParkingOwner.kind, Owner.id, Owner.name, Owner.phone)
         .join(Owner).where(ParkingOwner.space.in_(list(space_ids))).order_by(ParkingOwner.id).tuples())
    for sid, kind, oid, name, phone in q:
        out.setdefault(sid, []).append({"owner_id": oid, "name": name, "kind": kind, "phone": mask_phone(phone)})
    return out


def _plates(space_ids=None, home_ids=None) -> dict[int, list[str]]:
    q = Vehicle.select(Vehicle.space, Vehicle.plate).where(Vehicle.status == "有效")
    if space_ids is not None:
        q = q.where(Vehicle.space.in_(list(space_ids)))
    out: dict[int, list[str]] = {}
    for sid, plate in q.order_by(Vehicle.id).tuples():
        if sid is not None:
            out.setdefault(sid, []).append(plate)
    return out


def _row(ctx, s: ParkingSpace, room_code: str, holders: list[dict], plates: list[str]) -> dict:
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
    holders = _holders(ids)
    plates = _plates(ids)
    rows = [_row(ctx, s, getattr(s, "room_code", "") or "", holders.get(s.id, []), plates.get(s.id, []))
            for s in spaces]
    t = v.normalize(text).upper().replace(" ", "")
    if t:
        rows = [r for r in rows if t in r["code"].upper() or t in r["room_code"].upper() or t in r["plates"]
                or t in r["holder_text"].upper() or t in r["notes"].upper()]
    return rows


def summary(ctx) -> dict:
    """Counts per level and state, for the window's status line."""
    require(ctx, "parking.view")
    out = {lv: {st: 0 for st in STATES} for lv in LEVELS}
    for lv, st, n in (ParkingSpace.select(ParkingSpace.level, ParkingSpace.state, fn.COUNT(ParkingSpace.id))
                      .group_by(ParkingSpace.level, ParkingSpace.state).tuples()):
        out.setdefault(lv, {}).setdefault(st, 0)
        out[lv][st] += n
    return out


def space_detail(ctx, space_id) -> dict:
    require(ctx, "parking.view")
    s = _space(space_id)
    room = s.home.room_code if s.home_id else ""
    return _row(ctx, s, room, _holders([s.id]).get(s.id, []), _plates([s.id]).get(s.id, []))


def home_parking(ctx, home_id) -> dict:
    """The household pane: the home's spaces and vehicles (cards), phones masked."""
    require(ctx, "parking.view")
    spaces = list(ParkingSpace.select().where(ParkingSpace.home == home_id).order_by(ParkingSpace.code))
    ids = [s.id for s in spaces]
    holders, plates = _holders(ids), _plates(ids)
    room = Home.get_by_id(home_id).room_code if spaces else ""
    return {"spaces": [_row(ctx, s, room, holders.get(s.id, []), plates.get(s.id, [])) for s in spaces],
            "vehicles": vehicle_rows(ctx, home_id=home_id, include_cancelled=True)}


# ---------------------------------------------------------------------------------------------
# spaces
def create_space(ctx, code, level, notes: str = "") -> ParkingSpace:
    require(ctx, "parking.edit")
    code = _check_code(code)
    level = v.check_choice(level, LEVELS, "车位位置")
    if ParkingSpace.select().where(ParkingSpace.code == code).exists():
        raise ValidationError("车位编号", f"“{code}”已存在")
    with ctx.db.atomic():
        s = ParkingSpace.create(code=code, level=level, state="空闲", notes=str(notes or "").strip())
        record(ctx, "parking.space_create", "parking_space", s.id, None, model_dict(s))
    return s


def update_space(ctx, space_id, code=None, level=None, notes=None) -> ParkingSpace:
    """Change a space's code, level or notes. A level change of an attached space changes its
    monthly fee from the next billing run on."""
    require(ctx, "parking.edit")
    s = _space(space_id)
    new_code = _check_code(code) if code is not None else s.code
    new_level = v.check_choice(level, LEVELS, "车位位置") if level is not None else s.level
    if new_code != s.code and ParkingSpace.select().where((ParkingSpace.code == new_code)
                                                          & (ParkingSpace.id != s.id)).exists():
        raise ValidationError("车位编号", f"“{new_code}”已存在")
    if new_level != s.level and s.home_id is not None and s.level in LEVEL_ITEMS:
        # the month's line is keyed by item: a line billed as the old level would be billed again
        # as the new one (by release_space or a re-run of the month)
        billed = [p for (p,) in Charge.select(Charge.bill_period).where(
            (Charge.home == s.home_id) & (Charge.item_code == LEVEL_ITEMS[s.level][0])
            & (Charge.bill_ref == f"P{s.id}") & (Charge.bill_period >= _period(ctx.clock.today())))
            .order_by(Charge.bill_period).tuples()]
        if billed:
            raise ValidationError("车位位置", f"车位 {s.code} 已按{s.level}车位计收 {'、'.join(billed)} 的车位费，"
                                              f"改为{new_level}会重复计费；请在这些月份之后、下次月度计费前修改")
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
    s = _space(space_id)
    if s.state != "空闲":
        raise StateError(f"车位 {s.code} {s.state}，不能删除")
    if Vehicle.select().where(Vehicle.space == s.id).exists():
        raise StateError(f"车位 {s.code} 办理过车卡，记录需保留，不能删除")
    if Charge.select().where(Charge.bill_ref == f"P{s.id}").exists():
        # its lines are keyed by the space's id, which SQLite may give to the next new space
        raise StateError(f"车位 {s.code} 已有车位费记录，记录需保留，不能删除")
    with ctx.db.atomic():
        before = model_dict(s)
        s.delete_instance()
        record(ctx, "parking.space_delete", "parking_space", space_id, before, None)


def _run_periods(since: str) -> list[str]:
    """Months from ``since`` on that the monthly billing run has already billed."""
    from models.users import AuditLog
    rows = (AuditLog.select(AuditLog.entity_id).where((AuditLog.action == "ledger.bill_month")
                                                      & (AuditLog.entity_id >= since)).distinct().tuples())
    return sorted({r[0] for r in rows if re.fullmatch(r"\d{4}-\d{2}", r[0] or "")})


def _bill_line(ctx, s: ParkingSpace, home_id: int, period: str) -> Charge | None:
    """The month's parking line of a space, exactly as the monthly run writes it (same unique
    key), unless it exists. Returns the new charge or None."""
    from app.ledger.billing import due_date_for
    item, key = LEVEL_ITEMS[s.level]
    ref = f"P{s.id}"
    if Charge.select().where((Charge.home == home_id) & (Charge.item_code == item) & (Charge.bill_period == period)
                             & (Charge.bill_ref == ref)).exists():
        return None
    rate = int(ctx.settings.get(key))
    return Charge.create(home=home_id, item_code=item, category="periodic", period=period, bill_period=period,
                         bill_ref=ref, quantity_milli=1000, unit_price_fen=rate, amount_fen=rate, paid_fen=0,
                         refunded_fen=0, due_date=due_date_for(ctx, period), memo=f"车位 {s.code}",
                         source="billing", source_id=s.id, created_at=ctx.clock.now(),
                         created_by=getattr(ctx.user, "id", None))


def _unwaive(ctx, s: ParkingSpace, home_id: int, period: str) -> bool:
    """The space is the home's again in a month whose line an earlier release of the space waived
    (免收): the waiver is reversed (a negative waive line, nothing deleted), so the month is owed
    again. True when it was."""
    c = Charge.get_or_none((Charge.home == home_id) & (Charge.item_code == LEVEL_ITEMS[s.level][0])
                           & (Charge.bill_period == period) & (Charge.bill_ref == f"P{s.id}"))
    if c is None:
        return False
    waived = int(Payment.select(fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
                 .where((Payment.charge == c.id) & (Payment.kind == "waive") & (Payment.source == "parking")
                        & (Payment.source_id == s.id)).scalar() or 0)
    if waived <= 0:
        return False
    Payment.create(charge=c.id, home=home_id, item_code=c.item_code, kind="waive", method="waive",
                   amount_fen=-waived, reason=f"车位 {s.code} 重新租售给本户，撤销 {period} 的免收",
                   source="parking", source_id=s.id, created_at=ctx.clock.now(),
                   created_by=getattr(ctx.user, "id", None))
    Charge.update(paid_fen=Charge.paid_fen - waived).where(Charge.id == c.id).execute()
    record(ctx, "parking.unwaive", "charge", c.id, {"paid_fen": c.paid_fen},
           {"paid_fen": c.paid_fen - waived, "waived_fen": -waived, "space": s.id})
    return True


def _current_owner_ids(home_id) -> list[int]:
    return [oid for (oid,) in HomeOwner.select(HomeOwner.owner).where((HomeOwner.home == home_id)
                                                                      & HomeOwner.until.is_null())
            .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples()]


def attach_space(ctx, space_id, room_code, kind: str, owner_ids=None, notes: str = "") -> dict:
    """Sell (产权) or rent (租用) a free space to owner(s) of a home (default: the primary owner).
    One transaction: holders, space state and home, audit, and the whole-month billing rule
    (module doc). Returns {"space", "billed": [periods billed now], "message"}."""
    kind = v.check_choice(kind, list(KINDS), "车位性质")
    require(ctx, "parking.sell" if kind == "产权" else "parking.rent")
    s = _space(space_id)
    home = find_home(room_code)
    if s.state != "空闲":
        holder = "、".join(h["name"] for h in _holders([s.id]).get(s.id, [])) or s.owner_name
        room = s.home.room_code if s.home_id else ""
        who = "".join(x for x in (room, f"（{holder}）" if holder else "") if x)
        action = "请先办理退租" if s.state == "已租" else "请先办理收回"
        raise StateError(f"车位 {s.code} {s.state}" + (f"给 {who}" if who else "") + f"，{action}")
    current = _current_owner_ids(home.id)
    if not current:
        raise ValidationError("业主", f"房号 {home.room_code} 没有登记业主，请先在业主档案中登记")
    if owner_ids in (None, "", []):
        owner_ids = current[:1]
    elif isinstance(owner_ids, int):
        owner_ids = [owner_ids]
    owner_ids = list(dict.fromkeys(int(o) for o in owner_ids))
    names = dict(Owner.select(Owner.id, Owner.name).where(Owner.id.in_(owner_ids)).tuples())
    for oid in owner_ids:
        if oid not in names:
            raise ValidationError("业主", f"业主不存在（编号 {oid}）")
        if oid not in current:
            raise ValidationError("业主", f"{names[oid]} 不是 {home.room_code} 的业主")
    today = ctx.clock.today()
    this_month = _period(today)
    before = model_dict(s)
    with ctx.db.atomic():
        for oid in owner_ids:
            ParkingOwner.create(space=s.id, owner=oid, kind=kind)
        s.home, s.state = home.id, KINDS[kind]
        s.owner_name = "、".join(names[o] for o in owner_ids)
        if notes:
            s.notes = (s.notes + "\n" if s.notes else "") + f"{today:%Y-%m-%d} {str(notes).strip()}"
        s.save()
        billed = [p for p in _run_periods(this_month)
                  if _bill_line(ctx, s, home.id, p) is not None or _unwaive(ctx, s, home.id, p)]
        record(ctx, "parking.sell" if kind == "产权" else "parking.rent", "parking_space", s.id, before,
               {**model_dict(s), "holders": owner_ids, "kind": kind, "billed_now": billed})
    fee = fmt_fen(monthly_fee(ctx, s.level))
    msg = (f"车位 {s.code} 已{'售' if kind == '产权' else '租'}给 {home.room_code} {s.owner_name}，"
           f"车位费 {fee} 元/月，自 {this_month} 起按整月计收")
    if billed:
        msg += f"（{'、'.join(billed)} 已计费，本次补记该车位费用）"
    return {"space": s, "billed": billed, "message": msg}


def sell_space(ctx, space_id, room_code, owner_ids=None, notes: str = "") -> dict:
    return attach_space(ctx, space_id, room_code, "产权", owner_ids, notes)


def rent_space(ctx, space_id, room_code, owner_ids=None, notes: str = "") -> dict:
    return attach_space(ctx, space_id, room_code, "租用", owner_ids, notes)


def release_space(ctx, space_id, reason: str = "") -> dict:
    """End a rental (退租) or take back a sold space (收回/过户前): the space is free again, its
    valid car cards are cancelled, and the month is billed in full (module doc). Returns
    {"space", "billed", "waived", "pending", "cards_cancelled", "message"}."""
    s = _space(space_id)
    if s.state == "空闲":
        raise StateError(f"车位 {s.code} 已是空闲，无需收回")
    require(ctx, "parking.rent" if s.state == "已租" else "parking.sell")
    reason = str(reason or "").strip()
    if len(reason) > 200:
        raise ValidationError("原因", "不能超过200个字")
    today = ctx.clock.today()
    this_month = _period(today)
    home_id, room = s.home_id, (s.home.room_code if s.home_id else "")
    item = LEVEL_ITEMS.get(s.level, ("", ""))[0]
    before = {**model_dict(s), "holders": [h["owner_id"] for h in _holders([s.id]).get(s.id, [])]}
    billed, waived, pending, paid_ahead = [], [], [], []
    with ctx.db.atomic():
        if home_id is not None and s.level in LEVEL_ITEMS:
            if _bill_line(ctx, s, home_id, this_month) is not None:
                billed.append(this_month)
            ahead = list(Charge.select().where((Charge.home == home_id) & (Charge.item_code == item)
                                               & (Charge.bill_ref == f"P{s.id}") & (Charge.bill_period > this_month))
                         .order_by(Charge.bill_period))
            paid = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                        .where(Payment.charge.in_([c.id for c in ahead]) & (Payment.kind != "waive"))
                        .group_by(Payment.charge).tuples()) if ahead else {}
            # months billed ahead and (partly) paid: the money stays on the charge; the user is told
            paid_ahead = [f"{c.bill_period}（{fmt_fen(paid[c.id])} 元）" for c in ahead if paid.get(c.id, 0) > 0]
            later = [c for c in ahead if c.paid_fen < c.amount_fen]
            for c in later:
                if allowed(getattr(ctx.user, "role", None), "ledger.void"):
                    from app.ledger.payments import waive
                    waive(ctx, c.id, f"车位 {s.code} 已于 {today:%Y-%m-%d} 收回，{c.bill_period} 不再计收",
                          source="parking", source_id=s.id)
                    waived.append(c.bill_period)
                else:
                    pending.append(c.bill_period)
        cards = list(Vehicle.select().where((Vehicle.space == s.id) & (Vehicle.status == "有效")))
        for card in cards:
            card.status, card.cancelled_at = "已注销", ctx.clock.now()
            card.cancel_reason = f"车位 {s.code} 收回" + (f"：{reason}" if reason else "")
            card.save()
        ParkingOwner.delete().where(ParkingOwner.space == s.id).execute()
        s.home, s.owner_name, s.state = None, "", "空闲"
        if reason:
            s.notes = (s.notes + "\n" if s.notes else "") + f"{today:%Y-%m-%d} 收回：{reason}"
        s.save()
        record(ctx, "parking.release", "parking_space", s.id, before,
               {**model_dict(s), "reason": reason, "billed_now": billed, "waived": waived, "pending": pending,
                "paid_ahead": paid_ahead, "cards_cancelled": [c.card_number for c in cards]})
    msg = f"车位 {s.code} 已收回（原 {room}），{this_month} 车位费按整月计收，次月起停收"
    if billed:
        msg += "（本月尚未计费，已补记本月车位费）"
    if cards:
        msg += f"；车卡 {'、'.join(c.card_number for c in cards)} 已注销"
    if waived:
        msg += f"；已预先计费的 {'、'.join(waived)} 车位费已免收"
    if pending:
        msg += f"；已预先计费的 {'、'.join(pending)} 车位费未付，请经理在收费台账中免收"
    if paid_ahead:
        msg += f"；已预缴 {'、'.join(paid_ahead)} 的车位费，次月起不再使用该车位，请经理与业主商定退还"
    return {"space": s, "billed": billed, "waived": waived, "pending": pending, "paid_ahead": paid_ahead,
            "cards_cancelled": [c.card_number for c in cards], "message": msg}


# ---------------------------------------------------------------------------------------------
# vehicles and car cards
def _vehicle(vehicle_id) -> Vehicle:
    return get_or_404(Vehicle, vehicle_id, message=f"车卡登记不存在（编号 {vehicle_id}）")


def _months(value, field: str = "有效月数") -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(field, f"“{value}”不是整数") from None
    if not 1 <= n <= 60:
        raise ValidationError(field, "应在1到60之间")
    return n


def card_until(valid_from: dt.date, months: int) -> dt.date:
    """Valid for whole months: from the start date to the end of the month ``months - 1`` later."""
    idx = valid_from.year * 12 + valid_from.month - 1 + months - 1
    return _month_end(dt.date(idx // 12, idx % 12 + 1, 1))


def register_card(ctx, data: dict) -> Vehicle:
    """车卡办理. ``data``: space_id, plate, identity_checked (the clerk saw the owner's identity
    card: required), owner_id (default the space's first holder; must hold the space or own its
    home), driver_name (default the owner), phone (default the owner's), brand, color,
    card_number (default the form number), valid_from (default today), months (default
    parking.card_months) or valid_until, notes."""
    require(ctx, "parking.card")
    s = _space(data.get("space_id"))
    if s.state == "空闲" or s.home_id is None:
        raise StateError(f"车位 {s.code} 空闲，须先售出或出租才能办理车卡")
    if not data.get("identity_checked"):
        raise ValidationError("身份核验", "请先核验业主身份证原件")
    plate = check_plate(data.get("plate"))
    holders = _holders([s.id]).get(s.id, [])
    owner_id = data.get("owner_id") or (holders[0]["owner_id"] if holders else None)
    owner = None
    if owner_id is not None:
        owner = Owner.get_or_none(Owner.id == owner_id)
        if owner is None:
            raise ValidationError("业主", f"业主不存在（编号 {owner_id}）")
        if owner.id not in [h["owner_id"] for h in holders] and owner.id not in _current_owner_ids(s.home_id):
            raise ValidationError("业主", f"{owner.name} 不是车位 {s.code} 的产权人或承租人")
    driver = str(data.get("driver_name") or (owner.name if owner else "")).strip()
    if not driver:
        raise ValidationError("车主姓名", "不能为空")
    if len(driver) > 40:
        raise ValidationError("车主姓名", "不能超过40个字")
    phone = v.check_phone(data.get("phone") if data.get("phone") not in (None, "") else (owner.phone if owner else ""),
                          "联系电话", required=True)
    other = Vehicle.get_or_none((Vehicle.plate == plate) & (Vehicle.status == "有效"))
    if other is not None:
        raise ValidationError("车牌号", f"{plate} 已有有效车卡 {other.card_number}（车位 "
                                        f"{other.space.code if other.space_id else '—'}），请先注销")
    limit = int(ctx.settings.get("parking.cards_per_space"))
    used = Vehicle.select().where((Vehicle.space == s.id) & (Vehicle.status == "有效")).count()
    if used >= limit:
        raise StateError(f"车位 {s.code} 已有 {used} 张有效车卡（每个车位最多 {limit} 张）")
    today = ctx.clock.today()
    valid_from = v.parse_date(data.get("valid_from") or today, "有效期起")
    if data.get("valid_until"):
        valid_until = v.parse_date(data["valid_until"], "有效期至")
    else:
        valid_until = card_until(valid_from, _months(data.get("months") or ctx.settings.get("parking.card_months")))
    if valid_until < valid_from:
        raise ValidationError("有效期至", "不能早于有效期起")
    if (valid_until - valid_from).days > 366 * 5:
        raise ValidationError("有效期至", "有效期不能超过5年")
    card_number = v.normalize(data.get("card_number") or "").replace(" ", "").upper()
    if len(card_number) > 30:
        raise ValidationError("车卡号", "不能超过30个字符")
    if card_number and Vehicle.select().where(Vehicle.card_number == card_number).exists():
        raise ValidationError("车卡号", f"“{card_number}”已使用")
    fields = {"brand": str(data.get("brand") or "").strip()[:40], "color": str(data.get("color") or "").strip()[:20],
              "notes": str(data.get("notes") or "").strip()}
    from app.core.sequences import format_number, next_number
    with ctx.db.atomic():
        n = next_number(CARD_SEQUENCE, today.year)
        number = format_number(ctx.settings.get("parking.card_prefix") or "CK", today.year, n)
        if not card_number and Vehicle.select().where(Vehicle.card_number == number).exists():
            raise ValidationError("车卡号", f"“{number}”已使用，请填写车卡号")
        x = Vehicle.create(number=number, home=s.home_id, owner=owner.id if owner else None, space=s.id, plate=plate,
                           driver_name=driver, phone=phone, card_number=card_number or number,
                           valid_from=valid_from, valid_until=valid_until, status="有效", identity_checked=True,
                           created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None), **fields)
        after = model_dict(x)
        after["phone"] = mask_phone(phone)
        record(ctx, "parking.card", "vehicle", x.id, None, after)
    return x


def renew_card(ctx, vehicle_id, months=None) -> Vehicle:
    """Extend a valid card by whole months from the later of its end and today."""
    require(ctx, "parking.card")
    x = _vehicle(vehicle_id)
    if x.status != "有效":
        raise StateError(f"车卡 {x.card_number} 已注销，不能续期")
    s = x.space
    if s is None or s.state == "空闲" or s.home_id != x.home_id:
        raise StateError(f"车卡 {x.card_number} 的车位已收回，不能续期")
    months = _months(months or ctx.settings.get("parking.card_months"))
    today = ctx.clock.today()
    start = max(x.valid_until + dt.timedelta(days=1), today)
    before = {"valid_until": x.valid_until}
    with ctx.db.atomic():
        x.valid_until = card_until(start, months)
        x.save()
        record(ctx, "parking.card_renew", "vehicle", x.id, before, {"valid_until": x.valid_until, "months": months})
    return x


def cancel_card(ctx, vehicle_id, reason) -> Vehicle:
    require(ctx, "parking.card")
    x = _vehicle(vehicle_id)
    reason = v.check_required(reason, "注销原因")
    if x.status != "有效":
        raise StateError(f"车卡 {x.card_number} 已注销")
    with ctx.db.atomic():
        x.status, x.cancelled_at, x.cancel_reason = "已注销", ctx.clock.now(), reason
        x.save()
        record(ctx, "parking.card_cancel", "vehicle", x.id, {"status": "有效"}, {"status": "已注销", "reason": reason})
    return x


def _vehicle_row(x, room, space_code, today) -> dict:
    expired = x.status == "有效" and x.valid_until < today
    return {"id": x.id, "number": x.number, "home_id": x.home_id, "room_code": room, "space_id": x.space_id,
            "space_code": space_code or "", "plate": x.plate, "brand": x.brand, "color": x.color,
            "driver_name": x.driver_name, "phone": mask_phone(x.phone), "card_number": x.card_number,
            "valid_from": x.valid_from, "valid_until": x.valid_until,
            "status": "已过期" if expired else x.status, "expired": expired,
            "valid": x.status == "有效" and not expired, "cancel_reason": x.cancel_reason, "notes": x.notes}


def vehicle_rows(ctx, home_id=None, text: str = "", include_cancelled: bool = False) -> list[dict]:
    """Registered vehicles and their cards (phones masked); newest first."""
    require(ctx, "parking.view")
    q = (Vehicle.select(Vehicle, Home.room_code, ParkingSpace.code.alias("space_code"))
         .join(Home, on=(Vehicle.home == Home.id)).switch(Vehicle)
         .join(ParkingSpace, join_type=JOIN.LEFT_OUTER, on=(Vehicle.space == ParkingSpace.id)))
    if home_id is not None:
        q = q.where(Vehicle.home == home_id)
    if not include_cancelled:
        q = q.where(Vehicle.status == "有效")
    today = ctx.clock.today()
    rows = [_vehicle_row(x, x.room_code, x.space_code, today) for x in q.order_by(Vehicle.id.desc()).objects()]
    t = v.normalize(text).upper().replace(" ", "")
    if t:
        rows = [r for r in rows if t in r["plate"] or t in r["room_code"].upper() or t in r["card_number"]
                or t in r["driver_name"] or t in r["space_code"].upper()]
    return rows


def vehicle_detail(ctx, vehicle_id) -> dict:
    require(ctx, "parking.view")
    x = _vehicle(vehicle_id)
    return _vehicle_row(x, x.home.room_code, x.space.code if x.space_id else "", ctx.clock.today())


# ---------------------------------------------------------------------------------------------
# monthly services of a home (bicycle parking, cable TV) through app.ledger.billing
def subscription_rows(ctx, home_id) -> list[dict]:
    """A home's bicycle-parking and cable-TV registrations, newest first, with the monthly amount."""
    require(ctx, "ledger.view")
    from app.ledger.charge_items import item_name
    today = _period(ctx.clock.today())
    rates = {"bicycle": int(ctx.settings.get("fee.bicycle")), "cable_tv": int(ctx.settings.get("fee.cable_tv"))}
    rows = []
    for s in Subscription.select().where(Subscription.home == home_id).order_by(Subscription.id.desc()):
        if s.start_period > today:
            state = "未开始"
        elif s.end_period is not None and s.end_period < today:
            state = "已截止"
        else:
            state = "计费中"
        monthly = rates.get(s.item_code, 0) * s.count
        rows.append({"id": s.id, "item_code": s.item_code, "item": item_name(s.item_code), "count": s.count,
                     "start_period": s.start_period, "end_period": s.end_period or "", "state": state,
                     "open": s.end_period is None, "monthly_fen": monthly, "monthly": fmt_fen(monthly),
                     "notes": s.notes})
    return rows


def subscribe(ctx, home_id, item_code, count=1, start_period=None, notes="") -> Subscription:
    """Start a monthly service (billing.subscribe), refusing a second open registration of the
    same item for the home (raise the count instead). When the monthly run has already billed the
    current month (or the next, ahead), those months are billed now, as for parking spaces; the
    returned registration's ``billed_now`` names them."""
    from app.ledger import billing
    require(ctx, "ledger.charge")
    today = ctx.clock.today()
    start = billing.period_str(*billing.parse_period(start_period or _period(today), "起始月份"))
    if item_code in billing.SUBSCRIPTION_ITEMS:
        clash = (Subscription.select().where((Subscription.home == home_id) & (Subscription.item_code == item_code)
                                             & (Subscription.end_period.is_null() | (Subscription.end_period >= start)))
                 .order_by(Subscription.id).first())
        if clash is not None:
            from app.ledger.charge_items import item_name
            span = f"{clash.start_period} 起" + (f"至 {clash.end_period}" if clash.end_period else "，未截止")
            raise StateError(f"该户已登记{item_name(item_code)}（{span}），与 {start} 起的新登记重叠；"
                             "如需改变数量，请先截止原登记")
    if isinstance(count, str):
        try:
            count = int(count.strip())
        except ValueError:
            raise ValidationError("数量", f"“{count}”不是整数") from None
    this_month = _period(today)
    with ctx.db.atomic():
        sub = billing.subscribe(ctx, home_id, item_code, count, start, notes)
        # the month (and the next, billed ahead) already run: billed now as the run writes them;
        # months before this one are not billed back
        billed = [p for p in _run_periods(max(sub.start_period, this_month)) if _bill_subscription_line(ctx, sub, p)]
        if billed:
            record(ctx, "parking.subscription_billed", "subscription", sub.id, None, {"billed_now": billed})
    sub.billed_now = billed
    return sub


def _bill_subscription_line(ctx, sub: Subscription, period: str) -> bool:
    """The month's line of a subscription exactly as the monthly run writes it (same unique key),
    unless it exists."""
    from app.ledger.billing import due_date_for
    ref = f"S{sub.id}"
    if Charge.select().where((Charge.home == sub.home_id) & (Charge.item_code == sub.item_code)
                             & (Charge.bill_period == period) & (Charge.bill_ref == ref)).exists():
        return False
    rate = int(ctx.settings.get(f"fee.{sub.item_code}"))
    Charge.create(home=sub.home_id, item_code=sub.item_code, category="periodic", period=period, bill_period=period,
                  bill_ref=ref, quantity_milli=sub.count * 1000, unit_price_fen=rate, amount_fen=sub.count * rate,
                  paid_fen=0, refunded_fen=0, due_date=due_date_for(ctx, period), memo="", source="billing",
                  source_id=sub.id, created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
    return True


def end_subscription(ctx, subscription_id, end_period) -> Subscription:
    """Stop a monthly service after ``end_period`` (billing.end_subscription). Months after it
    that the run already billed ahead are waived when still unpaid (when the user may waive, else
    named in ``pending``); paid ones are named in ``paid_ahead``. The returned registration carries
    ``waived``, ``pending``, ``paid_ahead`` and ``message``."""
    from app.ledger import billing
    from app.ledger.charge_items import item_name
    with ctx.db.atomic():
        sub = billing.end_subscription(ctx, subscription_id, end_period)
        ahead = list(Charge.select().where((Charge.home == sub.home_id) & (Charge.item_code == sub.item_code)
                                           & (Charge.bill_ref == f"S{sub.id}") & (Charge.bill_period > sub.end_period))
                     .order_by(Charge.bill_period))
        paid = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                    .where(Payment.charge.in_([c.id for c in ahead]) & (Payment.kind != "waive"))
                    .group_by(Payment.charge).tuples()) if ahead else {}
        paid_ahead = [f"{c.bill_period}（{fmt_fen(paid[c.id])} 元）" for c in ahead if paid.get(c.id, 0) > 0]
        waived, pending = [], []
        for c in ahead:
            if c.paid_fen >= c.amount_fen:
                continue
            if allowed(getattr(ctx.user, "role", None), "ledger.void"):
                from app.ledger.payments import waive
                waive(ctx, c.id, f"{item_name(sub.item_code)}已截止于 {sub.end_period}，{c.bill_period} 不再计收",
                      source="subscription", source_id=sub.id)
                waived.append(c.bill_period)
            else:
                pending.append(c.bill_period)
        if ahead:
            record(ctx, "parking.subscription_end_billed", "subscription", sub.id, None,
                   {"waived": waived, "pending": pending, "paid_ahead": paid_ahead})
    msg = f"{item_name(sub.item_code)}登记已截止，最后计费月份 {sub.end_period}"
    if waived:
        msg += f"；已预先计费的 {'、'.join(waived)} 已免收"
    if pending:
        msg += f"；已预先计费的 {'、'.join(pending)} 未付，请经理在收费台账中免收"
    if paid_ahead:
        msg += f"；已预缴 {'、'.join(paid_ahead)}，请经理与业主商定退还"
    sub.waived, sub.pending, sub.paid_ahead, sub.message = waived, pending, paid_ahead, msg
    return sub


def home_owner_choices(ctx, room_code) -> dict:
    """The home of a typed room code and its current owners, for the rent/sell form."""
    require(ctx, "parking.view")
    home = find_home(room_code)
    owners = [{"id": oid, "name": name, "is_primary": bool(primary), "phone": mask_phone(phone)}
              for oid, name, primary, phone in (
                  HomeOwner.select(Owner.id, Owner.name, HomeOwner.is_primary, Owner.phone).join(Owner)
                  .where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
                  .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples())]
    return {"home_id": home.id, "room_code": home.room_code, "owners": owners}


def room_code_of(home_id) -> str:
    from app.archives.homes import home_by_id
    return home_by_id(home_id).room_code      # unknown: NotFound “房屋不存在（编号 7）”


def forget_owner(ctx, owner_id) -> int:
    """For app.core.privacy.anonymise_owner (an owner who left): the owner's car-card registrations keep
    plate, space and dates but lose the driver's name and phone; the spaces the owner holds lose
    the name in their holder text. Joins the caller's transaction; returns the cards changed."""
    from app.core.privacy import anonymised_name
    with ctx.db.atomic():
        n = (Vehicle.update(driver_name=anonymised_name(int(owner_id)), phone="")
             .where(Vehicle.owner == owner_id).execute())
        # the spaces the owner holds keep the holders' names (owner_name) as written when attached
        spaces = list(ParkingSpace.select().where(ParkingSpace.id.in_(
            ParkingOwner.select(ParkingOwner.space).where(ParkingOwner.owner == owner_id))))
        holders = _holders([s.id for s in spaces])
        for s in spaces:
            names = [anonymised_name(int(owner_id)) if h["owner_id"] == int(owner_id) else h["name"]
                     for h in holders.get(s.id, [])]
            ParkingSpace.update(owner_name="、".join(names)).where(ParkingSpace.id == s.id).execute()
        if n or spaces:
            record(ctx, "parking.forget_owner", "owner", owner_id, None, {"vehicles": n, "spaces": len(spaces)})
    return n
