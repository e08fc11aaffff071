"""Confirm before bulk writes: 月度计费 for the whole site and a batch of dunning notices first ask,
in Chinese, with the count of homes and the total; 否 writes nothing, 是 writes what was announced."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.core.money import fmt_fen
from app.ledger import bulk_preview
from models.ledger import Charge, DunningRecord
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def test_month_preview_counts_without_writing(ctx, users):
    make_site(ctx, users)
    charges, audits = Charge.select().count(), AuditLog.select().count()
    pre = bulk_preview.month_preview(ctx, "2026-10")
    assert (pre.homes, pre.lines) == (5, 7)          # 5 homes handed over; 2 of them with a parking space
    assert Charge.select().count() == charges and AuditLog.select().count() == audits
    from app.ledger.billing import run_month
    res = run_month(ctx, "2026-10")
    assert (res["lines"], res["total_fen"]) == (pre.lines, pre.total_fen)
    assert bulk_preview.month_preview(ctx, "2026-10").lines == 0       # billed: nothing more to add


def test_billing_button_asks_first_and_no_bills_nothing(qtbot, ctx, users, answer_boxes):
    from ui.ledger.tab import Tab
    make_site(ctx, users)
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.inner.setCurrentIndex(tab.BILLING_PAGE)
    tab.month.clear()
    qtbot.keyClicks(tab.month, "2026-10")
    boxes = answer_boxes(NO)
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)
    question = boxes.last
    assert question.kind == "question" and question.title == "月度计费"
    assert "全小区 5 户" in question.text and "共 7 笔" in question.text and "2026-10" in question.text
    assert Charge.select().count() == 0 and "已取消" in tab.bill_result.text()
    boxes.answer = YES
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)
    total = sum(c.amount_fen for c in Charge.select())
    assert Charge.select().count() == 7 and f"合计 ¥{fmt_fen(total)}" in boxes.last.text
    assert "新增 7 笔" in tab.bill_result.text()
    charges, audits = Charge.select().count(), AuditLog.select().count()
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)      # nothing left to bill: told, not asked
    told = boxes.last
    assert told.kind == "information" and told.title == "月度计费"
    assert told.text == "2026-10 已计费，无新的费用需要计收。" and tab.bill_result.text() == told.text
    assert Charge.select().count() == charges and AuditLog.select().count() == audits   # no run, no audit row


def _billing_tab(qtbot, ctx, month):
    from ui.ledger.tab import Tab
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.inner.setCurrentIndex(tab.BILLING_PAGE)
    tab.month.clear()
    qtbot.keyClicks(tab.month, month)
    return tab


def test_billed_month_with_a_prepayment_to_draw_down_asks_for_that(qtbot, ctx, users, answer_boxes):
    """A month billed before a home prepaid: no new charge, but the run would settle the home's
    unpaid property fee from the prepayment: the question says exactly that."""
    from app.ledger import payments, prepayment
    from app.ledger.billing import run_month
    from models.ledger import Payment
    homes = make_site(ctx, users)
    run_month(ctx, "2026-10")
    h = homes["5-101"]
    pre = prepayment.prepay_property_fee(ctx, h.id, months=2)
    payments.pay(ctx, h.id, [pre.id], "cash", "业主1")
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee") & (Charge.bill_period == "2026-10"))
    tab = _billing_tab(qtbot, ctx, "2026-10")
    boxes = answer_boxes(NO)
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)
    question = boxes.last
    assert question.kind == "question" and question.title == "月度计费"
    assert question.text.startswith("2026-10 已计费，无新的费用需要计收；")
    assert f"预交物业费抵扣 1 笔 ¥{fmt_fen(fee.amount_fen)}" in question.text and "0 户" not in question.text
    assert Payment.select().where(Payment.kind == "prepay").count() == 0
    boxes.answer = YES
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)
    drawn = Payment.get((Payment.kind == "prepay") & (Payment.charge == fee))
    assert drawn.amount_fen == fee.amount_fen and Charge.get_by_id(fee.id).paid_fen == fee.amount_fen
    assert "预交物业费抵扣 1 笔" in tab.bill_result.text()


def test_month_with_nothing_to_bill_says_so(qtbot, ctx, users, answer_boxes):
    """A site with no home handed over: nothing billed before, nothing to bill: told so, nothing run."""
    audits = AuditLog.select().count()
    tab = _billing_tab(qtbot, ctx, "2026-10")
    boxes = answer_boxes(YES)
    qtbot.mouseClick(tab.bill_button, Qt.MouseButton.LeftButton)
    assert (boxes.last.kind, boxes.last.text) == ("information", "2026-10 没有需要计收的费用。")
    assert Charge.select().count() == 0 and AuditLog.select().count() == audits


def test_notice_batch_asks_first_with_count_and_total(qtbot, ctx, owing, answer_boxes):  # noqa: F811
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 23, 10))
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.show()
    button = next(b for b in w.findChildren(QPushButton) if b.text() == "打印二次通知")
    boxes = answer_boxes(NO)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    question = boxes.last
    assert question.kind == "question" and question.title == "发出催缴通知"
    # 3-101 and 7-102 owe October and November (178.00 each month); 3-102 paid
    assert "全部楼栋 2 户" in question.text and "二次通知" in question.text and "¥712.00" in question.text
    assert DunningRecord.select().where(DunningRecord.method == "通知单").count() == 0
    boxes.answer = YES
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.loaded)                           # the batch is drawn in the background
    assert DunningRecord.select().where(DunningRecord.method == "通知单").count() == 2
    previews = [d for d in w.findChildren(QPushButton) if d.text() == "打印…"]
    assert previews, "the notices open in the print preview"
    qtbot.waitUntil(w.loaded)                           # the board reloads in the background
