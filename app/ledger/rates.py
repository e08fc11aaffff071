"""Charge standards turned into amounts (计费标准): the property fee of a home, metered water,
power and gas, the due date of a billing period, and the quantities printed on a line.

Every amount is quantity × rate rounded half-up to the fen once (domain.md §7). Rates come from
the site settings (fee.*).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.archives.homes import home_by_id
from app.core.dates import period_bounds
from app.core.errors import ValidationError
from app.core.money import mul_fen, round_half_up
from models.property import Home


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
