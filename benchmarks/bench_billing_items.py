"""Benchmark: the monthly billing run for 50,000 homes with the office's own charge items (issue 17).

    .venv/bin/python benchmarks/bench_billing_items.py [--homes 50000] [--database URL]

The homes of benchmarks/bench_billing.py, one water reading a month for every home, and four items
the office adds: 电梯费 (area × rate, half the buildings), 垃圾清运费 (fixed, quarterly), 暖气费 (area,
yearly in November) and 二次供水费 (water, two tiers). Times the run with the items beside the same run
without them (the shipped items only) on a copy built the same way, and the idempotent second run.
Target: the office's items cost no more CPU per line billed than the shipped ones (within 1.2×):
the run stays set-based as its lines grow (the four items more than double the lines).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_billing import build  # noqa: E402

from app.core.clock import Clock  # noqa: E402
from app.system.context import open_context  # noqa: E402

RATIO_TARGET = 1.2


def readings(ctx, homes: int, rng: random.Random):
    db = ctx.db
    p = db.param
    rows = []
    for h in range(1, homes + 1):
        start = rng.randint(0, 50000)
        rows.append((h, "2026-10-31", start))
        rows.append((h, "2026-11-20", start + rng.randint(0, 4000)))   # 0–40 t
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO meter_reading (home_id, kind, reading_date, reading_x100, new_meter, note, created_at)"
            f" VALUES ({p}, 'water', {p}, {p}, {p}, '', '2026-11-20 09:00:00')",
            [(h, d, v, False) for h, d, v in rows])


def add_items(ctx, homes: int):
    from app.ledger.charge_item_edit import save_item
    buildings = ",".join(str(b) for b in range(1, homes // 200 + 1, 2))
    base = {"category": "periodic", "formula": "area", "scope": "all", "cycle": "month", "valid_from": "2026-01"}
    save_item(ctx, {**base, "name": "电梯费", "rate": "0.35", "scope": "building", "scope_values": buildings})
    save_item(ctx, {**base, "name": "垃圾清运费", "formula": "fixed", "rate": "30", "cycle": "quarter"})
    save_item(ctx, {**base, "name": "暖气费", "rate": "25", "cycle": "year", "bill_month": "11"})
    save_item(ctx, {**base, "name": "二次供水费", "category": "metered", "formula": "meter", "meter_kind": "water",
                    "rate": "0.50", "tiers": "10=0.80;20=1.20"})


def timed_run(homes: int, database, with_items: bool) -> tuple[dict, float, float, float]:
    from app.ledger import billing
    with tempfile.TemporaryDirectory() as d:
        ctx = open_context(d, database, clock=Clock(dt.datetime(2026, 11, 23, 9)))
        rng = random.Random(7)
        build(ctx, homes, rng)
        readings(ctx, homes, rng)
        if with_items:
            add_items(ctx, homes)
        t0, c0 = time.perf_counter(), time.process_time()
        r = billing.run_month(ctx, "2026-11")
        t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        again = billing.run_month(ctx, "2026-11")
        t_again = time.perf_counter() - t0
        assert again["lines"] == 0
        ctx.db.close()
    return r, t_run, c_run, t_again


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--homes", type=int, default=50000)
    ap.add_argument("--database", default=None)
    args = ap.parse_args(argv)
    plain, t_plain, c_plain, _ = timed_run(args.homes, args.database, False)
    items, t_items, c_items, t_again = timed_run(args.homes, args.database, True)
    print(f"homes: {args.homes}, water read for every home")
    print(f"shipped items only: {plain['lines']} lines — {t_plain:.3f} s wall, {c_plain:.3f} s CPU")
    extra = {k: v for k, v in items["by_item"].items() if k.startswith("custom_")}
    print(f"with 4 office items: {items['lines']} lines ({extra}) — {t_items:.3f} s wall, {c_items:.3f} s CPU")
    print(f"second run (idempotent): 0 lines — {t_again:.3f} s")
    per_plain, per_items = c_plain / plain["lines"] * 1e6, c_items / items["lines"] * 1e6
    ratio = per_items / per_plain
    print(f"CPU per line: {per_items:.1f} µs with the items, {per_plain:.1f} µs without — ratio {ratio:.2f}"
          f" (target <= {RATIO_TARGET})")
    try:
        import os
        print(f"load average: {os.getloadavg()[0]:.1f} (2-core machine shared with other jobs)")
    except OSError:
        pass
    return 0 if ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
