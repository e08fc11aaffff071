"""Benchmark: the monthly run with a shared meter (公摊电费 by floor area over every home, issue 17).

    .venv/bin/python benchmarks/bench_shared_meter.py [--homes 50000] [--database URL]

The homes of benchmarks/bench_billing.py with and without one 公摊（按面积） item over all homes; times
the run both ways (CPU per line billed, target within 1.2× of the shipped items') and the idempotent
second run, and checks the shared lines sum exactly to the meter's amount.
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
AMOUNT = "98765.43"


def timed_run(homes: int, database, shared: bool) -> tuple[dict, float, float, int]:
    from app.ledger import billing, charge_item_edit, shared_meter
    from models.ledger import Charge
    with tempfile.TemporaryDirectory() as d:
        ctx = open_context(d, database, clock=Clock(dt.datetime(2026, 11, 23, 9)))
        build(ctx, homes, random.Random(7))
        code = None
        if shared:
            item = charge_item_edit.save_item(ctx, {"name": "公摊电费", "category": "metered", "formula": "shared_area",
                                                    "valid_from": "2026-01"})
            shared_meter.record_reading(ctx, item.id, "2026-11", AMOUNT)
            code = item.code
        t0, c0 = time.perf_counter(), time.process_time()
        r = billing.run_month(ctx, "2026-11")
        t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
        assert billing.run_month(ctx, "2026-11")["lines"] == 0
        rows = Charge.select(Charge.amount_fen).where(Charge.item_code == code).tuples()
        total = sum(a for (a,) in rows) if code else 0
        ctx.db.close()
    return r, t_run, c_run, total


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--homes", type=int, default=50000)
    ap.add_argument("--database", default=None)
    args = ap.parse_args(argv)
    plain, t_plain, c_plain, _ = timed_run(args.homes, args.database, False)
    with_shared, t_shared, c_shared, total = timed_run(args.homes, args.database, True)
    print(f"homes: {args.homes}")
    print(f"shipped items only: {plain['lines']} lines — {t_plain:.3f} s wall, {c_plain:.3f} s CPU")
    print(f"with 公摊电费: {with_shared['lines']} lines — {t_shared:.3f} s wall, {c_shared:.3f} s CPU;"
          f" shared lines sum {total} fen (meter {AMOUNT} 元)")
    ratio = (c_shared / with_shared["lines"]) / (c_plain / plain["lines"])
    print(f"CPU per line ratio {ratio:.2f} (target <= {RATIO_TARGET})")
    exact = total == int(AMOUNT.replace(".", ""))
    return 0 if ratio <= RATIO_TARGET and exact else 1


if __name__ == "__main__":
    sys.exit(main())
