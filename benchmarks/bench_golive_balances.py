"""Going live: rows per second of ``import balances`` (read, check every row against the file and the
database, write the charges and prepaid lines and refresh the arrears flags, in one transaction) for
5,000 and 50,000 rows of opening balances, on a site whose owners came in through ``import owners``.

Each home has 8 rows: six months of property fee owed (2026-05 … 2026-10), one of water, one prepaid.

    .venv/bin/python benchmarks/bench_golive_balances.py [5000 50000]
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
from app.golive.balances_import import import_balances  # noqa: E402
from app.golive.owners_import import import_owners  # noqa: E402
from app.system.context import open_context  # noqa: E402
from models.db import close_database  # noqa: E402
from tests.helpers.golive import ledger_rows, office_ledger  # noqa: E402

ROWS_A_HOME = 8


def balances_file(path: Path, homes: int) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("期初余额")
    ws.append(["房号", "收费项目", "所属月份", "欠费金额", "预存金额"])
    n = 0
    for i, (code, _row) in enumerate(ledger_rows(homes)):
        for month in range(5, 11):
            ws.append([code, "物业费", f"2026-{month:02d}", 150 + i % 90 + 0.5, None])
        ws.append([code, "水费", "2026-10", 30.2, None])
        ws.append([code, None, None, None, 600])
        n += ROWS_A_HOME
    wb.save(path)
    return n


def run(rows: int) -> dict:
    homes = rows // ROWS_A_HOME
    with tempfile.TemporaryDirectory() as tmp:
        ledger = office_ledger(Path(tmp) / "ledger.xlsx", homes=homes)
        path = Path(tmp) / "balances.xlsx"
        n = balances_file(path, homes)
        data = Path(tmp) / "data"
        data.mkdir()
        ctx = open_context(data, None, clock=Clock(dt.datetime(2026, 11, 23, 9, 0, 0)))
        from models.users import User
        ctx.user = User.create(username="manager", display_name="王经理", role="manager")
        import_owners(ctx, ledger)
        t0 = time.perf_counter()
        dry = import_balances(ctx, path, dry_run=True)
        dry_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = import_balances(ctx, path)
        total_s = time.perf_counter() - t0
        close_database()
    assert rep.written == n == dry.written and rep.ties, rep.lines()[:8]
    return {"rows": n, "homes": homes, "dry_s": dry_s, "import_s": total_s, "rows_per_s": n / total_s,
            "arrears_fen": rep.arrears_fen, "prepaid_fen": rep.prepaid_fen}


if __name__ == "__main__":
    for r_n in [int(a) for a in sys.argv[1:]] or [5000, 50000]:
        r = run(r_n)
        print(f"{r['rows']:>6} rows ({r['homes']} homes): dry run {r['dry_s']:.1f} s, import {r['import_s']:.1f} s "
              f"({r['rows_per_s']:.0f} rows/s), opened {r['arrears_fen'] / 100:,.2f} 元 arrears, "
              f"{r['prepaid_fen'] / 100:,.2f} 元 prepaid")
