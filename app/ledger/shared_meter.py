"""Shared meters (公摊水电, issue 17): a charge item of formula ``shared_area`` (按面积) or
``shared_household`` (按户) bills each month what its common meter cost, apportioned over the item's homes.

The reading of the month (``record_reading``: amount in 元, usage optional; one per item and month,
correctable until the month is billed, audited ``ledger.shared_reading``) is split by the monthly run
(``insert_shared``, called from billing.run_month, set-based): each home's share is amount × weight / total weight
(weight: floor area, or 1 per household) rounded half-up to the fen, and the remainder (+ or −) goes
on the largest share (the lowest home id among equals), so the lines sum exactly to the meter's amount.
The homes are those the item's scope names, handed over and not in a state the periodic items skip.
Idempotent: an item billed for a month is not split again (its lines carry bill_ref ``SM``); the
memo names the share, shown on the bill and the receipt: 公摊电费（按面积 123.45㎡/9876.00㎡）.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from peewee import fn

from app.core import audit
from app.core.dates import fmt_timestamp, parse_period, period_str
from app.core.errors import NotFound, StateError, ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.core.validation import fmt_area
from models.ledger import Charge, ChargeItem, ChargeRule
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


def _where(rule, p: str, last_day: dt.date, excluded_states: list[str]) -> tuple[str, list]:
    """The homes the item applies to this month, as SQL over ``home h``."""
    sql = (f" h.state NOT IN ({', '.join([p] * len(excluded_states))})"
           f" AND (h.handover_date IS NULL OR h.handover_date <= {p})")
    params = [*excluded_states, last_day.isoformat()]
    values = [v for v in rule.scope_values.split(",") if v]
    if rule.scope == "house_type" and values:
        sql += f" AND h.house_type IN ({', '.join([p] * len(values))})"
        params += values
    elif rule.scope == "building" and values:
        sql += f" AND h.building_id IN (SELECT b.id FROM building b WHERE b.code IN ({', '.join([p] * len(values))}))"
        params += values
    return sql, params


def _area_sql(expr: str) -> str:
    """SQL text of an area in 1/100 ㎡ as 123.45 (SQLite and PostgreSQL alike)."""
    cents = f"({expr} - ({expr} / 100) * 100)"   # no % operator: psycopg2 reads it as a placeholder
    return (f"CAST({expr} / 100 AS VARCHAR(20)) || '.' || CASE WHEN {cents} < 10 THEN '0' ELSE '' END"
            f" || CAST({cents} AS VARCHAR(3))")


def insert_shared(ctx, rules, period: str, last_day: dt.date, excluded_states: list[str], due_of) -> dict[str, int]:
    """Bill the month of the shared-meter rules (*rules*: those billing this month) that have a reading and
    are not yet billed, set-based: one INSERT … SELECT of the half-up shares (amount × weight / whole), then
    the remainder put on the largest share (the lowest home id among equals) by one UPDATE, so the lines
    sum to the meter exactly — the same numbers as ``apportion``. ``due_of(rule)``: the lines' due date.
    Returns rows per item."""
    db = ctx.db
    p = db.param
    counts = {}
    for rule in rules:
        if not is_shared(rule.formula) or _billed(rule.item.code, period):
            continue
        reading = SharedMeterReading.get_or_none((SharedMeterReading.item == rule.item.id)
                                                 & (SharedMeterReading.period == period))
        if reading is None:
            continue
        where, params = _where(rule, p, last_day, excluded_states)
        by_area = rule.formula == "shared_area"
        weight = "CAST(h.area_x100 AS BIGINT)" if by_area else "CAST(1 AS BIGINT)"
        where += " AND h.area_x100 > 0" if by_area else ""
        whole, largest = _whole_and_largest(db, weight, where, params)
        total = int(reading.amount_fen)
        if not whole or total <= 0:
            continue
        share = f"(2 * CAST({p} AS BIGINT) * {weight} + {p}) / (2 * CAST({p} AS BIGINT))"
        share_params = [total, whole, whole]
        memo = (f"'按面积 ' || {_area_sql('h.area_x100')} || {p}" if by_area else f"{p}")
        memo_params = [f"㎡/{fmt_area(whole)}㎡"] if by_area else [f"按户 1户/{whole}户"]
        sql = (
            "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
            " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
            " created_by_id) "
            f"SELECT h.id, {p}, {p}, {p}, {p}, {p}, NULL, NULL, {share}, 0, 0, {p}, {memo}, 'billing', NULL, {p}, {p}"
            f" FROM home h WHERE {where} AND 2 * CAST({p} AS BIGINT) * {weight} >= {p} ON CONFLICT DO NOTHING")
        code = rule.item.code
        counts[code] = db.execute_sql(sql, [code, rule.item.category, period, period, BILL_REF, *share_params,
                                            due_of(rule).isoformat(), *memo_params,
                                            fmt_timestamp(ctx.clock.now()), getattr(ctx.user, "id", None),
                                            *params, total, whole]).rowcount
        billed = int(Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0))
                     .where((Charge.item_code == code) & (Charge.bill_period == period)).scalar() or 0)
        if billed != total:
            Charge.update(amount_fen=Charge.amount_fen + (total - billed)).where(
                (Charge.item_code == code) & (Charge.bill_period == period) & (Charge.home == largest)).execute()
    return counts


def _whole_and_largest(db, weight: str, where: str, params: list) -> tuple[int, int | None]:
    row = db.execute_sql(f"SELECT SUM({weight}), COUNT(*) FROM home h WHERE {where}", params).fetchone()
    if not row or not row[0]:
        return 0, None
    top = db.execute_sql(f"SELECT h.id FROM home h WHERE {where} ORDER BY {weight} DESC, h.id LIMIT 1",
                         params).fetchone()
    return int(row[0]), int(top[0])
