"""Going live: rows per second of ``import history`` (缴费历史: read, check every row against the site,
store the rows and settle the months paid ahead, in one transaction) for 5,000 and 50,000 rows, on a
site whose homes came in through ``import owners``; the dry run and the import timed apart, and the
phases of the import (read, check, write) so a per-row cost that grows with the file shows where.

Each home has 5 rows: four half-years of property fee (2025-01 … 2026-12, the last ones paid ahead of
the site's go-live month 2026-11) and one month of water.

    .venv/bin/python benchmarks/bench_history_import.py [5000 50000]
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from app.core.clock import Clock  # noqa: E402
from app.golive import history_import  # noqa: E402
from app.golive.owners_import import import_owners  # noqa: E402
from app.system.context import open_context  # noqa: E402
from models.db import close_database  # noqa: E402
from tests.helpers.golive import ledger_rows, office_ledger  # noqa: E402

ROWS_A_HOME = 5
HALF_YEARS = (("2025-01", "2025-06"), ("2025-07", "2025-12"), ("2026-01", "2026-06"), ("2026-07", "2026-12"))


def history_file(path: Path, homes: int) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("缴费记录")
    ws.append(["房号", "收费项目", "起始月份", "截止月份", "缴费日期", "应收金额", "实收金额", "收款人", "备注"])
    n = 0
    for i, (code, _row) in enumerate(ledger_rows(homes)):
        fee = 150 + i % 90 + 0.5
        for start, end in HALF_YEARS:
            ws.append([code, "物业费", start, end, f"{start}-05", fee * 6, fee * 6, "李会计", ""])
        ws.append([code, "水费", "2026-10", "2026-10", "2026-10-20", 30.2, 30.2, "张出纳", "抄表 12 吨"])
        n += ROWS_A_HOME
    wb.save(path)
    return n


class Phases:
    """Wall time of the import's phases (read, check, write), by wrapping its module functions."""

    def __init__(self):
        self.times: dict[str, float] = {}

    def wrap(self, name: str, label: str):
        real = getattr(history_import, name)

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                self.times[label] = self.times.get(label, 0.0) + time.perf_counter() - t0
        setattr(history_import, name, timed)
        return real


def run(rows: int) -> dict:
    homes = rows // ROWS_A_HOME
    with tempfile.TemporaryDirectory() as tmp:
        ledger = office_ledger(Path(tmp) / "ledger.xlsx", homes=homes)
        path = Path(tmp) / "history.xlsx"
        n = history_file(path, homes)
        data = Path(tmp) / "data"
        data.mkdir()
        ctx = open_context(data, None, clock=Clock(dt.datetime(2026, 11, 23, 9, 0, 0)))
        from models.users import User
        ctx.user = User.create(username="manager", display_name="王经理", role="manager")
        import_owners(ctx, ledger)
        t0 = time.perf_counter()
        dry = history_import.import_history(ctx, path, dry_run=True)
        dry_s = time.perf_counter() - t0
        phases = Phases()
        reals = {name: phases.wrap(name, label) for name, label in
                 (("read_workbook", "read"), ("check_rows", "check"), ("_write_history", "write rows"),
                  ("_settle_lines", "settle"))}
        try:
            t0 = time.perf_counter()
            rep = history_import.import_history(ctx, path)
            total_s = time.perf_counter() - t0
        finally:
            for name, real in reals.items():
                setattr(history_import, name, real)
        close_database()
    assert rep.imported == n == dry.imported and not rep.rejected_at, rep.lines()[:8]
    assert rep.paid_fen == rep.file_paid_fen
    return {"rows": n, "homes": homes, "dry_s": dry_s, "import_s": total_s, "rows_per_s": n / total_s,
            "dry_rows_per_s": n / dry_s, "phases": phases.times, "settled": rep.settled_months}


if __name__ == "__main__":
    for r_n in [int(a) for a in sys.argv[1:]] or [5000, 50000]:
        r = run(r_n)
        phases = ", ".join(f"{k} {v:.2f} s" for k, v in r["phases"].items())
        print(f"{r['rows']:>6} rows ({r['homes']} homes): "
              f"dry run {r['dry_s']:.2f} s ({r['dry_rows_per_s']:.0f} rows/s), "
              f"import {r['import_s']:.2f} s ({r['rows_per_s']:.0f} rows/s; {phases}), "
              f"months settled {r['settled']}")
