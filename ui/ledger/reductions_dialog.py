"""减免 (issue 17): the 费用明细 bar's 减免… (propose a reduction of the selected charge; a manager may
approve it in the same step) and 减免审批… (the pending reductions, approved or rejected by a manager).
Listed in ui/ledger/home_actions.HOME_FEATURES; the services are app.ledger.reductions."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger import reductions
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.runner import notify_changed
from ui.common.tables import table_view
from ui.ledger.table_models import LedgerRowsModel, money

MODE_CHOICES = [("percent", "按比例（%）"), ("fixed", "固定金额（元）"),
                ("months", "按整月（本月起连续几个月，或按季/按年费用中的几个月）")]
HINTS = {"percent": "如 50 表示减免该费用的 50%", "fixed": "减免金额（元），不超过欠额",
         "months": "月数，如 3：本月及其后两个月的同项费用全部减免；按季、按年收取的费用减免其中几个月"}


def buttons(tab) -> list:
    """The 费用明细 bar's buttons (ui/ledger/home_actions.HOME_FEATURES)."""
    role = getattr(tab.ctx.user, "role", None)
    propose = QPushButton(icon("edit"), "减免…")
    propose.setObjectName("ledger_reduce")
    propose.setEnabled(allowed(role, "ledger.reduce"))
    propose.clicked.connect(lambda: open_propose(tab))
    out = [propose]
    if allowed(role, "ledger.reduce_approve"):
        pending = QPushButton(icon("ok"), "减免审批…")
        pending.setObjectName("ledger_reduce_pending")
        pending.clicked.connect(lambda: open_pending(tab))
        out.append(pending)
    return out


def _selected_open_charge(tab):
    for idx in tab.charges_view.selectionModel().selectedRows():
        r = tab.charges_model.row_at(idx)
        if r and r["owed_fen"] > 0 and r["category"] not in reductions.NO_REDUCE:
            return r
    return None


def open_propose(tab):
    if tab.home_id is None:
        info(tab, "请先查找房屋")
        return None
    charge = _selected_open_charge(tab)
    if charge is None:
        info(tab, "请先在费用明细中选择一项未付清的费用（押金和预交款不能减免）")
        return None
    dlg = ReductionDialog(tab.ctx, charge, tab)
    tab.last_dialog = dlg
    if dlg.exec() and dlg.result_value is not None:
        tab.written()
        return dlg.result_value
    return None


def open_pending(tab):
    dlg = PendingDialog(tab.ctx, tab)
    tab.last_dialog = dlg
    dlg.exec()
    if dlg.decided:
        tab.written()
    return dlg


class ReductionDialog(FormDialog):
    ok_text = "提交减免"
    error_title = "减免未提交"

    def __init__(self, ctx, charge: dict, parent=None):
        manager = reductions.may_approve(ctx)
        fields = [
            Field("charge", "费用", "label", default=f"{charge['item']} {charge['period']}　应收 ¥"
                  f"{fmt_fen(charge['amount_fen'])}，欠 ¥{fmt_fen(charge['owed_fen'])}"),
            Field("mode", "减免方式", "choice", choices=MODE_CHOICES),
            Field("value", "比例/金额/月数", required=True, placeholder=HINTS["percent"]),
            Field("reason", "减免原因", required=True, placeholder="如：低保户，经理批准减半"),
        ]
        if manager:
            fields.append(Field("approve", "经理直接批准", "check", default=True))
        intro = ("经理可直接批准；不勾选则提交待审批。" if manager else "提交后待经理审批，批准后才计入减免。")
        super().__init__("费用减免", fields, parent=parent, intro=intro, ctx=ctx, inline_errors=True)
        self.charge = charge
        self.mode = self.widget("mode")
        self.value = self.widget("value")
        self.mode.currentIndexChanged.connect(lambda _i: self.value.setPlaceholderText(self.hint()))

    def hint(self) -> str:
        """The value's placeholder: for 按整月 what this charge allows (a quarterly or yearly one: N/3, N/12)."""
        mode = self.mode.currentData()
        return reductions.months_hint(self.charge["id"]) if mode == "months" else HINTS[mode]

    def call(self):
        v = self.values()
        return reductions.propose(self.ctx, self.charge["id"], v["mode"], v["value"], v["reason"],
                                  approve=bool(v.get("approve")))


def pending_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([
        ("房号", "room_code"), ("费用", "item"), ("方式", "mode"), ("比例/金额/月数", "how"),
        ("减免额（元）", money("amount_fen")), ("原因", "reason"), ("申请时间", "proposed_at"),
    ], parent=parent)


class PendingDialog(QDialog):
    """The reductions waiting for a manager: 批准 or 驳回… the selected one."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.decided = 0
        self.setWindowTitle("减免审批")
        self.resize(820, 380)
        lay = QVBoxLayout(self)
        self.summary = QLabel("")
        lay.addWidget(self.summary)
        self.model = pending_model(self)
        self.view = table_view(self.model, self, "ledger_reductions_pending")
        lay.addWidget(self.view, 1)
        bar = QHBoxLayout()
        self.approve_button = QPushButton(icon("ok"), "批准")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton(icon("warning"), "驳回…")
        self.reject_button.clicked.connect(self.reject_selected)
        bar.addWidget(self.approve_button)
        bar.addWidget(self.reject_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.refresh()

    def refresh(self):
        rows = run_action(self, reductions.pending, self.ctx) or []
        self.model.set_rows(rows)
        self.summary.setText(f"待审批减免 {len(rows)} 笔，合计 {fmt_fen(sum(r['amount_fen'] for r in rows))} 元"
                             if rows else "没有待审批的减免")
        if rows:
            self.view.selectRow(0)
        self.approve_button.setEnabled(bool(rows))
        self.reject_button.setEnabled(bool(rows))

    def _current(self):
        idx = self.view.selectionModel().selectedRows()
        return self.model.row_at(idx[0]) if idx else None

    def approve(self):
        r = self._current()
        if r is None:
            info(self, "请先选择一笔减免")
            return None
        done = run_action(self, reductions.approve, self.ctx, r["id"], title="批准未完成")
        self._after(done)
        return done

    def reject_selected(self):
        r = self._current()
        if r is None:
            info(self, "请先选择一笔减免")
            return None
        dlg = FormDialog("驳回减免", [Field("note", "驳回理由", required=True)],
                         lambda v: reductions.reject(self.ctx, r["id"], v["note"]), self,
                         intro=f"{r['room_code']} {r['item']}：{r['how']}，{r['reason']}", ctx=self.ctx,
                         inline_errors=True, ok_text="驳回")
        self.last_dialog = dlg
        done = dlg.result_value if dlg.exec() else None
        self._after(done)
        return done

    def _after(self, done):
        if done is not None:
            self.decided += 1
            notify_changed(self, "ledger")
        self.refresh()
