"""Bills (缴费通知单, issue 17): per home, and in batch per building, for a month.

A bill lists the month's charges (period = the month, or a one-off due in it) with quantity, rate,
amount, what was paid or drawn from the prepayment, and what is owed; the earlier arrears by month
(every unpaid charge of an earlier month) with the late fee up to the bill's date by the rule of the
dunning notices (``dunning.late_fee_for``: owed × daily rate × days past due, per charge); deposits
apart (refundable, never owed); the total in figures and 大写. Pay by: the month's due date
(billing.due_day), or, for a month already past it, the day plus dunning.notice_pay_days. How to pay:
billing.pay_how and billing.pay_account; the office's phone and hours: site.service_phone, office.hours.

A home with nothing owed gets a bill saying so when asked for alone; a batch skips it (a bill is a
request for money: ``BillBatch.skipped`` counts those left out). Every printed bill has a number
unique in its year (JF2026-000001, counter ``bill``); printing is audited (ledger.bill_print: who
printed which bills, their numbers and total). Reductions (减免, app/ledger/reductions.py) and waivers are
shown in the 减免 column, their reasons under the table (payment lines of kind "reduction" or
"waive" on the month's charges), never as paid.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from peewee import fn

from app.core.audit import record
from app.core.dates import parse_period, period_bounds, period_str
from app.core.errors import NotFound, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.core.sequences import format_number, reserve_numbers
from app.core.validation import fmt_area
from app.ledger import shared_meter
from app.ledger.arrears import NOT_ARREARS
from app.ledger.charge_items import ITEMS, item_name, qty_label
from app.ledger.charge_rules import bill_memo
from app.ledger.dunning import late_fee_for
from app.ledger.prepayment import prepay_balances
from app.ledger.rates import due_date_for, fmt_quantity
from app.printing.bill import ArrearsMonth, Bill, BillLine, DepositLine
from models.ledger import Charge, ChargeItem, Payment
from models.people import HomeOwner, Owner
from models.property import Building, Home

COUNTER, PREFIX = "bill", "JF"
REDUCTION_KINDS = ("reduction", "waive")     # payment lines that settle a charge without money
CHUNK = 900
SPAN = re.compile(r"^\d{4}-\d{2}至\d{4}-\d{2}$")   # the months of a quarterly or yearly line (charge memo)


@dataclass(frozen=True)
class BillBatch:
    bills: tuple[Bill, ...]
    skipped: int              # homes of the batch with nothing owed (no bill printed)

    @property
    def total_fen(self) -> int:
        return sum(b.total_fen for b in self.bills)


def _month(period) -> str:
    return period_str(*parse_period(period, "账单月份"))


class _Items:
    """Names and rate units of every item, read once for a batch: the shipped ones (ITEMS) and the
    office's own (ChargeItem rows, charge_rules) without a query per charge."""

    def __init__(self):
        self.rows = {code: (name, unit) for code, name, unit in
                     ChargeItem.select(ChargeItem.code, ChargeItem.name, ChargeItem.unit).tuples()}

    def name(self, code: str) -> str:
        if code in ITEMS or code.startswith("service_") or code not in self.rows:
            return item_name(code)
        return self.rows[code][0]

    def quantity(self, code: str, milli) -> str:
        """"100 ㎡": the shipped items' units, an office item's from its rate unit (元/㎡·月 → ㎡)."""
        qty = fmt_quantity(milli)
        if code in ITEMS or code not in self.rows or not qty:
            return qty_label(code, qty)
        per = self.rows[code][1].partition("/")[2].partition("·")[0]
        return f"{qty} {per}".strip()

    def rate(self, code: str, unit_price_fen) -> str:
        if unit_price_fen is None:
            return ""
        unit = ITEMS[code][2] if code in ITEMS else self.rows.get(code, ("", "元"))[1]
        return f"{fmt_fen(unit_price_fen)} {unit}".strip()


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _charges(ids, first: dt.date, last: dt.date, period: str):
    """(current, earlier open, deposits) charge rows of the homes, per home."""
    cur: dict[int, list] = {}
    old: dict[int, list] = {}
    dep: dict[int, list] = {}
    this_month = (Charge.period == period) | (Charge.period.is_null() & Charge.due_date.between(first, last))
    earlier = (Charge.period < period) | (Charge.period.is_null() & (Charge.due_date < first))
    cols = (Charge.home, Charge.item_code, Charge.period, Charge.quantity_milli, Charge.unit_price_fen,
            Charge.amount_fen, Charge.paid_fen, Charge.due_date, Charge.memo, Charge.source, Charge.id, Charge.bill_ref)
    for part in _chunks(ids):
        base = Charge.home.in_(part) & Charge.category.not_in(NOT_ARREARS)
        for c in Charge.select(*cols).where(base & this_month).order_by(Charge.id):
            cur.setdefault(c.home_id, []).append(c)
        for c in (Charge.select(*cols).where(base & earlier & (Charge.paid_fen < Charge.amount_fen))
                  .order_by(Charge.due_date, Charge.id)):
            old.setdefault(c.home_id, []).append(c)
        for hid, code, due, held in (Charge.select(Charge.home, Charge.item_code,
                                                   fn.SUM(Charge.amount_fen - Charge.paid_fen),
                                                   fn.SUM(Charge.paid_fen - Charge.refunded_fen))
                                     .where(Charge.home.in_(part) & (Charge.category == "deposit"))
                                     .group_by(Charge.home, Charge.item_code).tuples()):
            if int(due or 0) or int(held or 0):
                dep.setdefault(hid, []).append(DepositLine(item_name(code), int(due or 0), int(held or 0)))
    return cur, old, dep


