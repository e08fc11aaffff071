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

Who enters the month (issue 17): the 公摊 meter is read like any other meter. The meter reader (the roles
that record readings, ``ledger.reading``) enters its 起读数 and 止读数 and the unit price on the 月度计费 page
(公摊表抄表…, ``read_meter``): the amount is usage × price, half-up to the fen. The manager may enter the
amount itself, from the supplier's bill (收费项目 › 公摊金额…, or ``propertydesk shared-meter set``,
``set_month``: manager only). No separate confirmation: like every household reading it is audited
(``ledger.shared_reading``, with the readings), correctable until the month is billed, and listed with its
readings and who entered it (``readings``, ``shared-meter list``) for the manager before the monthly run.
The readings and price are kept in the row's note (``抄表 起1200.00 止1350.50 单价0.5683``), no new column.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


NOTE_HEAD = re.compile(r"^抄表 起(\d+(?:\.\d+)?) 止(\d+(?:\.\d+)?)(?: 单价(\d+(?:\.\d+)?))?(?:；|$)")
MAX_READING = Decimal("99999999.99")


def _number(value, field: str, places: int, limit: Decimal) -> Decimal:
    """A reading or price typed by the user: a number ≥ 0 with at most *places* decimals."""
    text = str(value if value is not None else "").strip().replace("，", "").replace(",", "")
    if not text:
        raise ValidationError(field, "不能为空")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError(field, f"“{value}”不是数字") from None
    if not d.is_finite() or d < 0 or d > limit:
        raise ValidationError(field, f"应在 0 到 {limit} 之间")
    if d != d.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(field, f"最多 {places} 位小数")
    return d


def parse_note(note: str) -> dict:
    """{"from", "to", "price", "note"} of a row's note: the readings the meter reader entered and the rest."""
    m = NOTE_HEAD.match(str(note or ""))
    if not m:
        return {"from": "", "to": "", "price": "", "note": str(note or "")}
    return {"from": m.group(1), "to": m.group(2), "price": m.group(3) or "", "note": str(note)[m.end():]}


def _readings(reading_from, reading_to) -> tuple[Decimal, Decimal]:
    start = _number(reading_from, "起读数", 2, MAX_READING)
    end = _number(reading_to, "止读数", 2, MAX_READING)
    if end <= start:
        raise ValidationError("止读数", f"应大于起读数 {start:.2f}")
    return start, end


def record_reading(ctx, item_id, period, amount, usage="", note="", *, readings=None,
                   price=None) -> SharedMeterReading:
    """Enter (or correct, until billed) the common meter's month: amount in 元, usage in 度/吨 (optional);
    with *readings* (起读数, 止读数) the usage is their difference and both are kept in the note."""
    require(ctx, "ledger.reading")
    rule = _rule(item_id)
    period = period_str(*parse_period(period, "所属月份"))
    fen = parse_yuan(amount, "公摊金额")
    if not 0 < fen <= MAX_AMOUNT_FEN:
        raise ValidationError("公摊金额", "应大于零且不超过 1000000 元")
    note = str(note or "").strip()
    reading_from, reading_to = readings or (None, None)
    if reading_from not in (None, "") or reading_to not in (None, ""):
        start, end = _readings(reading_from, reading_to)
        if str(usage or "").strip() and Decimal(str(usage).strip() or "0") != end - start:
            raise ValidationError("用量", f"与起止读数之差 {end - start:.2f} 不符")
        usage = f"{end - start:.2f}"
        note = f"抄表 起{start:.2f} 止{end:.2f}" + (f" 单价{price}" if price is not None else "") + (
            f"；{note}" if note else "")
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
        values = {"usage_x100": usage_x100, "amount_fen": fen, "note": note}
        if old is None:
            row = SharedMeterReading.create(item=rule.item.id, period=period, created_at=ctx.clock.now(),
                                            created_by=getattr(ctx.user, "id", None), **values)
            before = None
        else:
            before = {"amount_fen": old.amount_fen, "usage_x100": old.usage_x100}
            SharedMeterReading.update(**values).where(SharedMeterReading.id == old.id).execute()
            row = SharedMeterReading.get_by_id(old.id)
        after = {"项目": rule.item.name, "period": period, "amount_fen": fen, "usage_x100": usage_x100}
        if NOTE_HEAD.match(note):
            after["读数"] = note.split("；")[0]
        audit.record(ctx, "ledger.shared_reading", "charge_item", rule.item.id, before, after)
    return row


