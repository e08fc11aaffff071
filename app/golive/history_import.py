"""Payment history from before going live (缴费历史, issue 16): one row per payment — the home (房号,
or a plate that names it), the item, the months it paid (from–to), paid on, billed, paid, cashier,
memo — read from .xlsx/.xls/.csv by the go-live readers, stored for reference in payment_history
(never receipts or money lines), shown in the household's ledger (缴费历史), and setting each home's
已缴至 (app.ledger.paid_until).

So that the monthly run never bills a month paid before go-live, the import settles those months
itself: for every covered month not yet billed it posts the run's own line (same home, item, month
and bill_ref) at amount 0, memo 上线前已缴, source ``history``; the run's INSERT … ON CONFLICT DO
NOTHING then skips it — billing.py is unchanged. Months from the month after the site's last billed
month (or, on a site never billed, from the row's first month) through the row's last month.

The whole file is checked before the write; a rejected row is named by sheet and row with a Chinese
reason and writes nothing; the accepted rows are written in ONE transaction with one audit row; the
report's totals (rows, 应收, 实收) tie to the workbook's. ``dry_run`` writes nothing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from peewee import fn

from app.archives.excel_rows import cell_text, room_code
from app.core import audit
from app.core.dates import add_period_months, fmt_timestamp, parse_period, period_of, period_str
from app.core.errors import UserError, ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.core.progress import each
from app.core.validation import normalize, parse_date
from app.golive import history_mapping as hmaps
from app.golive.history_mapping import BoundHistory, HistoryMapping, bind_history, load_history_mapping
from app.golive.readers import read_workbook
from app.ledger.prepayment import PARKING_LEVELS, PREPAY_CODES
from models.ledger import Charge, Subscription
from models.payhistory import PaymentHistory
from models.property import Home, ParkingSpace

MAX_FUTURE_MONTHS = 120
MEMO_SETTLED = "上线前已缴（缴费历史）"
# words of the item column → item code (the longest word found wins: 地下停车费 before 停车费)
ITEM_WORDS = {"物业": "property_fee", "地下停车": "parking_under", "地下车位": "parking_under",
              "地库": "parking_under", "地上停车": "parking_above", "地面停车": "parking_above",
              "地上车位": "parking_above", "停车": "parking", "车位": "parking", "自行车": "bicycle",
              "电动车": "bicycle", "有线电视": "cable_tv", "闭路": "cable_tv", "水费": "water", "电费": "power",
              "燃气": "gas", "天然气": "gas", "垃圾": "rubbish_removal"}
_RANGE = re.compile(r"^\s*(.+?)\s*(?:至|到|—|–|~|～|-{1,2}(?=\d{4}))\s*(.+?)\s*$")


@dataclass
class HistoryReport:
    file: str
    mapping: str
    dry_run: bool
    rows: int = 0
    imported: int = 0
    billed_fen: int = 0
    paid_fen: int = 0
    homes: int = 0
    settled_months: int = 0
    rejected_at: list[tuple[str, int, str]] = field(default_factory=list)
    file_billed_fen: int = 0          # the workbook's own totals over every row with a readable amount
    file_paid_fen: int = 0
    columns: list[str] = field(default_factory=list)     # the mapping used: 字段←“表头”

    def lines(self) -> list[str]:
        head = "试导入（未写入）" if self.dry_run else "已导入"
        out = [f"{head}缴费历史：{self.file}（映射：{self.mapping}）",
               f"数据行 {self.rows} 行：导入 {self.imported} 行，拒绝 {len(self.rejected_at)} 行；涉及 {self.homes} 户",
               f"导入合计：应收 {fmt_fen(self.billed_fen)} 元，实收 {fmt_fen(self.paid_fen)} 元",
               f"工作簿合计：应收 {fmt_fen(self.file_billed_fen)} 元，实收 {fmt_fen(self.file_paid_fen)} 元",
               f"上线后不再计费的月份：{self.settled_months} 笔"]
        if self.columns:
            out.insert(1, "列对应：" + "，".join(self.columns))
        out += [f"  {sheet} 第{row}行：{reason}" for sheet, row, reason in self.rejected_at]
        return out


def _period(value, label: str) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return period_of(value if isinstance(value, dt.date) else value.date())
    if isinstance(value, str):
        return _period_text(value, label)
    return _period_text(cell_text(value), label)


@lru_cache(maxsize=4096)
def _period_text(value: str, label: str) -> str:
    """A month typed as text (a file repeats the same few: read once each)."""
    text = normalize(cell_text(value)).replace(" ", "")
    m = re.fullmatch(r"(\d{4})[年./\-]?(\d{1,2})月?(?:\d{1,2}日?)?", text)
    if not m:
        raise ValidationError(label, f"“{text}”无法识别，应如 2026-06 或 2026年6月")
    return period_str(*parse_period(f"{m.group(1)}-{int(m.group(2)):02d}", label))


def _months(cells: dict) -> tuple[str, str]:
    """(from, to) from the 起/止 columns or one 所属期间 column ("2026-01至2026-06", one month alone)."""
    if cell_text(cells.get("period_from")) or cell_text(cells.get("period_to")):
        start = _period(cells.get("period_from") or cells.get("period_to"), "起始月份")
        end = _period(cells.get("period_to") or cells.get("period_from"), "截止月份")
    else:
        text = normalize(cell_text(cells.get("period"))).replace(" ", "")
        if not text:
            raise ValidationError("所属期间", "不能为空")
        m = _RANGE.match(text)
        start = _period(m.group(1) if m else text, "所属期间")
        end = _period(m.group(2), "所属期间") if m else start
    if end < start:
        raise ValidationError("所属期间", f"截止月份 {end} 早于起始月份 {start}")
    return start, end


@lru_cache(maxsize=1024)
def _item(text: str) -> str:
    words = normalize(text).replace(" ", "")
    if not words:
        raise ValidationError("收费项目", "不能为空")
    if words in PREPAY_CODES or words in ("water", "power", "gas"):
        return words
    hits = [w for w in ITEM_WORDS if w in words]
    if not hits:
        raise ValidationError("收费项目", f"“{words}”无法识别（应为物业费、停车费、自行车、有线电视、水电燃气费等）")
    return ITEM_WORDS[max(hits, key=len)]


def _money(value, label: str, default: int | None = None) -> int:
    text = cell_text(value)
    if not text:
        if default is None:
            raise ValidationError(label, "不能为空")
        return default
    fen = parse_yuan(text, label)
    if fen < 0:
        raise ValidationError(label, "不能为负数")
    return fen


@dataclass
class _Site:
    rooms: dict[str, int]
    plates: dict[str, tuple[int, int | None]]     # plate → (home, space)
    levels: dict[int, set[str]]                   # home → levels of its spaces


def _site() -> _Site:
    from models.parking import Vehicle
    rooms = {r: i for i, r in Home.select(Home.id, Home.room_code).tuples()}
    plates = {re.sub(r"[\s·.]", "", p).upper(): (h, s)
              for p, h, s in Vehicle.select(Vehicle.plate, Vehicle.home, Vehicle.space).tuples()}
    levels: dict[int, set[str]] = {}
    for hid, level in ParkingSpace.select(ParkingSpace.home, ParkingSpace.level).where(
            ParkingSpace.home.is_null(False)).tuples():
        levels.setdefault(hid, set()).add(level)
    return _Site(rooms, plates, levels)


@lru_cache(maxsize=8192)
def _room(room, building, entrance) -> str:
    """The room code of the cells (a home's rows repeat them: composed once)."""
    return room_code(room, building, entrance)


def _row(cells: dict, site: _Site) -> dict:
    """One history row checked: home, item, months, amounts … (ValidationError naming the field)."""
    plate = re.sub(r"[\s·.]", "", cell_text(cells.get("plate"))).upper()
    home_id = None
    if cell_text(cells.get("room")):
        code = _room(cells.get("room"), cells.get("building"), cells.get("entrance"))
        home_id = site.rooms.get(code)
        if home_id is None:
            raise ValidationError("房号", f"{code} 不在本小区的房屋中")
    elif plate:
        if plate not in site.plates:
            raise ValidationError("车牌号", f"{plate} 未登记，无法确定房屋")
        home_id = site.plates[plate][0]
    else:
        raise ValidationError("房号", "房号和车牌号不能都为空")
    item = _item(cell_text(cells.get("item")))
    if item == "parking":
        levels = site.levels.get(home_id, set())
        if len(levels) != 1:
            raise ValidationError("收费项目", "“停车费”未注明地上或地下，且该户车位无法确定")
        item = next(k for k, lv in PARKING_LEVELS.items() if lv in levels)
    start, end = _months(cells)
    paid = _money(cells.get("paid"), "实收金额")
    billed = _money(cells.get("billed"), "应收金额", default=paid)
    paid_on = parse_date(cells.get("paid_on"), "缴费日期", required=False) if cell_text(cells.get("paid_on")) else None
    return {"home": home_id, "item_code": item, "period_from": start, "period_to": end, "paid_on": paid_on,
            "billed_fen": billed, "paid_fen": paid, "cashier": cell_text(cells.get("cashier"))[:40],
            "plate": plate[:20], "memo": cell_text(cells.get("memo"))[:500]}


def _file_totals(rep: HistoryReport, cells: dict) -> None:
    for key, attr in (("billed", "file_billed_fen"), ("paid", "file_paid_fen")):
        try:
            fen = parse_yuan(cell_text(cells.get(key)), "金额") if cell_text(cells.get(key)) else None
        except ValidationError:
            fen = None
        if key == "billed" and fen is None:      # a row without 应收 counts its 实收 (as the import does)
            try:
                fen = parse_yuan(cell_text(cells.get("paid")), "金额") if cell_text(cells.get("paid")) else None
            except ValidationError:
                fen = None
        setattr(rep, attr, getattr(rep, attr) + (fen or 0))


def column_words(bound: BoundHistory) -> list[str]:
    """The mapping as bound to the sheet, in words: 房号←“房间号”(B列) …, in the sheet's column order."""
    header = bound.sheet.rows[bound.header_row]
    return hmaps.column_words({j: cell_text(header[j]) if j < len(header) else "" for j in bound.columns.values()},
                              bound.columns)


def column_proposal(path, mapping: str | None = None) -> hmaps.Proposal:
    """The sheet, its header and the columns proposed for the workbook at *path* (a saved mapping it
    fits, the shipped one, else the header names), before any check: what the import window shows
    for the user to correct when a file is chosen."""
    return hmaps.propose(read_workbook(Path(path)), mapping)


def resolve(mapping: str | HistoryMapping | None) -> HistoryMapping:
    """The mapping given (the window's own), or the one named; an exact mapping missing a required
    field is refused before anything is read, naming the field."""
    m = mapping if isinstance(mapping, HistoryMapping) else load_history_mapping(mapping)
    if m.exact:
        hmaps.check_required(m.columns)
    return m


def check_rows(ctx, bound: BoundHistory, rep: HistoryReport, progress=None) -> list[tuple[str, dict]]:
    """Every data row checked against the site (rooms and plates read once); rejects into *rep*;
    *progress* (app.core.progress) told between rows, Cancelled before anything is written."""
    site = _site()
    today = period_of(ctx.clock.today())
    seen: set[tuple] = set()
    far = add_period_months(today, MAX_FUTURE_MONTHS)
    known = set(PaymentHistory.select(PaymentHistory.home, PaymentHistory.item_code, PaymentHistory.period_from,
                                      PaymentHistory.period_to, PaymentHistory.paid_fen).tuples())
    out = []
    total = max(0, len(bound.sheet.rows) - bound.header_row - 1)
    for row_no, cells in each(bound.rows(), progress, total, "导入缴费历史"):
        rep.rows += 1
        where = f"{bound.sheet.name} 第{row_no}行"
        try:
            r = _row(cells, site)
            if r["period_to"] > far:
                raise ValidationError("截止月份", f"{r['period_to']} 太远")
            key = (r["home"], r["item_code"], r["period_from"], r["period_to"], r["paid_fen"])
            if key in known:
                raise ValidationError("所属期间", "这笔缴费历史已导入过")
            if key in seen:
                raise ValidationError("所属期间", "与本表前面的一行重复")
        except UserError as exc:
            _file_totals(rep, cells)          # an accepted row's amounts are the file's (read once, below)
            field_name = getattr(exc, "field", "")
            reason = str(exc)
            rep.rejected_at.append((bound.sheet.name, row_no, reason if not field_name or field_name in reason
                                    else f"{field_name}：{reason}"))
            continue
        seen.add(key)
        rep.file_billed_fen += r["billed_fen"]
        rep.file_paid_fen += r["paid_fen"]
        out.append((where, r))
    return out


@lru_cache(maxsize=4096)
def _month_span(start: str, end: str) -> tuple[str, ...]:
    """The months from *start* through *end* ("2026-11", "2027-01" → 2026-11, 2026-12, 2027-01)."""
    out, month = [], start
    while month <= end:
        out.append(month)
        month = add_period_months(month, 1)
    return tuple(out)


def _settle_lines(ctx, rows: list[dict], ids: list[int]) -> list[dict]:
    """The monthly run's lines of the months these rows paid, at 0 (the run then skips them)."""
    last = (Charge.select(fn.MAX(Charge.bill_period)).where(Charge.source == "billing").scalar())
    first_open = add_period_months(last, 1) if last else None
    spaces: dict[tuple[int, str], list[int]] = {}      # every space and subscription read once (no id list:
    for sid, hid, level in ParkingSpace.select(ParkingSpace.id, ParkingSpace.home, ParkingSpace.level).where(
            ParkingSpace.home.is_null(False)).tuples():                     # 50,000 homes pass SQLite's limit)
        spaces.setdefault((hid, level), []).append(sid)
    subs: dict[tuple[int, str], list[tuple[int, str, str | None]]] = {}
    for sid, hid, code, start, end in Subscription.select(
            Subscription.id, Subscription.home, Subscription.item_code, Subscription.start_period,
            Subscription.end_period).tuples():
        subs.setdefault((hid, code), []).append((sid, start, end))
    now, uid = ctx.clock.now(), getattr(ctx.user, "id", None)
    out = []
    for r, hid in zip(rows, ids, strict=True):
        item = r["item_code"]
        if item not in PREPAY_CODES:
            continue
        start = max(r["period_from"], first_open) if first_open else r["period_from"]
        for month in _month_span(start, r["period_to"]):
            if item == "property_fee":
                refs = [""]
            elif item in PARKING_LEVELS:
                refs = [f"P{s}" for s in spaces.get((r["home"], PARKING_LEVELS[item]), [])]
            else:
                refs = [f"S{s}" for s, start, end in subs.get((r["home"], item), [])
                        if start <= month and (end is None or end >= month)]
            out += [{"home": r["home"], "item_code": item, "category": "periodic", "period": month,
                     "bill_period": month, "bill_ref": ref, "amount_fen": 0, "paid_fen": 0, "refunded_fen": 0,
                     "memo": MEMO_SETTLED, "source": "history", "source_id": hid, "created_at": now,
                     "created_by": uid} for ref in refs]
    return out


HISTORY_COLUMNS = ("home", "item_code", "period_from", "period_to", "paid_on", "billed_fen", "paid_fen", "cashier",
                   "plate", "memo", "source", "created_at", "created_by")
SETTLE_COLUMNS = ("home", "item_code", "category", "period", "bill_period", "bill_ref", "amount_fen", "paid_fen",
                  "refunded_fen", "memo", "source", "source_id", "created_at", "created_by")


def _executemany(ctx, table: str, columns, values, tail: str = "") -> None:
    """One executemany of plain rows (peewee builds a multi-row INSERT's SQL slowly: 7 ms a row)."""
    if not values:
        return
    names = ", ".join(f"{c}_id" if c in ("home", "created_by") else c for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join([ctx.db.param] * len(columns))}){tail}"
    cursor = ctx.db.cursor()
    seen: dict = {}          # a date or time as text once (every settled line has the same created_at)
    for i in range(0, len(values), 1000):
        cursor.executemany(sql, [[v if type(v) not in _DATES else seen.get(v) or seen.setdefault(v, _db_value(v))
                                  for v in row] for row in values[i:i + 1000]])


