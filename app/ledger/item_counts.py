"""Counts of the office's per-count items (按数量, issue 17): how many 电动车 a home charges, how many
pets it keeps … The monthly run bills count × rate for the homes with a count > 0 in the month
(app.ledger.charge_rules, formula ``count``).

A count holds from a month on (table item_count, models/item_counts.py). ``set_counts`` changes the
counts of one home from a month: the row holding then is ended the month before (a row that began
that very month is ended before it began: replaced) and a new row starts, carrying the old row's
end; 0 only ends. Nothing is deleted. Cashier or manager (``ledger.bill``), one transaction, audited
``ledger.item_count``; ``import_counts`` does the same for a sheet (房号, 收费项目, 数量 [, 起始月份,
备注]), every row checked before the one write transaction, audited once ``ledger.item_count_import``.
"""
from __future__ import annotations

import datetime as dt

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import add_period_months, fmt_timestamp, parse_period, period_of, period_str
from app.core.errors import StateError, ValidationError
from app.core.imports import whole_cell
from app.core.permissions import require
from app.core.validation import normalize_room_code
from app.ledger.charge_rules import unit_of
from models.item_counts import ItemCount
from models.ledger import ChargeItem, ChargeRule
from models.property import Home

MAX_COUNT = 99
IMPORT_COLUMNS = ("房号", "收费项目", "数量")
IMPORT_MAX_ROWS = 100_000
IMPORT_MAX_COLS = 20
CHUNK = 500
FIELD = "导入文件"


def count_rules() -> list:
    """The active per-count rules (with their item), in the items' order."""
    return list(ChargeRule.select(ChargeRule, ChargeItem).join(ChargeItem)
                .where((ChargeRule.formula == "count") & (ChargeItem.active == True))  # noqa: E712
                .order_by(ChargeItem.sort_order, ChargeItem.id))


def find_rule(text, rules=None):
    """The per-count rule of an item named by code or name, or ValidationError("收费项目", …)."""
    text = str(text or "").strip()
    for rule in rules if rules is not None else count_rules():
        if text in (rule.item.code, rule.item.name):
            return rule
    item = ChargeItem.get_or_none(ChargeItem.code == text)
    raise ValidationError("收费项目", f"“{item.name if item else text}”不是启用中的按数量计费项目")


def check_count(value, field: str = "数量") -> int:
    """A count typed or read: an integer 0–99."""
    if isinstance(value, bool):
        raise ValidationError(field, "应为 0 到 99 之间的整数")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        raise ValidationError(field, f"应为 0 到 99 之间的整数，收到“{text}”")
    n = int(text)
    if n > MAX_COUNT:
        raise ValidationError(field, f"应为 0 到 99 之间的整数，收到 {n}")
    return n


def _start(ctx, start, field: str = "起始月份") -> str:
    if start is None or str(start).strip() == "":
        return period_of(ctx.clock.today())
    return period_str(*parse_period(start, field))


def _live_rows(home_ids, codes) -> dict:
    """{(home, code): [(id, count, valid_from, valid_to) …]} of the rows not replaced (index ranges per chunk)."""
    out: dict[tuple, list] = {}
    home_ids = list(home_ids)
    for n in range(0, len(home_ids), CHUNK):
        q = (ItemCount.select(ItemCount.id, ItemCount.home, ItemCount.item_code, ItemCount.count,
                              ItemCount.valid_from, ItemCount.valid_to)
             .where(ItemCount.home.in_(home_ids[n:n + CHUNK]) & ItemCount.item_code.in_(list(codes))
                    & (ItemCount.valid_to.is_null() | (ItemCount.valid_to >= ItemCount.valid_from))))
        for rid, hid, code, count, vf, vt in q.tuples():
            out.setdefault((hid, code), []).append((rid, count, vf, vt))
    return out


