"""Ledger dialogs: take a payment (tick charges, amounts typed in 元), record a meter reading,
void a receipt. All are ui.common.forms.FormDialog: 确定 calls the service, a refusal keeps the input."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView

from app.core.money import daxie, fmt_fen
from app.ledger import meters, payments
from ui.common.forms import Field, FormDialog
from ui.common.tables import sortable
from ui.ledger.table_models import PayChargesModel

METHODS = [("cash", "现金"), ("card", "银行卡"), ("transfer", "转账（微信/支付宝/银行）")]
METERS = [("water", "水表"), ("power", "电表"), ("gas", "燃气表")]
PAY_SIZE = (640, 460)


class PayDialog(FormDialog):
    """收款: the home's open charges, ticked ones paid with the typed amounts on one receipt.

    The charges table (a tick and an amount per charge) is the dialog's own widget, shown between
    the hint and the fields of the payment."""

    ok_text = "收款并开收据"
    error_title = "收款未完成"

    def __init__(self, ctx, home_id, charges, selected_ids=(), payer="", parent=None):
        super().__init__("收款", [
            Field("method", "付款方式", "choice", choices=METHODS),
            Field("reference", "交易参考号", placeholder="转账时必填：微信/支付宝/银行交易参考号"),
            Field("payer", "交款人", default=payer),
            Field("total", "本次合计", "label"),
        ], parent=parent, intro="勾选要收取的费用；本次收款金额可改为部分金额（元）。", ctx=ctx)
        self.home_id = home_id
        self.resize(*PAY_SIZE)
        self.model = PayChargesModel(charges, selected_ids, self)
        self.view = self._charges_view()
        self.body.insertWidget(self.body.indexOf(self.intro) + 1, self.view, 1)
        self.total: QLabel = self.widget("total")
        self.model.dataChanged.connect(self._update_total)
        self._update_total()

    @property
    def receipt(self):
        """The receipt issued (None until paid)."""
        return self.result_value

    def _charges_view(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("pay_charges")
        view.setModel(self.model)
        view.verticalHeader().setVisible(False)
        view.setEditTriggers(QTableView.EditTrigger.AllEditTriggers)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return sortable(view, fit=False)

    def _update_total(self, *_):
        t = self.model.total_fen()
        self.total.setText("金额有误" if t is None else f"¥{fmt_fen(t)}　（{daxie(t)}）")

    def call(self):
        v = self.values()
        ids, amounts = self.model.plan()
        return payments.pay(self.ctx, self.home_id, ids, v["method"], v["payer"], v["reference"], amounts)


class ReadingDialog(FormDialog):
    """抄表: a reading of the home's water, power or gas meter."""

    ok_text = "保存"
    error_title = "读数未保存"

    def __init__(self, ctx, home_id, room_code="", parent=None):
        super().__init__(f"录入抄表读数 {room_code}", [
            Field("kind", "表类", "choice", choices=METERS),
            Field("reading", "读数", placeholder="如 1234.5"),
            Field("date", "抄表日期", "date", ctx.clock.today()),
            Field("new_meter", "新表起始读数（换表时先录旧表止数，再录新表起数）", "check"),
            Field("note", "备注"),
        ], parent=parent, ctx=ctx)
        self.home_id = home_id
        self.kind = self.widget("kind")
        self.reading = self.widget("reading")

    def call(self):
        v = self.values()
        return meters.record_reading(self.ctx, self.home_id, v["kind"], v["reading"], v["date"],
                                     v["note"], new_meter=v["new_meter"])


class VoidDialog(FormDialog):
    """作废收据: the reason is required; the receipt keeps its number and prints 作废."""

    ok_text = "作废"
    error_title = "作废未完成"

    def __init__(self, ctx, receipt_row, parent=None):
        number = receipt_row["number"]
        super().__init__(f"作废收据 {number}", [
            Field("reason", "作废原因", "multiline", placeholder="作废原因（必填）"),
        ], parent=parent, ctx=ctx, intro=f"收据 {number}，金额 ¥{fmt_fen(receipt_row['total_fen'])}。"
                                         "作废后编号保留，所收款项冲回，收据打印“作废”。")
        self.receipt_id = receipt_row["id"]
        self.reason = self.widget("reason")
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def call(self):
        return payments.void_receipt(self.ctx, self.receipt_id, self.values()["reason"])
