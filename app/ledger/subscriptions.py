"""Subscriptions (按登记户计收): bicycle parking and cable TV taken by a home from a month on and
billed by the monthly run until the month they end.
"""
from __future__ import annotations

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import parse_period, period_of, period_str
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from models.ledger import Subscription

SUBSCRIPTION_ITEMS = ("bicycle", "cable_tv")
MAX_COUNT = 20


def subscribe(ctx, home_id, item_code, count=1, start_period=None, notes="") -> Subscription:
    """A home takes bicycle parking or cable TV from a month on (billed by the monthly run)."""
    require(ctx, "ledger.charge")
    home = home_by_id(home_id)
    if item_code not in SUBSCRIPTION_ITEMS:
        raise ValidationError("收费项目", "只有自行车停放费和有线电视费按登记户计收")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValidationError("数量", f"应为1到{MAX_COUNT}之间的整数")
    start = period_str(*parse_period(start_period or period_of(ctx.clock.today()), "起始月份"))
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
