"""The office's own charge items (收费项目 as data, issue 17): 电梯费, 二次供水费, 垃圾清运费, 暖气费 …

An item the office adds is a ChargeItem row (code ``custom_N``) with one ChargeRule: area × rate or
a fixed amount per home (periodic, billed monthly, in the first month of each calendar quarter for
three months, or once a year in its month for twelve), or per unit of a meter kind with optional
tiers (metered, monthly); the homes it applies to (all, house types or buildings); valid from–to;
the legal basis (ChargeItem.basis) and the due day. The monthly run (app.ledger.billing.run_month)
bills the rules here with the same unique key and ``ON CONFLICT DO NOTHING`` as the shipped items.
The shipped items (charge_items.ITEMS) keep billing from their settings.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from app.core.dates import add_period_months, fmt_timestamp, period_bounds
from app.core.money import fmt_fen, round_half_up
from models.ledger import ChargeItem, ChargeRule
from models.property import Building, Home

CUSTOM_PREFIX = "custom_"
CATEGORY_NAMES = {"periodic": "周期性", "metered": "计量", "one_off": "一次性", "deposit": "押金"}
FORMULAS = {"area": "面积×单价", "fixed": "每户定额", "count": "按数量", "meter": "按表计量",
            "shared_area": "公摊（按面积）", "shared_household": "公摊（按户）"}   # shared: app.ledger.shared_meter
# count: rate × the home's count (app.ledger.item_counts, table item_count); the rule's meter_kind holds the
# counted thing's unit word (辆, 只 …), shown as 元/辆·月 and in the line's memo “8.00 元/辆·月 × 2”
COUNT_UNIT_DEFAULT = "个"
COUNT_SIGN = " × "
CYCLES = {"month": "每月", "quarter": "每季度", "year": "每年"}
CYCLE_MONTHS = {"month": 1, "quarter": 3, "year": 12}
CYCLE_UNIT = {"month": "月", "quarter": "季", "year": "年"}
SCOPES = {"all": "全部房屋", "house_type": "指定户型", "building": "指定楼栋"}
METER_NAMES = {"water": "水表", "power": "电表", "gas": "燃气表"}
METER_UNITS = {"water": "吨", "power": "度", "gas": "m³"}
TIER_WORDS = "一二三四五六七八九十"


def is_custom(code: str) -> bool:
    return str(code).startswith(CUSTOM_PREFIX) and len(code) > len(CUSTOM_PREFIX)


def custom_item(code: str):
    """The office's item of a code (None when there is none)."""
    if not is_custom(code):
        return None
    return ChargeItem.get_or_none(ChargeItem.code == code)


def custom_desk_codes() -> tuple[str, ...]:
    """The office's active one-off and deposit items (registered at the desk, not by the monthly run)."""
    rows = (ChargeItem.select(ChargeItem.code).where(ChargeItem.code.startswith(CUSTOM_PREFIX)
                                                      & ChargeItem.category.in_(["one_off", "deposit"])
                                                      & (ChargeItem.active == True))  # noqa: E712
            .order_by(ChargeItem.sort_order, ChargeItem.id).tuples())
    return tuple(r[0] for r in rows)


def custom_amount(code: str) -> int | None:
    """The fixed amount of one of the office's one-off or deposit items (None for another code)."""
    if not is_custom(code):
        return None
    rule = ChargeRule.select(ChargeRule.rate_fen).join(ChargeItem).where(ChargeItem.code == code).first()
    return int(rule.rate_fen) if rule is not None else None


def parse_tiers(text: str) -> list[tuple[int, int]]:
    """Stored tiers "20=400;40=500" → [(20, 400), (40, 500)] (above N units, rate in fen)."""
    out = []
    for part in str(text or "").split(";"):
        if part.strip():
            above, rate = part.split("=")
            out.append((int(above), int(rate)))
    return sorted(out)


def tiers_text(tiers) -> str:
    return ";".join(f"{above}={rate}" for above, rate in tiers)


