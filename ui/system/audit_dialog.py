"""The audit log for the manager, in words: who, when, 操作, 对象 and the changed fields as
字段：修改前 → 修改后; newest rows first, a filter (Chinese or codes), and the hash-chain check."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.core.audit import entry_rows, verify_chain
from ui.common.ops import run_action
from ui.common.tables import sortable
from ui.system.table_models import TupleModel


class AuditDialog(QDialog):
    HEADERS = ["序号", "时间", "操作人", "操作", "对象", "修改内容"]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("审计日志")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按操作人、操作或对象筛选，如：收款、业主、1-1-302")
        self.filter.returnPressed.connect(self.refresh)
        self.chain = QLabel("")
        self.chain.setObjectName("chain")
        check = QPushButton("校验哈希链")
        check.clicked.connect(self.check_chain)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(check)
        self.model = TupleModel(self.HEADERS, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        sortable(self.view)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.chain)
        lay.addWidget(self.view)
        self.resize(1000, 560)
        self.refresh()
        for col, w in enumerate((50, 140, 80, 130, 160)):
            self.view.setColumnWidth(col, w)

    def refresh(self):
        rows = run_action(self, entry_rows, self.ctx, self.filter.text(), title="无法查看审计日志")
        if rows is None:
            return
        self.model.set_rows([(r["seq"], r["ts"], r["who"], r["action_text"], r["entity"], "；".join(r["changes"]))
                             for r in rows], [r["seq"] for r in rows])

    def check_chain(self):
        problems = verify_chain(self.ctx)
        if problems:
            self.chain.setStyleSheet("color: #C0392B")
            self.chain.setText("发现问题：" + "；".join(problems[:5]))
        else:
            self.chain.setStyleSheet("color: #1E8449")
            self.chain.setText("哈希链完整：没有记录被修改或删除。")
