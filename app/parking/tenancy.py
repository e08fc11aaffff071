"""Selling (产权), renting (租用) and taking back (退租/收回) a parking space, with the billing
rule that goes with it.

Billing rule chosen here: **whole months**. A space is billed for every calendar month in which
it was held, in full: renting (or selling) in a month bills that month, releasing in a month
still bills that month, and nothing from the next month. The monthly run only sees the spaces
attached when it runs, so this module completes it in the same transaction as the change:
- attaching a space after the current month (or the next, billed ahead) was already run adds
  that month's line for the space, exactly as the run writes it (same unique key: home, item,
  bill period, ``P<space id>``), so a later re-run bills nothing twice;
- releasing a space before the current month was run adds the current month's line (the run
  would no longer see the space); a line of a later month already billed ahead and still unpaid
  is waived (免收) when the user may waive, otherwise reported to the user.
The monthly services of a home (app.parking.subscriptions) follow the same rule.
"""
from __future__ import annotations

import re

from peewee import fn

from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import period_of
from app.core.errors import StateError, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import allowed, require
from app.parking.spaces import (
    FREE,
    KINDS,
    LEVEL_ITEMS,
    bill_ref,
    current_owner_ids,
    find_home,
    get_space,
    holders_of,
    monthly_fee,
)
from models.ledger import Charge, Payment
from models.parking import Vehicle
from models.people import Owner, ParkingOwner
from models.property import ParkingSpace

REASON_MAX = 200
SELL = "产权"


# ---------------------------------------------------------------------------------------------
# next to the monthly run
def run_periods(since: str) -> list[str]:
    """Months from ``since`` on that the monthly billing run has already billed."""
    from models.users import AuditLog
    rows = (AuditLog.select(AuditLog.entity_id).where((AuditLog.action == "ledger.bill_month")
                                                      & (AuditLog.entity_id >= since)).distinct().tuples())
    return sorted({r[0] for r in rows if re.fullmatch(r"\d{4}-\d{2}", r[0] or "")})


def settle_ahead(ctx, charges: list[Charge], reason_of, source: str, source_id: int):
    """Lines of months billed ahead of a stop: the (partly) paid ones are named in ``paid_ahead``
    (the money stays on the charge, the user is told); the unpaid ones are waived with
    ``reason_of(charge)`` when the user may waive, else named in ``pending``.
    Returns (waived, pending, paid_ahead)."""
    paid = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.charge.in_([c.id for c in charges]) & (Payment.kind != "waive"))
                .group_by(Payment.charge).tuples()) if charges else {}
    paid_ahead = [f"{c.bill_period}（{fmt_fen(paid[c.id])} 元）" for c in charges if paid.get(c.id, 0) > 0]
    waived, pending = [], []
    for c in charges:
        if c.paid_fen >= c.amount_fen:
            continue
        if allowed(getattr(ctx.user, "role", None), "ledger.void"):
            from app.ledger.payments import waive
            waive(ctx, c.id, reason_of(c), source=source, source_id=source_id)
            waived.append(c.bill_period)
        else:
            pending.append(c.bill_period)
    return waived, pending, paid_ahead


def _bill_line(ctx, s: ParkingSpace, home_id: int, period: str) -> Charge | None:
    """The month's parking line of a space, exactly as the monthly run writes it (same unique
    key), unless it exists. Returns the new charge or None."""
    from app.ledger.rates import due_date_for
    item, key = LEVEL_ITEMS[s.level]
    ref = bill_ref(s)
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
                           & (Charge.bill_period == period) & (Charge.bill_ref == bill_ref(s)))
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


# ---------------------------------------------------------------------------------------------
# selling and renting
def _refuse_taken(s: ParkingSpace) -> None:
    if s.state == FREE:
        return
    holder = "、".join(h["name"] for h in holders_of([s.id]).get(s.id, [])) or s.owner_name
    room = s.home.room_code if s.home_id else ""
    who = "".join(x for x in (room, f"（{holder}）" if holder else "") if x)
    action = "请先办理退租" if s.state == "已租" else "请先办理收回"
    raise StateError(f"车位 {s.code} {s.state}" + (f"给 {who}" if who else "") + f"，{action}")


def _holder_names(home, owner_ids) -> dict[int, str]:
    """The owners the space goes to (default: the home's primary owner), checked: {id: name}."""
    current = current_owner_ids(home.id)
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
    return {oid: names[oid] for oid in owner_ids}


def attach_space(ctx, space_id, room_code, kind: str, owner_ids=None, notes: str = "") -> dict:
    """Sell (产权) or rent (租用) a free space to owner(s) of a home (default: the primary owner).
    One transaction: holders, space state and home, audit, and the whole-month billing rule
    (module doc). Returns {"space", "billed": [periods billed now], "message"}."""
    kind = v.check_choice(kind, list(KINDS), "车位性质")
    require(ctx, "parking.sell" if kind == SELL else "parking.rent")
    s = get_space(space_id)
    home = find_home(room_code)
    _refuse_taken(s)
    names = _holder_names(home, owner_ids)
    today = ctx.clock.today()
    this_month = period_of(today)
    before = model_dict(s)
    with ctx.db.atomic():
        for oid in names:
            ParkingOwner.create(space=s.id, owner=oid, kind=kind)
        s.home, s.state = home.id, KINDS[kind]
        s.owner_name = "、".join(names.values())
        if notes:
            s.notes = (s.notes + "\n" if s.notes else "") + f"{today:%Y-%m-%d} {str(notes).strip()}"
        s.save()
        billed = [p for p in run_periods(this_month)
                  if _bill_line(ctx, s, home.id, p) is not None or _unwaive(ctx, s, home.id, p)]
        record(ctx, "parking.sell" if kind == SELL else "parking.rent", "parking_space", s.id, before,
               {**model_dict(s), "holders": list(names), "kind": kind, "billed_now": billed})
    fee = fmt_fen(monthly_fee(ctx, s.level))
    msg = (f"车位 {s.code} 已{'售' if kind == SELL else '租'}给 {home.room_code} {s.owner_name}，"
           f"车位费 {fee} 元/月，自 {this_month} 起按整月计收")
    if billed:
        msg += f"（{'、'.join(billed)} 已计费，本次补记该车位费用）"
    return {"space": s, "billed": billed, "message": msg}


