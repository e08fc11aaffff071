"""Shared meters (公摊水电, issue 17): a charge item of formula ``shared_area`` (按面积) or
``shared_household`` (按户) bills each month what its common meter cost, apportioned over the item's homes.

The reading of the month (``record_reading``: amount in 元, usage optional; one per item and month,
correctable until the month is billed, audited ``ledger.shared_reading``) is split by the monthly run
(``shared_rows``, called from billing.run_month): each home's share is amount × weight / total weight
(weight: floor area, or 1 per household) rounded half-up to the fen, and the remainder (+ or −) goes
on the largest share (the lowest home id among equals), so the lines sum exactly to the meter's amount.
The homes are those the item's scope names, handed over and not in a state the periodic items skip.
Idempotent: an item billed for a month is not split again (its lines carry bill_ref ``SM``); the
memo names the share, shown on the bill and the receipt: 公摊电费（按面积 123.45㎡/9876.00㎡）.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from app.core import audit
from app.core.dates import parse_period, period_str
from app.core.errors import NotFound, StateError, ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.core.validation import fmt_area
from models.ledger import Charge, ChargeItem, ChargeRule
from models.property import Building, Home
from models.shared_meter import SharedMeterReading

SHARED = {"shared_area": "按面积", "shared_household": "按户"}
BILL_REF = "SM"
MAX_AMOUNT_FEN = 100_000_000   # 1,000,000 元 a month


def is_shared(formula: str) -> bool:
    return formula in SHARED


def apportion(total_fen: int, weights: dict[int, int]) -> dict[int, int]:
    """{home: fen} summing exactly to *total_fen*: half-up shares by weight, the remainder on the largest."""
    positive = {k: int(w) for k, w in weights.items() if int(w) > 0}
    whole = sum(positive.values())
    if not positive or total_fen <= 0:
        return {}
    shares = {k: (2 * total_fen * w + whole) // (2 * whole) for k, w in positive.items()}
    largest = min(positive, key=lambda k: (-positive[k], k))
    shares[largest] += total_fen - sum(shares.values())
    return shares


def _rule(item_id) -> ChargeRule:
    rule = (ChargeRule.select(ChargeRule, ChargeItem).join(ChargeItem)
            .where(ChargeItem.id == int(item_id)).first())
    if rule is None:
        raise NotFound(f"收费项目不存在（编号 {item_id}）")
    if not is_shared(rule.formula):
        raise ValidationError("收费项目", f"“{rule.item.name}”不是公摊分摊项目")
    return rule


def _billed(code: str, period: str) -> bool:
    return Charge.select().where((Charge.item_code == code) & (Charge.bill_period == period)).exists()


def record_reading(ctx, item_id, period, amount, usage="", note="") -> SharedMeterReading:
    """Enter (or correct, until billed) the common meter's month: amount in 元, usage in 度/吨 (optional)."""
    require(ctx, "ledger.reading")
    rule = _rule(item_id)
    period = period_str(*parse_period(period, "所属月份"))
    fen = parse_yuan(amount, "公摊金额")
    if not 0 < fen <= MAX_AMOUNT_FEN:
        raise ValidationError("公摊金额", "应大于零且不超过 1000000 元")
    usage_x100 = None
    if str(usage or "").strip():
        try:
            value = Decimal(str(usage).strip())
        except InvalidOperation:
            raise ValidationError("用量", f"“{usage}”不是数字") from None
        if value <= 0 or value != value.quantize(Decimal("0.01")):
            raise ValidationError("用量", "应大于零，最多两位小数")
        usage_x100 = int(value * 100)
    with ctx.db.atomic():
        if _billed(rule.item.code, period):
            raise StateError(f"{rule.item.name} {period} 已出账，公摊读数不能再修改")
        old = SharedMeterReading.get_or_none((SharedMeterReading.item == rule.item.id)
                                             & (SharedMeterReading.period == period))
        values = {"usage_x100": usage_x100, "amount_fen": fen, "note": str(note or "").strip()}
        if old is None:
            row = SharedMeterReading.create(item=rule.item.id, period=period, created_at=ctx.clock.now(),
                                            created_by=getattr(ctx.user, "id", None), **values)
            before = None
        else:
            before = {"amount_fen": old.amount_fen, "usage_x100": old.usage_x100}
            SharedMeterReading.update(**values).where(SharedMeterReading.id == old.id).execute()
            row = SharedMeterReading.get_by_id(old.id)
        audit.record(ctx, "ledger.shared_reading", "charge_item", rule.item.id, before,
                     {"项目": rule.item.name, "period": period, "amount_fen": fen, "usage_x100": usage_x100})
    return row


