"""Reductions (减免, issue 17): by percentage, fixed amount or whole months, each with a reason and the
manager's approval; applied as payment lines of kind "reduction" (nothing deleted, never below zero);
shown on the household's charges, on the receipt, in the daily report, and out of the collection rate."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.ledger import payments, reductions, reports
from app.ledger.billing import post_charge
from models.ledger import Charge, Payment
from models.reductions import Reduction
from models.users import AuditLog
from tests.helpers.pdf import pdf_pages
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

FEE = 17800   # the seed's property fee of a 100 m² home (1.78 元/㎡)


def _charge(home, period) -> Charge:
    return Charge.get((Charge.home == home.id) & (Charge.period == period) & (Charge.item_code == "property_fee"))


def _audits(action) -> list:
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def test_clerk_proposes_manager_approves_percent(ctx, as_role, owing):  # noqa: F811
    c = _charge(owing["3-101"], "2026-11")
    red = reductions.propose(as_role("frontdesk"), c.id, "percent", "50", "低保户，减半")
    assert red.state == "待审批" and red.amount_fen == FEE // 2
    assert Charge.get_by_id(c.id).paid_fen == 0                          # nothing applied while pending
    assert [r["id"] for r in reductions.pending(ctx)] == [red.id]
    assert "减免待审批" in next(r for r in payments.home_charges(ctx, c.home_id) if r["id"] == c.id)["memo"]
    with pytest.raises(PermissionDenied):
        reductions.approve(as_role("cashier"), red.id)
    done = reductions.approve(ctx, red.id, "同意")
    assert done.state == "已批准" and done.applied_fen == 8900 and done.decided_by_id == ctx.user.id
    c = Charge.get_by_id(c.id)
    assert (c.amount_fen, c.paid_fen) == (FEE, 8900)                      # the charge stays, settled by half
    line = Payment.get((Payment.charge == c.id) & (Payment.kind == "reduction"))
    assert (line.amount_fen, line.reason, line.receipt_id, line.source_id) == (8900, "低保户，减半", None, red.id)
    row = next(r for r in payments.home_charges(ctx, c.home_id) if r["id"] == c.id)
    assert row["reduced_fen"] == 8900 and "减免 ¥89.00（低保户，减半）" in row["memo"] and row["owed_fen"] == 8900
    assert reductions.pending(ctx) == []
    [proposed] = _audits("ledger.reduce_propose")
    [approved] = _audits("ledger.reduce_approve")
    assert proposed.entity_id == approved.entity_id == str(red.id)
    with pytest.raises(StateError, match="已批准"):
        reductions.approve(ctx, red.id)                                    # decided once only


def test_fixed_amount_and_limits(ctx, as_role, owing):  # noqa: F811
    c = _charge(owing["7-102"], "2026-10")
    with pytest.raises(ValidationError, match="减免金额：不能超过欠额 178.00 元"):
        reductions.propose(ctx, c.id, "fixed", "178.01", "维修期间停水")
    with pytest.raises(ValidationError, match="减免原因：不能为空"):
        reductions.propose(ctx, c.id, "fixed", "20", " ")
    with pytest.raises(ValidationError, match="减免比例：应在 1 到 100 之间"):
        reductions.propose(ctx, c.id, "percent", "150", "错误")
    with pytest.raises(ValidationError, match="减免方式"):
        reductions.propose(ctx, c.id, "打折", "1", "错误")
    red = reductions.propose(ctx, c.id, "固定金额", "20", "维修期间停水", approve=True)   # manager: one step
    assert red.state == "已批准" and red.applied_fen == 2000
    assert Charge.get_by_id(c.id).paid_fen == 2000
    assert len(_audits("ledger.reduce_propose")) == len(_audits("ledger.reduce_approve")) == 1
    with pytest.raises(PermissionDenied):
        reductions.propose(as_role("cashier"), c.id, "fixed", "5", "再减", approve=True)


def test_whole_months(ctx, owing):  # noqa: F811
    home = owing["3-101"]
    oct_, nov = _charge(home, "2026-10"), _charge(home, "2026-11")
    with pytest.raises(ValidationError, match="减免月数：物业服务费 2026-12 尚未出账"):
        reductions.propose(ctx, nov.id, "months", "2", "疫情期间封控")
    red = reductions.propose(ctx, oct_.id, "months", "2", "疫情期间封控", approve=True)
    assert red.applied_fen == 2 * FEE
    assert [Charge.get_by_id(x.id).paid_fen for x in (oct_, nov)] == [FEE, FEE]
    assert payments.home_totals(home.id)["owed_fen"] == 0
    deposit = post_charge(ctx, home.id, "renovation_deposit", 200000)
    with pytest.raises(ValidationError, match="押金"):
        reductions.propose(ctx, deposit.id, "percent", "10", "押金")
    other = post_charge(ctx, home.id, "rubbish_removal", 5000)
    with pytest.raises(ValidationError, match="不是按月收取的费用"):
        reductions.propose(ctx, other.id, "months", "1", "装修垃圾")


def test_never_below_zero_and_reject(ctx, as_role, owing):  # noqa: F811
    home = owing["7-102"]
    c = _charge(home, "2026-11")
    red = reductions.propose(as_role("area_manager"), c.id, "percent", "100", "孤寡老人全免")
    with pytest.raises(StateError, match="待审批"):
        reductions.propose(ctx, c.id, "fixed", "10", "重复申请")
    payments.pay(ctx, home.id, [c.id], "现金", "业主7-102", amounts={c.id: 10000})   # 100 元 paid meanwhile
    done = reductions.approve(ctx, red.id)
    assert done.applied_fen == FEE - 10000                                 # only what was still owed
    assert Charge.get_by_id(c.id).paid_fen == FEE
    c2 = _charge(home, "2026-10")
    r2 = reductions.propose(as_role("cashier"), c2.id, "fixed", "50", "多收了")
    with pytest.raises(ValidationError, match="驳回理由：不能为空"):
        reductions.reject(ctx, r2.id, "")
    with pytest.raises(PermissionDenied):
        reductions.reject(as_role("cashier"), r2.id, "不同意")
    rejected = reductions.reject(ctx, r2.id, "无依据")
    assert rejected.state == "已驳回" and rejected.decision_note == "无依据"
    assert Charge.get_by_id(c2.id).paid_fen == 0
    assert len(_audits("ledger.reduce_reject")) == 1
    r3 = reductions.propose(as_role("cashier"), c2.id, "fixed", "50", "再申请")
    payments.pay(ctx, home.id, [c2.id], "现金", "业主7-102")
    with pytest.raises(StateError, match="已被其他操作付清"):
        reductions.approve(ctx, r3.id)
    with pytest.raises(StateError, match="已付清"):
        reductions.propose(ctx, c2.id, "fixed", "1", "已付清")
    assert Reduction.get_by_id(r3.id).state == "待审批"


def _receipt_after_reduction(ctx, owing):  # noqa: F811
    home = owing["3-101"]
    c = _charge(home, "2026-11")
    reductions.propose(ctx, c.id, "percent", "30", "空置期间", approve=True)
    return payments.pay(ctx, home.id, [c.id], "现金", "业主3-101"), c


def test_receipt_shows_the_reduction(ctx, owing):  # noqa: F811
    receipt, _c = _receipt_after_reduction(ctx, owing)
    assert receipt.total_fen == FEE - 5340
    for layout in ("A4", "三联"):
        text = pdf_pages(payments.print_receipt(ctx, receipt.id, layout))[0].replace(" ", "").replace("\n", "")
        assert "减免¥53.40（空置期间）" in text, layout
        assert "物业服务费（2026-11）" in text, layout


def test_daily_report_and_collection_rate(ctx, owing):  # noqa: F811
    day = ctx.clock.today()
    before = reports.collection_rate(ctx, "2026-11").total
    receipt, _c = _receipt_after_reduction(ctx, owing)
    rep = reports.daily_report(ctx, day)
    assert (rep.reductions, rep.reductions_fen) == (1, 5340)
    assert rep.receipts_fen == receipt.total_fen + FEE * 2                 # the fixture's cash, not the reduction
    assert reports.daily_report(ctx, day + dt.timedelta(days=1)).reductions_fen == 0
    text = pdf_pages(reports.report_pdf(ctx, "daily", day=day))[0].replace(" ", "")
    assert "减免（经理批准，不计实收）1笔，合计53.40元" in text
    after = reports.collection_rate(ctx, "2026-11").total
    # the reduction is taken out of the amount due and is not collected money
    assert after.billed_fen == before.billed_fen - 5340
    assert after.collected_fen == before.collected_fen + receipt.total_fen
    assert reports.collection_rate(ctx, "2026-11", as_of=day - dt.timedelta(days=1)).total.billed_fen == \
        before.billed_fen


def test_fully_reduced_charges_give_no_rate(ctx, users):
    from tests.helpers.ledger import make_site
    homes = make_site(ctx, users)
    c = post_charge(ctx, homes["5-101"].id, "property_fee", FEE, period="2026-12", due_date=dt.date(2026, 12, 5))
    reductions.propose(ctx, c.id, "percent", "100", "开发商承担", approve=True)
    total = reports.collection_rate(ctx, "2026-12").total
    assert (total.billed_fen, total.collected_fen, total.rate_text) == (0, 0, reports.NO_RATE)
