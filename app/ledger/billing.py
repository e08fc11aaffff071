"""Billing (计费): one-off charges, the move-in prepayment and the monthly billing run.

Every line is amount = quantity × rate rounded half-up to the fen once (domain.md §7). Rates come
from the site settings (fee.*). The monthly run is idempotent: a unique index on
(home, item, bill_period, bill_ref) with ``ON CONFLICT DO NOTHING`` means a second run bills
nothing twice. The periodic lines are written with ``INSERT … SELECT … ON CONFLICT DO NOTHING``
(SQLite ≥ 3.24 and PostgreSQL alike).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from app.archives.homes import home_by_id
from app.core import audit
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen, mul_fen, round_half_up
from app.core.permissions import require
from app.ledger.charge_items import category_of, is_known, item_name
from models.ledger import Charge, MeterReading, Payment, Subscription
from models.property import HOUSE_TYPES, Home

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


# ---------------------------------------------------------------------------------------------
# periods and rates
def parse_period(text, field: str = "计费月份") -> tuple[int, int]:
    m = PERIOD_RE.match(str(text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise ValidationError(field, f"应为“年-月”格式，如 2026-11，收到“{text}”")
    return int(m.group(1)), int(m.group(2))


def period_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    y, m = parse_period(period)
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def add_months(period: str, n: int) -> str:
    y, m = parse_period(period)
    idx = y * 12 + (m - 1) + n
    return period_str(idx // 12, idx % 12 + 1)


def due_date_for(ctx, period: str) -> dt.date:
    first, last = period_bounds(period)
    day = min(max(int(ctx.settings.get("billing.due_day")), 1), last.day)
    return first.replace(day=day)


def property_rate(ctx, house_type: str) -> int:
    key = f"fee.property_rate.{house_type}"
    try:
        return int(ctx.settings.get(key))
    except KeyError:
        raise ValidationError("户型", f"没有“{house_type}”的物业费标准") from None


def property_fee_monthly(ctx, home) -> int:
    """Monthly property fee of a home in fen: area × rate of its house type, rounded half-up once."""
    if not isinstance(home, Home):
        home = home_by_id(home)
    return mul_fen(Decimal(home.area_x100) / 100, property_rate(ctx, home.house_type))


def gas_amount(ctx, quantity: Decimal) -> int:
    """Gas in two tiers per reading period: up to and including fee.gas_tier1_limit at tier 1,
    the rest at tier 2; one rounding of the line."""
    limit = Decimal(int(ctx.settings.get("fee.gas_tier1_limit")))
    q1 = min(quantity, limit)
    q2 = max(quantity - limit, Decimal(0))
    return round_half_up(q1 * int(ctx.settings.get("fee.gas_tier1")) + q2 * int(ctx.settings.get("fee.gas_tier2")))


def meter_rate(ctx, kind: str, house_type: str) -> int:
    if kind == "water":
        return int(ctx.settings.get("fee.water_shop" if house_type == "商铺" else "fee.water_home"))
    if kind == "power":
        return int(ctx.settings.get("fee.power_home"))
    return int(ctx.settings.get("fee.gas_tier1"))


def meter_amount(ctx, kind: str, house_type: str, quantity: Decimal) -> int:
    if kind == "gas":
        return gas_amount(ctx, quantity)
    return mul_fen(quantity, meter_rate(ctx, kind, house_type))


def quantity_to_milli(quantity, field: str = "数量") -> int | None:
    if quantity is None or quantity == "":
        return None
    if isinstance(quantity, float):
        raise TypeError("quantity must not be a float")
    try:
        d = Decimal(str(quantity).strip())
    except Exception:
        raise ValidationError(field, f"“{quantity}”不是有效的数字") from None
    if d < 0:
        raise ValidationError(field, "不能为负数")
    return round_half_up(d * 1000)


def fmt_quantity(milli) -> str:
    if milli is None:
        return ""
    d = (Decimal(int(milli)) / 1000).normalize()
    s = format(d, "f")
    return s


# ---------------------------------------------------------------------------------------------
# one-off charges and the prepayment
def post_charge(ctx, home_id, item_code, amount_fen, *, quantity=None, period=None, memo="", source="",
                source_id=None, due_date=None, unit_price_fen=None) -> Charge:
    """Record a one-off charge (deposit, rubbish removal, pass fee, service, parcel, late fee …)."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if not is_known(str(item_code or "")):
        raise ValidationError("收费项目", f"未知的收费项目“{item_code}”")
    if isinstance(amount_fen, (float, Decimal)) or isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError("金额", "应为整数（分）")
    if amount_fen <= 0:
        raise ValidationError("金额", "应大于零")
    if period is not None:
        parse_period(period, "所属月份")
    qty = quantity_to_milli(quantity)
    if due_date is not None and not isinstance(due_date, dt.date):
        from app.core.validation import parse_date
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