def tiered_amount(quantity: Decimal, rate_fen: int, tiers) -> int:
    """Quantity × rate by tiers: up to the first tier's bound at ``rate_fen``, each part above a
    bound at that tier's rate; one rounding of the line."""
    bounds = [(Decimal(0), rate_fen)] + [(Decimal(a), r) for a, r in tiers]
    total = Decimal(0)
    for n, (low, rate) in enumerate(bounds):
        high = bounds[n + 1][0] if n + 1 < len(bounds) else None
        part = (min(quantity, high) if high is not None else quantity) - low
        if part > 0:
            total += part * rate
    return round_half_up(total)


def unit_of(rule) -> str:
    if rule.formula.startswith("shared_"):
        return "元/月"
    if rule.formula == "meter":
        return f"元/{METER_UNITS.get(rule.meter_kind, '')}"
    if rule.formula == "count":
        return f"元/{rule.meter_kind or COUNT_UNIT_DEFAULT}·{CYCLE_UNIT[rule.cycle]}"
    per = "㎡" if rule.formula == "area" else "户"
    return f"元/{per}·{CYCLE_UNIT[rule.cycle]}"


def scope_text(rule) -> str:
    if rule.scope == "all" or not rule.scope_values:
        return "全部房屋"
    values = rule.scope_values.replace(",", "、")
    return values if rule.scope == "house_type" else f"{values}号楼"


def cycle_text(rule) -> str:
    if rule.cycle == "year":
        return f"每年{rule.bill_month}月"
    return CYCLES[rule.cycle]


def bills_in(rule, period: str) -> bool:
    """Whether a rule bills in a month: valid then, and the month its cycle starts."""
    if period < rule.valid_from or (rule.valid_to and period > rule.valid_to):
        return False
    month = int(period[5:7])
    if rule.cycle == "quarter":
        return month in (1, 4, 7, 10)
    if rule.cycle == "year":
        return month == int(rule.bill_month)
    return True


SPAN = re.compile(r"^\d{4}-\d{2}至\d{4}-\d{2}$")   # a quarterly or yearly line's months (covered_memo)


def covered_memo(rule, period: str) -> str:
    """The months a quarterly or yearly line pays for, e.g. 2026-11至2027-10."""
    months = CYCLE_MONTHS[rule.cycle]
    return "" if months == 1 else f"{period}至{add_period_months(period, months - 1)}"


def due_date_of(ctx, rule, period: str) -> dt.date:
    first, last = period_bounds(period)
    day = int(rule.due_day) or int(ctx.settings.get("billing.due_day"))
    return first.replace(day=min(max(day, 1), last.day))


def rules_billed(period: str) -> list:
    """The active rules (with their item) that bill in a month."""
    rules = (ChargeRule.select(ChargeRule, ChargeItem).join(ChargeItem)
             .where(ChargeItem.active == True)  # noqa: E712 (peewee expression)
             .order_by(ChargeItem.sort_order, ChargeItem.id))
    return [r for r in rules if bills_in(r, period)]


def _scope_sql(rule, p: str) -> tuple[str, list]:
    values = [v for v in rule.scope_values.split(",") if v]
    if rule.scope == "house_type" and values:
        return f" AND h.house_type IN ({', '.join([p] * len(values))})", values
    if rule.scope == "building" and values:
        return (f" AND h.building_id IN (SELECT b.id FROM building b WHERE b.code IN ({', '.join([p] * len(values))}))",
                values)
    return "", []


def insert_custom_periodic(ctx, period: str, last_day: dt.date, excluded_states: list[str]) -> dict[str, int]:
    """The area and fixed rules billing this month, by INSERT … SELECT … ON CONFLICT DO NOTHING over
    the homes handed over (the states the property fee skips are skipped). Returns rows per item."""
    db = ctx.db
    p = db.param
    now = fmt_timestamp(ctx.clock.now())
    uid = getattr(ctx.user, "id", None)
    counts = {}
    for rule in rules_billed(period):
        if rule.formula == "count" and rule.item.category == "periodic":
            counts[rule.item.code] = _insert_counted(ctx, rule, period, last_day, excluded_states)
            continue
        if rule.formula not in ("area", "fixed") or rule.item.category != "periodic":
            continue
        scope, scope_params = _scope_sql(rule, p)
        if rule.formula == "area":
            qty, amount, qty_params = "h.area_x100 * 10", f"(h.area_x100 * {p} + 50) / 100", [rule.rate_fen]
        else:
            qty, amount, qty_params = "NULL", f"{p}", [rule.rate_fen]
        sql = (
            "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
            " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
            " created_by_id) "
            f"SELECT h.id, {p}, 'periodic', {p}, {p}, '', {qty}, {p}, {amount}, 0, 0, {p}, {p}, 'billing', NULL,"
            f" {p}, {p} FROM home h"
            f" WHERE h.state NOT IN ({', '.join([p] * len(excluded_states))})"
            f" AND (h.handover_date IS NULL OR h.handover_date <= {p}){scope}"
            " ON CONFLICT DO NOTHING")
        params = ([rule.item.code, period, period, rule.rate_fen] + qty_params
                  + [due_date_of(ctx, rule, period).isoformat(), covered_memo(rule, period), now, uid]
                  + list(excluded_states) + [last_day.isoformat()] + scope_params)
        counts[rule.item.code] = db.execute_sql(sql, params).rowcount
    return counts