def _reduced(charge_ids) -> dict[int, list]:
    """{charge id: [fen, reasons]} of the reductions (kind "reduction", app/ledger/reductions.py) and
    waivers (kind "waive", payments.waive) applied to these charges: settled without money."""
    out: dict[int, list] = {}
    for part in _chunks(charge_ids):
        for cid, fen, reason in (Payment.select(Payment.charge, Payment.amount_fen, Payment.reason)
                                 .where(Payment.charge.in_(part) & Payment.kind.in_(REDUCTION_KINDS))
                                 .order_by(Payment.id).tuples()):
            r = out.setdefault(cid, [0, []])
            r[0] += int(fen)
            if reason and reason not in r[1]:
                r[1].append(reason)
    return out


def _month_of(c) -> str:
    return c.period or (f"{c.due_date.year:04d}-{c.due_date.month:02d}" if c.due_date else "")


def _build(ctx, period: str, homes: list, today: dt.date) -> list[Bill]:
    """The bills (unnumbered) of *homes*: (id, room code, area_x100, house type, building name) rows."""
    first, last = period_bounds(period)
    s = ctx.settings
    ids = [h[0] for h in homes]
    cur, old, dep = _charges(ids, first, last, period)
    reduced = _reduced([c.id for rows in cur.values() for c in rows])
    items = _Items()
    owners: dict[int, list] = {}
    for part in _chunks(ids):
        for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                          .where(HomeOwner.home.in_(part) & HomeOwner.until.is_null())
                          .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), Owner.id).tuples()):
            owners.setdefault(hid, []).append(name)
    prepaid = prepay_balances(ids) if len(ids) <= CHUNK else prepay_balances()
    due = due_date_for(ctx, period)
    if due < today:
        due = today + dt.timedelta(days=int(s.get("dunning.notice_pay_days")))
    rate = (s.decimal("dunning.late_fee_daily_rate") * 100).normalize()
    fixed = {"site": s.get("site.name"), "late_rate": f"{rate:f}%", "pay_how": str(s.get("billing.pay_how") or ""),
             "account": str(s.get("billing.pay_account") or ""),
             "office_phone": str(s.get("site.service_phone") or ""), "office_hours": str(s.get("office.hours") or "")}
    out = []
    for hid, room, area_x100, house_type, building in homes:
        lines, current_late, notes = [], 0, []
        for c in cur.get(hid, []):
            owed = c.amount_fen - c.paid_fen
            # the monthly run's memo says which space, or the vacant share (车位 D-001, 空置 70%)
            memo = bill_memo(c.memo)   # a per-count line's “8.00 元/辆·月 × 2” is in 数量 and 单价 already
            when = c.period or (c.due_date.isoformat() if c.due_date else "")
            if c.source == "billing" and SPAN.match(memo):   # a quarterly or yearly line: its months in 所属期间
                when, memo = memo, ""
            name = items.name(c.item_code) + (f"（{memo}）" if memo and c.source == "billing" else "")
            cut, why = reduced.get(c.id, (0, []))
            qty, rate_text = items.quantity(c.item_code, c.quantity_milli), items.rate(c.item_code, c.unit_price_fen)
            if c.bill_ref == shared_meter.BILL_REF:   # 公摊: the share in 数量, the whole in 单价
                name, qty, rate_text = shared_meter.bill_columns(items.name(c.item_code), c.memo)
            lines.append(BillLine(name, when, qty, rate_text, c.amount_fen, c.paid_fen - cut, owed, cut))
            if cut:
                notes.append(f"{items.name(c.item_code)} {when} 减免 {fmt_fen(cut)} 元"
                             + (f"（{'；'.join(why)}）" if why else ""))
            current_late += late_fee_for(s, owed, c.due_date, today) if c.due_date else 0
        months: dict[str, list] = {}
        for c in old.get(hid, []):
            m = months.setdefault(_month_of(c), [[], 0, 0])
            name = items.name(c.item_code)
            if name not in m[0]:
                m[0].append(name)
            owed = c.amount_fen - c.paid_fen
            m[1] += owed
            m[2] += late_fee_for(s, owed, c.due_date, today) if c.due_date else 0
        arrears = tuple(ArrearsMonth(k, "、".join(v[0]), v[1], v[2]) for k, v in sorted(months.items()))
        out.append(Bill("", period, today.isoformat(), due.isoformat(), room_code=room, building=building,
                        owners="、".join(owners.get(hid, [])), area=f"{fmt_area(area_x100)} ㎡（{house_type}）",
                        lines=tuple(lines), arrears=arrears, current_late_fen=current_late,
                        deposits=tuple(dep.get(hid, [])), prepay_fen=max(prepaid.get(hid, 0), 0),
                        notes=(("减免说明：" + "；".join(notes) + "。",) if notes else ()), **fixed))
    return out


