"""Two cashiers taking payments for the same home and item at the same moment, each a real process on
the same database (SQLite, or PostgreSQL with PROPERTYDESK_TEST_DATABASE): the per-home, per-item
balance kept by the triggers stays exact (on PostgreSQL the trigger locks the balance row before it
recomputes it, so neither desk's recount misses the other's payment)."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.ledger import balances
from app.ledger.billing import post_charge
from models.balances import ChargeBalance
from models.db import close_database, open_database
from models.ledger import Charge, Receipt
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DESK = textwrap.dedent("""
    import json, sys
    from app.ledger import payments
    from app.system.context import open_context
    from app.system.dbguard import run_write
    from models.users import User
    ctx = open_context(sys.argv[1], sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    print("READY", flush=True)
    sys.stdin.readline()                      # both desks start when the test says so
    out = {"paid": [], "errors": []}
    for hid, cids in json.loads(sys.argv[3]):
        try:
            run_write(ctx, payments.pay, ctx, hid, cids, "cash", "业主")
            out["paid"] += cids
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
""")


def _desks(ctx, plans) -> list[dict]:
    url = "" if ctx.url.startswith("sqlite") else ctx.url
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    procs = [subprocess.Popen([sys.executable, "-c", DESK, str(ctx.data_dir), url, json.dumps(plan)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              encoding="utf-8", env=env) for plan in plans]
    for p in procs:                           # wait until both are connected, then let them go together
        line = p.stdout.readline()
        assert line.strip() == "READY", line + p.stderr.read()
    for p in procs:
        p.stdin.write("GO\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        lines = [x for x in out.splitlines() if x.startswith("RESULT ")]
        assert p.returncode == 0 and lines, out + err
        results.append(json.loads(lines[-1][len("RESULT "):]))
    return results


def test_two_desks_paying_the_same_home_keep_the_balance_exact(ctx, users):
    c = Cluster.create(code="A", name="东区")
    b = Building.create(cluster=c, code="1", name="1号楼")
    e = Entrance.create(building=b, code="1")
    homes = []
    for room in ("101", "102"):
        h = Home.create(entrance=e, building=b, cluster=c, room_code=f"1-{room}", area_x100=9000, house_type="高层",
                        state="已入住")
        HomeOwner.create(home=h, owner=Owner.create(name=f"业主{room}", phone="13600002222"))
        homes.append(h.id)
    ids = {h: [] for h in homes}
    for h in homes:
        for month in range(1, 13):
            for item in ("property_fee", "water"):
                ids[h].append(post_charge(ctx, h, item, 1000 + month, period=f"2026-{month:02d}",
                                          due_date=dt.date(2026, month, 28)).id)
    keep = ids[homes[1]][-3:]                 # left open: the balance must still count them
    plan = [(h, cid) for h in homes for cid in ids[h] if cid not in keep]
    # the two desks cross over the same homes, items and months: per month m one pays (fee m, water m+1),
    # the other (water m, fee m+1) on one receipt each, so their rows are taken in opposite orders
    first, second = [], []
    for h in homes:
        mine = [cid for cid in ids[h] if cid not in keep]
        for i in range(0, len(mine) - 3, 4):
            fee, water, fee2, water2 = mine[i:i + 4]
            first.append((h, [fee, water2]))
            second.append((h, [water, fee2]))
        rest = mine[len(mine) - len(mine) % 4:] if len(mine) % 4 else []
        first += [(h, [cid]) for cid in rest]
    close_database()
    results = _desks(ctx, [first, second])
    ctx.db = open_database(ctx.url)
    assert [r["errors"] for r in results] == [[], []]
    assert sorted(results[0]["paid"] + results[1]["paid"]) == sorted(cid for _h, cid in plan)
    assert Receipt.select().count() == len(first) + len(second)
    assert balances.mismatches() == []
    left = {(r.home_id, r.item_code): (r.owed_fen, r.open_count) for r in ChargeBalance.select()}
    want = {}
    for ch in Charge.select().where(Charge.id.in_(keep)):
        o, n = want.get((ch.home_id, ch.item_code), (0, 0))
        want[(ch.home_id, ch.item_code)] = (o + ch.amount_fen, n + 1)
    assert left == want and len(want) == 2
    assert balances.owing_homes(dt.date(2027, 1, 1)) == {homes[1]}


def test_crossing_updates_of_one_home_wait_instead_of_deadlocking(ctx, users):
    """PostgreSQL: desk A pays fee (Jan) then water (Feb), desk B pays water (Jan) in between. The
    trigger locks the home's row first, so B waits for A at its first charge instead of holding the
    water row while A waits for it (a deadlock PostgreSQL would end by failing one payment)."""
    import threading

    from models.db import is_sqlite
    if is_sqlite():
        pytest.skip("SQLite: one writer at a time already")
    import psycopg2
    c = Cluster.create(code="A", name="东区")
    b = Building.create(cluster=c, code="1", name="1号楼")
    e = Entrance.create(building=b, code="1")
    h = Home.create(entrance=e, building=b, cluster=c, room_code="1-101", area_x100=9000, house_type="高层",
                    state="已入住").id
    ids = {(item, m): post_charge(ctx, h, item, 1000 + m, period=f"2026-{m:02d}", due_date=dt.date(2026, m, 28)).id
           for m in (1, 2) for item in ("property_fee", "water")}
    desk_a, desk_b = psycopg2.connect(ctx.url), psycopg2.connect(ctx.url)
    paid = "UPDATE charge SET paid_fen = amount_fen WHERE id = %s"
    errors = []

    def b_pays():
        try:
            with desk_b.cursor() as cur:
                cur.execute(paid, (ids[("water", 1)],))
            desk_b.commit()
        except Exception as exc:              # a deadlock would land here
            errors.append(exc)
            desk_b.rollback()
    try:
        with desk_a.cursor() as cur:
            cur.execute(paid, (ids[("property_fee", 1)],))
            t = threading.Thread(target=b_pays)
            t.start()
            t.join(1.5)                           # B is waiting (for the home) …
            assert t.is_alive()
            cur.execute(paid, (ids[("water", 2)],))   # … and A goes on to the water row
        desk_a.commit()
        t.join(20)
    finally:
        desk_a.close()
        desk_b.close()
    assert errors == []
    assert balances.mismatches() == []
    assert {(r.item_code, r.open_count) for r in ChargeBalance.select()} == {("property_fee", 1)}
