"""Ledger reports: the cashier's daily report (日报) that ties to the receipts, and the monthly
collection rate (收费率) per cluster and per area manager against the target (96%)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from app.core.audit_chain import current_head
from app.core.dates import parse_period, period_str
from app.core.permissions import require
from app.ledger.charge_items import item_name
from models.ledger import PAY_METHODS, Charge, Payment, Receipt
from models.property import Building, Cluster, Home
from models.users import User

BILLED_CATEGORIES = ("periodic", "metered")
NO_RATE = "—"     # a rate that cannot be computed (nothing billed) is shown as a dash, never 100 %


# ---------------------------------------------------------------- daily report
@dataclass(frozen=True)
class DailyReport:
    day: dt.date
    receipts: tuple[dict, ...]           # every receipt and refund voucher of the day, in number order
    by_method: tuple[tuple[str, int], ...]
    by_item: tuple[tuple[str, int], ...]
    receipts_fen: int                    # valid receipts
    refunds_fen: int                     # valid refund vouchers (negative)
    voided: int
    net_fen: int                         # cash the drawer should hold, all methods
    audit_head: str = ""                 # the audit chain's head when printed (seq:MAC16), a paper checkpoint
    reductions_fen: int = 0              # reductions (减免) approved that day: not cash, their own total
    reductions: int = 0                  # how many reductions


def daily_report(ctx, day: dt.date) -> DailyReport:
    require(ctx, "ledger.report")
    start = dt.datetime.combine(day, dt.time.min)
    end = start + dt.timedelta(days=1)
    rs = list(Receipt.select(Receipt, Home.room_code).join(Home)
              .where((Receipt.issued_at >= start) & (Receipt.issued_at < end))
              .order_by(Receipt.kind, Receipt.year, Receipt.seq))
    rows = tuple({"number": r.number, "kind": "收据" if r.kind == "receipt" else "退款凭证",
                  "time": r.issued_at.strftime("%H:%M"), "room": r.home.room_code, "payer": r.payer,
                  "method": PAY_METHODS.get(r.method, r.method), "total_fen": r.total_fen,
                  "cashier": r.cashier_name, "status": "作废" if r.status == "void" else "有效"} for r in rs)
    valid = [r for r in rs if r.status == "valid"]
    by_method: dict[str, int] = {}
    for r in valid:
        key = PAY_METHODS.get(r.method, r.method)
        by_method[key] = by_method.get(key, 0) + r.total_fen
    by_item: dict[str, int] = {}
    if valid:
        q = (Payment.select(Payment.item_code, fn.SUM(Payment.amount_fen))
             .where(Payment.receipt.in_([r.id for r in valid]) & Payment.kind.in_(["pay", "refund"]))
             .group_by(Payment.item_code).tuples())
        for code, total in q:
            by_item[item_name(code)] = by_item.get(item_name(code), 0) + int(total)
    receipts_fen = sum(r.total_fen for r in valid if r.kind == "receipt")
    refunds_fen = sum(r.total_fen for r in valid if r.kind != "receipt")
    from app.ledger.reductions import day_total
    reduced_fen, reduced = day_total(day)
    return DailyReport(day, rows, tuple(sorted(by_method.items())), tuple(sorted(by_item.items())),
                       receipts_fen, refunds_fen, sum(1 for r in rs if r.status == "void"), receipts_fen + refunds_fen,
                       current_head(), reduced_fen, reduced)


# ---------------------------------------------------------------- collection rate
@dataclass(frozen=True)
class RateRow:
    name: str
    homes: int
    billed_fen: int
    collected_fen: int
    rate_bp: int | None           # basis points: 9612 = 96.12 %; None: nothing billed, no rate
    meets_target: bool | None     # None with no rate: neither met nor missed

    @property
    def rate_text(self) -> str:
        if self.rate_bp is None:
            return NO_RATE
        return f"{self.rate_bp // 100}.{self.rate_bp % 100:02d}%"

    @property
    def target_text(self) -> str:
        """达标: 是 / 否, or "—" where nothing was billed."""
        return NO_RATE if self.meets_target is None else ("是" if self.meets_target else "否")


@dataclass(frozen=True)
class CollectionReport:
    period: str
    target_pct: int
    by_cluster: tuple[RateRow, ...]
    by_manager: tuple[RateRow, ...]
    total: RateRow


def _rate(name, homes, billed, collected, target_pct) -> RateRow:
    if not billed:
        return RateRow(name, homes, billed, collected, None, None)
    bp = collected * 10000 // billed
    return RateRow(name, homes, billed, collected, bp, bp >= target_pct * 100)


def collection_rate(ctx, period: str, as_of: dt.date | None = None) -> CollectionReport:
    """Billed in *period* (monthly standard and metered charges) against what has been collected
    on those charges (cash and prepayment draw-down), per cluster and per area manager. With
    *as_of*, only payments made up to that day count (the weekly report during the month).
    A reduction (减免) is not money collected: it is taken out of the amount due (应收 less 减免)
    and out of what its lines settled (实收 less 减免), so a reduced charge paid in full is 100 %."""
    require(ctx, "ledger.report")
    y, m = parse_period(period)
    period = period_str(y, m)
    target = int(ctx.settings.get("billing.collection_target_pct"))
    if as_of is None:
        paid_expr = Charge.paid_fen
        base = (Charge.select(Cluster.code, Cluster.name, User.display_name, Charge.home,
                              Charge.amount_fen, paid_expr, Charge.id))
    else:
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
        paid_sub = (Payment.select(fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
                    .where((Payment.charge == Charge.id) & (Payment.kind != "refund") & (Payment.created_at < end)))
        base = Charge.select(Cluster.code, Cluster.name, User.display_name, Charge.home, Charge.amount_fen,
                             paid_sub.alias("paid"), Charge.id)
    q = (base.join(Home, on=(Charge.home == Home.id))
         .join(Cluster, on=(Home.cluster == Cluster.id))
         .switch(Home).join(Building, on=(Home.building == Building.id))
         .join(User, JOIN.LEFT_OUTER, on=(Building.area_manager == User.id))
         .where((Charge.period == period) & Charge.category.in_(BILLED_CATEGORIES)).tuples())
    clusters: dict[str, list] = {}
    managers: dict[str, list] = {}
    all_homes, tb, tc = set(), 0, 0
    from app.ledger.reductions import reduced_in_period
    reduced = reduced_in_period(period, BILLED_CATEGORIES, as_of)
    sql, params = q.sql()   # plain rows: 93,500 at 50,000 homes, peewee's row objects would double the time
    for ccode, cname, manager, home, billed, paid_total, cid in ctx.db.execute_sql(sql, params):
        cut = reduced.get(cid, 0)   # a reduction is neither due nor collected
        amount = int(billed) - cut
        paid = min(int(paid_total) - cut, amount)   # a refund never makes a charge more than paid
        for groups, key in ((clusters, f"{ccode}组团 {cname}"), (managers, manager or "（未指定）")):
            g = groups.setdefault(key, [set(), 0, 0])
            g[0].add(home)
            g[1] += int(amount)
            g[2] += paid
        all_homes.add(home)
        tb += int(amount)
        tc += paid
    def rows(groups):
        return tuple(_rate(k, len(g[0]), g[1], g[2], target) for k, g in sorted(groups.items()))

    whole = _rate("全小区", len(all_homes), tb, tc, target)
    return CollectionReport(period, target, rows(clusters), rows(managers), whole)


COLLECTION_COLUMNS = (("名称", 26), ("户数", 8), ("应收（元）", 14), ("实收（元）", 14), ("收费率", 10), ("达标", 8))


def collection_xlsx(ctx, period: str, path, as_of: dt.date | None = None, progress=None) -> int:
    """The collection report as an Excel file (per cluster, then per area manager, each with the
    whole site): 元 exact from fen, "—" where nothing was billed. Returns the rows written.
    *progress*: app.core.progress, asked between rows (a cancel keeps no file and audits nothing)."""
    require(ctx, "ledger.export")
    from decimal import Decimal

    from app.core import audit
    from app.core.progress import each
    from app.core.xlsx import Column, StreamingSheet
    rep = collection_rate(ctx, period, as_of)
    columns = [Column(h, w, "0.00" if h.endswith("（元）") else None) for h, w in COLLECTION_COLUMNS]
    n = 0
    with StreamingSheet(path, f"收费率{rep.period}", columns) as sheet:
        sheet.header()
        items = [(title, r) for title, rows in (("按组团", rep.by_cluster), ("按客服管理员", rep.by_manager))
                 for r in (None, *rows, rep.total)]          # None: the group's title line
        for title, r in each(items, progress, len(items), "导出收费率报表"):
            if r is None:
                sheet.row([title, "", "", "", "", ""])
                continue
            sheet.row([r.name, r.homes, Decimal(r.billed_fen) / 100, Decimal(r.collected_fen) / 100,
                       r.rate_text, r.target_text])
            n += 1
    with ctx.db.atomic():
        audit.record(ctx, "ledger.export", "ledger", rep.period, None, {"report": "collection", "rows": n,
                                                                         "file": str(sheet.path)})
    return n


def report_pdf(ctx, kind: str, **kw) -> bytes:
    from app.printing import ledger_reports as p
    if kind == "daily":
        return p.daily_pdf(ctx.settings, daily_report(ctx, kw["day"]))
    return p.collection_pdf(ctx.settings, collection_rate(ctx, kw["period"], kw.get("as_of")))
