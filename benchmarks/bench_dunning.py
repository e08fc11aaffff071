"""Benchmark: issue and print 1,000 third dunning notices (with late fee) in one batch.

Target (issue 4): 1,000 notices ≤ 5 s. Run: .venv/bin/python benchmarks/bench_dunning.py [N]
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(n: int = 1000) -> dict:
    from app.core.clock import Clock
    from app.demo.sites import build_large
    from app.ledger.dunning import notices_pdf
    from app.system.context import open_context
    from models.ledger import Charge
    from models.property import Home
    from propertydesk.cli import cli_user

    ctx = open_context(tempfile.mkdtemp(prefix="bench-dunning-"), clock=Clock(dt.datetime(2026, 11, 23, 9)))
    ctx.user = cli_user()
    build_large(ctx, homes=n)
    ctx.user = cli_user()
    rows = []
    for (hid,) in Home.select(Home.id).tuples():
        for month, due in (("2026-09", dt.date(2026, 9, 30)), ("2026-10", dt.date(2026, 10, 31))):
            rows.append({"home": hid, "item_code": "property_fee", "category": "periodic", "period": month,
                         "bill_period": month, "bill_ref": "", "amount_fen": 17800, "paid_fen": 0,
                         "refunded_fen": 0, "due_date": due, "memo": "", "source": "bench",
                         "created_at": dt.datetime(2026, 9, 1)})
    with ctx.db.atomic():
        for i in range(0, len(rows), 500):
            Charge.insert_many(rows[i:i + 500]).execute()
    t0, c0 = time.perf_counter(), time.process_time()
    count, pdf = notices_pdf(ctx, dt.date(2026, 11, 23), 3)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {"notices": count, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
              "pdf_mb": round(len(pdf) / 1e6, 2)}
    print(f"{count} 份三次催缴通知（含滞纳金）：{seconds:.2f} 秒（CPU {cpu:.2f} 秒），"
          f"PDF {len(pdf) / 1e6:.2f} MB（目标 ≤ 5 秒）")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
