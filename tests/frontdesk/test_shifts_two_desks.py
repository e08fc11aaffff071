"""Two desks handing the same shifts over at the same time, each a real process (SQLite, or
PostgreSQL with PROPERTYDESK_TEST_DATABASE): every shift is handed over once, the other desk is
told in Chinese that it is handed over already, and the entry numbers stay unique and unbroken."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models.db import close_database, open_database
from models.frontdesk import ShiftLog
from models.users import AuditLog

ROOT = Path(__file__).resolve().parents[2]
DAYS = 8
DESK = textwrap.dedent("""
    import datetime as dt, json, sys
    from app.core.clock import Clock
    from app.core.errors import StateError
    from app.frontdesk import shifts
    from app.system.context import open_context
    from models.users import User
    data_dir, url, desk = sys.argv[1], sys.argv[2] or None, sys.argv[3]
    ctx = open_context(data_dir, url, clock=Clock(dt.datetime(2026, 11, 23, 23, 59)))
    ctx.user = User.get(User.username == "manager")
    taker = User.get(User.username == "frontdesk")
    made, refused = [], []
    for back in range(%d):
        day = dt.date(2026, 11, 23) - dt.timedelta(days=back)
        for name in ("早班", "中班", "晚班"):
            data = {"shift": name, "shift_date": day, "events": f"{desk} 的记事", "cash": "10"}
            try:
                made.append(shifts.record_hand_over(ctx, shifts.shift_fields(ctx, data), taker).number)
            except StateError as exc:
                refused.append(str(exc))
    print(json.dumps({"made": made, "refused": refused}, ensure_ascii=False))
""" % DAYS)


@pytest.mark.slow
def test_two_desks_hand_each_shift_over_once(ctx, users):
    url = "" if ctx.url.startswith("sqlite") else ctx.url
    close_database()
    procs = [subprocess.Popen([sys.executable, "-c", DESK, str(ctx.data_dir), url, desk], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for desk in ("A", "B")]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    ctx.db = open_database(ctx.url)
    slots = DAYS * 3
    numbers = [n for r in results for n in r["made"]]
    assert sorted(numbers) == [f"JB2026-{i:06d}" for i in range(1, slots + 1)]
    refusals = [m for r in results for m in r["refused"]]
    assert len(refusals) == slots and all("已交接" in m for m in refusals)
    assert ShiftLog.select().count() == slots
    assert len({e.slot for e in ShiftLog.select()}) == slots
    assert AuditLog.select().where(AuditLog.action == "shiftlog.hand_over").count() == slots