def prepay_property_fee(ctx, home_id, months=None) -> Charge:
    """The move-in prepayment (default billing.prepay_months = 12 months of property fee) as one
    charge 'property_prepay'. Once paid it is a balance the monthly run draws down month by month."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if months is None:
        months = int(ctx.settings.get("billing.prepay_months"))
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise ValidationError("预交月数", "应为1到120之间的整数")
    open_prepay = (Charge.select().where((Charge.home == home.id) & (Charge.item_code == "property_prepay")
                                         & (Charge.paid_fen < Charge.amount_fen)).first())
    if open_prepay is not None:
        raise StateError(f"{home.room_code} 已有未付清的预交物业费（{fmt_fen(open_prepay.amount_fen)} 元），请先收款")
    monthly = property_fee_monthly(ctx, home)
    if monthly <= 0:
        raise ValidationError("建筑面积", "面积为零，无法计算物业费")
    start = period_str(ctx.clock.today().year, ctx.clock.today().month)
    with ctx.db.atomic():
        charge = Charge.create(home=home.id, item_code="property_prepay", category="prepay", period=start,
                               quantity_milli=months * 1000, unit_price_fen=monthly, amount_fen=monthly * months,
                               due_date=ctx.clock.today(), memo=f"预交物业费 {months} 个月（{start} 起）",
                               source="prepay", created_at=ctx.clock.now(),
                               created_by=getattr(ctx.user, "id", None))
        audit.record(ctx, "ledger.prepay", "charge", charge.id, None,
                     {"home": home.room_code, "months": months, "monthly_fen": monthly, "amount_fen": monthly * months})
    return charge


def prepay_balances(home_ids=None) -> dict[int, int]:
    """Prepayment balance (fen) per home: paid prepayments minus what the monthly runs drew."""
    from peewee import fn
    q = (Charge.select(Charge.home, fn.SUM(Charge.paid_fen)).where(Charge.item_code == "property_prepay")
         .group_by(Charge.home))
    d = (Payment.select(Payment.home, fn.SUM(Payment.amount_fen)).where(Payment.kind == "prepay")
         .group_by(Payment.home))
    if home_ids is not None:
        q = q.where(Charge.home.in_(list(home_ids)))
        d = d.where(Payment.home.in_(list(home_ids)))
    out = {h: int(s or 0) for h, s in q.tuples()}
    for h, s in d.tuples():
        out[h] = out.get(h, 0) - int(s or 0)
    return out


def prepay_balance(home_id) -> int:
    return prepay_balances([home_id]).get(int(home_id), 0)


# ---------------------------------------------------------------------------------------------
# the monthly run
def _now_str(ctx) -> str:
    return ctx.clock.now().strftime("%Y-%m-%d %H:%M:%S")


def _insert_periodic(ctx, period: str, due: dt.date, last_day: dt.date) -> dict[str, int]:
    """Property fee, parking and subscriptions by INSERT … SELECT. Returns rows per item."""
    db = ctx.db
    p = db.param
    now = _now_str(ctx)
    uid = getattr(ctx.user, "id", None)
    counts = {}
    # property fee: area_x100 × rate / 100, half-up (integers: (a*r + 50) / 100)
    rates = [(ht, property_rate(ctx, ht)) for ht in HOUSE_TYPES]
    case = "CASE h.house_type " + " ".join(f"WHEN {p} THEN {p}" for _ in rates) + " END"
    case_params = [x for pair in rates for x in pair]
    states = ["未交付"] if ctx.settings.get("billing.bill_vacant") else ["未交付", "空置"]
    sql = (
        "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
        " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
        " created_by_id) "
        f"SELECT h.id, 'property_fee', 'periodic', {p}, {p}, '', h.area_x100 * 10, {case},"
        f" (h.area_x100 * ({case}) + 50) / 100, 0, 0, {p}, '', 'billing', NULL, {p}, {p} "
        "FROM home h "
        f"WHERE h.house_type IN ({', '.join([p] * len(rates))})"
        f" AND h.state NOT IN ({', '.join([p] * len(states))})"
        f" AND (h.handover_date IS NULL OR h.handover_date <= {p})"
        " ON CONFLICT DO NOTHING")
    params = ([period, period] + case_params + case_params + [due.isoformat(), now, uid]
              + [ht for ht, _ in rates] + states + [last_day.isoformat()])
    counts["property_fee"] = db.execute_sql(sql, params).rowcount
    # parking spaces attached to a home
    for level, code, key in (("地上", "parking_above", "fee.parking_above"), ("地下", "parking_under", "fee.parking_under")):
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
    """The water/power/gas lines of a period from the meter readings (one line per home and kind)."""
    first, last = period_bounds(period)
    homes_with = (MeterReading.select(MeterReading.home, MeterReading.kind)
                  .where(MeterReading.reading_date.between(first, last)).distinct().tuples())
    wanted = {}
    for hid, kind in homes_with:
        wanted.setdefault(hid, set()).add(kind)
    if not wanted:
        return []
    house_types = dict(Home.select(Home.id, Home.house_type).where(Home.id.in_(list(wanted))).tuples())
    rows = (MeterReading.select(MeterReading.home, MeterReading.kind, MeterReading.reading_x100,
                                MeterReading.new_meter, MeterReading.reading_date)
            .where(MeterReading.home.in_(list(wanted)) & (MeterReading.reading_date <= last))
            .order_by(MeterReading.home, MeterReading.kind, MeterReading.reading_date, MeterReading.id).tuples())
    series: dict[tuple, list] = {}
    for hid, kind, value, new_meter, rdate in rows:
        if kind not in wanted.get(hid, ()):
            continue
        if isinstance(rdate, str):
            rdate = dt.date.fromisoformat(rdate[:10])
        s = series.setdefault((hid, kind), [])
        if rdate < first:  # keep only the last reading before the period
            s[:] = [(value, bool(new_meter), False)]
        else:
            s.append((value, bool(new_meter), True))
    out = []
    for (hid, kind), readings in series.items():
        qty = meter_consumption(readings)
        if qty <= 0:
            continue
        ht = house_types.get(hid, "")
        out.append({"home_id": hid, "item_code": kind, "quantity": qty,
                    "unit_price_fen": meter_rate(ctx, kind, ht), "amount_fen": meter_amount(ctx, kind, ht, qty)})
    return out


def _draw_down_prepayments(ctx, period: str) -> tuple[int, int]:
    """Settle this period's property fee of prepaid homes from their prepayment balance
    (set-based: one INSERT … SELECT of the payment lines, one UPDATE of the charges)."""
    from peewee import fn
    db = ctx.db
    p = db.param
    last_id = Payment.select(fn.COALESCE(fn.MAX(Payment.id), 0)).scalar() or 0
    balance = ("((SELECT COALESCE(SUM(pp.paid_fen), 0) FROM charge pp WHERE pp.home_id = c.home_id"
               " AND pp.item_code = 'property_prepay')"
               " - (SELECT COALESCE(SUM(d.amount_fen), 0) FROM payment d WHERE d.home_id = c.home_id"
               " AND d.kind = 'prepay'))")
    owed = "(c.amount_fen - c.paid_fen)"
    sql = ("INSERT INTO payment (receipt_id, charge_id, home_id, item_code, kind, method, amount_fen, reason, source,"
           " source_id, created_at, created_by_id) "
           f"SELECT NULL, c.id, c.home_id, 'property_fee', 'prepay', 'prepay',"
           f" CASE WHEN {balance} < {owed} THEN {balance} ELSE {owed} END, {p}, 'billing', NULL, {p}, {p} "
           "FROM charge c WHERE c.home_id IN (SELECT pp.home_id FROM charge pp WHERE pp.item_code = 'property_prepay'"
           " AND pp.paid_fen > 0) AND c.item_code = 'property_fee' AND c.bill_period = " + p +
           f" AND c.bill_ref = '' AND c.paid_fen < c.amount_fen AND {balance} > 0")
    db.execute_sql(sql, [f"预交物业费抵扣 {period}", _now_str(ctx), getattr(ctx.user, "id", None), period])
    row = (Payment.select(fn.COUNT(Payment.id), fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
           .where(Payment.id > last_id).tuples().first())
    n, total = int(row[0] or 0), int(row[1] or 0)
    if n:
        db.execute_sql(
            f"UPDATE charge SET paid_fen = paid_fen + (SELECT SUM(x.amount_fen) FROM payment x"
            f" WHERE x.charge_id = charge.id AND x.id > {p}) WHERE id IN (SELECT y.charge_id FROM payment y"
            f" WHERE y.id > {p})", [last_id, last_id])
    return n, total


def run_month(ctx, period: str) -> dict:
    """Bill a month: property fee (homes handed over), parking, bicycle and cable TV subscriptions,
    metered water/power/gas; then settle prepaid homes' property fee from their balance.
    Idempotent. Returns {"period", "lines", "total_fen", "by_item", "prepaid_lines", "prepaid_fen"}."""
    require(ctx, "ledger.bill")
    period = period_str(*parse_period(period))
    today = ctx.clock.today()
    if period > add_months(period_str(today.year, today.month), 1):
        raise ValidationError("计费月份", f"{period} 太远：最多只能提前计费到下个月")
    first, last = period_bounds(period)
    due = due_date_for(ctx, period)
    from peewee import fn

    from app.ledger.charge_items import sync_items
    with ctx.db.atomic():
        sync_items(ctx)   # the standards table follows the settings the run bills with
        last_id = Charge.select(fn.COALESCE(fn.MAX(Charge.id), 0)).scalar() or 0
        counts = _insert_periodic(ctx, period, due, last)
        existing = set(Charge.select(Charge.home, Charge.item_code)
                       .where((Charge.bill_period == period) & (Charge.category == "metered") & (Charge.bill_ref == ""))
                       .tuples())
        now = ctx.clock.now()
        uid = getattr(ctx.user, "id", None)
        rows = []
        for line in metered_lines(ctx, period):
            if (line["home_id"], line["item_code"]) in existing:
                continue
            rows.append({"home": line["home_id"], "item_code": line["item_code"], "category": "metered",
                         "period": period, "bill_period": period, "bill_ref": "",
                         "quantity_milli": quantity_to_milli(line["quantity"]),
                         "unit_price_fen": line["unit_price_fen"], "amount_fen": line["amount_fen"],
                         "paid_fen": 0, "refunded_fen": 0, "due_date": due, "memo": "", "source": "billing",
                         "created_at": now, "created_by": uid})
            counts[line["item_code"]] = counts.get(line["item_code"], 0) + 1
        for i in range(0, len(rows), 500):
            Charge.insert_many(rows[i:i + 500]).execute()
        n_pre, fen_pre = _draw_down_prepayments(ctx, period)
        lines = sum(counts.values())
        # the rows this run inserted are those after last_id (a rowid range: no scan)
        total = int(Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0)).where(Charge.id > last_id)
                    .scalar() or 0) if lines else 0
        result = {"period": period, "lines": lines, "total_fen": total,
                  "by_item": {k: v for k, v in counts.items() if v}, "prepaid_lines": n_pre, "prepaid_fen": fen_pre}
        audit.record(ctx, "ledger.bill_month", "billing", period, None, result)
    if (lines or n_pre) and due < ctx.clock.today():
        # lines not yet due cannot change who is in arrears; a past month's lines can
        from app.ledger.arrears import refresh_arrears_flags
        refresh_arrears_flags(ctx)
    return result


def billed_periods() -> list[str]:
    rows = Charge.select(Charge.bill_period).where(Charge.bill_period.is_null(False)).distinct().tuples()
    return sorted((r[0] for r in rows), reverse=True)


def describe_charge(c: Charge) -> str:
    return item_name(c.item_code) + (f"（{c.period}）" if c.period else "")


def month_ledger(ctx, period: str) -> list[dict]:
    """The ledger of a month: one row per home and charge item (charges of that period, or one-off
    charges without a period due in that month; the prepayment request is not a bill).
    Amounts in fen: billed, paid, owed; sorted by cluster, building, room, item."""
    from peewee import fn

    from models.people import HomeOwner, Owner
    from models.property import Building, Cluster
    period = period_str(*parse_period(period))
    month_expr = fn.COALESCE(Charge.period, fn.SUBSTR(Charge.due_date.cast("VARCHAR(10)"), 1, 7))
    q = (Charge.select(Charge.home, Charge.item_code, fn.SUM(Charge.amount_fen), fn.SUM(Charge.paid_fen))
         .where((month_expr == period) & (Charge.category != "prepay"))
         .group_by(Charge.home, Charge.item_code).tuples())
    agg = list(q)
    if not agg:
        return []
    home_ids = list({r[0] for r in agg})
    info = {}
    for hid, room, bname, bsort, ccode, cname in (
            Home.select(Home.id, Home.room_code, Building.name, Building.sort_order, Cluster.code, Cluster.name)
            .join(Building, on=(Home.building == Building.id)).switch(Home)
            .join(Cluster, on=(Home.cluster == Cluster.id)).where(Home.id.in_(home_ids)).tuples()):
        info[hid] = (f"{ccode}组团 {cname}", bname, room, (ccode, bsort, bname, room))
    owners: dict[int, list] = {}
    for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                      .where(HomeOwner.home.in_(home_ids) & HomeOwner.until.is_null())
                      .order_by(HomeOwner.is_primary.desc(), Owner.id).tuples()):
        owners.setdefault(hid, []).append(name)
    from app.ledger.charge_items import ITEMS
    order = {code: i for i, code in enumerate(ITEMS)}
    rows = []
    for hid, code, billed, paid in agg:
        cl, b, room, key = info[hid]
        rows.append({"home_id": hid, "cluster": cl, "building": b, "room_code": room,
                     "owner": "、".join(owners.get(hid, [])), "item_code": code, "item": item_name(code),
                     "period": period, "billed_fen": int(billed), "paid_fen": int(paid),
                     "owed_fen": int(billed) - int(paid), "_key": (key, order.get(code, 999), code)})
    rows.sort(key=lambda r: r["_key"])
    for r in rows:
        del r["_key"]
    return rows


def export_month_ledger(ctx, period: str, path) -> dict:
    """Write the month's ledger to an Excel file (元 with two decimals, exact from fen)."""
    require(ctx, "ledger.export")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from app.core.xlsx import append_row, save_workbook

    rows = month_ledger(ctx, period)
    wb = Workbook()
    ws = wb.active
    ws.title = f"台账{period}"
    ws.append(["组团", "楼栋", "房号", "业主", "收费项目", "所属月份", "应收（元）", "已收（元）", "欠费（元）"])
    for c in ws[1]:
        c.font = Font(bold=True)

    def yuan(fen):
        return Decimal(int(fen)) / 100

    totals = [0, 0, 0]
    for r in rows:
        append_row(ws, [r["cluster"], r["building"], r["room_code"], r["owner"], r["item"], r["period"],
                        yuan(r["billed_fen"]), yuan(r["paid_fen"]), yuan(r["owed_fen"])])
        totals[0] += r["billed_fen"]
        totals[1] += r["paid_fen"]
        totals[2] += r["owed_fen"]
    ws.append(["合计", "", "", "", "", period, yuan(totals[0]), yuan(totals[1]), yuan(totals[2])])
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=9):
        for c in row:
            c.number_format = "0.00"
    for col, width in zip("ABCDEFGHI", (16, 10, 10, 16, 16, 10, 12, 12, 12)):
        ws.column_dimensions[col].width = width
    path = save_workbook(wb, path)
    with ctx.db.atomic():
        audit.record(ctx, "ledger.export", "ledger", period, None, {"rows": len(rows), "file": str(path)})
    return {"rows": len(rows), "billed_fen": totals[0], "paid_fen": totals[1], "owed_fen": totals[2]}


