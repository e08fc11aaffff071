"""物品放行条 page: passes valid and waiting for the gate, the day's and the last 90 days'
register; a pass is issued (and printed with its stub), checked at the gate by its number or from
the list (marked used), or cancelled with a reason."""
from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

from app.core.permissions import allowed
from app.frontdesk import passes, prints
from ui.common.ops import confirm, info, run_action
from ui.common.widgets import button
from ui.frontdesk.dialogs import PassDialog
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import passes_model

OPEN, TODAY, RECENT = "有效待放行", "今日", "近90天登记"


class PassesPage(RegisterPage):
    VIEWS = (OPEN, TODAY, RECENT)
    EXPORT_NAME = "物品放行登记.xlsx"
    NAME = "frontdesk_passes"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, passes_model(), parent)
        self.model.setParent(self)
        can_issue = allowed(self.role, "passes.issue")
        self.can_gate = allowed(self.role, "passes.gate")
        self.issue_button = button("开具放行条…", "add", self.issue, enabled=can_issue)
        self.gate_number = QLineEdit()
        self.gate_number.setPlaceholderText("门岗：输入编号回车")
        self.gate_number.setMaximumWidth(150)
        self.gate_number.setEnabled(self.can_gate)
        self.gate_number.returnPressed.connect(self.gate_by_number)
        self.gate_button = button("放行", "ok", self.gate_selected, enabled=self.can_gate)
        self.gate_button.setToolTip("门岗核对物品后放行所选放行条，收回放行条")
        self.cancel_button = button("作废…", "delete", self.cancel, enabled=can_issue)
        self.finish([self.issue_button, button("打印放行条", "print", self.print_pass), self.gate_button,
                     self.cancel_button, button("打印登记表", "print", self.print_register)])
        self.bar.insertWidget(2, QLabel("门岗"))
        self.bar.insertWidget(3, self.gate_number)
        self.refresh()

    def load(self, view: str, text: str) -> list[dict]:
        if view == TODAY:
            return [r for r in passes.day_passes(self.ctx) if not text or text.upper() in str(r).upper()]
        if view == RECENT:
            return passes.pass_register(self.ctx, text)
        return passes.open_passes(self.ctx, text)

    def issue(self):
        dlg = PassDialog(self.ctx, self)
        if dlg.exec() and dlg.result_value is not None:
            self.written()
            if dlg.print_pass.isChecked():
                self._print(dlg.result_value.id)

    def _print(self, pass_id):
        self.preview(prints.goods_pass_pdf, pass_id, title="物品放行条", filename="物品放行条.pdf")

    def print_pass(self):
        row = self.one("放行条")
        if row is not None:
            self._print(row["id"])

    def _gate(self, row: dict):
        if not confirm(self, f"放行条 {row['number']}（{row['room_code']}）：\n{row['items']}\n搬运人 {row['carrier']} "
                             f"{row['plate']}\n\n物品与放行条相符，放行并收回放行条？", "门岗放行"):
            return
        if run_action(self, passes.use_pass, self.ctx, row["id"], title="未放行") is not None:
            self.gate_number.clear()
            self.written()

    def gate_selected(self):
        row = self.one("放行条")
        if row is not None:
            self._gate(row)

    def gate_by_number(self):
        gp = run_action(self, passes.find_by_number, self.gate_number.text(), title="未找到")
        if gp is None:
            return
        row = next((r for r in passes.pass_register(self.ctx, gp.number, days=3650) if r["id"] == gp.id), None)
        if row is None:
            return info(self, f"未找到放行条 {gp.number}。")
        self._gate(row)

    def cancel(self):
        row = self.one("放行条")
        if row is None:
            return
        reason, ok = QInputDialog.getText(self, "作废放行条", f"作废 {row['number']} 的原因：")
        if ok and run_action(self, passes.cancel_pass, self.ctx, row["id"], reason, title="未作废") is not None:
            self.written()

    def print_register(self):
        self.preview(prints.passes_register_pdf, title="物品放行登记表", filename="物品放行登记表.pdf")

    def export_rows(self, path):
        return run_action(self, passes.export_passes, self.ctx, self.rows, path, title="未能导出")
