"""登记费用: a one-off charge of a home (parcel storage by hours, paid services at owner or market
price, passes, deposits …); the standard amount is filled in from the settings and may be typed."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit

from app.core.errors import ValidationError
from app.core.money import daxie, fmt_fen, parse_yuan
from app.ledger import billing, charge_items
from ui.common.forms import Field, FormDialog

PARCEL = "parcel_fee"
SERVICE_PREFIX = "service_"


def yuan_text(fen: int) -> str:
    """Fen as the 元 a cashier types: 1234.50, no thousands separator."""
    return fmt_fen(fen).replace(",", "")


def show_daxie(label: QLabel, text: str):
    """The amount typed, in capital Chinese numerals (or what is wrong with it)."""
    try:
        label.setText(daxie(parse_yuan(text)))
    except ValidationError as exc:
        label.setText(exc.problem)


class ChargeDialog(FormDialog):
    ok_text = "登记"
    error_title = "费用未登记"

    def __init__(self, ctx, home_id, room_code="", parent=None):
        items = [(code, charge_items.item_name(code)) for code in charge_items.desk_items()]
        super().__init__(f"登记费用 {room_code}", [
            Field("item", "收费项目", "choice", choices=items),
            Field("hours", "保管时长（小时）", placeholder="保管小时数，如 37"),
            Field("market", "按市场价（非本小区业主）", "check"),
            Field("quantity", "数量", placeholder="可不填"),
            Field("amount", "金额（元）", placeholder="金额（元）"),
            Field("amount_text", "", "label"),
            Field("memo", "备注"),
        ], parent=parent, ctx=ctx)
        self.home_id = home_id
        self.item = self.widget("item")
        self.hours: QLineEdit = self.widget("hours")
        self.market = self.widget("market")
        self.amount: QLineEdit = self.widget("amount")
        self.amount_text: QLabel = self.widget("amount_text")
        self.item.currentIndexChanged.connect(self.suggest)
        self.hours.textChanged.connect(self.suggest)
        self.market.toggled.connect(self.suggest)
        self.amount.textChanged.connect(lambda text: show_daxie(self.amount_text, text))
        self.suggest()

    def suggest(self, *_):
        """The standard amount of the item (by the hours of a parcel, owner or market price)."""
        code = self.item.currentData()
        self.hours.setEnabled(code == PARCEL)
        self.market.setEnabled(code.startswith(SERVICE_PREFIX))
        try:
            fen = charge_items.suggested_amount(self.ctx.settings, code, hours=self.hours.text().strip() or None,
                                                owner_price=not self.market.isChecked())
        except (ValidationError, ArithmeticError, ValueError):
            fen = None
        if fen is not None:
            self.amount.setText(yuan_text(fen))

    def call(self):
        v = self.values()
        code = v["item"]
        fen = parse_yuan(v["amount"], "金额")
        memo = v["memo"]
        if code == PARCEL and v["hours"]:
            memo = f"保管 {v['hours']} 小时 {memo}".strip()
        if code.startswith(SERVICE_PREFIX):
            memo = ("市场价 " if v["market"] else "业主价 ") + memo
        return billing.post_charge(self.ctx, self.home_id, code, fen, quantity=v["quantity"] or None,
                                   memo=memo.strip(), source="desk")