SUBSCRIPTION_ITEMS = ("bicycle", "cable_tv")


def subscribe(ctx, home_id, item_code, count=1, start_period=None, notes="") -> Subscription:
    """A home takes bicycle parking or cable TV from a month on (billed by the monthly run)."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if item_code not in SUBSCRIPTION_ITEMS:
        raise ValidationError("收费项目", "只有自行车停放费和有线电视费按登记户计收")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
        raise ValidationError("数量", "应为1到20之间的整数")
    today = ctx.clock.today()
    start = period_str(*parse_period(start_period or period_str(today.year, today.month), "起始月份"))
    with ctx.db.atomic():
        s = Subscription.create(home=home.id, item_code=item_code, count=count, start_period=start,
                                notes=str(notes or ""), created_at=ctx.clock.now())
        audit.record(ctx, "ledger.subscribe", "subscription", s.id, None,
                     {"home": home.room_code, "item": item_code, "count": count, "start": start})
    return s


def end_subscription(ctx, subscription_id, end_period) -> Subscription:
    """Stop a subscription after ``end_period`` (the last month billed)."""
    require(ctx, "ledger.charge")
    s = get_or_404(Subscription, subscription_id, message=f"登记不存在（编号 {subscription_id}）")
    end = period_str(*parse_period(end_period, "截止月份"))
    if end < s.start_period:
        raise ValidationError("截止月份", f"不能早于起始月份 {s.start_period}")
    if s.end_period is not None:
        raise StateError(f"该登记已于 {s.end_period} 截止")
    with ctx.db.atomic():
        Subscription.update(end_period=end).where(Subscription.id == s.id).execute()
        audit.record(ctx, "ledger.unsubscribe", "subscription", s.id, {"end_period": None}, {"end_period": end})
    return Subscription.get_by_id(s.id)
