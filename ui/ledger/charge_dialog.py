"""登记费用: a one-off charge of a home (parcel storage by hours, paid services at owner or market
price, passes, deposits …); the standard amount is filled in from the settings and may be typed."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from app.core.errors import ValidationError
from app.core.money import daxie, fmt_fen, parse_yuan
from app.ledger import billing, charge_items
from ui.common.ops import run_action


class ChargeDialog(QDialog):
    def __init__(self, ctx, home_id, room_code="", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.result_obj = None
        self.setWindowTitle(f"登记费用 {room_code}")
        self.resize(420, 0)
        self.item = QComboBox(self)
        for code in charge_items.DESK_ITEMS:
            self.item.addItem(charge_items.item_name(code), code)
        self.hours = QLineEdit(self)
        self.hours.setPlaceholderText("保管小时数，如 37")
        self.market = QCheckBox("按市场价（非本小区业主）", self)
        self.quantity = QLineEdit(self)
        self.quantity.setPlaceholderText("可不填")
        self.amount = QLineEdit(self)
        self.amount.setObjectName("charge_amount")
        self.amount.setPlaceholderText("金额（元）")
        self.amount_text = QLabel(self)
        self.memo = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow("收费项目", self.item)
        form.addRow("保管时长（小时）", self.hours)
        form.addRow("", self.market)
        form.addRow("数量", self.quantity)
        form.addRow("金额（元）", self.amount)
        form.addRow("", self.amount_text)
        form.addRow("备注", self.memo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.item.currentIndexChanged.connect(self.suggest)
        self.hours.textChanged.connect(self.suggest)
        self.market.toggled.connect(self.suggest)
        self.amount.textChanged.connect(self._show_daxie)
        self.suggest()

    def suggest(self, *_):
        code = self.item.currentData()
        self.hours.setEnabled(code == "parcel_fee")
        self.market.setEnabled(code.startswith("service_"))
        try:
            fen = charge_items.suggested_amount(self.ctx.settings, code, hours=self.hours.text().strip() or None,
                                                owner_price=not self.market.isChecked())
        except (ValidationError, ArithmeticError, ValueError):
            fen = None
        if fen is not None:
            self.amount.setText(fmt_fen(fen).replace(",", ""))

    def _show_daxie(self, text):
        try:
            self.amount_text.setText(daxie(parse_yuan(text)))
        except ValidationError as exc:
            self.amount_text.setText(exc.problem)

    def save(self):
        code = self.item.currentData()

        def do():
            fen = parse_yuan(self.amount.text(), "金额")
            memo = self.memo.text().strip()
            if code == "parcel_fee" and self.hours.text().strip():
                memo = (f"保管 {self.hours.text().strip()} 小时 " + memo).strip()
            if code.startswith("service_"):
                memo = ("市场价 " if self.market.isChecked() else "业主价 ") + memo
            return billing.post_charge(self.ctx, self.home_id, code, fen, quantity=self.quantity.text().strip() or None,
                                       memo=memo.strip(), source="desk")
        r = run_action(self, do, title="费用未登记")
        if r is not None:
            self.result_obj = r
            self.accept()
