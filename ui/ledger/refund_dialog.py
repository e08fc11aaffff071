"""退押金: pay a held deposit back (all or part, e.g. less a deduction) on a refund voucher."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit

from app.core.money import fmt_fen, parse_yuan
from app.ledger import payments
from ui.common.forms import Field, FormDialog
from ui.ledger.charge_dialog import show_daxie, yuan_text


class RefundDialog(FormDialog):
    ok_text = "退款并开凭证"
    error_title = "退款未完成"

    def __init__(self, ctx, home_id, deposits, payee="", parent=None):
        held = [(d, f"{d['item']}（可退 ¥{fmt_fen(d['held_fen'])}）") for d in deposits]
        super().__init__("退还押金", [
            Field("item", "押金项目", "choice", choices=held),
            Field("amount", "退款金额（元）", placeholder="退款金额（元），扣款时填实退金额"),
            Field("amount_text", "", "label"),
            Field("reason", "退款原因", placeholder="如：复验合格，扣除损坏赔偿 500 元"),
            Field("payee", "领款人", default=payee),
        ], parent=parent, ctx=ctx)
        self.home_id = home_id
        self.item = self.widget("item")
        self.amount: QLineEdit = self.widget("amount")
        self.amount_text: QLabel = self.widget("amount_text")
        self.reason: QLineEdit = self.widget("reason")
        self.item.currentIndexChanged.connect(self._fill)
        self.amount.textChanged.connect(lambda text: show_daxie(self.amount_text, text))
        self._fill()

    def _fill(self, *_):
        """The whole deposit held, to be typed down when part is kept."""
        d = self.item.currentData()
        if d:
            self.amount.setText(yuan_text(d["held_fen"]))

    def call(self):
        v = self.values()
        fen = parse_yuan(v["amount"], "退款金额")
        return payments.refund(self.ctx, self.home_id, v["item"]["item_code"], fen, v["reason"], payee=v["payee"])
