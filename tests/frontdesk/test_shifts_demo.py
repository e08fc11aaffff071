"""The demo's shift log on the tianlun site: every shift of the last two weeks handed over between
different clerks, numbered without gaps, the miscounted drawers put right by corrections."""
import random

import pytest

from app.demo import frontdesk as demo_frontdesk
from app.demo import sites as demo
from app.frontdesk import prints, shifts
from models.frontdesk import ShiftLog
from models.users import AuditLog
from tests.helpers.pdf import pdf_text

pytestmark = pytest.mark.slow


def test_demo_hands_every_shift_over(ctx):
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    demo_frontdesk.populate(ctx, random.Random(1))
    entries = list(ShiftLog.select().order_by(ShiftLog.id))
    handovers = [e for e in entries if e.kind == "交接"]
    assert len(handovers) >= 14 * 3
    assert len({e.slot for e in handovers}) == len(handovers)
    assert all(e.handed_by_id != e.taken_by_id and e.taken_name for e in handovers)
    assert {e.shift for e in handovers} == {"早班", "中班", "晚班"}
    numbers = sorted(int(e.number.split("-")[1]) for e in entries)
    assert numbers == list(range(1, len(entries) + 1))
    fixes = [e for e in entries if e.kind == "更正"]
    assert fixes and all(e.corrects_id and e.cash_fen is not None for e in fixes)
    assert AuditLog.select().where(AuditLog.action == "shiftlog.hand_over").count() == len(handovers)
    today = ctx.clock.today()
    rows = shifts.day_entries(ctx, today)
    assert rows and all(r["shift_date"] == f"{today:%Y-%m-%d}" for r in rows)
    assert "交接班记录" in pdf_text(prints.shift_day_pdf(ctx, today))
