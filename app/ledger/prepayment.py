"""The move-in prepayment of the property fee (预交物业费): one charge ``property_prepay``; once
paid it is a balance the monthly run draws down month by month with ``Payment.kind == "prepay"``
lines that have no receipt.
"""
from __future__ import annotations

from peewee import fn

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import fmt_timestamp, period_of
from app.core.errors import StateError, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.ledger.rates import property_fee_monthly
from models.ledger import Charge, Payment

MAX_PREPAY_MONTHS = 120


def prepay_property_fee(ctx, home_id, months=None) -> Charge:
    """The move-in prepayment (default billing.prepay_months = 12 months of property fee) as one
    charge 'property_prepay'. Once paid it is a balance the monthly run draws down month by month."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if months is None:
        months = int(ctx.settings.get("billing.prepay_months"))
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_PREPAY_MONTHS:
        raise ValidationError("预交月数", f"应为1到{MAX_PREPAY_MONTHS}之间的整数")
    open_prepay = (Charge.select().where((Charge.home == home.id) & (Charge.item_code == "property_prepay")
                                         & (Charge.paid_fen < Charge.amount_fen)).first())
    if open_prepay is not None:
        raise StateError(f"{home.room_code} 已有未付清的预交物业费（{fmt_fen(open_prepay.amount_fen)} 元），请先收款")
    monthly = property_fee_monthly(ctx, home)
    if monthly <= 0:
        raise ValidationError("建筑面积", "面积为零，无法计算物业费")
    start = period_of(ctx.clock.today())
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


def draw_down_prepayments(ctx, period: str) -> tuple[int, int]:
    """Settle this period's property fee of prepaid homes from their prepayment balance
    (set-based: one INSERT … SELECT of the payment lines, one UPDATE of the charges)."""
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
    uid = getattr(ctx.user, "id", None)
    db.execute_sql(sql, [f"预交物业费抵扣 {period}", fmt_timestamp(ctx.clock.now()), uid, period])
    row = (Payment.select(fn.COUNT(Payment.id), fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
           .where(Payment.id > last_id).tuples().first())
    n, total = int(row[0] or 0), int(row[1] or 0)
    if n:
        db.execute_sql(
            f"UPDATE charge SET paid_fen = paid_fen + (SELECT SUM(x.amount_fen) FROM payment x"
            f" WHERE x.charge_id = charge.id AND x.id > {p}) WHERE id IN (SELECT y.charge_id FROM payment y"
            f" WHERE y.id > {p})", [last_id, last_id])
    return n, total
