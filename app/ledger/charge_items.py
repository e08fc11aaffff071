"""Charge items (收费项目) and their standards (收费标准), from the site settings fee.*,
service_price.*, renovation.* and parcel.* (domain.md §7, 000 items 11, 17, 18).

The settings are the source of every rate; ``sync_items`` mirrors them into the ChargeItem and
ChargeStandard tables (shown in the ledger tab and printed on notices with the legal basis).
"""
from __future__ import annotations

from app.core import audit
from app.core.errors import ValidationError
from app.ledger.charge_rules import custom_amount, custom_desk_codes, custom_item, custom_standards
from models.ledger import ChargeItem, ChargeStandard
from models.property import HOUSE_TYPES

# code: (name, category, unit, basis setting key or literal basis key)
ITEMS = {
    "property_fee": ("物业服务费", "periodic", "元/㎡·月", "fee.basis.property"),
    "property_prepay": ("预交物业费", "prepay", "元", "fee.basis.property"),
    "parking_above": ("地上停车费", "periodic", "元/月", "fee.basis.parking"),
    "parking_under": ("地下停车费", "periodic", "元/月", "fee.basis.parking"),
    "bicycle": ("自行车停放费", "periodic", "元/月", "fee.basis.parking"),
    "cable_tv": ("有线电视费", "periodic", "元/月", "fee.basis.utilities"),
    "water": ("水费", "metered", "元/吨", "fee.basis.utilities"),
    "power": ("电费", "metered", "元/度", "fee.basis.utilities"),
    "gas": ("燃气费", "metered", "元/m³", "fee.basis.utilities"),
    "renovation_deposit": ("装修质量保证金", "deposit", "元/户", "fee.basis.property"),
    "rubbish_removal": ("装修垃圾清运费", "one_off", "元/㎡", "fee.basis.property"),
    "pass_fee": ("出入证手续费", "one_off", "元/证", "fee.basis.property"),
    "pass_deposit": ("出入证押金", "deposit", "元/证", "fee.basis.property"),
    "loan_deposit": ("借用押金", "deposit", "元", "fee.basis.property"),
    "parcel_fee": ("包裹保管费", "one_off", "元/件", "fee.basis.property"),
    "late_fee": ("滞纳金", "one_off", "元", "fee.basis.property"),
    "service_letting": ("房屋租赁代理费", "one_off", "月租金%", "fee.basis.property"),
    "service_lamp": ("安装灯具", "one_off", "元/次", "fee.basis.property"),
    "service_drain": ("疏通下水道", "one_off", "元/次", "fee.basis.property"),
    "service_breaker": ("更换空气开关", "one_off", "元/次", "fee.basis.property"),
    "service_basin_drain": ("更换面盆下水", "one_off", "元/次", "fee.basis.property"),
    "service_tap": ("更换水龙头", "one_off", "元/次", "fee.basis.property"),
}
# the unit of a line's quantity (the rate's unit is in ITEMS)
QTY_UNITS = {"property_fee": "㎡", "property_prepay": "个月", "parking_above": "个", "parking_under": "个",
             "bicycle": "辆", "cable_tv": "户", "water": "吨", "power": "度", "gas": "m³",
             "rubbish_removal": "㎡", "pass_fee": "证", "pass_deposit": "证", "parcel_fee": "件"}
SERVICES = ("lamp", "drain", "breaker", "basin_drain", "tap")


def item_name(code: str) -> str:
    if code in ITEMS:
        return ITEMS[code][0]
    if code.startswith("service_"):
        return "有偿服务：" + code[len("service_"):]
    if code.endswith("_prepay") and code[:-len("_prepay")] in ITEMS:   # a desk prepayment (app.ledger.prepayment)
        return "预交" + ITEMS[code[:-len("_prepay")]][0]
    item = custom_item(code)   # the office's own item (charge_rules)
    return item.name if item is not None else code


def qty_label(code: str, quantity: str) -> str:
    unit = "个月" if code.endswith("_prepay") else QTY_UNITS.get(code, "")
    return f"{quantity} {unit}".strip() if quantity else ""


