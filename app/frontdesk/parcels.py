"""Parcels kept for owners (代收快递, domain.md §7 and §11; seed 000 item 11).

The desk takes in only parcels that are neither fragile nor valuable: the clerk ticks why one is
refused and the refusal is registered too. A parcel waits on a shelf until a collector signs for
it; its storage fee (free for ``parcel.free_hours``, then ``parcel.first_fee`` plus
``parcel.step_fee`` per further ``parcel.step_hours`` started, at most ``parcel.max_fee``:
``app.ledger.charge_items.parcel_fee``) is charged in the fee ledger as item ``parcel_fee`` at
pick-up and paid at once when the clerk may take money (else it waits for the cashier).
"""
from __future__ import annotations

import datetime as dt

from app.archives.homes import home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import allowed, require
from app.core.sequences import format_number, next_number
from app.frontdesk.common import age_text, clerk_name, day_bounds, export_rows, matches, short_text
from app.ledger.charge_items import parcel_fee
from models.db import for_update
from models.frontdesk import (
    PARCEL_PICKED,
    PARCEL_REFUSED,
    PARCEL_SIZES,
    PARCEL_WAITING,
    REFUSE_REASONS,
    Parcel,
)
from models.property import Home

CARRIERS = ["顺丰", "中通", "圆通", "韵达", "申通", "京东", "邮政EMS", "极兔", "德邦", "其他"]
TRACKING_MAX = 40
EXPORT_COLUMNS = ("单号", "房号", "收件人", "快递公司", "快递单号", "大小", "存放位置", "状态", "拒收原因",
                  "收件时间", "收件人员", "已存放", "领取时间", "领取人", "保管费（元）", "收据")


def _parcel(parcel_id) -> Parcel:
    return get_or_404(Parcel, parcel_id, "包裹")


def check_in(ctx, data: dict) -> Parcel:
    """Take in a parcel, or register its refusal. ``data``: room_code, carrier, tracking_no, size,
    place (shelf), recipient, received_by (default the user), refuse_reasons (a list of
    REFUSE_REASONS: the parcel is refused, not kept), notes."""
    require(ctx, "parcels.receive")
    home = home_by_room(data.get("room_code"))
    carrier = short_text(data.get("carrier"), "快递公司", required=True)
    tracking = v.normalize(data.get("tracking_no") or "").replace(" ", "").upper()
    if len(tracking) > TRACKING_MAX:
        raise ValidationError("快递单号", f"不能超过{TRACKING_MAX}个字符")
    size = v.check_choice(data.get("size") or "小件", PARCEL_SIZES, "大小")
    reasons = [str(r).strip() for r in (data.get("refuse_reasons") or []) if str(r).strip()]
    for r in reasons:
        v.check_choice(r, REFUSE_REASONS, "拒收原因")
    place = short_text(data.get("place"), "存放位置")
    if not reasons and not place:
        raise ValidationError("存放位置", "不能为空（如 货架A-3）")
    received_by = short_text(clerk_name(ctx, data.get("received_by")), "收件人员", required=True)
    if tracking:
        dup = (Parcel.select().where((Parcel.tracking_no == tracking) & (Parcel.carrier == carrier)
                                     & (Parcel.status == PARCEL_WAITING)).first())
        if dup:
            raise ValidationError("快递单号", f"{carrier} {tracking} 已登记待取（{dup.number}，{dup.place}）")
    now = ctx.clock.now()
    with ctx.db.atomic():
        number = format_number("KD", now.year, next_number("parcel", now.year))
        p = Parcel.create(number=number, home=home, recipient=short_text(data.get("recipient"), "收件人"),
                          carrier=carrier, tracking_no=tracking, size=size, place="" if reasons else place,
                          status=PARCEL_REFUSED if reasons else PARCEL_WAITING, refuse_reason="、".join(reasons),
                          received_at=now, received_by=received_by, received_user=getattr(ctx.user, "id", None),
                          notes=str(data.get("notes") or "").strip())
        if reasons:
            record(ctx, "parcels.refuse", "parcel", p.id, None, model_dict(p))
        else:
            record(ctx, "parcels.check_in", "parcel", p.id, None, model_dict(p))
    return p


