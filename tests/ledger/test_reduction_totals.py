"""Reductions in the household's totals and in the ledger check (issue 17): the ledger header's 已收 is
money only, reductions and waivers show apart as 减免; audit_tie ties every reduction line to the audit
row that approved it, so a reduction line whose audit row is gone is a finding."""
from __future__ import annotations

from app.ledger import checks, payments, reductions
from models.ledger import Charge, Payment
from models.users import AuditLog
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

FEE = 17800   # the seed's property fee of a 100 m² home (1.78 元/㎡)


def _charge(home, period) -> Charge:
    return Charge.get((Charge.home == home.id) & (Charge.period == period) & (Charge.item_code == "property_fee"))


def test_header_counts_reductions_and_waivers_apart_from_money(ctx, owing):  # noqa: F811
    home = owing["3-101"]
    before = payments.home_header(ctx, home.id)
    assert (before["billed_fen"], before["paid_fen"], before["reduced_fen"], before["owed_fen"]) == \
        (2 * FEE, 0, 0, 2 * FEE)
    oct_, nov = _charge(home, "2026-10"), _charge(home, "2026-11")
    reductions.propose(ctx, nov.id, "percent", "50", "低保户，减半", approve=True)     # 8900 reduced
    payments.pay(ctx, home.id, [nov.id], "现金", "业主3-101")                           # 8900 in money
    payments.waive(ctx, oct_.id, "开发商承担")                                          # 17800 waived
    h = payments.home_header(ctx, home.id)
    assert h["billed_fen"] == 2 * FEE
    assert h["paid_fen"] == 8900                        # money only
    assert h["reduced_fen"] == 8900 + FEE               # the reduction and the waiver
    assert h["owed_fen"] == 0
    assert h["paid_fen"] + h["reduced_fen"] + h["owed_fen"] == h["billed_fen"]
    paid_up = payments.home_totals(owing["3-102"].id)   # paid in full in money: nothing reduced
    assert (paid_up["paid_fen"], paid_up["reduced_fen"], paid_up["owed_fen"]) == (2 * FEE, 0, 0)


def test_audit_tie_accepts_audited_reductions(ctx, owing):  # noqa: F811
    c = _charge(owing["3-101"], "2026-11")
    reductions.propose(ctx, c.id, "months", "1", "维修期间停收", approve=True)
    assert Payment.select().where(Payment.kind == "reduction").count() == 1
    assert checks.audit_tie(ctx) == []


def test_reduction_line_without_its_audit_row_is_a_finding(ctx, owing):  # noqa: F811
    c = _charge(owing["7-102"], "2026-10")
    red = reductions.propose(ctx, c.id, "fixed", "50.00", "楼道施工补偿", approve=True)
    AuditLog.delete().where((AuditLog.action == "ledger.reduce_approve")
                            & (AuditLog.entity_id == str(red.id))).execute()
    problems = "\n".join(checks.audit_tie(ctx))
    assert "没有审计记录的减免" in problems and f"减免{red.id} 明细 费用{c.id}:5000" in problems


def test_reduction_line_changed_or_deleted_is_a_finding(ctx, owing):  # noqa: F811
    a = _charge(owing["3-101"], "2026-10")
    b = _charge(owing["7-102"], "2026-11")
    ra = reductions.propose(ctx, a.id, "fixed", "10.00", "补偿", approve=True)
    rb = reductions.propose(ctx, b.id, "percent", "10", "补偿", approve=True)
    Payment.update(amount_fen=2000).where((Payment.kind == "reduction") & (Payment.source_id == ra.id)).execute()
    Payment.delete().where((Payment.kind == "reduction") & (Payment.source_id == rb.id)).execute()
    problems = "\n".join(checks.audit_tie(ctx))
    assert "减免明细与审计记录不符" in problems and f"减免{ra.id} 明细 费用{a.id}:2000" in problems
    assert f"费用{a.id}:1000" in problems
    assert "审计记录的减免在台账中不存在（被删除）" in problems and f"减免{rb.id}（费用{b.id}:1780）" in problems


def test_ledger_header_shows_reductions_apart(qtbot, ctx, owing):  # noqa: F811
    from PySide6.QtCore import Qt

    from ui.ledger.tab import Tab
    home = owing["3-101"]
    reductions.propose(ctx, _charge(home, "2026-11").id, "percent", "50", "低保户，减半", approve=True)
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.keyClicks(w.search, "3-101")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.home_id == home.id and w.charges_model.rowCount() == 2, timeout=5000)
    text = w.header.text()
    assert "已收 ¥0.00" in text and "减免 ¥89.00" in text and "欠费 ¥267.00" in text
