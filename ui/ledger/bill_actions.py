"""缴费通知单 in the 收费台账 tab (listed in ui/ledger/home_actions.py): 缴费通知单… on the 费用明细 bar
previews the bill of the home shown for a month; 批量缴费通知单… on the 月度计费 bar prints a
building's bills for a month (homes with nothing owed left out, two per A4 sheet as an option) off
the GUI thread with a progress dialog for a big building. Both number and audit the bills
(app.ledger.bills.bills_pdf)."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from app.core.dates import parse_period, period_of
from app.core.permissions import allowed
from app.ledger import bills, dunning
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import info
from ui.common.print_preview import preview
from ui.common.runner import Op


def _button(text: str, name: str, slot, enabled: bool) -> QPushButton:
    b = QPushButton(icon("print"), text)
    b.setObjectName(name)
    b.setEnabled(enabled)
    b.clicked.connect(slot)
    return b


def _may_print(tab) -> bool:
    return allowed(getattr(tab.ctx.user, "role", None), "ledger.dunning")


def buttons(tab) -> list:
    return [_button("缴费通知单…", "ledger_bill_notice", lambda: home_bill(tab), _may_print(tab))]


def billing_buttons(tab) -> list:
    return [_button("批量缴费通知单…", "ledger_bills_batch", lambda: building_bills(tab), _may_print(tab))]


def _this_month(tab) -> str:
    return period_of(tab.ctx.clock.today())


def home_bill(tab) -> None:
    """The bill of the home shown: ask the month, issue it and preview it."""
    if tab.home_id is None:
        info(tab, "请先查找房屋")
        return
    ctx, home_id = tab.ctx, tab.home_id
    room = (tab.header_data or {}).get("room_code", "")
    form = FormDialog(f"缴费通知单：{room}", [Field("month", "账单月份", "text", _this_month(tab), required=True,
                                                  placeholder="如 2026-11")],
                      lambda v: bills.bills_pdf(ctx, v["month"], home_id=home_id), tab,
                      "列出该月费用、往期欠费（按月）及滞纳金、押金（不计入应缴）和应缴合计；"
                      "通知单编号并记入操作日志。", ok_text="预览")
    form.setObjectName("bill_form")
    tab.last_form = form
    if not form.exec():
        return
    batch, pdf = form.result_value
    b = batch.bills[0]
    tab.last_preview = preview(tab, pdf, f"缴费通知单 {b.number}（{b.room_code}）", f"缴费通知单-{b.room_code}.pdf",
                               kind="a4")


def _checked_values(values: dict) -> dict:
    parse_period(values["month"], "账单月份")
    return values


def building_bills(tab) -> None:
    """A building's bills for a month: chosen in a form, made on the worker with progress, previewed."""
    choices = dunning.building_choices()
    if not choices:
        info(tab, "还没有楼栋")
        return
    form = FormDialog("批量打印缴费通知单",
                      [Field("building", "楼栋", "choice", choices[0][0], choices),
                       Field("month", "账单月份", "text", _this_month(tab), required=True, placeholder="如 2026-11"),
                       Field("two_up", "每张A4纸打印两份（便于投入信报箱）", "check", False)],
                      _checked_values, tab, "为该楼栋每户有应缴费用的住户打印一份缴费通知单（无应缴费用的住户不打印），"
                                            "逐份编号并记入操作日志。", ok_text="生成")
    form.setObjectName("bills_batch_form")
    tab.last_form = form
    if not form.exec():
        return
    v = form.result_value
    name = next((text for value, text in choices if value == v["building"]), "")

    def show(result):
        batch, pdf = result
        if not batch.bills:
            info(tab, f"{name}没有应缴费用的住户，未生成缴费通知单。")
            return
        skipped = f"，{batch.skipped} 户无应缴费用未打印" if batch.skipped else ""
        tab.last_preview = preview(tab, pdf, f"缴费通知单 {name}（{len(batch.bills)} 份{skipped}）",
                                   f"缴费通知单-{name}-{v['month']}.pdf", kind="a4")

    tab.last_op = (Op(tab, tab.ctx, bills.bills_pdf, tab.ctx, v["month"], building_id=v["building"],
                      two_up=bool(v["two_up"]))
                   .write("无法打印缴费通知单").with_progress("正在生成缴费通知单，请稍候…").success(show).run())
