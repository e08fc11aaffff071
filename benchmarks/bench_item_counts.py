"""Benchmark: the monthly run for 50,000 homes with per-count office items (按数量, issue 17).

    .venv/bin/python benchmarks/bench_item_counts.py [--homes 50000] [--database URL]

The homes of benchmarks/bench_billing.py with one water reading each (as bench_billing_items.py), and two
items the office adds: 电动车充电桩管理费 8.00 元/辆·月 (every second home, 1–3 辆) and 宠物管理费 30 元/只·季
(every fifth home, 1–2 只, quarterly: billed in January). The counts come in through
``propertydesk counts import``'s service (app.ledger.item_counts.import_counts) from one sheet, timed. Times
the run with the items beside the same run without them on a copy built the same way, and the idempotent
second run. ``--import-only`` builds one site and times the sheet's reading: python-calamine
(item_counts.read_sheet, what the import uses) beside openpyxl (app.core.imports.read_table, what it used
before: 35,000 rows 31.9 s), then the whole import. Target as bench_billing_items.py: CPU per line billed
with the items within 1.2× of the shipped items only (the count lines are one INSERT … SELECT per item).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_billing import build  # noqa: E402
from bench_billing_items import readings  # noqa: E402

from app.core.clock import Clock  # noqa: E402
from app.system.context import open_context  # noqa: E402

RATIO_TARGET = 1.2
PERIOD = "2027-01"   # the first month of a quarter: the quarterly pets item bills too


def add_items(ctx, homes: int, folder: str, compare: bool = False) -> tuple[dict, float, int]:
    """The two per-count items and their counts from one sheet: (import result, seconds, rows)."""
    import xlsxwriter

    from app.ledger import item_counts
    from app.ledger.charge_item_edit import save_item
    from models.property import Home
    base = {"category": "periodic", "formula": "count", "scope": "all", "cycle": "month", "valid_from": "2026-01"}
    save_item(ctx, {**base, "name": "电动车充电桩管理费", "rate": "8.00", "count_unit": "辆"})
    save_item(ctx, {**base, "name": "宠物管理费", "rate": "30", "count_unit": "只", "cycle": "quarter"})
    path = Path(folder) / "counts.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["房号", "收费项目", "数量", "起始月份"])
    n = 0
    for i, (room,) in enumerate(Home.select(Home.room_code).order_by(Home.id).tuples()):
        if i % 2 == 0:
            n += 1
            ws.write_row(n, 0, [room, "电动车充电桩管理费", 1 + i % 3, "2026-12"])
        if i % 5 == 0:
            n += 1
            ws.write_row(n, 0, [room, "宠物管理费", 1 + i % 2, "2026-12"])
    wb.close()
    if compare:
        from app.core.imports import read_table
        t0 = time.perf_counter()
        fast = item_counts.read_sheet(path)
        print(f"read {len(fast) - 1} rows with python-calamine: {time.perf_counter() - t0:.3f} s")
        t0 = time.perf_counter()
        slow = read_table(path, max_rows=item_counts.IMPORT_MAX_ROWS, max_cols=item_counts.IMPORT_MAX_COLS)
        print(f"read {len(slow) - 1} rows with openpyxl (before): {time.perf_counter() - t0:.3f} s")
        assert fast == slow, "the two readers differ"
    t0 = time.perf_counter()
    result = item_counts.import_counts(ctx, path)
    return result, time.perf_counter() - t0, n


def timed_run(homes: int, database, with_items: bool):
    from app.ledger import billing
    with tempfile.TemporaryDirectory() as d:
        ctx = open_context(d, database, clock=Clock(dt.datetime(2027, 1, 20, 9)))
        rng = random.Random(7)
        build(ctx, homes, rng)
        readings(ctx, homes, rng)
        imported = add_items(ctx, homes, d) if with_items else None
        t0, c0 = time.perf_counter(), time.process_time()
        r = billing.run_month(ctx, PERIOD)
        t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        again = billing.run_month(ctx, PERIOD)
        t_again = time.perf_counter() - t0
        assert again["lines"] == 0
        ctx.db.close()
    return r, t_run, c_run, t_again, imported


def import_only(homes: int, database) -> int:
    with tempfile.TemporaryDirectory() as d:
        ctx = open_context(d, database, clock=Clock(dt.datetime(2027, 1, 20, 9)))
        build(ctx, homes, random.Random(7))
        imp, t_imp, n_rows = add_items(ctx, homes, d, compare=True)
        ctx.db.close()
    print(f"homes: {homes}; counts imported from one sheet: {n_rows} rows ({imp['changed']} set) — {t_imp:.3f} s")
    print(f"load average: {os.getloadavg()[0]:.1f} (2-core machine shared with other jobs)")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--homes", type=int, default=50000)
    ap.add_argument("--database", default=None)
    ap.add_argument("--import-only", action="store_true", help="time reading and importing the counts sheet only")
    args = ap.parse_args(argv)
    if args.import_only:
        return import_only(args.homes, args.database)
    plain, t_plain, c_plain, _, _ = timed_run(args.homes, args.database, False)
    items, t_items, c_items, t_again, (imp, t_imp, n_rows) = timed_run(args.homes, args.database, True)
    print(f"homes: {args.homes}, month {PERIOD}")
    print(f"counts imported from one sheet: {n_rows} rows ({imp['changed']} set) — {t_imp:.3f} s")
    print(f"shipped items only: {plain['lines']} lines — {t_plain:.3f} s wall, {c_plain:.3f} s CPU")
    extra = {k: v for k, v in items["by_item"].items() if k.startswith("custom_")}
    print(f"with 2 per-count items: {items['lines']} lines ({extra}) — {t_items:.3f} s wall, {c_items:.3f} s CPU")
    print(f"second run (idempotent): 0 lines — {t_again:.3f} s")
    per_plain, per_items = c_plain / plain["lines"] * 1e6, c_items / items["lines"] * 1e6
    ratio = per_items / per_plain
    print(f"CPU per line: {per_items:.1f} µs with the items, {per_plain:.1f} µs without — ratio {ratio:.2f}"
          f" (target <= {RATIO_TARGET})")
    print(f"load average: {os.getloadavg()[0]:.1f} (2-core machine shared with other jobs)")
    return 0 if ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
