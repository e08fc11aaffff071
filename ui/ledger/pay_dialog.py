"""Ledger dialogs: take a payment (tick charges, amounts typed in 元), record a meter reading,
void a receipt. Each calls a service through run_action; a refusal keeps the input."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
)

from app.core.money import daxie, fmt_fen
from app.ledger import meters, payments
from ui.common.ops import run_action
from ui.ledger.table_models import PayChargesModel

METHODS = [("cash", "现金"), ("card", "银行卡"), ("transfer", "转账（微信/支付宝/银行）")]


class PayDialog(QDialog):
    """收款: the home's open charges, ticked ones paid with the typed amounts on one receipt."""

    def __init__(self, ctx, home_id, charges, selected_ids=(), payer="", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.receipt = None
        self.setWindowTitle("收款")
        self.resize(640, 460)
        self.model = PayChargesModel(charges, selected_ids, self)
        self.view = QTableView(self)
        self.view.setObjectName("pay_charges")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QTableView.EditTrigger.AllEditTriggers)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        self.method = QComboBox(self)
        for code, label in METHODS:
            self.method.addItem(label, code)
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText("转账时必填：微信/支付宝/银行交易参考号")
        self.payer = QLineEdit(payer, self)
        self.total = QLabel(self)
        self.total.setObjectName("pay_total")
        form = QFormLayout()
        form.addRow("付款方式", self.method)
        form.addRow("交易参考号", self.reference)
        form.addRow("交款人", self.payer)
        form.addRow("本次合计", self.total)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("收款并开收据")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("勾选要收取的费用；本次收款金额可改为部分金额（元）。"))
        lay.addWidget(self.view, 1)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.model.dataChanged.connect(self._update_total)
        self._update_total()

    def _update_total(self, *_):
        t = self.model.total_fen()
        self.total.setText("金额有误" if t is None else f"¥{fmt_fen(t)}　（{daxie(t)}）")

    def save(self):
        def do():
            ids, amounts = self.model.plan()
            return payments.pay(self.ctx, self.home_id, ids, self.method.currentData(), self.payer.text(),
                                self.reference.text(), amounts)
        r = run_action(self, do, title="收款未完成")
        if r is not None:
            self.receipt = r
            self.accept()


class ReadingDialog(QDialog):
    """抄表: a reading of the home's water, power or gas meter."""

    def __init__(self, ctx, home_id, room_code="", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.result_obj = None
        self.setWindowTitle(f"录入抄表读数 {room_code}")
        self.kind = QComboBox(self)
        for code, label in (("water", "水表"), ("power", "电表"), ("gas", "燃气表")):
            self.kind.addItem(label, code)
        self.reading = QLineEdit(self)
        self.reading.setPlaceholderText("如 1234.5")
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        today = ctx.clock.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        self.new_meter = QCheckBox("新表起始读数（换表时先录旧表止数，再录新表起数）", self)
        self.note = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow("表类", self.kind)
        form.addRow("读数", self.reading)
        form.addRow("抄表日期", self.date)
        form.addRow("", self.new_meter)
        form.addRow("备注", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self):
        r = run_action(self, meters.record_reading, self.ctx, self.home_id, self.kind.currentData(),
                       self.reading.text(), self.date.date().toString("yyyy-MM-dd"), self.note.text(),
                       new_meter=self.new_meter.isChecked(), title="读数未保存")
        if r is not None:
            self.result_obj = r
            self.accept()


class VoidDialog(QDialog):
    """作废收据: the reason is required; the receipt keeps its number and prints 作废."""

    def __init__(self, ctx, receipt_row, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.receipt_id = receipt_row["id"]
        self.result_obj = None
        self.setWindowTitle(f"作废收据 {receipt_row['number']}")
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("作废原因（必填）")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"收据 {receipt_row['number']}，金额 ¥{fmt_fen(receipt_row['total_fen'])}。"
                             "作废后编号保留，所收款项冲回，收据打印“作废”。"))
        lay.addWidget(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("作废")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self):
        r = run_action(self, payments.void_receipt, self.ctx, self.receipt_id, self.reason.toPlainText(),
                       title="作废未完成")
        if r is not None:
            self.result_obj = r
            self.accept()
