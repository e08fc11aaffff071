"""Going live: rows per second of ``import vehicles`` (read the 车位车辆登记表, check every row against the file
and the database, write the spaces, their holders, the vehicles and the 待核对 items, in one transaction) on
a site whose owners came in through ``import owners``: one row a home, a space each and a car for every
second home (tests/helpers/golive_vehicles.good_rows), plus every 50th car's phone unreadable (待核对).

    .venv/bin/python benchmarks/bench_golive_vehicles.py [5000 …] [--database postgresql://…]
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
from app.golive.owners_import import import_owners  # noqa: E402
from app.golive.vehicles_import import import_vehicles  # noqa: E402
from app.system.context import open_context  # noqa: E402
from models.db import close_database  # noqa: E402
from tests.helpers.golive import office_ledger  # noqa: E402
from tests.helpers.golive_vehicles import BAD_PHONE, HEADER, good_rows  # noqa: E402

PHONE_COLUMN = HEADER.index("联系电话")


def register_file(path: Path, homes: int) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("车位车辆")
    ws.append(HEADER)
    for n, row in enumerate(good_rows(homes)):
        if n % 100 == 0 and row[PHONE_COLUMN]:
            row[PHONE_COLUMN] = BAD_PHONE
        ws.append(row)
    wb.save(path)
    return homes


def run(rows: int, url: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = office_ledger(Path(tmp) / "ledger.xlsx", homes=rows)
        path = Path(tmp) / "vehicles.xlsx"
        n = register_file(path, rows)
        data = Path(tmp) / "data"
        data.mkdir()
        ctx = open_context(data, url, clock=Clock(dt.datetime(2026, 11, 23, 9, 0, 0)))
        from models.users import User
        ctx.user = User.create(username="manager", display_name="王经理", role="manager")
        import_owners(ctx, ledger)
        t0 = time.perf_counter()
        dry = import_vehicles(ctx, path, dry_run=True)
        dry_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = import_vehicles(ctx, path)
        total_s = time.perf_counter() - t0
        close_database()
    assert rep.written == n == dry.written and not rep.rejected, rep.lines()[:8]
    return {"rows": n, "dry_s": dry_s, "import_s": total_s, "rows_per_s": n / total_s, "spaces": rep.spaces_new,
            "linked": rep.linked, "vehicles": rep.vehicles, "pending": rep.pending}


if __name__ == "__main__":
    args = sys.argv[1:]
    url = None
    if "--database" in args:            # an empty PostgreSQL database: postgresql://…
        i = args.index("--database")
        url = args[i + 1]
        del args[i:i + 2]
    for r_n in [int(a) for a in args] or [5000]:
        r = run(r_n, url)
        print(f"{r['rows']:>6} rows: dry run {r['dry_s']:.1f} s, import {r['import_s']:.1f} s "
              f"({r['rows_per_s']:.0f} rows/s); spaces {r['spaces']} (linked {r['linked']}), "
              f"vehicles {r['vehicles']}, 待核对 {r['pending']}")
