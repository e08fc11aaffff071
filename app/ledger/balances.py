"""Reading the per-home, per-item balance (models/balances.py, issue 20), its check and its repair.

The table sums every open charge that can fall into arrears, due or not. On ``as_of`` a home is in
arrears when one of its rows has ``oldest_due < as_of``; what it owes overdue is the rows' owed
amount minus the open charges not yet due (``due_date >= as_of``), which are only the current
cycle's and are read through the open-charge index (charge_open_due) from ``as_of`` on — so the
cost follows the homes and the cycle, never the years of history.
"""
from __future__ import annotations

import datetime as dt

from peewee import fn

from models.balances import AGGREGATE, ChargeBalance, ChargeMonth, month_aggregate, refill
from models.db import is_sqlite
from models.ledger import Charge

NOT_ARREARS = ("deposit", "prepay")
CHUNK = 900
FEW = 200      # up to this many homes are looked up one by one; more are read site-wide and filtered


def _chunks(ids):
    ids = sorted({int(h) for h in ids})
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def owing_homes(as_of: dt.date, home_ids=None) -> set[int]:
    """The homes with a charge in arrears on ``as_of`` (all, or among ``home_ids``)."""
    q = ChargeBalance.select(ChargeBalance.home_id).where(ChargeBalance.oldest_due < as_of)
    if home_ids is None:
        return {h for (h,) in q.distinct().tuples()}
    out: set[int] = set()
    for part in _chunks(home_ids):
        out |= {h for (h,) in q.where(ChargeBalance.home_id.in_(part)).tuples()}
    return out


def overdue_by_home(as_of: dt.date, home_ids=None) -> dict[int, tuple[int, int, dt.date]]:
    """{home id: (owed fen, charges, oldest due)} of the homes in arrears on ``as_of``: the same
    figures as summing the overdue open charges (app.ledger.arrears.open_overdue).

    A home's overdue amount is all its rows' owed amount less its open charges not yet due; those
    are read through the covering open-charge index from ``as_of`` on (the current cycle)."""
    if home_ids is not None and len(set(home_ids)) > FEW:
        wanted = {int(h) for h in home_ids}
        return {h: v for h, v in overdue_by_home(as_of).items() if h in wanted}
    q = ChargeBalance.select(ChargeBalance.home_id, ChargeBalance.owed_fen, ChargeBalance.open_count,
                             ChargeBalance.oldest_due)
    later = (Charge.select(Charge.home, Charge.amount_fen - Charge.paid_fen)
             .where((Charge.due_date >= as_of) & (Charge.paid_fen < Charge.amount_fen)
                    & Charge.category.not_in(NOT_ARREARS)))
    if home_ids is None:
        parts = [(q, later)]
    else:
        parts = [(q.where(ChargeBalance.home_id.in_(p)), later.where(Charge.home.in_(p))) for p in _chunks(home_ids)]
    acc: dict[int, list] = {}
    for rows, ahead in parts:
        for hid, owed, n, first in rows.tuples():
            a = acc.setdefault(hid, [0, 0, None])
            a[0] += int(owed)
            a[1] += int(n)
            oldest = _date(first)
            if oldest < as_of and (a[2] is None or oldest < a[2]):
                a[2] = oldest
        for hid, owed in ahead.tuples():
            if hid in acc:
                acc[hid][0] -= int(owed)
                acc[hid][1] -= 1
    return {hid: (owed, n, oldest) for hid, (owed, n, oldest) in acc.items() if oldest is not None}


def months_owed(as_of: dt.date, home_ids=None) -> dict[int, int]:
    """{home id: months owed on ``as_of``}: the distinct months (period, else the due date's month)
    with an overdue open charge, counted from charge_balance_month rows with ``oldest_due < as_of``."""
    q = (ChargeMonth.select(ChargeMonth.home_id, fn.COUNT(ChargeMonth.month))
         .where(ChargeMonth.oldest_due < as_of).group_by(ChargeMonth.home_id))
    if home_ids is None or len(set(home_ids)) > FEW:
        wanted = None if home_ids is None else {int(h) for h in home_ids}
        return {h: int(n) for h, n in q.tuples() if wanted is None or h in wanted}
    out = {}
    for part in _chunks(home_ids):
        out.update({h: int(n) for h, n in q.where(ChargeMonth.home_id.in_(part)).tuples()})
    return out


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def mismatches() -> list[str]:
    """The (home, item) rows that differ from their charges (Chinese texts), none when exact."""
    kept = {(h, i): (int(o), int(n), _s(a), _s(b)) for h, i, o, n, a, b in
            ChargeBalance.select(ChargeBalance.home_id, ChargeBalance.item_code, ChargeBalance.owed_fen,
                                 ChargeBalance.open_count, ChargeBalance.oldest_due,
                                 ChargeBalance.newest_due).tuples()}
    truth = {(h, i): (int(o), int(n), _s(a), _s(b)) for h, i, o, n, a, b in
             ChargeBalance._meta.database.execute_sql(AGGREGATE + " GROUP BY home_id, item_code").fetchall()}
    out = []
    for key in sorted(set(kept) | set(truth), key=lambda k: (k[0], k[1])):
        k, t = kept.get(key), truth.get(key)
        if k != t:
            have = f"记为欠 {k[0]} 分 {k[1]} 笔" if k else "无记录"
            want = f"应为欠 {t[0]} 分 {t[1]} 笔（{t[2]} 至 {t[3]}）" if t else "应无记录"
            out.append(f"房屋{key[0]} {key[1]} {have}，{want}")
    kept_m = {(h, m): (int(n), _s(a)) for h, m, n, a in
              ChargeMonth.select(ChargeMonth.home_id, ChargeMonth.month, ChargeMonth.open_count,
                                 ChargeMonth.oldest_due).tuples()}
    engine = "sqlite" if is_sqlite() else "pg"
    truth_m = {(h, m): (int(n), _s(a)) for h, m, n, a in ChargeBalance._meta.database.execute_sql(
        month_aggregate(engine) + " GROUP BY 1, 2").fetchall()}
    for key in sorted(set(kept_m) | set(truth_m)):
        k, t = kept_m.get(key), truth_m.get(key)
        if k != t:
            have = f"记为 {k[0]} 笔" if k else "无记录"
            want = f"应为 {t[0]} 笔（最早 {t[1]} 到期）" if t else "应无记录"
            out.append(f"房屋{key[0]} {key[1]}月 {have}，{want}")
    return out


def _s(value) -> str:
    return "" if value is None else str(value)[:10]


def repair(ctx) -> int:
    """Rebuild the balance from the charges (one statement after emptying it); returns the rows."""
    with ctx.db.atomic():
        refill(ctx.db)
        return ChargeBalance.select(fn.COUNT(ChargeBalance.home_id)).scalar() or 0