_DATES = (dt.datetime, dt.date)


def _db_value(v):
    if isinstance(v, dt.datetime):
        return fmt_timestamp(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _write_history(ctx, checked, file_name: str, now, uid) -> list[int]:
    """The history rows in one executemany; their ids in the order of *checked* (found by source)."""
    last = PaymentHistory.select(fn.COALESCE(fn.MAX(PaymentHistory.id), 0)).scalar() or 0
    sources = [f"导入 {file_name} {where}" for where, _r in checked]
    values = [[r[c] for c in HISTORY_COLUMNS[:10]] + [src, now, uid]
              for (_w, r), src in zip(checked, sources, strict=True)]
    _executemany(ctx, "payment_history", HISTORY_COLUMNS, values)
    by_source = dict(PaymentHistory.select(PaymentHistory.source, PaymentHistory.id)
                     .where(PaymentHistory.id > last).tuples())
    return [by_source[src] for src in sources]


def import_history(ctx, path, mapping: str | HistoryMapping | None = None, dry_run: bool = False,
                   progress=None) -> HistoryReport:
    """Read, check and (unless *dry_run*) store a payment-history workbook in ONE transaction
    (*mapping*: a saved or shipped name, a .toml file, or the import window's HistoryMapping;
    *progress*: app.core.progress, for the GUI's bar and 取消)."""
    require(ctx, "ledger.bill")
    p = Path(path)
    m = resolve(mapping)
    bound = bind_history(m, read_workbook(p))
    rep = HistoryReport(p.name, m.title, dry_run, columns=column_words(bound))
    checked = check_rows(ctx, bound, rep, progress)
    rows = [r for _w, r in checked]
    rep.imported = len(rows)
    rep.billed_fen = sum(r["billed_fen"] for r in rows)
    rep.paid_fen = sum(r["paid_fen"] for r in rows)
    rep.homes = len({r["home"] for r in rows})
    if dry_run or not rows:
        rep.settled_months = len(_settle_lines(ctx, rows, [0] * len(rows))) if rows else 0
        return rep
    now, uid = ctx.clock.now(), getattr(ctx.user, "id", None)
    with ctx.db.atomic():
        ids = _write_history(ctx, checked, p.name, now, uid)
        lines = _settle_lines(ctx, rows, ids)
        last_charge = Charge.select(fn.COALESCE(fn.MAX(Charge.id), 0)).scalar() or 0
        _executemany(ctx, "charge", SETTLE_COLUMNS, [[line[c] for c in SETTLE_COLUMNS] for line in lines],
                     " ON CONFLICT DO NOTHING")
        settled = Charge.select().where((Charge.id > last_charge) & (Charge.source == "history")).count()
        rep.settled_months = settled
        audit.record(ctx, "golive.history", "payment_history", p.name, None,
                     {"file": p.name, "rows": rep.imported, "rejected": len(rep.rejected_at),
                      "billed_fen": rep.billed_fen, "paid_fen": rep.paid_fen, "settled_months": settled})
    return rep


def home_history(ctx, home_id) -> list[dict]:
    """The 缴费历史 rows of one home, newest first (for the ledger's page)."""
    require(ctx, "ledger.view")
    from app.ledger.charge_items import item_name
    q = (PaymentHistory.select().where(PaymentHistory.home == int(home_id))
         .order_by(PaymentHistory.period_to.desc(), PaymentHistory.id.desc()))
    return [{"id": h.id, "item": item_name(h.item_code), "period": (h.period_from if h.period_from == h.period_to
                                                                    else f"{h.period_from} 至 {h.period_to}"),
             "paid_on": h.paid_on.isoformat() if isinstance(h.paid_on, dt.date) else (h.paid_on or ""),
             "billed_fen": int(h.billed_fen), "paid_fen": int(h.paid_fen), "cashier": h.cashier, "plate": h.plate,
             "memo": h.memo} for h in q]
