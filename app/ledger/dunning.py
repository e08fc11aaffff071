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

from peewee import fn

from app.archives.homes import home_by_id
from app.core import validation as v
from app.core.audit import record
from app.core.errors import StateError, ValidationError
from app.core.money import round_half_up
from app.core.permissions import require
from app.core.sequences import format_number, reserve_numbers
from app.ledger.arrears import home_arrears, home_open_items, overdue_where
from app.ledger.charge_items import item_name
from models.ledger import Charge, ChargeItem, DunningRecord
from models.property import Building, Home
from models.system import Sequence

# the stages of the monthly calendar
STAGE_LIST, STAGE_PHONE, STAGE_SECOND, STAGE_THIRD = 0, 1, 2, 3
STAGES = {STAGE_LIST: "整理欠费清单", STAGE_PHONE: "电话催缴", STAGE_SECOND: "二次通知",
          STAGE_THIRD: "三次通知（含滞纳金）"}
OUTCOMES = ["承诺缴费", "已缴费", "无人接听", "拒缴", "有投诉", "号码错误", "其他"]
VISIT_OUTCOMES = ["承诺缴费", "当场缴费", "未遇业主", "拒缴", "有投诉", "其他"]
# how a DunningRecord was made (its method): a call, a notice, a visit at the door, a problem handed on
METHOD_PHONE, METHOD_NOTICE, METHOD_VISIT, METHOD_MANAGER = "电话", "通知单", "上门", "转经理"
NOTE_MAX = 200   # characters of a visit's notes or a problem handed on


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
    visits: int = 0       # door-to-door visits this month
    escalated: str = ""   # the latest problem handed to the manager this month


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
        calls = [r for r in rs if r.method == METHOD_PHONE]
        visits = [r for r in rs if r.method == METHOD_VISIT]
        handed = [r for r in rs if r.method == METHOD_MANAGER]
        second = next((r for r in rs if r.stage == STAGE_SECOND and r.method == METHOD_NOTICE), None)
        third = next((r for r in rs if r.stage == STAGE_THIRD and r.method == METHOD_NOTICE), None)
        if stage == STAGE_LIST:
            action = "列入欠费清单"
        elif stage == STAGE_PHONE:
            action = "待电话催缴" if not calls else f"已电话{len(calls)}次"
        elif stage == STAGE_SECOND:
            action = "待张贴二次通知" if second is None else "已张贴二次通知"
        elif third is None:
            action = "待发三次通知并上门"
        else:
            action = "待上门催缴" if not visits else f"已上门{len(visits)}次"
        if handed:
            action = "已转经理处理"
        rows.append(BoardRow(h.home_id, h.room_code, h.building, h.area_manager, h.owners, h.phone, h.owed_fen,
                             h.months, len(calls), calls[-1].outcome if calls else "",
                             second.record_date.isoformat() if second else "",
                             third.record_date.isoformat() if third else "", action, len(visits),
                             handed[-1].outcome if handed else ""))
    return stage, rows


def _log(ctx, home_id: int, method: str, stage: int, outcome: str) -> DunningRecord:
    """One line of the dunning record (inside the caller's transaction, which audits it)."""
    home_by_id(home_id, field="房号")
    today = ctx.clock.today()
    owed = sum(c.amount_fen - c.paid_fen for c in home_open_items(ctx, home_id, today))
    return DunningRecord.create(home=home_id, stage=stage, method=method, record_date=today, owed_fen=owed,
                                outcome=outcome, staff=getattr(ctx.user, "id", None), created_at=ctx.clock.now())


def _audited(r: DunningRecord) -> dict:
    return {"method": r.method, "outcome": r.outcome, "owed_fen": r.owed_fen}


def log_phone(ctx, home_id: int, outcome: str, notes: str = "") -> DunningRecord:
    """A phone reminder with its outcome (催缴记录)."""
    require(ctx, "ledger.dunning")
    outcome = v.check_choice(outcome, OUTCOMES, "催缴结果")
    with ctx.db.atomic():
        r = _log(ctx, home_id, METHOD_PHONE, STAGE_PHONE, outcome + (f"：{notes}" if notes else ""))
        record(ctx, "dunning.phone", "home", home_id, None, _audited(r))
    return r


