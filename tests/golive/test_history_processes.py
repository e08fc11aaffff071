"""The payment-history import killed with SIGKILL mid-transaction (a real process) leaves nothing:
no history row, no settled month, no audit row."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from models.ledger import Charge
from models.payhistory import PaymentHistory
from models.users import AuditLog
from tests.golive.test_history_import import ROWS, book
from tests.helpers.ledger import make_site

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.system.context import open_context
    from app.golive import history_import
    from models.users import User
    ctx = open_context(Path(sys.argv[1]), sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    real = history_import._settle_lines
    def stall(*a, **k):
        lines = real(*a, **k)                   # the history rows written, not committed
        Path(sys.argv[4]).write_text("writing")
        time.sleep(120)
        return lines
    history_import._settle_lines = stall
    history_import.import_history(ctx, sys.argv[3])
""")


def test_history_import_killed_mid_transaction_leaves_nothing(ctx, users, data_dir, tmp_path):
    make_site(ctx, users)
    path = book(tmp_path / "缴费历史.xlsx", ROWS[:3])
    marker = tmp_path / "marker"
    url = os.environ.get("PROPERTYDESK_TEST_DATABASE", "")
    before = AuditLog.select().count()
    ctx.db.close()
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), url, str(path), str(marker)], cwd=ROOT,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert p.poll() is None, "the import ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == -signal.SIGKILL
    ctx.db.connect(reuse_if_open=True)
    assert PaymentHistory.select().count() == 0 and not Charge.select().exists()
    assert AuditLog.select().count() == before
