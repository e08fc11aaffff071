"""The manager edits the office's charge items (收费项目, issue 17): add, change, stop and restart.

``save_item(ctx, data, item_id=None)`` takes what the editor's form holds (texts as typed: the rate
and tiers in 元, months as 2026-11), checks every field (a refusal names it), and writes the item,
its rule and the 收费标准 rows in one transaction with one audit row (``ledger.charge_item_add`` /
``ledger.charge_item_edit``). Nothing is deleted: an item is stopped (``set_active``), and the charges
already billed keep their code. The shipped items (charge_items.ITEMS) are listed, not edited here:
their rates are site settings (站点设置).
"""
from __future__ import annotations

import re

from app.core import audit
from app.core.dates import parse_period, period_of, period_str
from app.core.errors import NotFound, StateError, ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.ledger.charge_items import ITEMS, standards, sync_items
from app.ledger.charge_rules import (
    CATEGORY_NAMES,
    COUNT_UNIT_DEFAULT,
    CUSTOM_PREFIX,
    CYCLES,
    FORMULAS,
    METER_NAMES,
    SCOPES,
    parse_tiers,
    rule_summary,
    scope_text,
    tiers_text,
    unit_of,
)
from models.ledger import ChargeItem, ChargeRule
from models.property import HOUSE_TYPES, Building

MAX_RATE_FEN = 1_000_000   # 10,000 元 per ㎡, home or unit and cycle
FIELDS = ("name", "category", "formula", "rate_fen", "meter_kind", "tiers", "scope", "scope_values", "cycle",
          "bill_month", "valid_from", "valid_to", "basis", "due_day")


def _choice(value, choices: dict, field: str) -> str:
    value = str(value or "").strip()
    for code, label in choices.items():
        if value in (code, label):
            return code
    raise ValidationError(field, f"应为{'、'.join(choices.values())}之一，收到“{value}”")


def _tiers(text: str) -> str:
    """Typed "20=4.00；40=5.00" (above N units = rate in 元) → stored "20=400;40=500"."""
    out = []
    for part in re.split(r"[;；,，\s]+", str(text or "").strip()):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)[=＝:：](.+)", part)
        if not m:
            raise ValidationError("阶梯", f"“{part}”应写成“超过数量=单价”，如 20=4.50")
        out.append((int(m.group(1)), parse_yuan(m.group(2), "阶梯")))
    bounds = [a for a, _ in out]
    if len(set(bounds)) != len(bounds) or any(a <= 0 for a in bounds):
        raise ValidationError("阶梯", "各阶梯的数量应大于零且互不相同")
    if any(not 0 < r <= MAX_RATE_FEN for _, r in out):
        raise ValidationError("阶梯", "单价应大于零且不超过 10000 元")
    return tiers_text(sorted(out))


def _scope_values(scope: str, text: str) -> str:
    values = [v.strip() for v in re.split(r"[,，、\s]+", str(text or "")) if v.strip()]
    if scope == "all":
        return ""
    if not values:
        raise ValidationError("适用户型/楼栋", "请填写适用的户型或楼栋，用逗号分隔")
    if scope == "house_type":
        bad = [v for v in values if v not in HOUSE_TYPES]
        if bad:
            raise ValidationError("适用户型/楼栋", f"没有户型“{bad[0]}”（应为{'、'.join(HOUSE_TYPES)}）")
    else:
        values = [v.removesuffix("号楼") for v in values]
        known = {r[0] for r in Building.select(Building.code).where(Building.code.in_(values)).tuples()}
        bad = [v for v in values if v not in known]
        if bad:
            raise ValidationError("适用户型/楼栋", f"没有楼栋“{bad[0]}”")
    return ",".join(dict.fromkeys(values))


def _count_unit(value) -> str:
    """计数单位 of a per-count item: one or two characters such as 辆、只、个 (empty: 个)."""
    unit = str(value or "").strip() or COUNT_UNIT_DEFAULT
    if len(unit) > 2 or any(ch.isdigit() or ch in "/·×" for ch in unit):   # noqa: PLR2004
        raise ValidationError("计数单位", f"应为一两个字的单位，如 辆、只、个，收到“{unit}”")
    return unit


def _int_in(value, lo: int, hi: int, field: str) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValidationError(field, f"“{value}”不是整数") from None
    if not lo <= n <= hi:
        raise ValidationError(field, f"应在 {lo} 到 {hi} 之间")
    return n


