"""预交 at the desk: months of any periodic item (property fee, parking, bicycle, cable TV), or through
a month, charged at today's rate from the first month not yet billed or paid for (已缴至 + 1) and
paid at once on ONE receipt whose line names the period from–to. The monthly runs then draw the
balance down (app.ledger.prepayment.draw_down_prepayments)."""
from __future__ import annotations

from peewee import fn

from app.archives.homes import home_by_id
from app.core.dates import add_period_months, parse_period, period_of, period_str
from app.core.errors import ValidationError
from app.core.permissions import require
from app.ledger.paid_until import paid_until
from app.ledger.payments import pay
from app.ledger.prepayment import PREPAY_CODES, UNIT_WORDS, check_months, create_prepay, monthly_amount
from models.ledger import Charge


def next_period(ctx, home_id, item: str) -> str:
    """The first month a prepayment of *item* would cover: after the months billed or already paid
    for (已缴至), and not before this month."""
    start = period_of(ctx.clock.today())
    last_billed = (Charge.select(fn.MAX(Charge.bill_period))
                   .where((Charge.home == home_id) & (Charge.item_code == item)
                          & Charge.bill_period.is_null(False)).scalar())
    paid = paid_until([home_id]).get((int(home_id), item))
    for p in (last_billed, paid):
        if p and add_period_months(p, 1) > start:
            start = add_period_months(p, 1)
    return start


def months_until(start: str, until: str) -> int:
    """Months from *start* through *until* (both "YYYY-MM")."""
    y0, m0 = parse_period(start)
    y1, m1 = parse_period(until, "缴至月份")
    n = (y1 - y0) * 12 + (m1 - m0) + 1
    if n < 1:
        raise ValidationError("缴至月份", f"应不早于 {start}")
    return n


def prepay_quote(ctx, home_id, item: str, months=None, until=None) -> dict:
    """What a desk prepayment would be: {item, from, to, months, monthly_fen, amount_fen}."""
    require(ctx, "ledger.view")
    home = home_by_id(home_id)
    if item not in PREPAY_CODES:
        raise ValidationError("收费项目", "只能预交周期性收费项目（物业费、停车费、自行车、有线电视）")
    start = next_period(ctx, home.id, item)
    if until not in (None, ""):
        months = months_until(start, period_str(*parse_period(until, "缴至月份")))
    check_months(months)
    monthly = monthly_amount(ctx, home, item)
    if monthly <= 0:
        what = "建筑面积为零" if item == "property_fee" else f"该户没有在用的{UNIT_WORDS[item]}"
        raise ValidationError("收费项目", f"{what}，无法计算预交金额")
    return {"item": item, "from": start, "to": add_period_months(start, months - 1), "months": months,
            "monthly_fen": monthly, "amount_fen": monthly * months}


def prepay_at_desk(ctx, home_id, item: str, method: str, payer: str, *, months=None, until=None,  # noqa: PLR0913
                   reference: str = ""):
    """预交 at the desk: months (or through a month) of a periodic item charged at today's rate and
    paid at once on ONE receipt (its line names the period from–to). Returns the Receipt."""
    require(ctx, "ledger.pay")
    home = home_by_id(home_id)
    with ctx.db.atomic():
        q = prepay_quote(ctx, home.id, item, months, until)
        charge = create_prepay(ctx, home, item, q["from"], q["months"], q["monthly_fen"])
        return pay(ctx, home.id, [charge.id], method, payer, reference, memo=f"预交 {q['from']} 至 {q['to']}")
