"""Two desks drafting and approving notices at the same time, each a real process (SQLite, or
PostgreSQL with PROPERTYDESK_TEST_DATABASE): the numbers of the year stay unbroken and unique (the
counter row, never max + 1), and a notice two managers approve at once is approved once — the
other desk is told in Chinese that it is approved already."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models.db import close_database, open_database
from models.notices import Notice
from models.users import AuditLog
from tests.helpers.notices import draft, make_buildings

ROOT = Path(__file__).resolve().parents[2]
DRAFTS = 15
DESK = textwrap.dedent("""
    import datetime as dt, json, sys
    from app.core.clock import Clock
    from app.core.errors import StateError
    from app.notices import notices
    from app.system.context import open_context
    from models.notices import Notice
    from models.users import User
    data_dir, url, ids = sys.argv[1], sys.argv[2] or None, json.loads(sys.argv[3])
    ctx = open_context(data_dir, url, clock=Clock(dt.datetime(2026, 11, 23, 9, 0)))
    ctx.user = User.get(User.username == "manager")
    made, approved, refused = [], 0, []
    for i in range(%d):
        n = notices.create_notice(ctx, {"grade": "通告", "title": f"通知{i}", "body": "内容",
                                        "post_from": "2026-11-23", "post_to": "2026-11-30"})
        made.append(n.number)
        try:
            notices.approve(ctx, ids[i %% len(ids)])
            approved += 1
        except StateError as exc:
            refused.append(str(exc))
    print(json.dumps({"made": made, "approved": approved, "refused": refused}, ensure_ascii=False))
""" % DRAFTS)


@pytest.mark.slow
def test_two_desks_number_and_approve_without_duplicates(ctx):
    make_buildings()
    ids = [draft(ctx, title=f"待审批{i}").id for i in range(5)]
    url = "" if ctx.url.startswith("sqlite") else ctx.url
    close_database()
    procs = [subprocess.Popen([sys.executable, "-c", DESK, str(ctx.data_dir), url, json.dumps(ids)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    ctx.db = open_database(ctx.url)
    numbers = [n for r in results for n in r["made"]]
    assert len(set(numbers)) == len(numbers) == 2 * DRAFTS
    assert sorted(numbers) == [f"GG2026-{i:04d}" for i in range(6, 6 + 2 * DRAFTS)]      # unbroken after 0001–0005
    assert sum(r["approved"] for r in results) == len(ids)                               # each approved once
    refusals = [m for r in results for m in r["refused"]]
    assert len(refusals) == 2 * DRAFTS - len(ids) and all("已审批，不能审批" in m for m in refusals)
    assert Notice.select().where(Notice.state == "已审批").count() == len(ids)
    assert AuditLog.select().where(AuditLog.action == "notice.approve").count() == len(ids)