def check_fields(ctx, data: dict, item_id=None) -> dict:
    """The typed form checked and converted (a refusal names the field)."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError("名称", "不能为空")
    if len(name) > 20:   # noqa: PLR2004
        raise ValidationError("名称", "不能超过20个字")
    clash = ChargeItem.select().where(ChargeItem.name == name)
    if item_id is not None:
        clash = clash.where(ChargeItem.id != item_id)
    if clash.exists() or name in {v[0] for v in ITEMS.values()}:
        raise ValidationError("名称", f"已有收费项目“{name}”")
    category = _choice(data.get("category"), CATEGORY_NAMES, "类别")
    formula = _choice(data.get("formula"), FORMULAS, "计算方式")
    shared = formula.startswith("shared_")   # 公摊: the common meter's monthly amount (app.ledger.shared_meter)
    if (category == "metered") != (formula == "meter" or shared):
        raise ValidationError("计算方式", "计量类项目按表计量或公摊分摊，其他类别按面积、每户定额或按数量")
    if category in ("one_off", "deposit") and formula != "fixed":
        raise ValidationError("计算方式", "一次性和押金项目按每户定额（在前台登记）")
    rate = 0
    if not shared:
        rate = parse_yuan(data.get("rate") if data.get("rate") is not None else "", "单价")
        if not 0 < rate <= MAX_RATE_FEN:
            raise ValidationError("单价", "应大于零且不超过 10000 元")
    meter_kind, tiers = "", ""
    if formula == "meter":
        meter_kind = _choice(data.get("meter_kind"), METER_NAMES, "计量表")
        tiers = _tiers(data.get("tiers", ""))
    elif str(data.get("tiers") or "").strip():
        raise ValidationError("阶梯", "只有按表计量的项目可以分阶梯")
    if formula == "count":   # the counted thing's unit word, kept in the rule's meter_kind (charge_rules)
        meter_kind = _count_unit(data.get("count_unit"))
    scope = _choice(data.get("scope") or "all", SCOPES, "适用范围")
    scope_values = _scope_values(scope, data.get("scope_values", ""))
    cycle = _choice(data.get("cycle") or "month", CYCLES, "周期")
    if cycle != "month" and category != "periodic":
        raise ValidationError("周期", "只有周期性项目可以按季度或按年计收")
    bill_month = _int_in(data.get("bill_month") or 1, 1, 12, "计收月份")
    valid_from = period_str(*parse_period(data.get("valid_from") or period_of(ctx.clock.today()), "起始月份"))
    valid_to = None
    if str(data.get("valid_to") or "").strip():
        valid_to = period_str(*parse_period(data.get("valid_to"), "截止月份"))
        if valid_to < valid_from:
            raise ValidationError("截止月份", f"不能早于起始月份 {valid_from}")
    due_day = _int_in(data.get("due_day") or 0, 0, 31, "缴费截止日")
    basis = str(data.get("basis") or "").strip()
    if len(basis) > 500:   # noqa: PLR2004
        raise ValidationError("收费依据", "不能超过500个字")
    return {"name": name, "category": category, "formula": formula, "rate_fen": rate, "meter_kind": meter_kind,
            "tiers": tiers, "scope": scope, "scope_values": scope_values, "cycle": cycle, "bill_month": bill_month,
            "valid_from": valid_from, "valid_to": valid_to, "basis": basis, "due_day": due_day}


def _snapshot(item, rule) -> dict:
    out = {"code": item.code, "name": item.name, "category": item.category, "basis": item.basis}
    out.update({f: getattr(rule, f) for f in FIELDS if f not in out and hasattr(rule, f)})
    return out


def save_item(ctx, data: dict, item_id=None) -> ChargeItem:
    """Add an item (item_id None) or change one of the office's items."""
    require(ctx, "ledger.charge_items")
    values = check_fields(ctx, data, item_id)
    item_fields = {k: values[k] for k in ("name", "category", "basis")}
    rule_fields = {k: v for k, v in values.items() if k not in item_fields}
    with ctx.db.atomic():
        if item_id is None:
            n = ChargeItem.select().where(ChargeItem.code.startswith(CUSTOM_PREFIX)).count() + 1
            item = ChargeItem.create(code=f"{CUSTOM_PREFIX}{n}", sort_order=100 + n, **item_fields)
            rule = ChargeRule.create(item=item.id, **rule_fields)
            before = None
        else:
            item = ChargeItem.get_or_none(ChargeItem.id == item_id)
            if item is None:
                raise NotFound(f"收费项目不存在（编号 {item_id}）")
            rule = ChargeRule.get_or_none(ChargeRule.item == item.id)
            if rule is None:
                raise StateError(f"“{item.name}”是系统内置项目，费率请在站点设置中修改")
            before = _snapshot(item, rule)
            ChargeItem.update(**item_fields).where(ChargeItem.id == item.id).execute()
            ChargeRule.update(**rule_fields).where(ChargeRule.id == rule.id).execute()
            item, rule = ChargeItem.get_by_id(item.id), ChargeRule.get_by_id(rule.id)
        ChargeItem.update(unit=unit_of(rule)).where(ChargeItem.id == item.id).execute()
        sync_items(ctx, record_audit=False)
        audit.record(ctx, "ledger.charge_item_add" if before is None else "ledger.charge_item_edit",
                     "charge_item", item.id, before, _snapshot(item, rule))
    return ChargeItem.get_by_id(item.id)