def read_meter(ctx, item_id, period, reading_from, reading_to, price, note="") -> SharedMeterReading:
    """The meter reader's entry: the 公摊 meter's 起读数 and 止读数 this month and the unit price (元 per 度 or
    吨, up to 4 decimals); the amount is usage × price rounded half-up to the fen (``ledger.reading``)."""
    require(ctx, "ledger.reading")
    start, end = _readings(reading_from, reading_to)
    unit = _number(price, "单价", 4, Decimal("10000"))
    if unit <= 0:
        raise ValidationError("单价", "应大于零")
    amount = ((end - start) * unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return record_reading(ctx, item_id, period, f"{amount:.2f}", note=note, readings=(start, end),
                          price=f"{unit.normalize():f}")


def set_month(ctx, item, period, amount, reading_from=None, reading_to=None, note="") -> SharedMeterReading:
    """The manager's entry of a month's amount by the item's code or name (the command line, as 公摊金额… in
    the manager's 收费项目 list), with the readings if given."""
    require(ctx, "ledger.charge_items")
    return record_reading(ctx, item_by_code(item), period, amount, note=note, readings=(reading_from, reading_to))


def item_by_code(item) -> int:
    """The id of a shared-meter item named by its code (custom_3) or its name (公摊电费)."""
    text = str(item or "").strip()
    if not text:
        raise ValidationError("收费项目", "不能为空")
    row = ChargeItem.get_or_none((ChargeItem.code == text) | (ChargeItem.name == text))
    if row is None:
        raise NotFound(f"收费项目“{text}”不存在（shared-meter list 列出公摊项目及其代码）")
    if row.id not in item_codes():
        raise ValidationError("收费项目", f"“{row.name}”不是公摊分摊项目")
    return row.id


def last_reading(item_id, period: str) -> dict:
    """The latest earlier month's readings of an item ({"to", "price"} of parse_note, or empty): the next
    month's 起读数 and price are suggested from it."""
    row = (SharedMeterReading.select().where((SharedMeterReading.item == int(item_id))
                                             & (SharedMeterReading.period < period))
           .order_by(SharedMeterReading.period.desc()).first())
    return parse_note(row.note) if row is not None else parse_note("")


def readings(ctx, item_id=None) -> list[dict]:
    """The common meters' months, newest first (of one item, or all)."""
    require(ctx, "ledger.view")
    q = (SharedMeterReading.select(SharedMeterReading, ChargeItem).join(ChargeItem)
         .order_by(SharedMeterReading.period.desc(), ChargeItem.id))
    if item_id is not None:
        q = q.where(ChargeItem.id == int(item_id))
    from models.users import User
    rows = list(q)
    names = dict(User.select(User.id, User.display_name).where(
        User.id.in_({r.created_by_id for r in rows if r.created_by_id})).tuples()) if rows else {}
    return [{"id": r.id, "item_id": r.item.id, "item": r.item.name, "code": r.item.code, "period": r.period,
             "amount_fen": r.amount_fen, "amount": fmt_fen(r.amount_fen), "billed": _billed(r.item.code, r.period),
             "note": r.note, "readings": parse_note(r.note), "entered_by": names.get(r.created_by_id, ""),
             "usage": "" if r.usage_x100 is None else f"{Decimal(r.usage_x100) / 100:.2f}"} for r in rows]


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


def item_codes() -> dict[int, str]:
    """{id: code} of the shared-meter items (the command line names them by code)."""
    return dict(ChargeItem.select(ChargeItem.id, ChargeItem.code).join(ChargeRule)
                .where(ChargeRule.formula.in_(list(SHARED))).tuples())


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
