"""Billing (计费): one-off charges and the monthly billing run.

Every line is amount = quantity × rate rounded half-up to the fen once (domain.md §7); the rates
are in app.ledger.rates. The monthly run is idempotent: a unique index on
(home, item, bill_period, bill_ref) with ``ON CONFLICT DO NOTHING`` means a second run bills
nothing twice. The periodic lines are written with ``INSERT … SELECT … ON CONFLICT DO NOTHING``
(SQLite ≥ 3.24 and PostgreSQL alike). Prepaid homes' property fee is then settled from their
balance (app.ledger.prepayment).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peewee import fn

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import add_period_months, as_date, fmt_timestamp, parse_period, period_bounds, period_of, period_str
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.validation import parse_date
from app.ledger.arrears import refresh_arrears_flags
from app.ledger.charge_items import category_of, is_known, sync_items
from app.ledger.charge_rules import custom_metered_rows, due_date_of, insert_custom_periodic, rules_billed
from app.ledger.prepayment import draw_down_prepayments
from app.ledger.rates import due_date_for, meter_amount, meter_rate, property_rate, quantity_to_milli
from app.ledger.shared_meter import insert_shared
from models.db import lock_for_bulk_write
from models.ledger import Charge, MeterReading, Payment
from models.property import HOUSE_TYPES, Home

# the monthly lines of parking spaces attached to a home: (space level, item, rate setting)
PARKING_LINES = (("地上", "parking_above", "fee.parking_above"), ("地下", "parking_under", "fee.parking_under"))

# ---------------------------------------------------------------------------------------------
# one-off charges
# keyword-only options of the one entry every area posts a charge through
def post_charge(ctx, home_id, item_code, amount_fen, *, quantity=None, period=None,  # noqa: PLR0913
                memo="", source="", source_id=None, due_date=None, unit_price_fen=None) -> Charge:
    """Record a one-off charge (deposit, rubbish removal, pass fee, service, parcel, late fee …)."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if not is_known(str(item_code or "")):
        raise ValidationError("收费项目", f"未知的收费项目“{item_code}”")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):   # not float, Decimal or bool
        raise ValidationError("金额", "应为整数（分）")
    if amount_fen <= 0:
        raise ValidationError("金额", "应大于零")
    if period is not None:
        parse_period(period, "所属月份")
    qty = quantity_to_milli(quantity)
    if due_date is not None and not isinstance(due_date, dt.date):
        due_date = parse_date(due_date, "缴费期限")
    with ctx.db.atomic():
        charge = Charge.create(home=home.id, item_code=item_code, category=category_of(item_code), period=period,
                               quantity_milli=qty, unit_price_fen=unit_price_fen, amount_fen=amount_fen,
                               due_date=due_date or ctx.clock.today(), memo=str(memo or ""),
                               source=str(source or ""), source_id=source_id,
                               created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
        audit.record(ctx, "ledger.charge", "charge", charge.id, None,
                     {"home": home.room_code, "item": item_code, "amount_fen": amount_fen, "period": period,
                      "source": source, "source_id": source_id})
    return charge


# ---------------------------------------------------------------------------------------------
# the monthly run
def excluded_states(ctx) -> list[str]:
    """Home states the periodic items skip: 未交付 always, 空置 unless billing.bill_vacant (then the
    property fee bills them at billing.vacant_rate_pct)."""
    return ["未交付"] if ctx.settings.get("billing.bill_vacant") else ["未交付", "空置"]


def _insert_periodic(ctx, period: str, due: dt.date, last_day: dt.date) -> dict[str, int]:
    """Property fee, parking and subscriptions by INSERT … SELECT. Returns rows per item."""
    db = ctx.db
    p = db.param
    now = fmt_timestamp(ctx.clock.now())
    uid = getattr(ctx.user, "id", None)
    counts = {}
    # property fee: area_x100 × rate / 100, half-up (integers: (a*r + 50) / 100)
    rates = [(ht, property_rate(ctx, ht)) for ht in HOUSE_TYPES]
    case = "CASE h.house_type " + " ".join(f"WHEN {p} THEN {p}" for _ in rates) + " END"
    case_params = [x for pair in rates for x in pair]
    states = excluded_states(ctx)
    # vacant homes billed (billing.bill_vacant) at billing.vacant_rate_pct: area × rate × pct, one rounding
    amount, amount_params = f"(h.area_x100 * ({case}) + 50) / 100", case_params
    memo, memo_params = p, [""]
    pct = int(ctx.settings.get("billing.vacant_rate_pct"))
    if "空置" not in states and pct != 100:   # noqa: PLR2004
        amount = (f"CASE WHEN h.state = {p} THEN (CAST(h.area_x100 AS BIGINT) * ({case}) * {p} + 5000) / 10000"
                  f" ELSE {amount} END")
        amount_params = ["空置"] + case_params + [pct] + case_params
        memo, memo_params = f"CASE WHEN h.state = {p} THEN {p} ELSE '' END", ["空置", f"空置 {pct}%"]
    sql = (
        "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
        " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
        " created_by_id) "
        f"SELECT h.id, 'property_fee', 'periodic', {p}, {p}, '', h.area_x100 * 10, {case},"
        f" {amount}, 0, 0, {p}, {memo}, 'billing', NULL, {p}, {p} "
        "FROM home h "
        f"WHERE h.house_type IN ({', '.join([p] * len(rates))})"
        f" AND h.state NOT IN ({', '.join([p] * len(states))})"
        f" AND (h.handover_date IS NULL OR h.handover_date <= {p})"
        " ON CONFLICT DO NOTHING")
    params = ([period, period] + case_params + amount_params + [due.isoformat()] + memo_params + [now, uid]
              + [ht for ht, _ in rates] + states + [last_day.isoformat()])
    counts["property_fee"] = db.execute_sql(sql, params).rowcount
    # parking spaces attached to a home
    for level, code, key in PARKING_LINES:
        rate = int(ctx.settings.get(key))
        sql = (
            "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
            " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
            " created_by_id) "
            f"SELECT s.home_id, {p}, 'periodic', {p}, {p}, 'P' || CAST(s.id AS VARCHAR(20)), 1000, {p}, {p}, 0, 0,"
            f" {p}, '车位 ' || s.code, 'billing', s.id, {p}, {p} "
            "FROM parking_space s "
            f"WHERE s.home_id IS NOT NULL AND s.level = {p} ON CONFLICT DO NOTHING")
        params = [code, period, period, rate, rate, due.isoformat(), now, uid, level]
        counts[code] = db.execute_sql(sql, params).rowcount
    # subscriptions (bicycle parking, cable TV): count × rate
    for code, key in (("bicycle", "fee.bicycle"), ("cable_tv", "fee.cable_tv")):
        rate = int(ctx.settings.get(key))
        sql = (
            "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
            " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
            " created_by_id) "
            f"SELECT s.home_id, {p}, 'periodic', {p}, {p}, 'S' || CAST(s.id AS VARCHAR(20)), s.count * 1000, {p},"
            f" s.count * {p}, 0, 0, {p}, '', 'billing', s.id, {p}, {p} "
            "FROM subscription s "
            f"WHERE s.item_code = {p} AND s.start_period <= {p} AND (s.end_period IS NULL OR s.end_period >= {p})"
            " AND s.count > 0 ON CONFLICT DO NOTHING")
        params = [code, period, period, rate, rate, due.isoformat(), now, uid, code, period, period]
        counts[code] = db.execute_sql(sql, params).rowcount
    return counts


LINE_COLUMNS = ("home_id", "item_code", "category", "period", "bill_period", "bill_ref", "quantity_milli",
                "unit_price_fen", "amount_fen", "paid_fen", "refunded_fen", "due_date", "memo", "source", "created_at",
                "created_by_id")
LINES_PER_STATEMENT = 500


def insert_lines(ctx, rows: list[dict]) -> None:
    """Write the run's computed lines (metered) as multi-row INSERTs with ON CONFLICT DO NOTHING,
    500 a statement: built as text, not by the ORM (its SQL generation cost seconds per 50,000 lines)."""
    db = ctx.db
    one = "(" + ", ".join([db.param] * len(LINE_COLUMNS)) + ")"
    head = f"INSERT INTO charge ({', '.join(LINE_COLUMNS)}) VALUES "
    for i in range(0, len(rows), LINES_PER_STATEMENT):
        chunk = rows[i:i + LINES_PER_STATEMENT]
        params = []
        for r in chunk:
            params += [r["home"], r["item_code"], r["category"], r["period"], r["bill_period"], r["bill_ref"],
                       r["quantity_milli"], r["unit_price_fen"], r["amount_fen"], r["paid_fen"], r["refunded_fen"],
                       r["due_date"].isoformat(), r["memo"], r["source"], fmt_timestamp(r["created_at"]),
                       r["created_by"]]
        db.execute_sql(head + ", ".join([one] * len(chunk)) + " ON CONFLICT DO NOTHING", params)


def meter_consumption(readings) -> Decimal:
    """Consumption over the readings of one meter kind of one home, in reading order.
    ``readings``: (reading_x100, new_meter, in_period) tuples, the first may be the last reading
    before the period. A new meter's start reading begins a new segment: the old meter's end
    reading (recorded before it) plus the new meter's readings from its start."""
    total = 0
    prev = None
    for value, new_meter, in_period in readings:
        if new_meter or prev is None:
            prev = value
            continue
        if in_period:
            total += value - prev
        prev = value
    return Decimal(total) / 100


def metered_lines(ctx, period: str) -> list[dict]:
    """The water/power/gas lines of a period from the meter readings (one line per home and kind).
    Reads the period's readings and, per meter, only its last reading before the period (one
    indexed look-up each on (home, kind, reading_date)), never the meter's whole past."""
    first, last = period_bounds(period)
    current = list(MeterReading.select(MeterReading.home, MeterReading.kind, MeterReading.reading_x100,
                                       MeterReading.new_meter, MeterReading.reading_date, MeterReading.id)
                   .where(MeterReading.reading_date.between(first, last)).tuples())
    if not current:
        return []
    db = ctx.db
    p = db.param
    before = ("SELECT m.home_id, m.kind, (SELECT r.id FROM meter_reading r WHERE r.home_id = m.home_id"
              f" AND r.kind = m.kind AND r.reading_date < {p} ORDER BY r.reading_date DESC, r.id DESC LIMIT 1)"
              f" FROM meter_reading m WHERE m.reading_date BETWEEN {p} AND {p} GROUP BY m.home_id, m.kind")
    prev_ids = [row[2] for row in db.execute_sql(before, [first.isoformat(), first.isoformat(), last.isoformat()])
                .fetchall() if row[2] is not None]
    series: dict[tuple, list] = {}
    for n in range(0, len(prev_ids), 500):
        for hid, kind, value, new_meter in (
                MeterReading.select(MeterReading.home, MeterReading.kind, MeterReading.reading_x100,
                                    MeterReading.new_meter).where(MeterReading.id.in_(prev_ids[n:n + 500])).tuples()):
            series[(hid, kind)] = [(value, bool(new_meter), False)]
    for hid, kind, value, new_meter, _rdate, _rid in sorted(current, key=lambda r: (r[0], r[1], as_date(r[4]), r[5])):
        series.setdefault((hid, kind), []).append((value, bool(new_meter), True))
    house_types = dict(Home.select(Home.id, Home.house_type).where(Home.id.in_(list({k[0] for k in series})))
                       .tuples())
    out = []
    for (hid, kind), readings in series.items():
        qty = meter_consumption(readings)
        if qty <= 0:
            continue
        ht = house_types.get(hid, "")
        out.append({"home_id": hid, "item_code": kind, "quantity": qty,
                    "unit_price_fen": meter_rate(ctx, kind, ht), "amount_fen": meter_amount(ctx, kind, ht, qty)})
    return out


def run_month(ctx, period: str) -> dict:
    """Bill a month: property fee (homes handed over), parking, bicycle and cable TV subscriptions,
    metered water/power/gas; then settle prepaid homes' property fee from their balance.
    Idempotent. Returns {"period", "lines", "total_fen", "by_item", "prepaid_lines", "prepaid_fen"}."""
    require(ctx, "ledger.bill")
    period = period_str(*parse_period(period))
    if period > add_period_months(period_of(ctx.clock.today()), 1):
        raise ValidationError("计费月份", f"{period} 太远：最多只能提前计费到下个月")
    _first, last = period_bounds(period)
    due = due_date_for(ctx, period)
    with ctx.db.atomic():
        sync_items(ctx)   # the standards table follows the settings the run bills with
        # no other desk writes charges or payments until this run commits: the rows after last_id
        # (and draw_down_prepayments' payment rows) are this run's own
        lock_for_bulk_write(Charge, Payment)
        last_id = Charge.select(fn.COALESCE(fn.MAX(Charge.id), 0)).scalar() or 0
        counts = _insert_periodic(ctx, period, due, last)
        counts.update(insert_custom_periodic(ctx, period, last, excluded_states(ctx)))
        counts.update(insert_shared(ctx, rules_billed(period), period, last, excluded_states(ctx),
                                    lambda rule: due_date_of(ctx, rule, period)))   # 公摊: the common meters
        existing = set(Charge.select(Charge.home, Charge.item_code)
                       .where((Charge.bill_period == period) & (Charge.category == "metered") & (Charge.bill_ref == ""))
                       .tuples())
        lines_metered = metered_lines(ctx, period)
        now = ctx.clock.now()
        uid = getattr(ctx.user, "id", None)
        rows = []
        for line in lines_metered:
            if (line["home_id"], line["item_code"]) in existing:
                continue
            rows.append({"home": line["home_id"], "item_code": line["item_code"], "category": "metered",
                         "period": period, "bill_period": period, "bill_ref": "",
                         "quantity_milli": quantity_to_milli(line["quantity"]),
                         "unit_price_fen": line["unit_price_fen"], "amount_fen": line["amount_fen"],
                         "paid_fen": 0, "refunded_fen": 0, "due_date": due, "memo": "", "source": "billing",
                         "created_at": now, "created_by": uid})
            counts[line["item_code"]] = counts.get(line["item_code"], 0) + 1
        custom = custom_metered_rows(ctx, period, lines_metered, existing)   # the office's meter items
        for row in custom:
            counts[row["item_code"]] = counts.get(row["item_code"], 0) + 1
        rows += custom
        insert_lines(ctx, rows)
        n_pre, fen_pre = draw_down_prepayments(ctx, period)
        lines = sum(counts.values())
        # the rows this run inserted are those after last_id (a rowid range: no scan)
        total = int(Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0)).where(Charge.id > last_id)
                    .scalar() or 0) if lines else 0
        result = {"period": period, "lines": lines, "total_fen": total,
                  "by_item": {k: v for k, v in counts.items() if v}, "prepaid_lines": n_pre, "prepaid_fen": fen_pre}
        audit.record(ctx, "ledger.bill_month", "billing", period, None, result)
    if (lines or n_pre) and due < ctx.clock.today():
        # lines not yet due cannot change who is in arrears; a past month's lines can
        refresh_arrears_flags(ctx)
    return result


def billed_periods() -> list[str]:
    rows = Charge.select(Charge.bill_period).where(Charge.bill_period.is_null(False)).distinct().tuples()
    return sorted((r[0] for r in rows), reverse=True)
