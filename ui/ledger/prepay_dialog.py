"""预交…: pay ahead for months of a periodic item (property fee, parking, bicycle, cable TV) at the
desk — the months (3, 6, 12 or typed) or the month it is paid through, the amount at today's rate
shown as it changes, then the payment as 收款 takes it; one receipt names the period from–to.
The button sits on the 费用明细 bar through ui.ledger.home_actions (``buttons(tab)``)."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from app.core.errors import UserError
from app.core.money import daxie, fmt_fen
from app.core.permissions import allowed
from app.ledger import payments, prepay_desk
from app.ledger.charge_items import item_name
from app.ledger.prepayment import PREPAY_CODES
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.ledger.pay_dialog import METHODS

MONTH_CHOICES = ["3", "6", "12"]


def _months(text: str):
    text = (text or "").strip()
    return int(text) if text.isdigit() else text


class PrepayDialog(FormDialog):
    """预交: item, months or paid-until month, the amount, payment method, reference, payer."""

    ok_text = "收款并开收据"
    error_title = "预交未完成"

    def __init__(self, ctx, home_id, room_code="", payer="", parent=None):
        super().__init__(f"预交费用 {room_code}", [
            Field("item", "收费项目", "choice", choices=[(c, item_name(c)) for c in PREPAY_CODES]),
            Field("months", "预交月数", "editchoice", "12", choices=MONTH_CHOICES,
                  placeholder="3、6、12 或输入月数"),
            Field("until", "或缴至月份", placeholder="如 2027-06（填写后按此计算月数）"),
            Field("quote", "预交金额", "label"),
            Field("method", "付款方式", "choice", choices=METHODS),
            Field("reference", "交易参考号", placeholder="转账时必填：微信/支付宝/银行交易参考号"),
            Field("payer", "交款人", default=payer),
        ], parent=parent, ctx=ctx, intro="按当前收费标准计算，从尚未计费或缴费的月份起预交；"
                                         "以后每月计费时从预交余额中抵扣。")
        self.home_id = home_id
        self.quote = None
        self.quote_label = self.widget("quote")
        self.widget("item").currentIndexChanged.connect(self.update_quote)
        self.widget("months").currentTextChanged.connect(self.update_quote)
        self.widget("until").textChanged.connect(self.update_quote)
        self.update_quote()

    def _args(self):
        v = self.values()
        return v["item"], _months(v["months"]), (v["until"] or "").strip() or None

    def update_quote(self, *_):
        item, months, until = self._args()
        try:
            q = prepay_desk.prepay_quote(self.ctx, self.home_id, item, months, until)
        except UserError as exc:
            self.quote = None
            self.quote_label.setText(f"—（{exc}）")
            return
        self.quote = q
        self.quote_label.setText(f"{q['from']} 至 {q['to']}，共 {q['months']} 个月 × ¥{fmt_fen(q['monthly_fen'])}"
                                 f" = ¥{fmt_fen(q['amount_fen'])}（{daxie(q['amount_fen'])}）")

    def call(self):
        v = self.values()
        item, months, until = self._args()
        return prepay_desk.prepay_at_desk(self.ctx, self.home_id, item, v["method"], v["payer"], months=months,
                                          until=until, reference=v["reference"])


def open_prepay(tab):
    """The 预交… button: the dialog for the tab's home; the receipt previewed after payment."""
    if tab.home_id is None:
        info(tab, "请先查找房屋")
        return None
    h = tab.header_data or {}
    dlg = PrepayDialog(tab.ctx, tab.home_id, h.get("room_code", ""), h.get("payer", ""), tab)
    tab.last_dialog = dlg
    if not dlg.exec() or dlg.result_value is None:
        return None
    receipt = dlg.result_value
    tab.written()
    layout = tab.layout_combo.currentData()
    pdf = run_action(tab, payments.print_receipt, tab.ctx, receipt.id, layout)
    if pdf is not None:
        from ui.common.print_preview import preview
        tab.last_preview = preview(tab, pdf, f"收据 {receipt.number}", f"收据{receipt.number}.pdf",
                                   kind="receipt_3part" if layout == "三联" else "a4")
    return receipt


def buttons(tab) -> list:
    b = QPushButton(icon("money"), "预交…")
    b.setObjectName("ledger_prepay")
    b.setEnabled(allowed(tab.ctx.user.role, "ledger.pay"))
    b.clicked.connect(lambda: open_prepay(tab))
    return [b]