def readings(ctx, item_id=None) -> list[dict]:
    """The common meters' months, newest first (of one item, or all)."""
    require(ctx, "ledger.view")
    q = (SharedMeterReading.select(SharedMeterReading, ChargeItem).join(ChargeItem)
         .order_by(SharedMeterReading.period.desc(), ChargeItem.id))
    if item_id is not None:
        q = q.where(ChargeItem.id == int(item_id))
    return [{"id": r.id, "item_id": r.item.id, "item": r.item.name, "period": r.period, "amount_fen": r.amount_fen,
             "amount": fmt_fen(r.amount_fen), "billed": _billed(r.item.code, r.period), "note": r.note,
             "usage": "" if r.usage_x100 is None else f"{Decimal(r.usage_x100) / 100:.2f}"} for r in q]


def bill_columns(name: str, memo: str) -> tuple[str, str, str]:
    """The bill's 收费项目, 数量 and 单价 of a shared line from its memo: ("公摊电费（按面积）",
    "123.45㎡", "共653.45㎡") or ("公摊水费（按户）", "1户", "共3户")."""
    how, _, share = str(memo or "").partition(" ")
    part, _, whole = share.partition("/")
    if how not in SHARED.values() or not whole:
        return name, "", ""
    return f"{name}（{how}）", part, f"共{whole}"


def shared_items() -> list[tuple[int, str]]:
    """(id, name) of the active shared-meter items, for the reading dialog."""
    return [(i, n) for i, n in (ChargeItem.select(ChargeItem.id, ChargeItem.name).join(ChargeRule)
                                .where(ChargeRule.formula.in_(list(SHARED)) & (ChargeItem.active == True))  # noqa: E712
                                .order_by(ChargeItem.sort_order, ChargeItem.id).tuples())]


def _homes(rule, last_day: dt.date, excluded_states: list[str]) -> dict[int, int]:
    """{home: area_x100} of the homes the item applies to this month."""
    q = Home.select(Home.id, Home.area_x100).where(
        Home.state.not_in(excluded_states) & (Home.handover_date.is_null() | (Home.handover_date <= last_day)))
    values = [v for v in rule.scope_values.split(",") if v]
    if rule.scope == "house_type" and values:
        q = q.where(Home.house_type.in_(values))
    elif rule.scope == "building" and values:
        q = q.where(Home.building.in_(Building.select(Building.id).where(Building.code.in_(values))))
    return {int(h): int(a or 0) for h, a in q.tuples()}


def shared_rows(ctx, rules, period: str, last_day: dt.date, excluded_states: list[str], due_of) -> list[dict]:
    """The month's charge rows of the shared-meter rules (*rules*: those billing this month) that have a
    reading and are not yet billed. ``due_of(rule)``: the due date of the rule's lines."""
    out = []
    now = ctx.clock.now()
    uid = getattr(ctx.user, "id", None)
    for rule in rules:
        if not is_shared(rule.formula) or _billed(rule.item.code, period):
            continue
        reading = SharedMeterReading.get_or_none((SharedMeterReading.item == rule.item.id)
                                                 & (SharedMeterReading.period == period))
        if reading is None:
            continue
        areas = _homes(rule, last_day, excluded_states)
        by_area = rule.formula == "shared_area"
        weights = areas if by_area else {h: 1 for h in areas}
        whole = sum(w for w in weights.values() if w > 0)
        due = due_of(rule)
        for home, fen in sorted(apportion(int(reading.amount_fen), weights).items()):
            if fen <= 0:
                continue
            memo = (f"按面积 {fmt_area(weights[home])}㎡/{fmt_area(whole)}㎡" if by_area else f"按户 1户/{whole}户")
            out.append({"home": home, "item_code": rule.item.code, "category": rule.item.category, "period": period,
                        "bill_period": period, "bill_ref": BILL_REF, "quantity_milli": None, "unit_price_fen": None,
                        "amount_fen": fen, "paid_fen": 0, "refunded_fen": 0, "due_date": due, "memo": memo,
                        "source": "billing", "created_at": now, "created_by": uid})
    return out