def set_active(ctx, item_id, active: bool) -> ChargeItem:
    """Stop (no longer billed, kept with its charges) or restart one of the office's items."""
    require(ctx, "ledger.charge_items")
    item = ChargeItem.get_or_none(ChargeItem.id == item_id)
    if item is None or not item.code.startswith(CUSTOM_PREFIX):
        raise StateError("只能停用或启用本处新增的收费项目")
    with ctx.db.atomic():
        ChargeItem.update(active=bool(active)).where(ChargeItem.id == item.id).execute()
        sync_items(ctx, record_audit=False)
        audit.record(ctx, "ledger.charge_item_edit", "charge_item", item.id, {"code": item.code, "active": item.active},
                     {"code": item.code, "active": bool(active)})
    return ChargeItem.get_by_id(item.id)


def item_rows(ctx) -> list[dict]:
    """Every item for the editor: the office's own first, then the shipped ones (rates from the settings)."""
    rules = {r.item_id: r for r in ChargeRule.select()}
    rates: dict[str, list[str]] = {}
    for s in standards(ctx.settings):
        variant = f"{s['variant']} " if s["variant"] else ""
        rates.setdefault(s["item_code"], []).append(f"{variant}{fmt_fen(s['rate_fen'])} {s['unit']}")
    shipped = [{"id": None, "code": code, "name": name, "category": CATEGORY_NAMES.get(cat, "预交"),
            "standard": (f"{rates[code][0]}{' 等' if len(rates[code]) > 1 else ''}（站点设置）" if code in rates
                         else "按实际金额"),
            "scope": "", "valid": "", "state": "内置", "custom": False, "active": True}
           for code, (name, cat, _unit, _basis) in ITEMS.items()]
    out = []
    for item in ChargeItem.select().where(ChargeItem.code.startswith(CUSTOM_PREFIX)).order_by(ChargeItem.sort_order,
                                                                                             ChargeItem.id):
        rule = rules.get(item.id)
        if rule is None:
            continue
        out.append({"id": item.id, "code": item.code, "name": item.name, "category": CATEGORY_NAMES[item.category],
                    "standard": rule_summary(rule), "scope": scope_text(rule),
                    "valid": f"{rule.valid_from}至{rule.valid_to or '长期'}",
                    "state": "启用" if item.active else "停用", "custom": True, "active": bool(item.active),
                    "shared": rule.formula.startswith("shared_")})
    return out + shipped


def form_values(item_id) -> dict:
    """The editor's form filled from an item of the office (rates in 元)."""
    item = ChargeItem.get_by_id(item_id)
    rule = ChargeRule.get(ChargeRule.item == item.id)
    tiers = "；".join(f"{a}={fmt_fen(r)}" for a, r in parse_tiers(rule.tiers))
    return {"name": item.name, "category": item.category, "formula": rule.formula, "rate": fmt_fen(int(rule.rate_fen)),
            "meter_kind": (rule.meter_kind if rule.formula == "meter" else "") or "water", "tiers": tiers,
            "count_unit": rule.meter_kind if rule.formula == "count" else "", "scope": rule.scope,
            "scope_values": rule.scope_values.replace(",", "，"), "cycle": rule.cycle,
            "bill_month": str(rule.bill_month),
            "valid_from": rule.valid_from, "valid_to": rule.valid_to or "", "basis": item.basis,
            "due_day": str(rule.due_day)}