def log_visit(ctx, home_id: int, outcome: str, notes: str = "") -> DunningRecord:
    """A door-to-door visit (上门催缴) with its outcome, recorded in the dunning record."""
    require(ctx, "ledger.dunning")
    outcome = v.check_choice(outcome, VISIT_OUTCOMES, "上门结果")
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX:
        raise ValidationError("说明", f"不能超过{NOTE_MAX}字")
    stage = max(calendar_stage(ctx.settings, ctx.clock.today()), STAGE_PHONE)
    with ctx.db.atomic():
        r = _log(ctx, home_id, METHOD_VISIT, stage, outcome + (f"：{notes}" if notes else ""))
        record(ctx, "dunning.visit", "home", home_id, None, _audited(r))
    return r


def hand_to_manager(ctx, home_id: int, problem: str) -> DunningRecord:
    """A problem met while dunning handed to the manager (问题转经理), recorded in the dunning record."""
    require(ctx, "ledger.dunning")
    problem = (problem or "").strip()
    if not problem:
        raise ValidationError("问题说明", "请写明需经理处理的问题")
    if len(problem) > NOTE_MAX:
        raise ValidationError("问题说明", f"不能超过{NOTE_MAX}字")
    stage = max(calendar_stage(ctx.settings, ctx.clock.today()), STAGE_PHONE)
    with ctx.db.atomic():
        r = _log(ctx, home_id, METHOD_MANAGER, stage, problem)
        record(ctx, "dunning.escalate", "home", home_id, None, _audited(r))
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
    office_phone: str = ""               # site.service_phone


def _month(on_date: dt.date, building_id: int | None, stage: int):
    """DunningRecord rows of *stage* notices in the month of *on_date* (up to that day)."""
    q = DunningRecord.select().where((DunningRecord.stage == stage) & (DunningRecord.method == "通知单")
                                     & (DunningRecord.record_date >= _month_start(on_date))
                                     & (DunningRecord.record_date <= on_date))
    if building_id is not None:
        q = q.join(Home, on=(DunningRecord.home == Home.id)).where(Home.building == building_id)
    return q


@dataclass(frozen=True)
class NoticeCheck:
    """What issuing a batch of *stage* notices on a day would run into (asked before the batch)."""
    stage: int
    homes: int                 # households in arrears in the batch
    issued_homes: int          # of them, households that already have this stage's notice this month
    issued_notices: int        # and how many such notices exist
    too_early: bool            # a third notice before dunning.third_from_day
    without_second: int        # third notice: households with no second notice this month


def notice_check(ctx, on_date: dt.date, stage: int, building_id: int | None = None) -> NoticeCheck:
    """Count, without writing, what the batch would meet: notices of the stage already issued this
    month and, for the third notice, the calendar day and the homes with no second notice."""
    require(ctx, "ledger.dunning")
    _check_stage_and_date(ctx, on_date, stage)
    homes = {h.home_id for h in home_arrears(ctx, on_date, building_id=building_id)}
    issued = [r.home_id for r in _month(on_date, building_id, stage) if r.home_id in homes]
    without = 0
    if stage == STAGE_THIRD:
        seconds = {r.home_id for r in _month(on_date, building_id, STAGE_SECOND)}
        without = len(homes - seconds)
    return NoticeCheck(stage, len(homes), len(set(issued)), len(issued),
                       stage == STAGE_THIRD and on_date.day < int(ctx.settings.get("dunning.third_from_day")),
                       without)


def _check_stage_and_date(ctx, on_date: dt.date, stage: int) -> None:
    if stage not in (STAGE_SECOND, STAGE_THIRD):
        raise ValidationError("通知类别", "只能打印二次通知（2）或三次通知（3）")
    today = ctx.clock.today()
    if on_date > today:
        raise ValidationError("日期", f"通知日期 {on_date} 晚于今天（{today}），不能预先签发")


