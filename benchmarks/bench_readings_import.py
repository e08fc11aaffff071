"""Benchmark (issue 20): import 10,000 meter readings (月度计费 › 导入抄表, ``propertydesk import readings``).

    .venv/bin/python benchmarks/bench_readings_import.py [--homes 5000] [--years 1] [--repeat 3]
                                                          [--before COMMIT]

Works on a copy of the cached history site of benchmarks/gen_history.py (5,000 homes, 1 year by
default). The file is bench_scale.readings_file's: 10,000 rows, water and power of 5,000 homes, dated
the 1st of the next month. Printed, each the median of ``--repeat`` (the imported rows deleted
between runs):

* the import through ``meters.import_readings`` (target ≤ 2 s), and its parts: reading the sheet
  (python-calamine under the import limits) beside openpyxl's reader (``app.core.imports.read_table``,
  what the import used before);
* the floors: the same rows (homes, kinds, date) inserted with one executemany and committed — the
  index pages a commit must write grow with the history, so this is the floor to compare with — and
  bench_scale.readings_floor's (rolled back, no commit);
* with ``--before COMMIT``: the import as ``app/ledger/meters.py`` was at that commit (loaded from git),
  on the same site and file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_scale  # noqa: E402
import gen_history  # noqa: E402

TARGET = 2.0
DAY = dt.date(2026, 12, 1)


def _old_module(commit: str, folder: Path):
    """app/ledger/meters.py as it was at *commit*, loaded as a module of its own."""
    text = subprocess.run(["git", "show", f"{commit}:app/ledger/meters.py"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    path = folder / "meters_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("meters_before", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _timed_import(ctx, fn, path: Path, n: int, repeat: int) -> float:
    from models.ledger import MeterReading
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        got = fn(ctx, path)
        times.append(time.perf_counter() - t0)
        assert got == n, (got, n)
        with ctx.db.atomic():
            MeterReading.delete().where(MeterReading.reading_date == DAY).execute()
    return statistics.median(times)


def _committed_floor(ctx, n: int) -> float:
    """The file's rows (water and power of the first n/2 homes, DAY) with one executemany, committed."""
    from models.ledger import MeterReading
    from models.property import Home
    db = ctx.db
    p = db.param
    hids = [h for (h,) in Home.select(Home.id).order_by(Home.id).limit(n // 2).tuples()]
    rows = [(h, kind, DAY.isoformat(), 9_000_000 + i) for i, h in enumerate(hids) for kind in ("water", "power")]
    t0 = time.perf_counter()
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO meter_reading (home_id, kind, reading_date, reading_x100, new_meter, note, created_at)"
            f" VALUES ({p}, {p}, {p}, {p}, {p}, '', '2026-12-02 09:00:00')", [(*r, False) for r in rows])
    took = time.perf_counter() - t0
    with db.atomic():
        MeterReading.delete().where(MeterReading.reading_date == DAY).execute()
    return took


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--homes", type=int, default=5000)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", help="also time app/ledger/meters.py of this commit")
    args = ap.parse_args(argv)
    src, _summary = gen_history.ensure_site(args.homes, args.years)
    with tempfile.TemporaryDirectory(prefix="bench-readings-") as tmp:
        out = Path(tmp)
        data = gen_history.copy_site(src, out / "site")
        ctx = bench_scale.open_site(data, dt.datetime(2026, 12, 2, 9))
        from app.core.imports import read_table
        from app.ledger import meters
        path = out / "readings.xlsx"
        n = bench_scale.readings_file(ctx, path, DAY)
        rows = []
        t = _timed_import(ctx, meters.import_readings, path, n, args.repeat)
        rows.append((f"import {n:,} readings (now)", t, f"target {TARGET:.1f} s", "ok" if t <= TARGET else "SLOW"))
        if args.before:
            old = _old_module(args.before, out)
            t_old = _timed_import(ctx, old.import_readings, path, n, args.repeat)
            rows.append((f"import {n:,} readings (at {args.before[:10]})", t_old, f"{t_old / t:.1f}× now", ""))
        t_read = bench_scale.timed(meters._read_sheet, path, repeat=args.repeat)
        rows.append(("  reading the sheet (python-calamine)", t_read, "", ""))
        t_opx = bench_scale.timed(read_table, path, max_rows=meters.IMPORT_MAX_ROWS, max_cols=meters.IMPORT_MAX_COLS,
                                  repeat=args.repeat)
        rows.append(("  the same sheet through openpyxl (read_table)", t_opx, "", ""))
        floor = statistics.median(_committed_floor(ctx, n) for _ in range(args.repeat))
        rows.append((f"floor: the {n:,} rows, one executemany, committed", floor, f"import = {t / floor:.1f}× floor",
                     ""))
        bare = statistics.median(bench_scale.readings_floor(ctx, n) for _ in range(args.repeat))
        rows.append((f"floor: {n:,} rows, one executemany, rolled back", bare, f"import = {t / bare:.0f}× this", ""))
        ctx.db.close()
    print(f"site: {args.homes:,} homes × {args.years} year(s), file {n:,} rows, median of {args.repeat}")
    for label, secs, note, verdict in rows:
        print(f"{label:<52} {secs:8.3f} s   {note:<24} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