def sell_space(ctx, space_id, room_code, owner_ids=None, notes: str = "") -> dict:
    return attach_space(ctx, space_id, room_code, SELL, owner_ids, notes)


def rent_space(ctx, space_id, room_code, owner_ids=None, notes: str = "") -> dict:
    return attach_space(ctx, space_id, room_code, "租用", owner_ids, notes)


# ---------------------------------------------------------------------------------------------
# taking back
def _bill_release(ctx, s: ParkingSpace, this_month: str) -> dict:
    """The month of the release billed in full, the months billed ahead settled (module doc)."""
    out = {"billed": [], "waived": [], "pending": [], "paid_ahead": []}
    if s.home_id is None or s.level not in LEVEL_ITEMS:
        return out
    if _bill_line(ctx, s, s.home_id, this_month) is not None:
        out["billed"].append(this_month)
    ahead = list(Charge.select().where((Charge.home == s.home_id) & (Charge.item_code == LEVEL_ITEMS[s.level][0])
                                       & (Charge.bill_ref == bill_ref(s)) & (Charge.bill_period > this_month))
                 .order_by(Charge.bill_period))
    today = ctx.clock.today()
    out["waived"], out["pending"], out["paid_ahead"] = settle_ahead(
        ctx, ahead, lambda c: f"车位 {s.code} 已于 {today:%Y-%m-%d} 收回，{c.bill_period} 不再计收", "parking", s.id)
    return out


def _cancel_cards(ctx, s: ParkingSpace, reason: str) -> list[str]:
    cards = list(Vehicle.select().where((Vehicle.space == s.id) & (Vehicle.status == "有效")))
    for card in cards:
        card.status, card.cancelled_at = "已注销", ctx.clock.now()
        card.cancel_reason = f"车位 {s.code} 收回" + (f"：{reason}" if reason else "")
        card.save()
    return [c.card_number for c in cards]


def _release_message(s: ParkingSpace, room: str, this_month: str, done: dict) -> str:
    msg = f"车位 {s.code} 已收回（原 {room}），{this_month} 车位费按整月计收，次月起停收"
    if done["billed"]:
        msg += "（本月尚未计费，已补记本月车位费）"
    if done["cards_cancelled"]:
        msg += f"；车卡 {'、'.join(done['cards_cancelled'])} 已注销"
    if done["waived"]:
        msg += f"；已预先计费的 {'、'.join(done['waived'])} 车位费已免收"
    if done["pending"]:
        msg += f"；已预先计费的 {'、'.join(done['pending'])} 车位费未付，请经理在收费台账中免收"
    if done["paid_ahead"]:
        msg += f"；已预缴 {'、'.join(done['paid_ahead'])} 的车位费，次月起不再使用该车位，请经理与业主商定退还"
    return msg


def release_space(ctx, space_id, reason: str = "") -> dict:
    """End a rental (退租) or take back a sold space (收回/过户前): the space is free again, its
    valid car cards are cancelled, and the month is billed in full (module doc). Returns
    {"space", "billed", "waived", "pending", "paid_ahead", "cards_cancelled", "message"}."""
    s = get_space(space_id)
    if s.state == FREE:
        raise StateError(f"车位 {s.code} 已是空闲，无需收回")
    require(ctx, "parking.rent" if s.state == "已租" else "parking.sell")
    reason = str(reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError("原因", f"不能超过{REASON_MAX}个字")
    today = ctx.clock.today()
    this_month = period_of(today)
    room = s.home.room_code if s.home_id else ""
    before = {**model_dict(s), "holders": [h["owner_id"] for h in holders_of([s.id]).get(s.id, [])]}
    with ctx.db.atomic():
        done = _bill_release(ctx, s, this_month)
        done["cards_cancelled"] = _cancel_cards(ctx, s, reason)
        ParkingOwner.delete().where(ParkingOwner.space == s.id).execute()
        s.home, s.owner_name, s.state = None, "", FREE
        if reason:
            s.notes = (s.notes + "\n" if s.notes else "") + f"{today:%Y-%m-%d} 收回：{reason}"
        s.save()
        record(ctx, "parking.release", "parking_space", s.id, before,
               {**model_dict(s), "reason": reason, "billed_now": done["billed"], "waived": done["waived"],
                "pending": done["pending"], "paid_ahead": done["paid_ahead"],
                "cards_cancelled": done["cards_cancelled"]})
    return {"space": s, **done, "message": _release_message(s, room, this_month, done)}