def count_memo_parts(rule, period: str) -> tuple[str, str]:
    """The text around the count in a per-count line's memo: (“8.00 元/辆·月 × ”, “，2027-01至2027-03”)."""
    covered = covered_memo(rule, period)
    return f"{fmt_fen(int(rule.rate_fen))} {unit_of(rule)}{COUNT_SIGN}", f"，{covered}" if covered else ""


def shows_memo(bill_ref: str, memo: str) -> bool:
    """Whether a receipt names a line's memo after the item: a 公摊 share (bill_ref SM) or a per-count
    line (“8.00 元/辆·月 × 2”)."""
    return bool(memo) and (bill_ref == "SM" or COUNT_SIGN in memo)


def line_period(source: str, period: str, memo: str) -> str:
    """The months a line pays for as the receipt and bill print them: a quarterly or yearly line's
    span (2027-01至2027-03, kept in its memo by the monthly run), else its month."""
    span = bill_memo(memo)
    return span if source == "billing" and SPAN.match(span) else (period or "")


def bill_memo(memo: str) -> str:
    """A line's memo as the bill names it: a per-count line keeps only its months (“2027-01至2027-03”),
    its rate and count being in the bill's 单价 and 数量 columns."""
    memo = str(memo or "")
    return memo.partition("，")[2] if COUNT_SIGN in memo else memo


def _insert_counted(ctx, rule, period: str, last_day: dt.date, excluded_states: list[str]) -> int:
    """A per-count rule's lines: count × rate for the homes with a count > 0 in the month (item_count),
    one INSERT … SELECT … ON CONFLICT DO NOTHING; the line's quantity is the count, its source the count row."""
    db = ctx.db
    p = db.param
    scope, scope_params = _scope_sql(rule, p)
    head, tail = count_memo_parts(rule, period)
    sql = (
        "INSERT INTO charge (home_id, item_code, category, period, bill_period, bill_ref, quantity_milli,"
        " unit_price_fen, amount_fen, paid_fen, refunded_fen, due_date, memo, source, source_id, created_at,"
        " created_by_id) "
        f"SELECT h.id, {p}, 'periodic', {p}, {p}, '', c.count * 1000, {p}, c.count * {p}, 0, 0, {p},"
        f" {p} || CAST(c.count AS VARCHAR(10)) || {p}, 'billing', c.id, {p}, {p}"
        " FROM item_count c JOIN home h ON h.id = c.home_id"
        f" WHERE c.item_code = {p} AND c.valid_from <= {p} AND (c.valid_to IS NULL OR c.valid_to >= {p})"
        f" AND c.count > 0 AND h.state NOT IN ({', '.join([p] * len(excluded_states))})"
        f" AND (h.handover_date IS NULL OR h.handover_date <= {p}){scope}"
        " ON CONFLICT DO NOTHING")
    params = ([rule.item.code, period, period, rule.rate_fen, rule.rate_fen,
               due_date_of(ctx, rule, period).isoformat(), head, tail, fmt_timestamp(ctx.clock.now()),
               getattr(ctx.user, "id", None), rule.item.code, period, period]
              + list(excluded_states) + [last_day.isoformat()] + scope_params)
    return db.execute_sql(sql, params).rowcount


