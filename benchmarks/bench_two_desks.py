"""Several desks on one database: processes taking payments, voiding and waiving on the same homes.

    .venv/bin/python benchmarks/bench_two_desks.py [--desks 2] [--n 500] [--database URL]

builds a site in a temporary folder (SQLite, or the empty PostgreSQL database named by --database,
which it clears), starts the desks as separate processes that begin together, and reports per
desk the writes done, the lost races (the Chinese StateError a desk is meant to get when another
desk got there first) and every other error, then checks the result: no duplicate receipt or
audit number, the chain intact, no charge below zero or above its amount, the full `check` clean.
The same module is the desk process (``worker`` / ``void-race`` / ``waive-race``) for tests/system/test_two_desks.py.
Run it with another tree on PYTHONPATH to measure that tree (the figures before a change).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOMES = 4
CHARGE_FEN = 10_000
ITEM = "rubbish_removal"


# ---------------------------------------------------------------------------------------------
# the site
def build_site(ctx, charges_per_home: int) -> list[int]:
    """Homes with open charges (and a manager signed in on ctx). Returns the home ids."""
    from app.ledger.billing import post_charge
    from models.property import Building, Cluster, Entrance, Home
    with ctx.db.atomic():
        c = Cluster.create(code="A", name="罗马假日", sort_order=1)
        b = Building.create(cluster=c, code="5", name="5号楼", floors=6)
        e = Entrance.create(building=b, code="1")
        homes = [Home.create(entrance=e, building=b, cluster=c, room_code=f"5-{101 + i}", floor=1,
                             area_x100=10000, house_type="洋房", state="已入住") for i in range(HOMES)]
        for h in homes:
            for _ in range(charges_per_home):
                post_charge(ctx, h.id, ITEM, CHARGE_FEN, memo="两台收银测试")
    return [h.id for h in homes]


def open_desk(url: str, data_dir: str):
    from app.system.context import open_context
    from models.users import User
    ctx = open_context(data_dir, url or None)
    ctx.user = User.get(User.username == "manager")
    return ctx


def _ready():
    print("READY", flush=True)
    sys.stdin.readline()   # every desk starts when the runner says so


def _open_charges(home_id, limit=6) -> list[int]:
    from models.ledger import Charge
    return [cid for (cid,) in Charge.select(Charge.id).where((Charge.home == home_id)
                                                            & (Charge.paid_fen < Charge.amount_fen))
            .order_by(Charge.id).limit(limit).tuples()]


def _valid_receipt(home_id, rng) -> int | None:
    from models.ledger import Receipt
    ids = [rid for (rid,) in Receipt.select(Receipt.id).where((Receipt.home == home_id) & (Receipt.status != "void")
                                                             & (Receipt.kind == "receipt"))
           .order_by(Receipt.id.desc()).limit(4).tuples()]
    return rng.choice(ids) if ids else None


def desk_ops(ctx, home_ids, n: int, seed: int) -> dict:
    """n payments, a void after every 5th and a waive after every 7th, on the first open charges
    of random homes (the other desk picks from the same ones): every write through run_write,
    as the GUI and the command line make it."""
    from app.core.errors import StateError
    from app.ledger import payments
    from app.system.dbguard import run_write
    rng = random.Random(seed)
    done = {"pay": 0, "void": 0, "waive": 0}
    lost: dict[str, int] = {}
    errors: list[str] = []

    raised: dict[str, int] = {}   # what the service raised before run_write's retries (locked, deadlock …)

    def counted(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StateError:
            raise
        except Exception as exc:
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"
            raised[key] = raised.get(key, 0) + 1
            raise

    def attempt(kind, fn, *args, **kwargs):
        try:
            run_write(ctx, counted, fn, *args, **kwargs)
            done[kind] += 1
        except StateError as exc:           # the other desk got there first: told in Chinese
            lost[str(exc)] = lost.get(str(exc), 0) + 1
        except Exception as exc:            # anything else would reach the user
            errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])

    for i in range(1, n + 1):
        home = rng.choice(home_ids)
        open_ids = _open_charges(home)
        if open_ids:
            cid = rng.choice(open_ids)
            part = {cid: CHARGE_FEN // 2} if rng.random() < 0.2 else None
            attempt("pay", payments.pay, ctx, home, [cid], "cash", "业主", amounts=part)
        if i % 5 == 0 and (rid := _valid_receipt(home, rng)) is not None:
            attempt("void", payments.void_receipt, ctx, rid, "收错")
        if i % 7 == 0 and (open_ids := _open_charges(home, 3)):
            attempt("waive", payments.waive, ctx, rng.choice(open_ids), "减免")
    return {"done": done, "lost": lost, "errors": errors, "raised": raised}


def void_race(ctx, ids, mode: str = "void-race") -> dict:
    """Void each receipt (waive each charge), at the same moment as the other desk. "voided" lists
    what this desk wrote; a waive that found nothing owed any more writes nothing ("nothing")."""
    from app.core.errors import StateError
    from app.ledger import payments
    from app.system.dbguard import run_write
    out = {"voided": [], "refused": [], "errors": [], "nothing": []}
    for rid in ids:
        try:
            if mode == "void-race":
                run_write(ctx, payments.void_receipt, ctx, rid, "两台同时作废")
            elif run_write(ctx, payments.waive, ctx, rid, "两台同时免收") is None:
                out["nothing"].append(rid)
                continue
            out["voided"].append(rid)
        except StateError as exc:
            out["refused"].append([rid, str(exc)])
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
    return out


def main_worker(argv) -> int:
    mode, url, data_dir = argv[0], argv[1], argv[2]
    ctx = open_desk(url, data_dir)
    if mode == "worker":
        home_ids, n, seed = json.loads(argv[3]), int(argv[4]), int(argv[5])
        _ready()
        t0 = time.perf_counter()
        result = desk_ops(ctx, home_ids, n, seed)
    else:
        receipt_ids = json.loads(argv[3])
        _ready()
        t0 = time.perf_counter()
        result = void_race(ctx, receipt_ids, mode)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# the runner (also used by the test)
def run_desks(args_per_desk: list[list[str]], timeout: float = 1800) -> list[dict]:
    """Start one process per argument list, let them begin together, return their results."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)])))
    procs = [subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *a], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
             for a in args_per_desk]
    for p in procs:
        line = p.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"desk did not start: {line}{p.stderr.read()}")
    for p in procs:
        p.stdin.write("GO\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        lines = [x for x in out.splitlines() if x.startswith("RESULT ")]
        if p.returncode != 0 or not lines:
            raise RuntimeError(f"desk failed ({p.returncode}): {out[-2000:]}{err[-4000:]}")
        results.append(json.loads(lines[-1][len("RESULT "):]))
    return results


def ledger_findings(ctx) -> dict:
    """Duplicates, impossible charges and failed checks after the desks are done."""
    from peewee import fn

    from app.core.audit import verify_chain
    from app.office.checks import run_checks
    from models.ledger import Charge, Payment, Receipt
    from models.users import AuditLog
    dup_receipts = (Receipt.select(Receipt.number).group_by(Receipt.number).having(fn.COUNT(Receipt.id) > 1).count())
    seqs = [s for (s,) in AuditLog.select(AuditLog.seq).order_by(AuditLog.seq).tuples()]
    gaps = [s for i, s in enumerate(seqs) if s != i + 1][:5]
    bad = Charge.select().where((Charge.paid_fen < 0) | (Charge.paid_fen > Charge.amount_fen)).count()
    sums = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.kind.in_(["pay", "void", "prepay", "waive"])).group_by(Payment.charge).tuples())
    mismatched = [c.id for c in Charge.select() if c.paid_fen != int(sums.get(c.id, 0))]
    receipt_seq = [s for (s,) in Receipt.select(Receipt.seq).where(Receipt.kind == "receipt").order_by(Receipt.seq)
                   .tuples()]
    failed = [line for c in run_checks(ctx) if not c.ok for line in c.lines()]
    return {"duplicate_receipt_numbers": dup_receipts, "audit_rows": len(seqs),
            "duplicate_audit_seq": len(seqs) - len(set(seqs)), "audit_seq_gaps": gaps,
            "receipt_numbers_unbroken": receipt_seq == list(range(1, len(receipt_seq) + 1)),
            "chain_problems": verify_chain(ctx)[:5], "charges_out_of_range": bad,
            "charges_not_matching_lines": mismatched[:5], "check_failures": failed[:10]}


