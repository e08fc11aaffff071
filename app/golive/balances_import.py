"""Opening balances on the go-live day (期初欠费与预存), from an office's workbook, in ONE transaction.

``import_balances(ctx, path, mapping=None, dry_run=False)``: each row names a home (房号, or 楼栋 +
单元 + 房号), and either what it owes for a charge item and month (收费项目, 所属月份, 欠费金额) or
its prepaid balance (预存金额), or both.

- Arrears become ``Charge`` rows with ``source = "opening"``, their own period and the due date of
  that period (``billing.due_day``), so the arrears pages, the dunning board, the arrears flags and
  the collection rate of that month read them like any charge. The property fee's also carries its
  ``bill_period``: the monthly run, which bills each home and month once, never bills that month again.
- A prepaid balance is a paid ``property_prepay`` charge (source "opening") whose payment line is
  ``kind = "opening"`` without a receipt (no money came in today): ``app.ledger.prepayment``'s
  balance and the monthly run's draw-down use it as they use a move-in prepayment, and the
  ledger's check (paid = its lines) holds.
- The same file comes in once (its SHA-256 in ``register_import``); a home, item and month already
  opened (or already billed by the monthly run) is refused by row. A dry run runs the same import and
  rolls it back. The report ties to the workbook: count and sum per item read, opened and refused.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.archives.excel_rows import cell_text
from app.core.dates import period_of, period_str
from app.core.errors import ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.golive import register_sheets as rs
from app.ledger.charge_items import ITEMS, category_of
from app.ledger.rates import due_date_for

KIND = "balances"
PREPAID = "预存"
ARREARS_CATEGORIES = ("periodic", "metered", "one_off")
ITEM_WORDS = {"物业费": "property_fee", "物业管理费": "property_fee", "物管费": "property_fee",
              "地上车位费": "parking_above", "地面停车费": "parking_above", "地下车位费": "parking_under",
              "车位管理费": "parking_under", "停车费": "parking_under", "自行车费": "bicycle", "有线电视": "cable_tv",
              "水": "water", "电": "power", "燃气": "gas", "气费": "gas", "天然气费": "gas"}
CHUNK = 500


class _Rollback(Exception):
    pass


def item_code(value) -> str:
    """The charge item of a cell: its Chinese name (物业费, 水费 …) or code; ValidationError else."""
    text = re.sub(r"\s+", "", cell_text(value))
    names = {name: code for code, (name, cat, *_r) in ITEMS.items() if cat in ARREARS_CATEGORIES}
    code = ITEM_WORDS.get(text) or names.get(text) or (text if text in names.values() else None)
    if not text:
        raise ValidationError("收费项目", "不能为空")
    if code is None:
        raise ValidationError("收费项目", f"“{text}”不是可建立期初欠费的收费项目"
                                         "（如 物业服务费、水费、电费、地下停车费）")
    return code


def period_text(value, today: dt.date) -> str:
    """The month a cell names (2026-10, 2026/10, 2026年10月, 202610, an Excel date) as 2026-10; not after
    this month."""
    if isinstance(value, dt.date):
        p = period_of(value)
    else:
        text = cell_text(value).replace(" ", "")
        m = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?", text)
             or re.fullmatch(r"(\d{4})(\d{2})", text))
        if not text:
            raise ValidationError("所属月份", "不能为空")
        if not m or not 1 <= int(m.group(2)) <= 12:  # noqa: PLR2004
            raise ValidationError("所属月份", f"“{text}”不是有效的月份（如 2026-10）")
        p = period_str(int(m.group(1)), int(m.group(2)))
    if p > period_of(today):
        raise ValidationError("所属月份", f"{p} 晚于上线当月，不能作为期初欠费")
    return p


def amount(value, label: str) -> int:
    """Fen of a money cell (blank: 0); Excel numbers through their shortest decimal text."""
    if value is None or cell_text(value) == "":
        return 0
    if isinstance(value, float):
        value = str(Decimal(repr(value)))
    return parse_yuan(value, label)


@dataclass
class Line:
    row: int
    home_id: int
    room: str
    item: str              # item code, or PREPAID
    period: str | None
    fen: int


@dataclass
class BalancesReport(rs.RegisterReport):
    workbook: dict[str, list[int]] = field(default_factory=dict)     # item → [rows, fen] read
    opened: dict[str, list[int]] = field(default_factory=dict)       # item → [rows, fen] written
    arrears_fen: int = 0
    prepaid_fen: int = 0

    @staticmethod
    def item_label(code: str) -> str:
        return PREPAID + "余额" if code == PREPAID else ITEMS[code][0]

    @property
    def ties(self) -> bool:
        return self.workbook == self.opened

    def totals(self) -> list[tuple[str, int, int, int, int]]:
        """(item, rows read, fen read, rows opened, fen opened) per item, the whole last."""
        out = []
        for code in sorted(self.workbook, key=lambda c: (c == PREPAID, c)):
            wn, wf = self.workbook[code]
            on, of = self.opened.get(code, [0, 0])
            out.append((self.item_label(code), wn, wf, on, of))
        w = [sum(v[0] for v in self.workbook.values()), sum(v[1] for v in self.workbook.values())]
        o = [sum(v[0] for v in self.opened.values()), sum(v[1] for v in self.opened.values())]
        out.append(("合计", w[0], w[1], o[0], o[1]))
        return out

    def lines(self) -> list[str]:
        out = self.head()
        out.append(f"期初欠费 {fmt_fen(self.arrears_fen)} 元，预存余额 {fmt_fen(self.prepaid_fen)} 元")
        out.append("与工作簿核对（项目：工作簿 笔数/金额 → 已建立 笔数/金额）：")
        for name, wn, wf, on, of in self.totals():
            mark = "相符" if (wn, wf) == (on, of) else f"差 {wn - on} 笔 {fmt_fen(wf - of)} 元（见拒绝的行）"
            out.append(f"  {name}：{wn} 笔 {fmt_fen(wf)} 元 → {on} 笔 {fmt_fen(of)} 元，{mark}")
        return out + self.tail()


def _cached(cache: dict, check, value):
    """check(value) once per distinct cell value of an import (a refusal is cached as its error)."""
    key = (type(value).__name__, value)
    if key not in cache:
        try:
            cache[key] = check(value)
        except ValidationError as exc:
            cache[key] = exc
    found = cache[key]
    if isinstance(found, ValidationError):
        raise found
    return found


def _parse(ctx, b: rs.BoundSheet, m: rs.RegisterMapping, rep: BalancesReport) -> list[Line]:
    """Every row checked against the file and the database (no write): the lines to open."""
    from models.ledger import Charge
    homes = rs.home_codes()
    today = ctx.clock.today()
    lines: list[Line] = []
    seen: dict[tuple, int] = {}
    items: dict = {}
    periods: dict = {}
    for row, cells in b.rows(m.defaults):
        rep.rows += 1
        try:
            formula = rs.uncached_formula(b, row)
            arrears_fen = amount(cells.get("arrears"), "欠费金额")
            prepaid_fen = amount(cells.get("prepaid"), "预存金额")
            item = _cached(items, item_code, cells.get("item")) if arrears_fen else None
            period = _cached(periods, lambda v: period_text(v, today), cells.get("period")) if arrears_fen else None
        except ValidationError as exc:
            rep.rejected.append((row, str(exc)))
            continue
        found = [(item, period, arrears_fen)] if arrears_fen else []
        found += [(PREPAID, None, prepaid_fen)] if prepaid_fen else []
        for code, _p, fen in found:          # the workbook's totals count every amount read
            w = rep.workbook.setdefault(code, [0, 0])
            w[0], w[1] = w[0] + 1, w[1] + fen
        if formula:
            rep.rejected.append((row, formula))
            continue
        if not found:
            rep.rejected.append((row, "欠费金额、预存金额：都为空或为零"))
            continue
        try:
            hid, room = rs.home_of(cells, homes)
        except ValidationError as exc:
            rep.rejected.append((row, str(exc)))
            continue
        row_lines = []
        for code, period, fen in found:
            key = (hid, code, period)
            if key in seen:
                what = "预存余额" if code == PREPAID else f"{ITEMS[code][0]} {period} 的欠费"
                rep.rejected.append((row, f"{room} {what}与第{seen[key]}行重复"))
                row_lines = []
                break
            row_lines.append(Line(row, hid, room, code, period, fen))
        for ln in row_lines:
            seen[(ln.home_id, ln.item, ln.period)] = row
        lines += row_lines
    _against_database(lines, rep, Charge)
    return [ln for ln in lines if ln.row not in {r for r, _m in rep.rejected}]


def _against_database(lines: list[Line], rep: BalancesReport, Charge):
    """Refuse lines already opened (or billed by the monthly run): set queries per chunk of homes."""
    for i in range(0, len(lines), CHUNK):
        part = lines[i:i + CHUNK]
        ids = sorted({ln.home_id for ln in part})
        opened = set(Charge.select(Charge.home, Charge.item_code, Charge.period)
                     .where(Charge.home.in_(ids) & (Charge.source == "opening")).tuples())
        billed = set(Charge.select(Charge.home, Charge.bill_period)
                     .where(Charge.home.in_(ids) & (Charge.item_code == "property_fee")
                            & (Charge.bill_ref == "") & Charge.bill_period.is_null(False)).tuples())
        prepaid = {h for (h, it, _p) in opened if it == "property_prepay"}
        for ln in part:
            if ln.item == PREPAID and ln.home_id in prepaid:
                rep.rejected.append((ln.row, f"{ln.room} 已建立过期初预存余额"))
            elif ln.item != PREPAID and (ln.home_id, ln.item, ln.period) in opened:
                rep.rejected.append((ln.row, f"{ln.room} {ITEMS[ln.item][0]} {ln.period} 已建立过期初欠费"))
            elif ln.item == "property_fee" and (ln.home_id, ln.period) in billed:
                rep.rejected.append((ln.row, f"{ln.room} {ln.period} 的物业服务费已计费，不能再作为期初欠费"))


def import_balances(ctx, path, mapping: str | rs.RegisterMapping | None = None,
                    dry_run: bool = False, progress=None) -> BalancesReport:
    """Import the opening balances of *path* in one transaction (*dry_run*: and roll it back)."""
    require(ctx, "golive.balances")
    digest = rs.fingerprint(path)
    rs.refuse_repeat(KIND, digest)
    m, b = rs.read(path, KIND, mapping)
    base = rs.start_report(KIND, path, m, b, dry_run)
    rep = BalancesReport(**{f: getattr(base, f) for f in base.__dataclass_fields__})
    try:
        with ctx.db.atomic():
            rs.refuse_repeat(KIND, digest)           # again inside the write lock: two desks, one file
            lines = _parse(ctx, b, m, rep)
            rep.rejected.sort()
            if progress:
                progress(0, len(lines))
            _write(ctx, lines, rep, digest, progress)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return rep


def _write(ctx, lines: list[Line], rep: BalancesReport, digest: str, progress):
    from models.ledger import Charge
    for ln in lines:
        o = rep.opened.setdefault(ln.item, [0, 0])
        o[0], o[1] = o[0] + 1, o[1] + ln.fen
    rep.arrears_fen = sum(ln.fen for ln in lines if ln.item != PREPAID)
    rep.prepaid_fen = sum(ln.fen for ln in lines if ln.item == PREPAID)
    rep.written = len(lines)
    rep.home_ids = sorted({ln.home_id for ln in lines})
    imp = rs.record_import(ctx, KIND, rep, digest, rep.arrears_fen + rep.prepaid_fen)
    now, uid, today = ctx.clock.now(), getattr(ctx.user, "id", None), ctx.clock.today()
    this_month = period_of(today)
    dues: dict[str, dt.date] = {}
    base = {"bill_ref": "", "quantity_milli": None, "unit_price_fen": None, "refunded_fen": 0, "source": "opening",
            "source_id": imp.id, "created_at": now, "created_by_id": uid}
    rows = []
    for ln in lines:
        if ln.item == PREPAID:
            rows.append(base | {"home_id": ln.home_id, "item_code": "property_prepay", "category": "prepay",
                                "period": this_month, "bill_period": None, "amount_fen": ln.fen, "paid_fen": ln.fen,
                                "due_date": today, "memo": "期初预存余额（上线导入）"})
            continue
        due = dues.get(ln.period) or dues.setdefault(ln.period, due_date_for(ctx, ln.period))
        rows.append(base | {"home_id": ln.home_id, "item_code": ln.item, "category": category_of(ln.item),
                            "period": ln.period, "bill_period": ln.period if ln.item == "property_fee" else None,
                            "amount_fen": ln.fen, "paid_fen": 0, "due_date": due,
                            "memo": f"期初欠费 {ln.period}（上线导入）"})
    rs.bulk_insert(ctx, "charge", rows)
    if progress:
        progress(len(rows), len(rows))
    prepay = (Charge.select(Charge.id, Charge.home, Charge.amount_fen)
              .where((Charge.source == "opening") & (Charge.source_id == imp.id)
                     & (Charge.item_code == "property_prepay")).tuples())
    pays = [{"receipt_id": None, "charge_id": cid, "home_id": hid, "item_code": "property_prepay", "kind": "opening",
             "method": "opening", "amount_fen": fen, "reason": "期初预存余额（上线导入）", "source": "opening",
             "source_id": imp.id, "created_at": now, "created_by_id": uid} for cid, hid, fen in prepay]
    rs.bulk_insert(ctx, "payment", pays)
    if rep.home_ids and rep.arrears_fen:
        from app.ledger.arrears import refresh_arrears_flags
        refresh_arrears_flags(ctx, home_ids=rep.home_ids)


def opened_summary() -> dict:
    """What was opened so far: arrears and prepaid (rows, fen) over every balances import."""
    from peewee import fn

    from models.ledger import Charge
    q = (Charge.select(Charge.category == "prepay", fn.COUNT(Charge.id), fn.COALESCE(fn.SUM(Charge.amount_fen), 0))
         .where(Charge.source == "opening").group_by(Charge.category == "prepay").tuples())
    out = {"arrears": (0, 0), "prepaid": (0, 0)}
    for is_prepay, n, fen in q:
        out["prepaid" if is_prepay else "arrears"] = (int(n), int(fen))
    return out