def category_of(code: str) -> str:
    if code in ITEMS:
        return ITEMS[code][1]
    if code.startswith("service_"):
        return "one_off"
    item = custom_item(code)
    if item is not None:
        return item.category
    raise ValidationError("收费项目", f"未知的收费项目“{code}”")


def is_known(code: str) -> bool:
    if code in ITEMS or (code.startswith("service_") and len(code) > len("service_")):
        return True
    item = custom_item(code)
    return item is not None and bool(item.active)


def standards(settings) -> list[dict]:
    """Every standard of the site: item code, variant, rate in fen, unit, setting key, basis text."""
    g = settings.get
    out = []

    def add(code, variant, key, unit=None):
        basis = g(ITEMS[code][3])
        out.append({"item_code": code, "item_name": ITEMS[code][0], "variant": variant, "rate_fen": int(g(key)),
                    "unit": unit or ITEMS[code][2], "setting_key": key, "basis": basis, "category": ITEMS[code][1]})

    for ht in HOUSE_TYPES:
        add("property_fee", ht, f"fee.property_rate.{ht}")
    add("parking_above", "", "fee.parking_above")
    add("parking_under", "", "fee.parking_under")
    add("bicycle", "", "fee.bicycle")
    add("cable_tv", "", "fee.cable_tv")
    add("water", "住宅", "fee.water_home")
    add("water", "商铺", "fee.water_shop")
    add("power", "住宅", "fee.power_home")
    add("gas", f"第一阶梯（≤{g('fee.gas_tier1_limit')}m³）", "fee.gas_tier1")
    add("gas", f"第二阶梯（>{g('fee.gas_tier1_limit')}m³）", "fee.gas_tier2")
    for ht in HOUSE_TYPES:
        add("renovation_deposit", ht, f"renovation.deposit.{ht}")
    add("rubbish_removal", "", "renovation.rubbish_rate")
    add("pass_fee", "", "renovation.pass_fee")
    add("pass_deposit", "", "renovation.pass_deposit")
    add("parcel_fee", f"超过{g('parcel.free_hours')}小时首次", "parcel.first_fee")
    add("parcel_fee", f"每续{g('parcel.step_hours')}小时", "parcel.step_fee")
    add("parcel_fee", "上限", "parcel.max_fee")
    for svc in SERVICES:
        code = f"service_{svc}"
        add(code, "业主价", f"service_price.{svc}.owner")
        add(code, "市场价", f"service_price.{svc}.market")
    add("service_letting", "业主价", "service_price.letting_owner_pct", "月租金%")
    add("service_letting", "市场价", "service_price.letting_market_pct", "月租金%")
    return out + custom_standards()


def _table_matches(rows) -> bool:
    have = {(code, variant): (rate, unit, basis) for code, variant, rate, unit, basis in (
        ChargeStandard.select(ChargeItem.code, ChargeStandard.variant, ChargeStandard.rate_fen, ChargeStandard.unit,
                              ChargeStandard.basis).join(ChargeItem).tuples())}
    want = {(r["item_code"], r["variant"]): (r["rate_fen"], r["unit"], r["basis"]) for r in rows}
    shipped = ChargeItem.select().where(ChargeItem.code.in_(list(ITEMS))).count()
    return have == want and shipped == len(ITEMS)


