"""The payment-history import killed with SIGKILL mid-transaction (a real process) leaves nothing:
no history row, no settled month, no audit row."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from models.ledger import Charge
from models.payhistory import PaymentHistory
from models.users import AuditLog
from tests.golive.test_history_import import ROWS, book
from tests.helpers.killed import kill_at_marker
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
    before = AuditLog.select().count()
    kill_at_marker(ctx, CHILD, path, marker=marker)
    assert PaymentHistory.select().count() == 0 and not Charge.select().exists()
    assert AuditLog.select().count() == before
