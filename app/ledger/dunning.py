"""Dunning (催缴), domain.md §7 and 000 应会 7: the monthly calendar, phone reminders logged with
their outcome, second and third notices (the third with the late fee) printed in batch per
building, each notice recorded.

Calendar (site settings): by the 5th the arrears list per area manager; 6th–15th phone
reminders; 16th–20th the second notice on the door; from the 21st the third notice stating the
late fee, and visits. Payers drop out at once because the board is computed from the ledger.
Late fee: owed × daily rate × days past due, rounded half-up once per charge, capped at the
amount owed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from app.archives.homes import home_by_id
from app.core import validation as v
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.money import round_half_up
from app.core.permissions import require
from app.core.sequences import format_number, reserve_numbers
from app.ledger.arrears import home_arrears, home_open_items, overdue_where
from app.ledger.charge_items import item_name
from models.ledger import Charge, ChargeItem, DunningRecord
from models.property import Building

# the stages of the monthly calendar
STAGE_LIST, STAGE_PHONE, STAGE_SECOND, STAGE_THIRD = 0, 1, 2, 3
STAGES = {STAGE_LIST: "整理欠费清单", STAGE_PHONE: "电话催缴", STAGE_SECOND: "二次通知",
          STAGE_THIRD: "三次通知（含滞纳金）"}
OUTCOMES = ["承诺缴费", "已缴费", "无人接听", "拒缴", "有投诉", "号码错误", "其他"]


def calendar_stage(settings, day: dt.date) -> int:
    """The stage of the monthly calendar on *day*: 0 list, 1 phone, 2 second notice, 3 third notice."""
    d = day.day
    if d >= int(settings.get("dunning.third_from_day")):
        return STAGE_THIRD
    if d >= int(settings.get("dunning.second_from_day")):
        return STAGE_SECOND
    if d >= int(settings.get("dunning.phone_from_day")):
        return STAGE_PHONE
    return STAGE_LIST


def late_fee_for(settings, owed_fen: int, due_date: dt.date, on_date: dt.date) -> int:
    """Late fee of one overdue charge: owed × rate × days late, half-up, at most the amount owed."""
    days = (on_date - due_date).days
    if days <= 0 or owed_fen <= 0:
        return 0
    fee = round_half_up(Decimal(owed_fen) * settings.decimal("dunning.late_fee_daily_rate") * days)
    return min(fee, owed_fen)


@dataclass
class BoardRow:
    home_id: int
    room_code: str
    building: str
    area_manager: str
    owners: str
    phone: str            # masked
    owed_fen: int
    months: int
    calls: int            # phone reminders logged this month
    last_outcome: str
    second_notice: str    # date posted this month, or ""
    third_notice: str
    next_action: str


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def board(ctx, on_date: dt.date | None = None, *, area_manager_id=None, building_id=None) -> tuple[int, list[BoardRow]]:
    """Who is at which stage on *on_date*: (calendar stage, one row per household in arrears)."""
    on_date = on_date or ctx.clock.today()
    stage = calendar_stage(ctx.settings, on_date)
    homes = home_arrears(ctx, on_date, area_manager_id=area_manager_id, building_id=building_id)
    recs: dict[int, list[DunningRecord]] = {}
    if homes:
        q = (DunningRecord.select().where(DunningRecord.home.in_([h.home_id for h in homes])
                                          & (DunningRecord.record_date >= _month_start(on_date))
                                          & (DunningRecord.record_date <= on_date))
             .order_by(DunningRecord.record_date, DunningRecord.id))
        for r in q:
            recs.setdefault(r.home_id, []).append(r)
    rows = []
    for h in homes:
        rs = recs.get(h.home_id, [])
        calls = [r for r in rs if r.stage == STAGE_PHONE]
        second = next((r for r in rs if r.stage == STAGE_SECOND), None)
        third = next((r for r in rs if r.stage == STAGE_THIRD), None)
        if stage == STAGE_LIST:
            action = "列入欠费清单"
        elif stage == STAGE_PHONE:
            action = "待电话催缴" if not calls else f"已电话{len(calls)}次"
        elif stage == STAGE_SECOND:
            action = "待张贴二次通知" if second is None else "已张贴二次通知"
        else:
            action = "待发三次通知并上门" if third is None else "已发三次通知，上门催缴"
        rows.append(BoardRow(h.home_id, h.room_code, h.building, h.area_manager, h.owners, h.phone, h.owed_fen,
                             h.months, len(calls), calls[-1].outcome if calls else "",
                             second.record_date.isoformat() if second else "",
                             third.record_date.isoformat() if third else "", action))
    return stage, rows


def log_phone(ctx, home_id: int, outcome: str, notes: str = "") -> DunningRecord:
    """A phone reminder with its outcome (催缴记录)."""
    require(ctx, "ledger.dunning")
    outcome = v.check_choice(outcome, OUTCOMES, "催缴结果")
    home_by_id(home_id, field="房号")
    today = ctx.clock.today()
    owed = sum(c.amount_fen - c.paid_fen for c in home_open_items(ctx, home_id, today))
    with ctx.db.atomic():
        r = DunningRecord.create(home=home_id, stage=STAGE_PHONE, method="电话", record_date=today, owed_fen=owed,
                                 outcome=outcome + (f"：{notes}" if notes else ""),
                                 staff=getattr(ctx.user, "id", None), created_at=ctx.clock.now())
        record(ctx, "dunning.phone", "home", home_id, None, {"outcome": r.outcome, "owed_fen": owed})
    return r


def history(home_id: int) -> list[DunningRecord]:
    return list(DunningRecord.select().where(DunningRecord.home == home_id)
                .order_by(DunningRecord.record_date.desc(), DunningRecord.id.desc()))


# ---------------------------------------------------------------- notices
@dataclass(frozen=True)
class NoticeItem:
    name: str
    period: str
    due_date: str
    owed_fen: int
    late_fee_fen: int


@dataclass(frozen=True)
class Notice:
    number: str
    stage: int
    room_code: str
    building: str
    owners: str
    items: tuple[NoticeItem, ...]
    owed_fen: int
    late_fee_fen: int
    date: str
    pay_by: str
    bases: tuple[tuple[str, str], ...]   # (item name, legal basis)


def notices(ctx, on_date: dt.date, stage: int, building_id: int | None = None) -> list[Notice]:
    """Issue the second (stage 2) or third (stage 3, with late fee) notices of every household in
    arrears on *on_date*, sorted by building and room, each recorded with its number."""
    require(ctx, "ledger.dunning")
    if stage not in (STAGE_SECOND, STAGE_THIRD):
        raise ValidationError("通知类别", "只能打印二次通知（2）或三次通知（3）")
    homes = home_arrears(ctx, on_date, building_id=building_id)
    if not homes:
        return []
    bases = {c.code: (c.name, c.basis) for c in ChargeItem.select()}
    pay_by = on_date + dt.timedelta(days=int(ctx.settings.get("dunning.notice_pay_days")))
    order = {b.name: (b.sort_order, b.code) for b in Building.select()}
    homes.sort(key=lambda h: (order.get(h.building, (0, "")), h.room_code))
    open_items: dict[int, list] = {}
    ids = [h.home_id for h in homes]
    for i in range(0, len(ids), 900):
        for c in (Charge.select(Charge.home, Charge.item_code, Charge.period, Charge.due_date, Charge.amount_fen,
                                Charge.paid_fen)
                  .where(overdue_where(on_date) & Charge.home.in_(ids[i:i + 900]))
                  .order_by(Charge.due_date, Charge.id)):
            open_items.setdefault(c.home_id, []).append(c)
    out, records = [], []
    uid, now, year = getattr(ctx.user, "id", None), ctx.clock.now(), on_date.year
    with ctx.db.atomic():
        first = reserve_numbers(f"dunning_notice_{stage}", year, len(homes))
        for k, h in enumerate(homes):
            items = []
            for c in open_items.get(h.home_id, []):
                owed = c.amount_fen - c.paid_fen
                late = late_fee_for(ctx.settings, owed, c.due_date, on_date) if stage == STAGE_THIRD else 0
                items.append(NoticeItem(item_name(c.item_code), c.period or "", c.due_date.isoformat(), owed, late))
            owed = sum(i.owed_fen for i in items)
            late = sum(i.late_fee_fen for i in items)
            number = format_number("CJ", year, first + k)
            records.append({"home": h.home_id, "stage": stage, "method": "通知单", "record_date": on_date,
                            "owed_fen": owed, "late_fee_fen": late, "number": number, "staff": uid,
                            "created_at": now, "outcome": ""})
            used = tuple(bases[code] for code in dict.fromkeys(c.item_code for c in open_items.get(h.home_id, []))
                         if code in bases and bases[code][1])
            out.append(Notice(number, stage, h.room_code, h.building, h.owners, tuple(items), owed, late,
                              on_date.isoformat(), pay_by.isoformat(), used))
        for i in range(0, len(records), 500):
            DunningRecord.insert_many(records[i:i + 500]).execute()
        record(ctx, f"dunning.notice{stage}", "dunning", "", None,
               {"date": on_date.isoformat(), "count": len(out), "building_id": building_id,
                "numbers": f"{out[0].number}–{out[-1].number}"})
    return out


def notices_pdf(ctx, on_date: dt.date, stage: int, building_id: int | None = None) -> tuple[int, bytes]:
    """Issue and render the notices in one batch. Returns (count, PDF bytes)."""
    from app.printing.dunning_notice import render_notices
    batch = notices(ctx, on_date, stage, building_id)
    return len(batch), render_notices(ctx.settings, batch)


def startup_reminders(ctx) -> list[str]:
    today = ctx.clock.today()
    stage = calendar_stage(ctx.settings, today)
    if stage == STAGE_LIST:
        return []
    _s, rows = board(ctx, today)
    pending = [r for r in rows if r.next_action.startswith("待")]
    return [f"催缴（{STAGES[stage]}）：{len(pending)} 户待处理"] if pending else []


def building_choices() -> list[tuple[int, str]]:
    return [(b.id, b.name) for b in Building.select().order_by(Building.sort_order, Building.code)]