def fee_due(ctx, parcel: Parcel, at: dt.datetime | None = None) -> int:
    """The storage fee in fen if the parcel were collected *at* (default now)."""
    return parcel_fee((at or ctx.clock.now()) - parcel.received_at, ctx.settings)


def pick_up(ctx, parcel_id, data: dict) -> Parcel:
    """Hand one waiting parcel to its collector (see pick_up_many)."""
    return pick_up_many(ctx, [parcel_id], data)[0]


def pick_up_many(ctx, parcel_ids, data: dict) -> list[Parcel]:
    """Hand waiting parcels of one home to their collector, in one transaction. ``data``:
    collector_name, collector_signed (must be True), pay_now (default: when the user may take
    money), pay_method (default 现金) and pay_reference (a transfer's reference), waive (a manager
    lets the fee go, with waive_reason). Each fee above zero is a ``parcel_fee`` charge in the
    ledger (source ``parcel``); paid now, the fees of all the parcels get one receipt."""
    require(ctx, "parcels.receive")
    ids = list(dict.fromkeys(int(_parcel(i).id) for i in parcel_ids or []))
    if not ids:
        raise ValidationError("包裹", "请选择要领取的包裹")
    collector = short_text(data.get("collector_name"), "领取人", required=True)
    if not data.get("collector_signed"):
        raise ValidationError("领取人签字", "领取人须在登记簿上签字确认")
    pay_now = data.get("pay_now")
    pay_now = allowed(getattr(ctx.user, "role", None), "ledger.pay") if pay_now is None else bool(pay_now)
    waive = bool(data.get("waive"))
    if waive:
        require(ctx, "parcels.waive")
        v.check_required(data.get("waive_reason"), "免收原因")
    now = ctx.clock.now()
    with ctx.db.atomic():
        rows = list(for_update(Parcel.select().where(Parcel.id.in_(ids)).order_by(Parcel.id)))
        if len({p.home_id for p in rows}) > 1:
            raise ValidationError("包裹", "一次只能领取同一房号的包裹")
        for p in rows:
            if p.status != PARCEL_WAITING:
                by = f"（{fmt_datetime(p.picked_at)} 已由{p.collector_name}领取）" if p.picked_at else ""
                raise StateError(f"包裹 {p.number} 的状态是“{p.status}”，不能领取{by}")
        befores = {p.id: model_dict(p) for p in rows}
        charges = [_hand_over(ctx, p, now, collector, waive, data.get("waive_reason")) for p in rows]
        charge_ids = [c for c in charges if c]
        if charge_ids and pay_now:
            from app.ledger import payments
            receipt = payments.pay(ctx, rows[0].home_id, charge_ids, data.get("pay_method") or "现金", collector,
                                   str(data.get("pay_reference") or ""))
            for p in rows:
                if p.charge_id:
                    p.receipt_number = receipt.number
                    p.save()
        for p in rows:
            record(ctx, "parcels.pick_up", "parcel", p.id, befores[p.id], model_dict(p))
    return rows


