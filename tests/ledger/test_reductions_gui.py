"""减免 on the 收费台账 tab, driven as a user does: a cashier selects a charge and clicks 减免… (refused
input keeps the dialog open, naming the field), the manager clicks 减免审批… and 批准 or 驳回…; a
manager's 减免… approves in one step. The dialogs' exec is replaced by the test's hands (no modal loop)."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ledger import billing
from models.ledger import Charge
from models.reductions import Reduction
from tests.helpers.ledger import make_site
from ui.ledger import reductions_dialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    for period in ("2026-10", "2026-11"):
        billing.post_charge(ctx, homes["5-101"].id, "property_fee", 17800, period=period,
                            due_date=dt.date(2026, 11, 5))
    return homes


def _tab(qtbot, ctx):
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.keyClicks(w.search, "5-101")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.home_id is not None and w.charges_model.rowCount() == 2, timeout=5000)
    return w


def _click_row(qtbot, tab, period):
    row = next(i for i, r in enumerate(tab.charges_model.rows) if r["period"] == period)
    view = tab.charges_view
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(view.model().index(row, 0)).center())
    assert [i.row() for i in view.selectionModel().selectedRows()] == [row]
    return tab.charges_model.rows[row]


def _button(tab, name) -> QPushButton:
    return tab.findChild(QPushButton, name)


def test_cashier_proposes_manager_approves_and_rejects(qtbot, ctx, as_role, site, monkeypatch):
    cashier = _tab(qtbot, as_role("cashier"))
    assert _button(cashier, "ledger_reduce_pending") is None          # approval is the manager's
    charge = _click_row(qtbot, cashier, "2026-11")
    seen = []

    def propose(dlg):
        assert "approve" not in dlg.widgets                            # a clerk cannot approve
        dlg.mode.setCurrentIndex(1)                                    # 固定金额（元）
        qtbot.keyClicks(dlg.value, "999")
        dlg.widget("reason").setText("停水三天补偿")       # Chinese is typed by the input method
        qtbot.mouseClick(dlg.ok_button, LEFT)
        seen.append(dlg.error_label.text())                            # refused: the dialog stays, input kept
        dlg.value.clear()
        qtbot.keyClicks(dlg.value, "20")
        qtbot.mouseClick(dlg.ok_button, LEFT)
        return dlg.result()
    monkeypatch.setattr(reductions_dialog.ReductionDialog, "exec", propose)
    qtbot.mouseClick(_button(cashier, "ledger_reduce"), LEFT)
    assert seen == ["减免金额：不能超过欠额 178.00 元"]
    red = Reduction.get(Reduction.charge == charge["id"])
    assert (red.state, red.amount_fen, red.reason) == ("待审批", 2000, "停水三天补偿")
    assert "减免待审批" in next(r for r in cashier.charges_model.rows if r["id"] == charge["id"])["memo"]
    other = _click_row(qtbot, cashier, "2026-10")
    qtbot.mouseClick(_button(cashier, "ledger_reduce"), LEFT)         # the same dialog, fixed 20 元 again

    manager = _tab(qtbot, ctx)
    summaries = []

    def approve_first(dlg):
        summaries.append(dlg.summary.text())
        dlg.view.selectRow(0)
        qtbot.mouseClick(dlg.approve_button, LEFT)
        summaries.append(dlg.summary.text())

        def reject(form):
            form.widget("note").setText("已另行补偿")
            qtbot.mouseClick(form.ok_button, LEFT)
            return form.result()
        monkeypatch.setattr(reductions_dialog.FormDialog, "exec", reject)
        qtbot.mouseClick(dlg.reject_button, LEFT)
        summaries.append(dlg.summary.text())
        return 0
    monkeypatch.setattr(reductions_dialog.PendingDialog, "exec", approve_first)
    qtbot.mouseClick(_button(manager, "ledger_reduce_pending"), LEFT)
    assert summaries == ["待审批减免 2 笔，合计 40.00 元", "待审批减免 1 笔，合计 20.00 元", "没有待审批的减免"]
    assert Reduction.get_by_id(red.id).state == "已批准" and Charge.get_by_id(charge["id"]).paid_fen == 2000
    rejected = Reduction.get(Reduction.charge == other["id"])
    assert (rejected.state, rejected.decision_note) == ("已驳回", "已另行补偿")
    row = next(r for r in manager.charges_model.rows if r["id"] == charge["id"])   # the tab was refreshed
    assert "减免 ¥20.00（停水三天补偿）" in row["memo"] and row["owed_fen"] == 15800


def test_manager_reduces_in_one_step(qtbot, ctx, site, monkeypatch):
    manager = _tab(qtbot, ctx)
    charge = _click_row(qtbot, manager, "2026-10")

    def months(dlg):
        assert dlg.widget("approve").isChecked()
        dlg.mode.setCurrentIndex(2)                                    # 按整月
        assert "月数" in dlg.value.placeholderText()
        qtbot.keyClicks(dlg.value, "2")
        dlg.widget("reason").setText("疫情封控两个月")
        qtbot.mouseClick(dlg.ok_button, LEFT)
        return dlg.result()
    monkeypatch.setattr(reductions_dialog.ReductionDialog, "exec", months)
    qtbot.mouseClick(_button(manager, "ledger_reduce"), LEFT)
    red = Reduction.get(Reduction.charge == charge["id"])
    assert (red.state, red.applied_fen) == ("已批准", 2 * 17800)
    assert all(r["owed_fen"] == 0 for r in manager.charges_model.rows)
    assert "欠费 ¥0.00" in manager.header.text() or "欠费" not in manager.header.text()


def test_no_charge_selected_says_so(qtbot, ctx, site, box_texts):
    manager = _tab(qtbot, ctx)
    qtbot.mouseClick(_button(manager, "ledger_reduce"), LEFT)
    assert box_texts == ["请先在费用明细中选择一项未付清的费用（押金和预交款不能减免）"]