def plan_change(rows: list, count: int, start: str, what: str):
    """What a count from ``start`` changes among a home's rows of one item: (old count, [(row id, new
    valid_to)], the new row's valid_to or False for no new row). ``what`` names the home and item."""
    later = [r for r in rows if r[2] > start]
    if later:
        raise StateError(f"{what}已登记自 {min(r[2] for r in later)} 起的数量，不能再从更早的 {start} 修改")
    held = next((r for r in rows if r[2] <= start and (r[3] is None or r[3] >= start)), None)
    old = held[1] if held else 0
    if old == count:
        return old, [], False
    ends = [(held[0], add_period_months(start, -1))] if held else []
    return old, ends, (held[3] if held else None) if count > 0 else False


def home_counts(ctx, home_id, period: str | None = None) -> list[dict]:
    """Every active per-count item with the home's count in a month (this month by default)."""
    period = _start(ctx, period, "月份")
    rules = count_rules()
    live = _live_rows([home_id], [r.item.code for r in rules])
    out = []
    for rule in rules:
        rows = live.get((home_id, rule.item.code), [])
        held = next((r for r in rows if r[2] <= period and (r[3] is None or r[3] >= period)), None)
        out.append({"code": rule.item.code, "name": rule.item.name, "rate_fen": int(rule.rate_fen),
                    "unit": unit_of(rule), "noun": rule.meter_kind or "个", "count": held[1] if held else 0,
                    "since": held[2] if held else "", "until": (held[3] or "") if held else ""})
    return out


def _write(ctx, home_of: dict, changes: list, memo_of) -> None:
    """Apply planned changes (home, code, count, start, ends, new_to): ends grouped by month, inserts in chunks."""
    by_end: dict[str, list] = {}
    inserts = []
    uid = getattr(ctx.user, "id", None)
    now = ctx.clock.now()
    for hid, code, count, start, ends, new_to in changes:
        for rid, to in ends:
            by_end.setdefault(to, []).append(rid)
        if new_to is not False:
            inserts.append({"home": hid, "item_code": code, "count": count, "valid_from": start, "valid_to": new_to,
                            "memo": memo_of(hid, code), "created_at": now, "created_by": uid})
    for to, ids in by_end.items():
        for n in range(0, len(ids), CHUNK):
            ItemCount.update(valid_to=to).where(ItemCount.id.in_(ids[n:n + CHUNK])).execute()
    if inserts:   # one executemany (the ORM's SQL generation costs seconds per 50,000 rows)
        p = ctx.db.param
        ctx.db.cursor().executemany(
            "INSERT INTO item_count (home_id, item_code, count, valid_from, valid_to, memo, created_at, created_by_id)"
            f" VALUES ({', '.join([p] * 8)})",
            [(r["home"], r["item_code"], r["count"], r["valid_from"], r["valid_to"], r["memo"],
              fmt_timestamp(r["created_at"]), r["created_by"]) for r in inserts])


def set_counts(ctx, home_id, counts: dict, start=None, memo: str = "") -> list[dict]:
    """Set a home's counts {item code or name: count} from a month (this month by default). Returns the
    changes [{code, name, before, after, from}] (empty when nothing changed)."""
    require(ctx, "ledger.bill")
    home = home_by_id(home_id)
    start = _start(ctx, start)
    memo = str(memo or "").strip()
    if len(memo) > 200:   # noqa: PLR2004
        raise ValidationError("备注", "不能超过200个字")
    rules = count_rules()
    wanted = {}
    for key, value in counts.items():
        rule = find_rule(key, rules)
        wanted[rule.item.code] = (rule, check_count(value, f"数量（{rule.item.name}）"))
    with ctx.db.atomic():
        live = _live_rows([home.id], list(wanted))
        changes, out = [], []
        for code, (rule, count) in wanted.items():
            old, ends, new_to = plan_change(live.get((home.id, code), []), count, start,
                                            f"{home.room_code}的“{rule.item.name}”")
            if ends or new_to is not False:
                changes.append((home.id, code, count, start, ends, new_to))
                out.append({"code": code, "name": rule.item.name, "before": old, "after": count, "from": start})
        if not changes:
            return []
        _write(ctx, {home.id: home}, changes, lambda _h, _c: memo)
        audit.record(ctx, "ledger.item_count", "home", home.id,
                     {"room": home.room_code, **{c["code"]: c["before"] for c in out}},
                     {"room": home.room_code, "from": start, **{c["code"]: c["after"] for c in out},
                      **({"memo": memo} if memo else {})})
    return out


