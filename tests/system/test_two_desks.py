"""Several desks on one database, each a real process (SQLite, or PostgreSQL with
PROPERTYDESK_TEST_DATABASE): payments, voids and waives on the same homes at the same time reach
no user as an error (a lost race is the Chinese StateError), give no duplicate receipt or audit
number, and leave `check` clean; two managers voiding the same receipt: exactly one succeeds.
The desk processes are benchmarks/bench_two_desks.py (its figures: that script, full size)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_two_desks as desks  # noqa: E402

from app.core import sequences  # noqa: E402
from app.ledger import payments  # noqa: E402
from models.db import close_database  # noqa: E402
from models.ledger import Charge, Payment, Receipt  # noqa: E402
from models.system import Sequence  # noqa: E402
from models.users import AuditLog  # noqa: E402


def _url(ctx) -> str:
    return "" if ctx.url.startswith("sqlite") else ctx.url


def _reopen(ctx):
    """The test's own connection again after the desks (their writes are committed)."""
    from models.db import open_database
    ctx.db = open_database(ctx.url)
    return ctx


def _run_two_desks(ctx, n: int) -> tuple[list[dict], dict]:
    homes = desks.build_site(ctx, charges_per_home=n * 2 // desks.HOMES + 20)
    close_database()
    results = desks.run_desks([["worker", _url(ctx), str(ctx.data_dir), json.dumps(homes), str(n), str(seed)]
                               for seed in (1, 2)])
    return results, desks.ledger_findings(_reopen(ctx))


def _assert_clean(results, findings, n):
    for r in results:
        assert r["errors"] == [], r["errors"]
        assert r["done"]["pay"] >= n * 0.8 and r["done"]["void"] > 0 and r["done"]["waive"] > 0, r
        for message in r["lost"]:   # a lost race is told in Chinese, naming what happened
            assert "已付清" in message or "已作废" in message or "免收" in message or "更改" in message, message
    assert findings == {**findings, "duplicate_receipt_numbers": 0, "duplicate_audit_seq": 0, "audit_seq_gaps": [],
                        "receipt_numbers_unbroken": True, "chain_problems": [], "charges_out_of_range": 0,
                        "charges_not_matching_lines": [], "check_failures": []}
    receipts = Receipt.select().count()
    assert receipts == sum(r["done"]["pay"] for r in results)
    assert findings["audit_rows"] == AuditLog.select().count() > receipts


@pytest.mark.slow
def test_two_desks_pay_void_and_waive_together(ctx):
    n = 60
    results, findings = _run_two_desks(ctx, n)
    _assert_clean(results, findings, n)


@pytest.mark.slow
def test_two_desks_full_size(ctx):
    """The issue's figure: two desks × 500 payments (half a minute on SQLite, about one on PostgreSQL)."""
    n = int(os.environ.get("PROPERTYDESK_DESK_WRITES", "500"))
    results, findings = _run_two_desks(ctx, n)
    _assert_clean(results, findings, n)


@pytest.mark.slow
def test_two_managers_void_the_same_receipt(ctx):
    homes = desks.build_site(ctx, charges_per_home=12)
    charges = list(Charge.select().where(Charge.home == homes[0]).order_by(Charge.id))
    receipts = [payments.pay(ctx, homes[0], [c.id], "cash", "业主").id for c in charges]
    close_database()
    first, second = desks.run_desks([["void-race", _url(ctx), str(ctx.data_dir), json.dumps(receipts)]] * 2)
    _reopen(ctx)
    assert first["errors"] == [] and second["errors"] == []
    for rid in receipts:
        winners = [r for r in (first, second) if rid in r["voided"]]
        losers = [m for r in (first, second) for x, m in r["refused"] if x == rid]
        assert len(winners) == 1 and len(losers) == 1, (rid, first, second)
        number = Receipt.get_by_id(rid).number
        assert losers == [f"收据 {number} 已作废"]
    assert all(c.paid_fen == 0 for c in Charge.select().where(Charge.home == homes[0]))
    assert Receipt.select().where(Receipt.status == "void").count() == len(receipts)


@pytest.mark.slow
def test_two_managers_waive_the_same_charge(ctx):
    homes = desks.build_site(ctx, charges_per_home=12)
    charges = [c.id for c in Charge.select().where(Charge.home == homes[0]).order_by(Charge.id)]
    close_database()
    first, second = desks.run_desks([["waive-race", _url(ctx), str(ctx.data_dir), json.dumps(charges)]] * 2)
    _reopen(ctx)
    assert first["errors"] == [] and second["errors"] == []
    for cid in charges:
        assert sum(cid in r["voided"] for r in (first, second)) == 1, (cid, first, second)
        for r in (first, second):   # the other desk: told in Chinese, or it found nothing owed any more
            assert cid in r["voided"] or cid in r["nothing"] or any(
                x == cid and "已被其他操作付清或免收" in m for x, m in r["refused"]), (cid, r)
        c = Charge.get_by_id(cid)
        assert c.paid_fen == c.amount_fen
    assert Payment.select().where(Payment.kind == "waive").count() == len(charges)


def test_void_twice_and_waive_twice_refused_in_chinese(ctx):
    from app.core.errors import StateError
    homes = desks.build_site(ctx, charges_per_home=2)
    a, b = Charge.select().where(Charge.home == homes[0]).order_by(Charge.id)
    r = payments.pay(ctx, homes[0], [a.id], "cash", "业主")
    payments.void_receipt(ctx, r.id, "收错")
    with pytest.raises(StateError, match="已作废"):
        payments.void_receipt(ctx, r.id, "收错")
    assert Charge.get_by_id(a.id).paid_fen == 0
    assert payments.waive(ctx, b.id, "减免") is not None
    assert payments.waive(ctx, b.id, "减免") is None          # nothing owed any more: nothing written
    assert Charge.get_by_id(b.id).paid_fen == Charge.get_by_id(b.id).amount_fen


def test_numbers_come_from_the_counter_row(ctx):
    """Receipt numbers and the audit seq are taken from counter rows, not from max + 1: a counter
    moved on gives the next number after it, and a rolled-back transaction gives its number back."""
    homes = desks.build_site(ctx, charges_per_home=3)
    ids = [c.id for c in Charge.select().where(Charge.home == homes[0]).order_by(Charge.id)]
    r1 = payments.pay(ctx, homes[0], [ids[0]], "cash", "业主")
    year = r1.year
    Sequence.update(last=Sequence.last + 10).where((Sequence.name == "receipt") & (Sequence.year == year)).execute()
    r2 = payments.pay(ctx, homes[0], [ids[1]], "cash", "业主")
    assert r2.seq == r1.seq + 11
    before = sequences.next_number("probe", year)
    with pytest.raises(RuntimeError), ctx.db.atomic():
        sequences.next_number("probe", year)
        raise RuntimeError("rolled back")
    assert sequences.next_number("probe", year) == before + 1
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    counter = Sequence.get((Sequence.name == "audit_log") & (Sequence.year == 0))
    assert counter.last == last.seq


def test_audit_counter_starts_after_an_existing_log(ctx):
    """A database whose log was written before the counter existed: the counter starts after it."""
    from app.core import audit
    audit.record(ctx, "test.one", "x", 1)
    audit.record(ctx, "test.two", "x", 2)
    Sequence.delete().where(Sequence.name == "audit_log").execute()
    row = audit.record(ctx, "test.three", "x", 3)
    assert row.seq == 3 and audit.verify_chain(ctx) == []


def test_sqlite_transactions_begin_immediate(ctx, tmp_path):
    """SQLite: a transaction takes the write lock when it begins, so a second desk's transaction
    waits (busy_timeout) instead of failing when its first read turns into a write."""
    if not ctx.url.startswith("sqlite"):
        pytest.skip("SQLite only")
    import sqlite3
    other = sqlite3.connect(ctx.db.database, isolation_level=None, timeout=0)
    with ctx.db.atomic():
        AuditLog.select().count()            # a read only: the lock is held all the same
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
"""


def _hold(ctx, seconds: float):
    import subprocess
    p = subprocess.Popen([sys.executable, "-c", HOLDER, ctx.db.database, str(seconds)], stdout=subprocess.PIPE,
                         text=True)
    assert p.stdout.readline().strip() == "LOCKED"
    return p


@pytest.mark.slow
def test_command_line_retries_a_locked_database(ctx):
    """The command line waits for another desk's write and retries, as the GUI does; only when the
    retries ran out does it say 已重试 (a locked error it did not retry never claims it)."""
    if not ctx.url.startswith("sqlite"):
        pytest.skip("SQLite only")
    from argparse import Namespace

    from peewee import OperationalError

    from app.core.errors import UserError
    from app.system import accounts
    from app.system.dbguard import friendly_db_error
    from propertydesk.cli import run_command
    calls = []

    def handler(args, c):
        calls.append(1)
        accounts.create_user(c, args.username, "赵出纳", "cashier", "pass-5678")
        print(f"已添加账号 {args.username}")
        return 0

    ctx.db.execute_sql("PRAGMA busy_timeout = 200")
    p = _hold(ctx, 1.5)
    try:
        assert run_command(handler, Namespace(command="user-add", username="zhao"), ctx) == 0
    finally:
        p.wait()
    assert len(calls) >= 2                              # refused while held, saved once free
    p = _hold(ctx, 60)
    try:
        with pytest.raises(UserError, match="已重试仍无法写入"):
            run_command(handler, Namespace(command="user-add", username="qian"), ctx)
    finally:
        p.kill()
        p.wait()
    ctx.db.execute_sql("PRAGMA busy_timeout = 5000")
    assert len(calls) == 2 + 3 or len(calls) == 3 + 3
    message = friendly_db_error(OperationalError("database is locked"), url=ctx.url)
    assert "占用" in message and "已重试" not in message