def _homes_in_scope(rule, home_ids) -> set:
    values = [v for v in rule.scope_values.split(",") if v]
    if rule.scope == "all" or not values:
        return set(home_ids)
    query = Home.select(Home.id)
    if rule.scope == "house_type":
        query = query.where(Home.house_type.in_(values))
    else:
        query = query.join(Building).where(Building.code.in_(values))
    return {r[0] for r in query.tuples()} & set(home_ids)


def custom_metered_rows(ctx, period: str, lines: list[dict], existing: set) -> list[dict]:
    """Charge rows of the meter rules from the month's consumption lines (metered_lines), tiered.
    ``existing``: (home, item) already billed this month (the run inserts the rest)."""
    rows = []
    now = ctx.clock.now()
    uid = getattr(ctx.user, "id", None)
    for rule in rules_billed(period):
        if rule.formula != "meter":
            continue
        mine = [ln for ln in lines if ln["item_code"] == rule.meter_kind]
        homes = _homes_in_scope(rule, [ln["home_id"] for ln in mine])
        tiers = parse_tiers(rule.tiers)
        due = due_date_of(ctx, rule, period)
        for ln in mine:
            if ln["home_id"] not in homes or (ln["home_id"], rule.item.code) in existing:
                continue
            amount = tiered_amount(ln["quantity"], int(rule.rate_fen), tiers)
            if amount <= 0:
                continue
            rows.append({"home": ln["home_id"], "item_code": rule.item.code, "category": "metered",
                         "period": period, "bill_period": period, "bill_ref": "",
                         "quantity_milli": round_half_up(ln["quantity"] * 1000),
                         "unit_price_fen": int(rule.rate_fen), "amount_fen": amount, "paid_fen": 0,
                         "refunded_fen": 0, "due_date": due, "memo": "", "source": "billing",
                         "created_at": now, "created_by": uid})
    return rows


def custom_standards() -> list[dict]:
    """The 收费标准 rows of the office's active items (one per tier for a tiered meter item)."""
    out = []
    rules = (ChargeRule.select(ChargeRule, ChargeItem).join(ChargeItem)
             .where(ChargeItem.active == True)  # noqa: E712
             .order_by(ChargeItem.sort_order, ChargeItem.id))
    for rule in rules:
        if rule.formula.startswith("shared_"):   # no rate: the common meter's amount, apportioned
            continue
        item = rule.item
        unit = METER_UNITS.get(rule.meter_kind, "")
        scope = [scope_text(rule)] if rule.scope != "all" else []
        tiers = parse_tiers(rule.tiers)
        if rule.formula == "meter":
            variant = "，".join(scope + ([f"第一阶梯（≤{tiers[0][0]}{unit}）"] if tiers else []))
        else:
            variant = "，".join(scope + (["按数量"] if rule.formula == "count" else [])
                               + ([cycle_text(rule)] if rule.cycle != "month" else []))
        words = {"quarter": "按季收取", "year": f"按年收取（{rule.bill_month}月）"}.get(rule.cycle, "")
        base = {"item_code": item.code, "item_name": item.name, "unit": unit_of(rule), "setting_key": "",
                "basis": item.basis, "category": item.category, "category_words": words}
        out.append({**base, "variant": variant, "rate_fen": int(rule.rate_fen)})
        for n, (above, rate) in enumerate(tiers):
            variant = "，".join(scope + [f"第{TIER_WORDS[min(n + 1, len(TIER_WORDS) - 1)]}阶梯（>{above}{unit}）"])
            out.append({**base, "variant": variant, "rate_fen": rate})
    return out


def rule_summary(rule) -> str:
    """One line for the editor's list: formula, rate, cycle."""
    if rule.formula.startswith("shared_"):
        return f"{FORMULAS[rule.formula]}，按月公摊表金额"
    if rule.formula == "meter":
        tiers = "，阶梯" if rule.tiers else ""
        return f"{METER_NAMES.get(rule.meter_kind, '')} {fmt_fen(int(rule.rate_fen))} {unit_of(rule)}{tiers}"
    return f"{FORMULAS[rule.formula]} {fmt_fen(int(rule.rate_fen))} {unit_of(rule)}，{cycle_text(rule)}"