def _cell(value):
    """A cell as openpyxl gave it (app.core.imports.whole_cell), and a date typed in 起始月份 (Excel turns
    2026-12 into a date) as its month."""
    if isinstance(value, dt.date):
        return period_of(value)
    return whole_cell(value)


def read_sheet(path) -> list[tuple]:
    """The first sheet's rows (header included) through the one fast reader of the imports
    (app.core.imports.read_first_sheet: calamine, 35,000 rows in about a second, under every import's limits)."""
    from app.core.imports import read_first_sheet
    return read_first_sheet(path, FIELD, IMPORT_MAX_ROWS, IMPORT_MAX_COLS, _cell)


def _import_rows(ctx, path) -> list[tuple]:
    """The sheet's rows checked: [(row number, room, rule, count, start, memo)], or the first refusal
    naming its row and column."""
    from app.core.imports import column_name, number_text
    rows = read_sheet(path)
    header = [str(c or "").strip() for c in (rows[0] if rows else ())]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationError("导入文件", f"第1行（表头）缺少列：{'、'.join(missing)}")
    col = {name: header.index(name) for name in header if name}
    rules = count_rules()
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in row):
            continue

        def at(name, row=row):
            return row[col[name]] if name in col else None

        def where(name, i=i):
            return f"第{i}行{name}（{column_name(col[name])}列）"

        room = normalize_room_code(at("房号"))
        if not room:
            raise ValidationError(where("房号"), "不能为空")
        try:
            rule = find_rule(at("收费项目"), rules)
        except ValidationError as exc:
            raise ValidationError(where("收费项目"), exc.problem) from None
        raw = at("数量")
        count = check_count(number_text(raw) if raw is not None else "", where("数量"))
        start = _start(ctx, at("起始月份"), where("起始月份") if "起始月份" in col else "起始月份")
        out.append((i, room, rule, count, start, str(at("备注") or "").strip()[:200]))
    if not out:
        raise ValidationError("导入文件", "没有数据行")
    return out


def import_counts(ctx, path, dry_run: bool = False) -> dict:
    """Import counts from a sheet; all rows or none. Returns {"rows", "changed", "unchanged"}."""
    require(ctx, "ledger.bill")
    entries = _import_rows(ctx, path)
    homes = {}
    rooms = sorted({e[1] for e in entries})
    for n in range(0, len(rooms), CHUNK):
        homes.update(dict(Home.select(Home.room_code, Home.id).where(Home.room_code.in_(rooms[n:n + CHUNK])).tuples()))
    seen = {}
    for i, room, rule, *_rest in entries:
        if room not in homes:
            raise ValidationError(f"第{i}行房号", f"房号“{room}”不存在，请核对")
        key = (room, rule.item.code)
        if key in seen:
            raise ValidationError(f"第{i}行", f"{room}的“{rule.item.name}”与第{seen[key]}行重复")
        seen[key] = i
    with ctx.db.atomic():
        live = _live_rows(sorted({homes[e[1]] for e in entries}), sorted({e[2].item.code for e in entries}))
        changes, memos = [], {}
        for i, room, rule, count, start, memo in entries:
            hid = homes[room]
            try:
                _old, ends, new_to = plan_change(live.get((hid, rule.item.code), []), count, start,
                                                 f"{room}的“{rule.item.name}”")
            except StateError as exc:
                raise StateError(f"第{i}行：{exc}") from None
            if ends or new_to is not False:
                changes.append((hid, rule.item.code, count, start, ends, new_to))
                memos[(hid, rule.item.code)] = memo
        result = {"rows": len(entries), "changed": len(changes), "unchanged": len(entries) - len(changes)}
        if dry_run or not changes:
            return result
        _write(ctx, homes, changes, lambda h, c: memos.get((h, c), ""))
        audit.record(ctx, "ledger.item_count_import", "item_count", "", None,
                     {"file": str(path).rsplit("/", 1)[-1], **result})
    return result