def _reset_postgres(url: str) -> None:
    from peewee import PostgresqlDatabase

    from models.db import open_database
    db = open_database(url)
    if not isinstance(db, PostgresqlDatabase):
        raise SystemExit("--database: a PostgreSQL URL")
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")
    db.close()


def main_bench(argv) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--desks", type=int, default=2)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--database", default="", help="an empty PostgreSQL database (cleared); default SQLite")
    a = ap.parse_args(argv)
    from app.system.context import open_context
    from models.db import close_database
    from models.users import User
    data_dir = tempfile.mkdtemp(prefix="pd-two-desks-")
    if a.database:
        _reset_postgres(a.database)
        close_database()
    ctx = open_context(data_dir, a.database or None)
    ctx.user = User.create(username="manager", display_name="王经理", role="manager")
    homes = build_site(ctx, charges_per_home=a.n * a.desks // HOMES + 20)
    close_database()
    t0 = time.perf_counter()
    results = run_desks([["worker", a.database, data_dir, json.dumps(homes), str(a.n), str(seed)]
                         for seed in range(a.desks)])
    wall = time.perf_counter() - t0
    ctx = open_context(data_dir, a.database or None)
    ctx.user = User.get(User.username == "manager")
    findings = ledger_findings(ctx)
    engine = "PostgreSQL" if a.database else "SQLite"
    writes = sum(sum(r["done"].values()) for r in results)
    print(f"{engine}: {a.desks} desks × {a.n} payments, wall {wall:.1f} s, {writes} writes "
          f"({writes / wall:.0f}/s)")
    for i, r in enumerate(results):
        print(f"  desk {i}: done {r['done']} in {r['seconds']} s; lost races {sum(r['lost'].values())} "
              f"{r['lost']}; errors {len(r['errors'])} {r['errors'][:3]}; raised inside (retried or not) "
              f"{sum(r['raised'].values())} {r['raised']}")
    print("  " + json.dumps(findings, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.path.append(str(ROOT))   # after PYTHONPATH: another tree given there is the one measured
    if len(sys.argv) > 1 and sys.argv[1] in ("worker", "void-race", "waive-race"):
        sys.exit(main_worker(sys.argv[1:]))
    sys.exit(main_bench(sys.argv[1:]))
