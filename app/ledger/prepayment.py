"""Paying ahead (预交): a prepayment of a periodic item is one charge ``<item>_prepay`` (the move-in
property fee: ``property_prepay``) of category ``prepay`` whose ``period`` is the first month it
covers and whose quantity is the months; once paid it is a balance per home and item that each
monthly run draws down with ``Payment.kind == "prepay"`` lines that have no receipt.

``prepay_property_fee`` is the move-in prepayment (charged now, paid at the cashier); the desk's
prepayment of any periodic item is app.ledger.prepay_desk.
"""
from __future__ import annotations

from peewee import fn

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import add_period_months, fmt_timestamp, period_of
from app.core.errors import StateError, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.ledger.rates import property_fee_monthly
from models.ledger import Charge, Payment, Subscription

MAX_PREPAY_MONTHS = 120
# periodic item → the code of its prepayment charge
PREPAY_CODES = {"property_fee": "property_prepay", "parking_above": "parking_above_prepay",
                "parking_under": "parking_under_prepay", "bicycle": "bicycle_prepay", "cable_tv": "cable_tv_prepay"}
ITEM_OF_PREPAY = {v: k for k, v in PREPAY_CODES.items()}
PARKING_LEVELS = {"parking_above": "地上", "parking_under": "地下"}
RATE_KEYS = {"parking_above": "fee.parking_above", "parking_under": "fee.parking_under",
             "bicycle": "fee.bicycle", "cable_tv": "fee.cable_tv"}
UNIT_WORDS = {"parking_above": "车位", "parking_under": "车位", "bicycle": "自行车", "cable_tv": "有线电视"}


def check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_PREPAY_MONTHS:
        raise ValidationError("预交月数", f"应为1到{MAX_PREPAY_MONTHS}之间的整数")
    return months


def prepay_property_fee(ctx, home_id, months=None) -> Charge:
    """The move-in prepayment (default billing.prepay_months = 12 months of property fee) as one
    charge 'property_prepay'. Once paid it is a balance the monthly run draws down month by month."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if months is None:
        months = int(ctx.settings.get("billing.prepay_months"))
    check_months(months)
    open_prepay = (Charge.select().where((Charge.home == home.id) & (Charge.item_code == "property_prepay")
                                         & (Charge.paid_fen < Charge.amount_fen)).first())
    if open_prepay is not None:
        raise StateError(f"{home.room_code} 已有未付清的预交物业费（{fmt_fen(open_prepay.amount_fen)} 元），请先收款")
    monthly = property_fee_monthly(ctx, home)
    if monthly <= 0:
        raise ValidationError("建筑面积", "面积为零，无法计算物业费")
    start = period_of(ctx.clock.today())
    with ctx.db.atomic():
        charge = create_prepay(ctx, home, "property_fee", start, months, monthly)
    return charge


def create_prepay(ctx, home, item: str, start: str, months: int, monthly: int) -> Charge:
    end = add_period_months(start, months - 1)
    charge = Charge.create(home=home.id, item_code=PREPAY_CODES[item], category="prepay", period=start,
                           quantity_milli=months * 1000, unit_price_fen=monthly, amount_fen=monthly * months,
                           due_date=ctx.clock.today(), memo=f"预交 {months} 个月（{start} 至 {end}）",
                           source="prepay", created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
    audit.record(ctx, "ledger.prepay", "charge", charge.id, None,
                 {"home": home.room_code, "item": item, "months": months, "monthly_fen": monthly,
                  "amount_fen": monthly * months, "from": start, "to": end})
    return charge


def monthly_amount(ctx, home, item: str) -> int:
    """What one month of *item* costs the home at today's rate (fen); 0 when it has none."""
    if item == "property_fee":
        return property_fee_monthly(ctx, home)
    if item not in RATE_KEYS:
        raise ValidationError("收费项目", "只能预交周期性收费项目（物业费、停车费、自行车、有线电视）")
    rate = int(ctx.settings.get(RATE_KEYS[item]))
    if item in PARKING_LEVELS:
        from models.property import ParkingSpace
        count = (ParkingSpace.select().where((ParkingSpace.home == home.id)
                                             & (ParkingSpace.level == PARKING_LEVELS[item])).count())
    else:
        now = period_of(ctx.clock.today())
        count = int(Subscription.select(fn.COALESCE(fn.SUM(Subscription.count), 0)).where(
            (Subscription.home == home.id) & (Subscription.item_code == item)
            & (Subscription.end_period.is_null() | (Subscription.end_period >= now))).scalar() or 0)
    return rate * count