def _homes(home_id=None, building_id=None) -> list:
    q = (Home.select(Home.id, Home.room_code, Home.area_x100, Home.house_type, Building.name)
         .join(Building, on=(Home.building == Building.id)))
    if home_id is not None:
        rows = list(q.where(Home.id == home_id).tuples())
        if not rows:
            raise NotFound("房屋不存在")
        return rows
    if Building.get_or_none(Building.id == building_id) is None:
        raise NotFound("楼栋不存在")
    return list(q.where(Home.building == building_id).order_by(Home.room_code).tuples())


def issue_bills(ctx, period, *, home_id=None, building_id=None) -> BillBatch:
    """Number and record the bills of one home (*home_id*: always a bill, saying so when nothing is
    owed) or of a building (*building_id*: homes with nothing owed are skipped) for *period*."""
    require(ctx, "ledger.dunning")
    if (home_id is None) == (building_id is None):
        raise ValidationError("范围", "请指定一户（房号）或一栋楼")
    period = _month(period)
    today = ctx.clock.today()
    if period > period_str(today.year, today.month):
        raise ValidationError("账单月份", f"{period} 尚未到来，只能开具本月及以前的缴费通知单")
    bills = _build(ctx, period, _homes(home_id, building_id), today)
    skipped = 0
    if building_id is not None:
        kept = [b for b in bills if b.total_fen > 0]
        skipped, bills = len(bills) - len(kept), kept
    year = today.year
    with ctx.db.atomic():
        first = reserve_numbers(COUNTER, year, len(bills))
        bills = [dataclasses.replace(b, number=format_number(PREFIX, year, first + k)) for k, b in enumerate(bills)]
        after = {"period": period, "count": len(bills), "skipped": skipped,
                 "total_fen": sum(b.total_fen for b in bills),
                 "numbers": f"{bills[0].number}–{bills[-1].number}" if bills else "",
                 "rooms": [f"{b.room_code}:{b.number}" for b in bills]}
        if building_id is not None:
            after["building_id"] = building_id
        record(ctx, "ledger.bill_print", "home" if home_id is not None else "building",
               home_id if home_id is not None else building_id, None, after)
    return BillBatch(tuple(bills), skipped)


def bills_pdf(ctx, period, *, home_id=None, building_id=None, two_up: bool = False) -> tuple[BillBatch, bytes]:
    """Issue the bills (see ``issue_bills``) and render them: one A4 page each, or two per A4 sheet."""
    from app.printing.bill import render_bills
    batch = issue_bills(ctx, period, home_id=home_id, building_id=building_id)
    return batch, render_bills(batch.bills, two_up)


def building_by_code(code) -> int:
    """The building of a code or name as typed on the command line ("1", "1号楼")."""
    s = str(code or "").strip()
    b = Building.get_or_none((Building.code == s) | (Building.name == s))
    if b is None:
        raise ValidationError("楼栋", f"没有楼栋“{s}”")
    return b.id
