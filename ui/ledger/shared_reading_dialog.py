"""公摊表抄表 (issue 17): the meter reader enters the 公摊 meter's month like any other meter — its 起读数
(suggested from last month's 止读数), 止读数 and the unit price (suggested from last month); the amount,
usage × price half-up to the fen, is shown as typed and saved by app.ledger.shared_meter.read_meter.
The button sits on the 月度计费 page beside 导入抄表 (for the roles that record readings); the manager's
own entry of an amount stays 收费项目 › 公摊金额…. No manager confirmation: audited, correctable until billed."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from PySide6.QtWidgets import QPushButton

from app.core.dates import parse_period, period_str
from app.core.errors import UserError
from app.ledger import shared_meter
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import info

NO_ITEMS = "还没有公摊分摊项目：请经理在“收费项目…”中新增计算方式为公摊（按面积或按户）的项目"


def button(tab) -> QPushButton:
    """The 月度计费 bar's 公摊表抄表… (enabled for the roles that record readings)."""
    b = QPushButton(icon("edit"), "公摊表抄表…")
    b.setObjectName("ledger_shared_meter_reading")
    b.setEnabled(bool(tab.can_read))
    b.clicked.connect(lambda: open_dialog(tab))
    return b


def open_dialog(tab):
    items = shared_meter.shared_items()
    if not items:
        info(tab, NO_ITEMS)
        return None
    dlg = SharedReadingDialog(tab.ctx, items, tab.month.text().strip(), tab)
    tab.last_dialog = dlg
    if dlg.exec() and dlg.result_value is not None:
        row = dlg.result_value
        usage, amount = Decimal(row.usage_x100) / 100, Decimal(row.amount_fen) / 100
        tab.bill_result.setText(f"已录入 {dlg.item_name()} {row.period} 公摊表读数：用量 {usage:.2f}，"
                                f"公摊金额 {amount:,.2f} 元，计费时按面积或按户分摊")
        return row
    return None


def amount_text(reading_from: str, reading_to: str, price: str) -> str:
    """The amount the readings give, as the dialog shows it while typing ("—" until all three are numbers)."""
    try:
        start, end, unit = Decimal(reading_from.strip()), Decimal(reading_to.strip()), Decimal(price.strip())
    except (InvalidOperation, AttributeError):
        return "—（填写起止读数和单价后自动计算）"
    if end <= start or unit <= 0:
        return "—（止读数应大于起读数，单价应大于零）"
    amount = ((end - start) * unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount:,.2f} 元（用量 {end - start:.2f} × 单价 {unit.normalize():f}）"


class SharedReadingDialog(FormDialog):
    ok_text = "保存"
    error_title = "公摊表读数未保存"

    def __init__(self, ctx, items: list, period: str, parent=None):
        fields = [
            Field("item", "公摊项目", "choice", choices=list(items)),
            Field("period", "所属月份", default=period, required=True),
            Field("reading_from", "起读数", required=True, placeholder="上月止读数"),
            Field("reading_to", "止读数", required=True, placeholder="本月抄见读数"),
            Field("price", "单价", required=True, placeholder="元/度 或 元/吨，最多4位小数"),
            Field("amount", "公摊金额", "label", default=amount_text("", "", "")),
            Field("note", "备注", placeholder="如 地下车库、电梯、路灯"),
        ]
        super().__init__("公摊表抄表", fields, parent=parent, ctx=ctx, inline_errors=True,
                         intro="公摊表与户表一样抄读：填写起止读数和单价，金额自动计算；出账前可更正，记入审计日志。")
        for key in ("reading_from", "reading_to", "price"):
            self.widget(key).textChanged.connect(lambda _t: self.show_amount())
        self.widget("item").currentIndexChanged.connect(lambda _i: self.suggest())
        self.widget("period").editingFinished.connect(self.suggest)
        self.suggest()

    def item_name(self) -> str:
        return self.widget("item").currentText()

    def suggest(self):
        """Last month's 止读数 as this month's 起读数, and its price, where the fields are still empty."""
        try:
            period = period_str(*parse_period(self.widget("period").text(), "所属月份"))
        except UserError:
            return
        last = shared_meter.last_reading(self.widget("item").currentData(), period)
        for key, value in (("reading_from", last["to"]), ("price", last["price"])):
            if value and not self.widget(key).text().strip():
                self.widget(key).setText(value)

    def show_amount(self):
        v = self.field_values()
        self.widget("amount").setText(amount_text(v["reading_from"], v["reading_to"], v["price"]))

    def call(self):
        v = self.values()
        return shared_meter.read_meter(self.ctx, v["item"], v["period"], v["reading_from"], v["reading_to"],
                                       v["price"], v["note"])