def _hand_over(ctx, p: Parcel, now, collector: str, waive: bool, waive_reason) -> int | None:
    """One parcel collected (inside pick_up_many's transaction); returns its fee's charge id."""
    fee = 0 if waive else fee_due(ctx, p, now)
    p.status, p.picked_at, p.collector_name, p.collector_signed = PARCEL_PICKED, now, collector, True
    p.fee_fen = fee
    p.handed_by = getattr(ctx.user, "id", None)
    if waive:
        p.notes = (p.notes + "\n" if p.notes else "") + f"免收保管费：{str(waive_reason).strip()}"
    if fee:
        from app.ledger import billing
        hours = int((now - p.received_at).total_seconds() // 3600)
        charge = billing.post_charge(ctx, p.home_id, "parcel_fee", fee, quantity=1,
                                     memo=f"包裹保管费（{p.number}，存放{hours}小时）", source="parcel", source_id=p.id)
        p.charge_id = charge.id
    p.save()
    return p.charge_id


def parcel_row(p: Parcel, now: dt.datetime, settings) -> dict:
    waiting = p.status == PARCEL_WAITING
    age = (now if waiting else (p.picked_at or p.received_at)) - p.received_at
    fee = parcel_fee(age, settings) if waiting else p.fee_fen
    over = waiting and age > dt.timedelta(hours=int(settings.get("parcel.free_hours")))
    return {"id": p.id, "number": p.number, "room_code": p.home.room_code, "home_id": p.home_id,
            "recipient": p.recipient, "carrier": p.carrier, "tracking_no": p.tracking_no, "size": p.size,
            "place": p.place, "status": p.status, "refuse_reason": p.refuse_reason,
            "received_at": fmt_datetime(p.received_at), "received_by": p.received_by,
            "age": age_text(age) if p.status != PARCEL_REFUSED else "", "age_hours": int(age.total_seconds() // 3600),
            "fee_fen": fee, "fee": fmt_fen(fee) if fee else "", "overdue": over,
            "picked_at": fmt_datetime(p.picked_at), "collector_name": p.collector_name,
            "receipt_number": p.receipt_number, "charge_id": p.charge_id, "notes": p.notes}


def _query():
    return Parcel.select(Parcel, Home.id, Home.room_code).join(Home)   # not every column of the home


def _rows(ctx, q) -> list[dict]:
    now = ctx.clock.now()
    return [parcel_row(p, now, ctx.settings) for p in q]


def waiting_parcels(ctx, search: str = "", overdue_only: bool = False) -> list[dict]:
    """Parcels waiting, oldest first, with their age and the fee if collected now."""
    require(ctx, "frontdesk.view")
    q = _query().where(Parcel.status == PARCEL_WAITING).order_by(Parcel.received_at, Parcel.id)
    if overdue_only:
        free = dt.timedelta(hours=int(ctx.settings.get("parcel.free_hours")))
        q = q.where(Parcel.received_at < ctx.clock.now() - free)
    rows = _rows(ctx, q)
    return [r for r in rows if matches(search, r["room_code"], r["recipient"], r["carrier"], r["tracking_no"],
                                       r["place"], r["number"])]


def overdue_parcels(ctx) -> list[dict]:
    """Parcels kept beyond the free period (their fee is running)."""
    return waiting_parcels(ctx, overdue_only=True)


def waiting_for_home(ctx, room_code) -> list[dict]:
    """The parcels waiting for one home (the collector asks by room)."""
    home = home_by_room(room_code)
    return [r for r in waiting_parcels(ctx) if r["home_id"] == home.id]


def day_parcels(ctx, day: dt.date | None = None) -> list[dict]:
    """The day's register: parcels taken in, refused or collected that day."""
    require(ctx, "frontdesk.view")
    start, end = day_bounds(day or ctx.clock.today())
    q = _query().where(((Parcel.received_at >= start) & (Parcel.received_at < end))
                       | ((Parcel.picked_at >= start) & (Parcel.picked_at < end)))
    return _rows(ctx, q.order_by(Parcel.received_at, Parcel.id))


def search_parcels(ctx, text: str, limit: int = 500) -> list[dict]:
    """Every parcel (waiting, collected, refused) matching the words, newest first."""
    require(ctx, "frontdesk.view")
    out = []
    for r in _rows(ctx, _query().order_by(Parcel.received_at.desc(), Parcel.id.desc())):
        if matches(text, r["room_code"], r["recipient"], r["carrier"], r["tracking_no"], r["collector_name"],
                   r["number"], r["status"]):
            out.append(r)
            if len(out) >= limit:
                break
    return out


def get_parcel(parcel_id) -> Parcel:
    return _parcel(parcel_id)


def export_parcels(ctx, rows: list[dict], path) -> int:
    """The rows shown (waiting, the day's list or a search) to Excel."""
    cells = [[r["number"], r["room_code"], r["recipient"], r["carrier"], r["tracking_no"], r["size"], r["place"],
              r["status"], r["refuse_reason"], r["received_at"], r["received_by"], r["age"], r["picked_at"],
              r["collector_name"], r["fee"], r["receipt_number"]] for r in rows]
    return export_rows(ctx, path, "代收快递", EXPORT_COLUMNS, cells, "parcel")
