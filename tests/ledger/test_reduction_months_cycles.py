"""减免 by whole months of a quarterly or yearly charge (issue 17): N months of a quarterly line reduce N/3
of it (N ≤ 3), of a yearly line N/12 (N ≤ 12), half-up to the fen as cumulative shares so the months of a
whole cycle add up to the charge exactly; never more than is owed; the reason, approval and audit as for
every reduction; shown on the receipt, the bill and the charge's 备注 as 减免 ¥x（N个月，原因）.
Numbers of the ledger site (tests.helpers.ledger: 5-102 is 123.45 ㎡)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app.core.errors import StateError, ValidationError
from app.ledger import billing, bills, charge_item_edit, payments, reductions
from models.ledger import Charge, Payment
from models.reductions import Reduction
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_pages

LIFT = 12962      # 电梯费 1.05 元/㎡·季 × 123.45 ㎡ = 129.6225 → 129.62 元 (2027-01至2027-03)
HEAT = 308625     # 暖气费 25.00 元/㎡·年 × 123.45 ㎡ = 3,086.25 元 (2026-11至2027-10)


def _item(ctx, **data):
    base = {"category": "periodic", "formula": "area", "scope": "all", "valid_from": "2026-01"}
    return charge_item_edit.save_item(ctx, {**base, **data})


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    heat = _item(ctx, name="暖气费", rate="25.00", cycle="year", bill_month="11")
    lift = _item(ctx, name="电梯费", rate="1.05", cycle="quarter")
    billing.run_month(ctx, "2026-11")
    ctx.clock.set(dt.datetime(2027, 1, 8, 9))
    billing.run_month(ctx, "2027-01")
    home = homes["5-102"]
    return {"home": home,
            "heat": Charge.get((Charge.home == home.id) & (Charge.item_code == heat.code)),
            "lift": Charge.get((Charge.home == home.id) & (Charge.item_code == lift.code))}


def _text(pdf: bytes) -> str:
    return "".join(pdf_pages(pdf)).replace(" ", "").replace("\n", "")


def test_quarterly_months_add_up_to_the_charge(ctx, as_role, site):
    lift = site["lift"]
    assert (lift.amount_fen, lift.memo, reductions.covered_months(lift)) == (LIFT, "2027-01至2027-03", 3)
    first = reductions.propose(ctx, lift.id, "months", "1", "电梯停运一个月", approve=True)
    assert (first.state, first.months, first.applied_fen) == ("已批准", 1, 4321)      # 129.62 / 3 = 43.2067 → 43.21
    assert Charge.get_by_id(lift.id).paid_fen == 4321
    with pytest.raises(ValidationError, match="减免月数：.*已减免 1 个月，最多再减免 2 个月，收到 3 个月"):
        reductions.propose(ctx, lift.id, "months", "3", "电梯停运")
    # a clerk proposes the other two months, the manager approves: 2/3 cumulative 86.41 less 43.21 … the rest
    pending = reductions.propose(as_role("cashier"), lift.id, "months", "2", "电梯大修")
    assert (pending.state, pending.amount_fen) == ("待审批", LIFT - 4321)
    done = reductions.approve(ctx, pending.id, "同意")
    assert done.applied_fen == 8641
    lift = Charge.get_by_id(lift.id)
    assert (lift.amount_fen, lift.paid_fen) == (LIFT, LIFT)                           # exactly the charge, no more
    reasons = [p.reason for p in Payment.select().where((Payment.charge == lift.id) & (Payment.kind == "reduction"))
               .order_by(Payment.id)]
    assert reasons == ["1个月，电梯停运一个月", "2个月，电梯大修"]
    audit = AuditLog.select().where(AuditLog.action == "ledger.reduce_approve").order_by(AuditLog.id.desc()).first()
    after = json.loads(audit.after)
    assert audit.entity_id == str(done.id) and after["reduced_fen"] == 8641
    assert [ln["reduced_fen"] for ln in after["lines"]] == [8641]
    with pytest.raises(ValidationError, match="减免月数：.*已减免 3 个月，最多再减免 0 个月"):
        reductions.propose(ctx, lift.id, "months", "1", "再减")


def test_refused_when_months_exceed_the_charge(ctx, site):
    words = "减免月数：电梯费（2027-01）按季收取，只含 3 个月，最多减免 3 个月，收到 4 个月"
    with pytest.raises(ValidationError, match=words):
        reductions.propose(ctx, site["lift"].id, "months", "4", "电梯停运")
    with pytest.raises(ValidationError, match="减免月数：应在 1 到 12 之间"):
        reductions.propose(ctx, site["heat"].id, "months", "13", "停暖")
    with pytest.raises(ValidationError, match="减免月数：“两个月”不是整数"):
        reductions.propose(ctx, site["heat"].id, "months", "两个月", "停暖")
    assert Reduction.select().count() == 0 and Payment.select().where(Payment.kind == "reduction").count() == 0


def test_yearly_months_and_the_whole_year(ctx, site):
    heat = site["heat"]
    assert (heat.amount_fen, reductions.covered_months(heat)) == (HEAT, 12)
    red = reductions.propose(ctx, heat.id, "months", "2", "供暖季前两个月未供暖", approve=True)
    assert red.applied_fen == 51438                              # 3,086.25 × 2 / 12 = 514.375 → 514.38 (half up)
    rest = reductions.propose(ctx, heat.id, "months", "10", "全年停暖", approve=True)
    assert rest.applied_fen == HEAT - 51438 and Charge.get_by_id(heat.id).paid_fen == HEAT


def test_never_below_zero_when_partly_paid(ctx, site):
    heat, home = site["heat"], site["home"]
    payments.pay(ctx, home.id, [heat.id], "现金", "业主2", amounts={heat.id: 300000})
    red = reductions.propose(ctx, heat.id, "months", "2", "停暖两个月", approve=True)
    assert red.applied_fen == HEAT - 300000                       # 514.38 wanted, 86.25 still owed
    assert Charge.get_by_id(heat.id).paid_fen == HEAT
    with pytest.raises(StateError, match="已付清"):
        reductions.propose(ctx, heat.id, "months", "1", "再减")


def test_shown_on_receipt_bill_and_charges(ctx, site):
    lift, home = site["lift"], site["home"]
    reductions.propose(ctx, lift.id, "months", "2", "电梯停运", approve=True)
    row = next(r for r in payments.home_charges(ctx, home.id) if r["id"] == lift.id)
    assert row["reduced_fen"] == 8641 and "减免 ¥86.41（2个月，电梯停运）" in row["memo"]
    assert row["owed_fen"] == LIFT - 8641
    receipt = payments.pay(ctx, home.id, [lift.id], "现金", "业主2")
    assert receipt.total_fen == 4321
    for layout in ("A4", "三联"):
        assert "减免¥86.41（2个月，电梯停运）" in _text(payments.print_receipt(ctx, receipt.id, layout)), layout
    _batch, pdf = bills.bills_pdf(ctx, "2027-01", home_id=home.id)
    assert "电梯费2027-01至2027-03减免86.41元（2个月，电梯停运）" in _text(pdf)


def test_monthly_item_keeps_consecutive_months(ctx, site):
    home = site["home"]
    fee = Charge.get((Charge.home == home.id) & (Charge.item_code == "property_fee") & (Charge.period == "2026-11"))
    assert reductions.covered_months(fee) == 1
    with pytest.raises(ValidationError, match="减免月数：物业服务费 2026-12 尚未出账"):
        reductions.propose(ctx, fee.id, "months", "2", "空置")
    red = reductions.propose(ctx, fee.id, "months", "1", "空置", approve=True)
    assert red.applied_fen == fee.amount_fen
    assert Payment.get(Payment.source_id == red.id).reason == "空置"        # a monthly line: the reason as before


def test_dialog_reduces_months_of_a_quarterly_charge(qtbot, ctx, site, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from ui.ledger import reductions_dialog
    from ui.ledger.tab import Tab
    left = Qt.MouseButton.LeftButton
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    qtbot.keyClicks(tab.search, "5-102")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.home_id == site["home"].id and tab.charges_model.rowCount() > 0, timeout=5000)
    row = next(i for i, r in enumerate(tab.charges_model.rows) if r["id"] == site["lift"].id)
    view = tab.charges_view
    qtbot.mouseClick(view.viewport(), left, pos=view.visualRect(view.model().index(row, 0)).center())
    seen = []

    def months(dlg):
        dlg.mode.setCurrentIndex(2)                                    # 按整月
        seen.append(dlg.value.placeholderText())
        qtbot.keyClicks(dlg.value, "4")
        dlg.widget("reason").setText("电梯停运")          # Chinese is typed by the input method
        qtbot.mouseClick(dlg.ok_button, left)
        seen.append(dlg.error_label.text())                            # refused: the dialog stays
        dlg.value.clear()
        qtbot.keyClicks(dlg.value, "2")
        qtbot.mouseClick(dlg.ok_button, left)
        return dlg.result()
    monkeypatch.setattr(reductions_dialog.ReductionDialog, "exec", months)
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_reduce"), left)
    assert seen == ["月数，按季收取共 3 个月，每月减免 1/3，最多 3 个月",
                    "减免月数：电梯费（2027-01）按季收取，只含 3 个月，最多减免 3 个月，收到 4 个月"]
    red = Reduction.get(Reduction.charge == site["lift"].id)
    assert (red.state, red.months, red.applied_fen) == ("已批准", 2, 8641)
    shown = next(r for r in tab.charges_model.rows if r["id"] == site["lift"].id)     # the tab was refreshed
    assert "减免 ¥86.41（2个月，电梯停运）" in shown["memo"] and shown["owed_fen"] == LIFT - 8641


@pytest.mark.slow
def test_cli_reduces_months_of_a_yearly_charge(ctx, site, data_dir):
    from tests.ledger.test_ledger_cli import run_cli
    heat = site["heat"]
    r = run_cli(data_dir, "reduce", "--room", "5-102", "--item", heat.item_code, "--month", "2026-11",
                "--months", "13", "--reason", "停暖", "--approve")
    assert r.returncode != 0 and "减免月数：应在 1 到 12 之间" in r.stderr, r.stderr
    r = run_cli(data_dir, "reduce", "--room", "5-102", "--item", heat.item_code, "--month", "2026-11",
                "--months", "2", "--reason", "停暖两个月", "--approve")
    assert r.returncode == 0 and "已批准：514.38 元（停暖两个月）" in r.stdout, r.stdout + r.stderr
    r = run_cli(data_dir, "reduce", "--room", "5-102", "--item", heat.item_code, "--month", "2026-11",
                "--months", "11", "--reason", "停暖", "--approve")
    assert r.returncode != 0 and "已减免 2 个月，最多再减免 10 个月，收到 11 个月" in r.stderr, r.stderr
    assert Charge.get_by_id(heat.id).paid_fen == 51438
