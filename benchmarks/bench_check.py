"""``check`` on a big audit table (issues 15 and 20): verifying the keyed chain against a raw scan.

Builds an SQLite site whose audit log holds ``--rows`` rows (default 951,180: the 5,000 homes × 5
years site of issue 20), each a changed-fields edit of a home (about 200 bytes), sealed with the site
key as audit.record seals them, then measures, each in a fresh process:

- the floor: a raw scan reading every column of every audit row (``SELECT … FROM audit_log``);
- the chain: ``app.core.audit.verify_chain`` (a raw cursor, an HMAC per row, nothing kept per row);
- the whole ``check`` (app.office.checks.run_checks: file integrity, the chain, checkpoints, ledger).

    .venv/bin/python benchmarks/bench_check.py [--rows 951180] [--keep DIR]

Targets: the chain ≤ 2× the raw scan; peak memory of the chain in bounded memory (≤ 200 MB, and not
growing with the rows: compare --rows 100000). Before issue 20 the chain built a peewee object per row
and kept the result set (18.5 s against a 2.3 s raw scan, 1.6 GB peak at 951,180 rows).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 2.0
TARGET_PEAK_MB = 200


def build(data_dir: Path, rows: int) -> None:
    """A site whose audit log has *rows* keyed rows, written in bulk in the shape record() writes."""
    from app.core.audit_chain import HEAD_KEY, chain_key, row_mac, set_meta, ts_text
    from app.system.context import open_context
    ctx = open_context(data_dir)
    key = chain_key(ctx)
    start = dt.datetime(2021, 1, 1, 8, 0)
    prev, batch = "", []
    sql = ("INSERT INTO audit_log (ts, user_id, username, action, entity, entity_id, before, after, prev_hash, "
           "hash, seq) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with ctx.db.atomic():
        for seq in range(1, rows + 1):
            ts = ts_text(start + dt.timedelta(minutes=seq * 2))
            room = f"{seq % 300}-{seq % 6 + 1}01"
            before = json.dumps({"id": seq % 5000, "room_code": room, "state": "空置", "notes": ""},
                                ensure_ascii=False, sort_keys=True)
            after = json.dumps({"id": seq % 5000, "room_code": room, "state": "已入住", "notes": f"第{seq}次"},
                               ensure_ascii=False, sort_keys=True)
            h = row_mac(key, seq, ts, "manager", "home.update", "home", str(seq % 5000), before, after, prev)
            batch.append((ts, "manager", "home.update", "home", str(seq % 5000), before, after, prev, h, seq))
            prev = h
            if len(batch) == 10000:
                ctx.db.cursor().executemany(sql, batch)
                batch = []
        if batch:
            ctx.db.cursor().executemany(sql, batch)
        set_meta(HEAD_KEY, f"{rows}:{prev}")
    ctx.db.close()


CHILD = r"""
import resource, sys, time
sys.path.insert(0, {root!r})
from app.system.context import open_context
ctx = open_context({data!r})
what = {what!r}
t = time.perf_counter()
if what == "raw":
    n = 0
    cols = "seq, ts, username, action, entity, entity_id, before, after, prev_hash, hash"
    for _row in ctx.db.execute_sql(f"SELECT {{cols}} FROM audit_log ORDER BY seq"):
        n += 1
    result = n
elif what == "open":
    result = 0
elif what == "chain":
    from app.core.audit import verify_chain
    result = len(verify_chain(ctx))
else:
    from app.office.checks import run_checks
    result = sum(1 for c in run_checks(ctx) if not c.ok)
seconds = time.perf_counter() - t
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, result)
"""


def measure(data_dir: Path, what: str) -> tuple[float, float, int]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), data=str(data_dir), what=what)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=951_180)
    ap.add_argument("--keep", help="build into (or reuse) this folder")
    args = ap.parse_args()
    data = Path(args.keep or tempfile.mkdtemp(prefix="bench-check-"))
    if not (data / "propertydesk.db").exists():
        t = time.perf_counter()
        build(data, args.rows)
        print(f"built {args.rows:,} audit rows in {time.perf_counter() - t:.1f} s "
              f"({(data / 'propertydesk.db').stat().st_size / 1e6:.0f} MB file)")
    base = measure(data, "open")   # the open itself (start-up, migrate, seal check): subtracted from each
    raw, chain, full = (measure(data, w) for w in ("raw", "chain", "full"))
    print(f"raw scan          {raw[0]:7.2f} s   peak {raw[1]:6.0f} MB   rows {raw[2]:,}")
    print(f"verify_chain      {chain[0]:7.2f} s   peak {chain[1]:6.0f} MB   problems {chain[2]}")
    print(f"whole check       {full[0]:7.2f} s   peak {full[1]:6.0f} MB   failed checks {full[2]}")
    print(f"process baseline              peak {base[1]:6.0f} MB")
    ratio = chain[0] / raw[0]
    ok = ratio <= TARGET_RATIO and chain[1] <= TARGET_PEAK_MB and chain[2] == 0
    print(f"chain / raw scan = {ratio:.2f} (target ≤ {TARGET_RATIO}); peak {chain[1]:.0f} MB "
          f"(target ≤ {TARGET_PEAK_MB}): {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
