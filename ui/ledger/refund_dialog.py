"""退押金: pay a held deposit back (all or part, e.g. less a deduction) on a refund voucher."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from app.core.money import daxie, fmt_fen, parse_yuan
from app.ledger import payments
from ui.common.ops import run_action


class RefundDialog(QDialog):
    def __init__(self, ctx, home_id, deposits, payee="", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.result_obj = None
        self.setWindowTitle("退还押金")
        self.resize(420, 0)
        self.item = QComboBox(self)
        for d in deposits:
            self.item.addItem(f"{d['item']}（可退 ¥{fmt_fen(d['held_fen'])}）", d)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("退款金额（元），扣款时填实退金额")
        self.amount_text = QLabel(self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("如：复验合格，扣除损坏赔偿 500 元")
        self.payee = QLineEdit(payee, self)
        form = QFormLayout(self)
        form.addRow("押金项目", self.item)
        form.addRow("退款金额（元）", self.amount)
        form.addRow("", self.amount_text)
        form.addRow("退款原因", self.reason)
        form.addRow("领款人", self.payee)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("退款并开凭证")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.item.currentIndexChanged.connect(self._fill)
        self.amount.textChanged.connect(self._show_daxie)
        self._fill()

    def _fill(self, *_):
        d = self.item.currentData()
        if d:
            self.amount.setText(fmt_fen(d["held_fen"]).replace(",", ""))

    def _show_daxie(self, text):
        try:
            self.amount_text.setText(daxie(parse_yuan(text)))
        except Exception as exc:  # a ValidationError: show its problem
            self.amount_text.setText(getattr(exc, "problem", str(exc)))

    def save(self):
        d = self.item.currentData()

        def do():
            fen = parse_yuan(self.amount.text(), "退款金额")
            return payments.refund(self.ctx, self.home_id, d["item_code"], fen, self.reason.text(),
                                   payee=self.payee.text())
        r = run_action(self, do, title="退款未完成")
        if r is not None:
            self.result_obj = r
            self.accept()