def prepay_balances(home_ids=None, item: str = "property_fee") -> dict[int, int]:
    """Prepayment balance (fen) of *item* per home: paid prepayments minus what the runs drew."""
    q = (Charge.select(Charge.home, fn.SUM(Charge.paid_fen)).where(Charge.item_code == PREPAY_CODES[item])
         .group_by(Charge.home))
    d = (Payment.select(Payment.home, fn.SUM(Payment.amount_fen))
         .where((Payment.kind == "prepay") & (Payment.item_code == item)).group_by(Payment.home))
    if home_ids is not None:
        q = q.where(Charge.home.in_(list(home_ids)))
        d = d.where(Payment.home.in_(list(home_ids)))
    out = {h: int(s or 0) for h, s in q.tuples()}
    for h, s in d.tuples():
        out[h] = out.get(h, 0) - int(s or 0)
    return out


def prepay_balance(home_id, item: str = "property_fee") -> int:
    return prepay_balances([home_id], item).get(int(home_id), 0)


def all_prepay_balances(home_id) -> dict[str, int]:
    """Every item's prepayment balance of one home (items without one left out)."""
    out = {}
    for item in PREPAY_CODES:
        b = prepay_balance(home_id, item)
        if b:
            out[item] = b
    return out


def _draw_item(ctx, item: str, period: str, stamp: str) -> None:
    """One INSERT … SELECT of *item*'s draw-down lines: a home's balance settles its charges of the
    period in id order (a running sum, so two parking spaces never take the same balance twice)."""
    db = ctx.db
    p = db.param
    code = PREPAY_CODES[item]
    balance = ("((SELECT COALESCE(SUM(pp.paid_fen), 0) FROM charge pp WHERE pp.home_id = c.home_id"
               f" AND pp.category = 'prepay' AND pp.item_code = '{code}')"
               " - (SELECT COALESCE(SUM(d.amount_fen), 0) FROM payment d WHERE d.home_id = c.home_id"
               f" AND d.kind = 'prepay' AND d.item_code = '{item}'))")
    owed = "(c.amount_fen - c.paid_fen)"
    inner = (f"SELECT c.id AS cid, c.home_id AS hid, {owed} AS owed, {balance} AS bal,"
             f" SUM({owed}) OVER (PARTITION BY c.home_id ORDER BY c.id) - {owed} AS prior "
             "FROM charge c WHERE c.home_id IN (SELECT pp.home_id FROM charge pp WHERE pp.category = 'prepay'"
             f" AND pp.item_code = '{code}' AND pp.paid_fen > 0) AND c.item_code = '{item}'"
             f" AND c.bill_period = {p} AND c.paid_fen < c.amount_fen")
    sql = ("INSERT INTO payment (receipt_id, charge_id, home_id, item_code, kind, method, amount_fen, reason, source,"
           " source_id, created_at, created_by_id) "
           f"SELECT NULL, x.cid, x.hid, '{item}', 'prepay', 'prepay',"
           f" CASE WHEN x.bal - x.prior < x.owed THEN x.bal - x.prior ELSE x.owed END, {p}, 'billing', NULL, {p}, {p}"
           f" FROM ({inner}) x WHERE x.bal - x.prior > 0")
    words = "物业费" if item == "property_fee" else UNIT_WORDS[item] + "费"
    db.execute_sql(sql, [f"预交{words}抵扣 {period}", stamp, getattr(ctx.user, "id", None), period])


def draw_down_prepayments(ctx, period: str) -> tuple[int, int]:
    """Settle this period's periodic charges of prepaid homes from their balance, item by item
    (set-based: one INSERT … SELECT of the payment lines per item, one UPDATE of the charges)."""
    db = ctx.db
    p = db.param
    last_id = Payment.select(fn.COALESCE(fn.MAX(Payment.id), 0)).scalar() or 0
    stamp = fmt_timestamp(ctx.clock.now())
    for item in PREPAY_CODES:
        _draw_item(ctx, item, period, stamp)
    row = (Payment.select(fn.COUNT(Payment.id), fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
           .where(Payment.id > last_id).tuples().first())
    n, total = int(row[0] or 0), int(row[1] or 0)
    if n:
        db.execute_sql(
            f"UPDATE charge SET paid_fen = paid_fen + (SELECT SUM(x.amount_fen) FROM payment x"
            f" WHERE x.charge_id = charge.id AND x.id > {p}) WHERE id IN (SELECT y.charge_id FROM payment y"
            f" WHERE y.id > {p})", [last_id, last_id])
    return n, total
