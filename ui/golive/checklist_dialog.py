"""上线检查 (the go-live checklist), from 业主档案: each step with what the database holds for it and the
manager who signed it off; the imports of the registers beside it (期初欠费与预存, 缴费历史, 钥匙登记,
水电气表, 住户与租户, 车位与车辆), each in its own window (ui/golive/register_dialog.py)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
)

from app.core.permissions import allowed
from app.golive import checklist
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.runner import notify_changed
from ui.common.tables import fill_table
from ui.golive.register_dialog import RegisterImportDialog

HEADERS = ["步骤", "数据库中现有", "签字人", "签字时间", "说明"]
IMPORTS = (("balances", "导入期初欠费与预存…"), ("history", "导入缴费历史…"), ("keys", "导入钥匙登记…"),
           ("meters", "导入水电气表…"), ("residents", "导入住户与租户…"), ("vehicles", "导入车位与车辆…"))
PERMITS = {"balances": "golive.balances", "history": "ledger.bill", "vehicles": "golive.parking"}


def open_checklist(tab):
    """From 业主档案's 上线检查… button."""
    dlg = ChecklistDialog(tab.ctx, tab)
    dlg.exec()


class ChecklistDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[checklist.Step] = []
        self.setWindowTitle("上线检查")
        self.resize(1000, 480)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 130), (2, 90), (3, 130), (4, 200)):
            self.table.setColumnWidth(col, width)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._selected)
        self.note = QLineEdit()
        self.note.setPlaceholderText("签字说明（该步骤没有数据时必填，如：本小区无住户登记）")
        self.sign_button = QPushButton(icon("save"), "经理签字确认")
        self.sign_button.clicked.connect(self.sign)
        self.sign_button.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("上线前逐项核对导入的数据，每一步由经理签字确认（记入审计日志）。"))
        lay.addWidget(self.table, 1)
        sign = QHBoxLayout()
        sign.addWidget(self.note, 1)
        sign.addWidget(self.sign_button)
        lay.addLayout(sign)
        lay.addWidget(self.message)
        lay.addLayout(self._import_buttons())
        self.refresh()

    def _import_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.import_buttons = {}
        for kind, text in IMPORTS:
            b = QPushButton(icon("import"), text)
            b.clicked.connect(lambda _c=False, k=kind: self.open_import(k))
            b.setEnabled(self.can(PERMITS.get(kind, "archive.import")))
            self.import_buttons[kind] = b
            row.addWidget(b)
        row.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        return row

    def can(self, action: str) -> bool:
        return allowed(getattr(self.ctx.user, "role", None), action)

    def refresh(self):
        rows = run_action(self, checklist.steps, self.ctx, title="无法读取上线检查")
        if rows is None:
            return
        self.rows = rows
        fill_table(self.table, [[s.title, s.counts, s.signed_by or "（未签字）", s.signed_at, s.note] for s in rows])
        signed = sum(1 for s in rows if s.signed_by)
        self.message.setText(f"已签字 {signed} / {len(rows)} 步" + ("，可以上线。" if signed == len(rows) else "。"))
        self._selected()

    def _selected(self):
        r = self.table.currentRow()
        self.sign_button.setEnabled(0 <= r < len(self.rows) and self.can("golive.signoff"))

    def sign(self):
        r = self.table.currentRow()
        if not 0 <= r < len(self.rows):
            return
        step = self.rows[r]
        if run_action(self, checklist.sign_off, self.ctx, step.step, self.note.text(), title="未能签字") is None:
            return
        self.note.clear()
        notify_changed(self, "archives")
        self.refresh()
        self.table.selectRow(r)

    def open_import(self, kind: str):
        dlg = RegisterImportDialog(self.ctx, kind, self)
        dlg.exec()
        if dlg.result_value is not None:
            self.refresh()