def sync_items(ctx, record_audit: bool = True) -> int:
    """Create/refresh the items and standards tables from the settings (only when they differ).
    Returns the standards count."""
    rows = standards(ctx.settings)
    if _table_matches(rows):
        return len(rows)
    with ctx.db.atomic():
        for order, (code, (name, cat, unit, basis_key)) in enumerate(ITEMS.items()):
            basis = ctx.settings.get(basis_key)
            item = ChargeItem.get_or_none(ChargeItem.code == code)
            if item is None:
                ChargeItem.create(code=code, name=name, category=cat, unit=unit, basis=basis, sort_order=order)
            else:
                ChargeItem.update(name=name, category=cat, unit=unit, basis=basis, sort_order=order).where(
                    ChargeItem.id == item.id).execute()
        items = {i.code: i.id for i in ChargeItem.select()}
        for r in rows:
            item_id = items[r["item_code"]]
            n = (ChargeStandard.update(rate_fen=r["rate_fen"], unit=r["unit"], setting_key=r["setting_key"],
                                       basis=r["basis"])
                 .where((ChargeStandard.item == item_id) & (ChargeStandard.variant == r["variant"])).execute())
            if not n:
                ChargeStandard.create(item=item_id, variant=r["variant"], rate_fen=r["rate_fen"], unit=r["unit"],
                                      setting_key=r["setting_key"], basis=r["basis"])
        # standards no longer wanted (an item of the office stopped or its tiers changed) go
        wanted = {(items[r["item_code"]], r["variant"]) for r in rows}
        have = ChargeStandard.select(ChargeStandard.id, ChargeStandard.item, ChargeStandard.variant).tuples()
        stale = [sid for sid, item_id, variant in have if (item_id, variant) not in wanted]
        if stale:
            ChargeStandard.delete().where(ChargeStandard.id.in_(stale)).execute()
        if record_audit:
            audit.record(ctx, "ledger.sync_items", "charge_standard", "", None, {"standards": len(rows)})
    return len(rows)


def parcel_fee(hours, settings=None) -> int:
    """Parcel storage fee in fen (000 item 11): free up to parcel.free_hours (24 h); beyond,
    parcel.first_fee (2 元) plus parcel.step_fee (1 元) for each further parcel.step_hours (12 h)
    started, at most parcel.max_fee (10 元). ``hours`` may be int, Decimal or a timedelta."""
    import datetime as dt
    from decimal import Decimal
    if settings is None:
        from app.core.settings import Settings
        settings = Settings()
    if isinstance(hours, dt.timedelta):
        h = Decimal(int(hours.total_seconds())) / Decimal(3600)
    elif isinstance(hours, float):
        raise TypeError("hours must not be a float")
    else:
        h = Decimal(str(hours))
    if h < 0:
        raise ValidationError("保管时长", "不能为负数")
    free = Decimal(settings.get("parcel.free_hours"))
    if h <= free:
        return 0
    step = Decimal(settings.get("parcel.step_hours"))
    over = h - free
    # the first step is covered by first_fee; each further step started adds step_fee
    extra_steps = 0
    if step > 0 and over > step:
        q = (over - step) / step
        extra_steps = int(q) if q == int(q) else int(q) + 1
    fee = int(settings.get("parcel.first_fee")) + extra_steps * int(settings.get("parcel.step_fee"))
    return min(fee, int(settings.get("parcel.max_fee")))


def service_price(settings, service: str, owner: bool = True) -> int:
    """Price of a paid service (000 item 18) in fen, owner or market price."""
    if service not in SERVICES:
        raise ValidationError("服务项目", f"未知的有偿服务“{service}”")
    return int(settings.get(f"service_price.{service}.{'owner' if owner else 'market'}"))


# one-off items the desk registers by hand (deposits and renovation fees usually come from their areas)
DESK_ITEMS = ("parcel_fee", "service_lamp", "service_drain", "service_breaker", "service_basin_drain", "service_tap",
              "rubbish_removal", "pass_fee", "pass_deposit", "loan_deposit", "renovation_deposit")


def desk_items() -> tuple[str, ...]:
    """The one-off items the desk registers: DESK_ITEMS and the office's active one-off and deposit items."""
    return DESK_ITEMS + custom_desk_codes()


def suggested_amount(settings, item_code: str, *, hours=None, owner_price: bool = True) -> int | None:
    """The standard amount of a one-off item in fen (parcel by hours kept, services at owner or
    market price, pass fee and deposit per pass); None when it must be typed."""
    if item_code == "parcel_fee":
        return parcel_fee(hours if hours not in (None, "") else 0, settings)
    if item_code.startswith("service_") and item_code[len("service_"):] in SERVICES:
        return service_price(settings, item_code[len("service_"):], owner_price)
    if item_code == "pass_fee":
        return int(settings.get("renovation.pass_fee"))
    if item_code == "pass_deposit":
        return int(settings.get("renovation.pass_deposit"))
    return custom_amount(item_code)