def notices(ctx, on_date: dt.date, stage: int, building_id: int | None = None, *, again: bool = False,
            override_reason: str = "") -> list[Notice]:
    """Issue the second (stage 2) or third (stage 3, with late fee) notices of every household in
    arrears on *on_date*, sorted by building and room, each recorded with its number.

    Numbers come from one counter for both stages (CJ2026-000001 is never issued twice). A notice is
    never dated after today. A third notice goes only to households that had a second notice this
    month, and only from dunning.third_from_day; a manager may override both with a reason
    (``override_reason``, audited as dunning.override). Households that already have a notice of
    this stage this month make the batch refuse unless ``again`` (the user was asked)."""
    require(ctx, "ledger.dunning")
    _check_stage_and_date(ctx, on_date, stage)
    reason = (override_reason or "").strip()
    if reason:
        require(ctx, "ledger.dunning_override")
    homes = home_arrears(ctx, on_date, building_id=building_id)
    if stage == STAGE_THIRD and not reason:
        first_day = int(ctx.settings.get("dunning.third_from_day"))
        if on_date.day < first_day:
            raise ValidationError("日期", f"三次通知须在每月{first_day}日及以后发出（{on_date} 尚未到期）；"
                                        "如确需提前，须经理注明原因")
        seconds = {r.home_id for r in _month(on_date, building_id, STAGE_SECOND)}
        homes = [h for h in homes if h.home_id in seconds]
    if not homes:
        return []
    if not again:
        ids = {h.home_id for h in homes}
        issued = [r.home_id for r in _month(on_date, building_id, stage) if r.home_id in ids]
        if issued:
            raise StateError(f"本月已有 {len(set(issued))} 户发出{STAGES[stage]}（共 {len(issued)} 份），"
                             "再次发出须先确认")
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
    phone = ctx.settings.get("site.service_phone") or ""
    with ctx.db.atomic():
        first = reserve_numbers(_counter(year), year, len(homes))
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
                            "created_at": now, "outcome": f"经理特批：{reason}" if reason else ""})
            used = tuple(bases[code] for code in dict.fromkeys(c.item_code for c in open_items.get(h.home_id, []))
                         if code in bases and bases[code][1])
            out.append(Notice(number, stage, h.room_code, h.building, h.owners, tuple(items), owed, late,
                              on_date.isoformat(), pay_by.isoformat(), used, phone))
        for i in range(0, len(records), 500):
            DunningRecord.insert_many(records[i:i + 500]).execute()
        after = {"date": on_date.isoformat(), "count": len(out), "building_id": building_id,
                 "numbers": f"{out[0].number}–{out[-1].number}", "again": again}
        record(ctx, f"dunning.notice{stage}", "dunning", "", None, after)
        if reason:
            record(ctx, "dunning.override", "dunning", "", None, {**after, "reason": reason})
    return out


COUNTER = "dunning_notice"


def _counter(year: int) -> str:
    """The one counter of notice numbers. A site whose notices were numbered per stage before
    (dunning_notice_2, dunning_notice_3) continues after the higher of the two, so no number issued
    before is issued again."""
    if not Sequence.select().where((Sequence.name == COUNTER) & (Sequence.year == year)).exists():
        old = (Sequence.select(fn.MAX(Sequence.last))
               .where(Sequence.name.in_(["dunning_notice_2", "dunning_notice_3"]) & (Sequence.year == year))
               .scalar()) or 0
        Sequence.insert(name=COUNTER, year=year, last=int(old)).on_conflict_ignore().execute()
    return COUNTER


def notices_pdf(ctx, on_date: dt.date, stage: int, building_id: int | None = None, *, again: bool = False,
                override_reason: str = "") -> tuple[int, bytes]:
    """Issue and render the notices in one batch. Returns (count, PDF bytes)."""
    from app.printing.dunning_notice import render_notices
    batch = notices(ctx, on_date, stage, building_id, again=again, override_reason=override_reason)
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
