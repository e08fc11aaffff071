"""Two managers approving the same reductions at the same moment, each a real process on the same
database (SQLite, or PostgreSQL with PROPERTYDESK_TEST_DATABASE): every reduction is applied once,
the other desk is told in Chinese that it was already approved, and no charge goes below zero."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.ledger import reductions
from models.db import close_database, open_database
from models.ledger import Charge, Payment
from models.reductions import Reduction
from models.users import AuditLog
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DESK = textwrap.dedent("""
    import json, sys
    from app.core.errors import StateError
    from app.ledger import reductions
    from app.system.context import open_context
    from app.system.dbguard import run_write
    from models.users import User
    ctx = open_context(sys.argv[1], sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    print("READY", flush=True)
    sys.stdin.readline()                      # both desks start when the test says so
    out = {"approved": [], "refused": [], "errors": []}
    for rid in json.loads(sys.argv[3]):
        try:
            run_write(ctx, reductions.approve, ctx, rid, "两台同时审批")
            out["approved"].append(rid)
        except StateError as exc:
            out["refused"].append([rid, str(exc)])
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
""")


def _desks(ctx, ids) -> list[dict]:
    url = "" if ctx.url.startswith("sqlite") else ctx.url
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    procs = [subprocess.Popen([sys.executable, "-c", DESK, str(ctx.data_dir), url, json.dumps(ids)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              encoding="utf-8", env=env) for _ in range(2)]
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


def test_two_managers_approve_the_same_reductions(ctx, as_role, owing):  # noqa: F811
    clerk = as_role("cashier")
    charges = [c for code in ("3-101", "7-102") for c in owing[code].charges.order_by(Charge.id)]
    ids = [reductions.propose(clerk, c.id, "percent", "50", f"减半 {i}").id for i, c in enumerate(charges)]
    assert len(ids) == 4
    close_database()
    first, second = _desks(ctx, ids)
    ctx.db = open_database(ctx.url)
    assert first["errors"] == [] and second["errors"] == []
    for rid in ids:
        winners = [r for r in (first, second) if rid in r["approved"]]
        losers = [m for r in (first, second) for x, m in r["refused"] if x == rid]
        assert len(winners) == 1 and len(losers) == 1, (rid, first, second)
        assert "已批准" in losers[0] and "不能重复审批" in losers[0]
        red = Reduction.get_by_id(rid)
        assert red.state == "已批准" and red.applied_fen == 8900
    for c in charges:
        lines = list(Payment.select().where((Payment.charge == c.id) & (Payment.kind == "reduction")))
        assert [x.amount_fen for x in lines] == [8900]
        assert Charge.get_by_id(c.id).paid_fen == 8900
    assert AuditLog.select().where(AuditLog.action == "ledger.reduce_approve").count() == len(ids)
