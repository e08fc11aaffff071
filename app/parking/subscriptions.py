"""The monthly services of a home (包月服务: bicycle parking, cable TV) as the customer-service
desk handles them, through app.ledger.subscriptions, with the whole-months billing rule of
parking spaces (app.parking.tenancy): months the monthly run already billed are completed now."""
from __future__ import annotations

from app.core.audit import record
from app.core.dates import parse_period, period_of, period_str
from app.core.errors import StateError, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.parking.tenancy import run_periods, settle_ahead
from models.ledger import Charge, Subscription


def subscription_rows(ctx, home_id) -> list[dict]:
    """A home's bicycle-parking and cable-TV registrations, newest first, with the monthly amount."""
    require(ctx, "ledger.view")
    from app.ledger.charge_items import item_name
    today = period_of(ctx.clock.today())
    rates = {"bicycle": int(ctx.settings.get("fee.bicycle")), "cable_tv": int(ctx.settings.get("fee.cable_tv"))}
    rows = []
    for s in Subscription.select().where(Subscription.home == home_id).order_by(Subscription.id.desc()):
        if s.start_period > today:
            state = "未开始"
        elif s.end_period is not None and s.end_period < today:
            state = "已截止"
        else:
            state = "计费中"
        monthly = rates.get(s.item_code, 0) * s.count
        rows.append({"id": s.id, "item_code": s.item_code, "item": item_name(s.item_code), "count": s.count,
                     "start_period": s.start_period, "end_period": s.end_period or "", "state": state,
                     "open": s.end_period is None, "monthly_fen": monthly, "monthly": fmt_fen(monthly),
                     "notes": s.notes})
    return rows


def _refuse_overlap(home_id, item_code, start: str) -> None:
    """A second open registration of the same item for the home is refused (raise the count instead)."""
    from app.ledger.subscriptions import SUBSCRIPTION_ITEMS
    if item_code not in SUBSCRIPTION_ITEMS:
        return
    clash = (Subscription.select().where((Subscription.home == home_id) & (Subscription.item_code == item_code)
                                         & (Subscription.end_period.is_null() | (Subscription.end_period >= start)))
             .order_by(Subscription.id).first())
    if clash is not None:
        from app.ledger.charge_items import item_name
        span = f"{clash.start_period} 起" + (f"至 {clash.end_period}" if clash.end_period else "，未截止")
        raise StateError(f"该户已登记{item_name(item_code)}（{span}），与 {start} 起的新登记重叠；"
                         "如需改变数量，请先截止原登记")


def subscribe(ctx, home_id, item_code, count=1, start_period=None, notes="") -> Subscription:
    """Start a monthly service (app.ledger.subscriptions.subscribe), refusing a second open
    registration of the same item for the home (raise the count instead). When the monthly run has
    already billed the current month (or the next, ahead), those months are billed now, as for
    parking spaces; the returned registration's ``billed_now`` names them."""
    from app.ledger import subscriptions
    require(ctx, "ledger.charge")
    this_month = period_of(ctx.clock.today())
    start = period_str(*parse_period(start_period or this_month, "起始月份"))
    _refuse_overlap(home_id, item_code, start)
    if isinstance(count, str):
        try:
            count = int(count.strip())
        except ValueError:
            raise ValidationError("数量", f"“{count}”不是整数") from None
    with ctx.db.atomic():
        sub = subscriptions.subscribe(ctx, home_id, item_code, count, start, notes)
        # the month (and the next, billed ahead) already run: billed now as the run writes them;
        # months before this one are not billed back
        billed = [p for p in run_periods(max(sub.start_period, this_month)) if _bill_subscription_line(ctx, sub, p)]
        if billed:
            record(ctx, "parking.subscription_billed", "subscription", sub.id, None, {"billed_now": billed})
    sub.billed_now = billed
    return sub


def _bill_subscription_line(ctx, sub: Subscription, period: str) -> bool:
    """The month's line of a subscription exactly as the monthly run writes it (same unique key),
    unless it exists."""
    from app.ledger.rates import due_date_for
    ref = f"S{sub.id}"
    if Charge.select().where((Charge.home == sub.home_id) & (Charge.item_code == sub.item_code)
                             & (Charge.bill_period == period) & (Charge.bill_ref == ref)).exists():
        return False
    rate = int(ctx.settings.get(f"fee.{sub.item_code}"))
    Charge.create(home=sub.home_id, item_code=sub.item_code, category="periodic", period=period, bill_period=period,
                  bill_ref=ref, quantity_milli=sub.count * 1000, unit_price_fen=rate, amount_fen=sub.count * rate,
                  paid_fen=0, refunded_fen=0, due_date=due_date_for(ctx, period), memo="", source="billing",
                  source_id=sub.id, created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
    return True


def end_subscription(ctx, subscription_id, end_period) -> Subscription:
    """Stop a monthly service after ``end_period`` (app.ledger.subscriptions.end_subscription).
    Months after it that the run already billed ahead are waived when still unpaid (when the user
    may waive, else named in ``pending``); paid ones are named in ``paid_ahead``. The returned
    registration carries ``waived``, ``pending``, ``paid_ahead`` and ``message``."""
    from app.ledger import subscriptions
    from app.ledger.charge_items import item_name
    with ctx.db.atomic():
        sub = subscriptions.end_subscription(ctx, subscription_id, end_period)
        item = item_name(sub.item_code)
        ahead = list(Charge.select().where((Charge.home == sub.home_id) & (Charge.item_code == sub.item_code)
                                           & (Charge.bill_ref == f"S{sub.id}") & (Charge.bill_period > sub.end_period))
                     .order_by(Charge.bill_period))
        waived, pending, paid_ahead = settle_ahead(
            ctx, ahead, lambda c: f"{item}已截止于 {sub.end_period}，{c.bill_period} 不再计收", "subscription", sub.id)
        if ahead:
            record(ctx, "parking.subscription_end_billed", "subscription", sub.id, None,
                   {"waived": waived, "pending": pending, "paid_ahead": paid_ahead})
    msg = f"{item}登记已截止，最后计费月份 {sub.end_period}"
    if waived:
        msg += f"；已预先计费的 {'、'.join(waived)} 已免收"
    if pending:
        msg += f"；已预先计费的 {'、'.join(pending)} 未付，请经理在收费台账中免收"
    if paid_ahead:
        msg += f"；已预缴 {'、'.join(paid_ahead)}，请经理与业主商定退还"
    sub.waived, sub.pending, sub.paid_ahead, sub.message = waived, pending, paid_ahead, msg
    return sub
