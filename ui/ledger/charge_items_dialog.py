"""收费项目 (issue 17): the manager's list of charge items — the shipped ones (rates in 站点设置) and
the office's own (电梯费, 二次供水费, 垃圾清运费, 暖气费 …) — with 新增/修改/停用. Opened by the
收费项目… button on the 月度计费与收费标准 page (ui/ledger/home_actions.BILLING_FEATURES).

The list and the item form open window-modal (``open()``): the tab stays painted behind them. The
services are app.ledger.charge_item_edit (manager only, audited)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.core.dates import period_of
from app.core.permissions import allowed
from app.ledger import charge_item_edit, charge_items, shared_meter
from app.ledger.charge_rules import CATEGORY_NAMES, CYCLES, FORMULAS, METER_NAMES, SCOPES
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.runner import notify_changed
from ui.common.tables import RowsModel, table_view

COLUMNS = [("名称", "name"), ("类别", "category"), ("计费标准", "standard"), ("适用房屋", "scope"),
           ("有效期", "valid"), ("状态", "state")]


def billing_buttons(tab) -> list:
    """The 收费项目… button of the 月度计费与收费标准 bar (a manager's)."""
    b = QPushButton(icon("settings"), "收费项目…")
    b.setObjectName("ledger_charge_items")
    b.setEnabled(allowed(getattr(tab.ctx.user, "role", None), "ledger.charge_items"))
    b.setToolTip("新增或修改本小区的收费项目（电梯费、二次供水费、暖气费等），需经理权限")
    b.clicked.connect(lambda: open_dialog(tab))
    return [b]


def open_dialog(tab):
    dlg = ChargeItemsDialog(tab.ctx, tab, on_change=lambda: _refresh_standards(tab))
    tab.charge_items_dialog = dlg
    dlg.open()
    return dlg


def _refresh_standards(tab):
    tab.standards_model.set_rows(charge_items.standards(tab.ctx.settings))
    notify_changed(tab, "ledger")


def item_fields(values: dict | None = None) -> list[Field]:
    v = values or {}
    return [
        Field("name", "名称", default=v.get("name", ""), required=True, placeholder="如 电梯费"),
        Field("category", "类别", "choice", v.get("category", "periodic"), list(CATEGORY_NAMES.items())),
        Field("formula", "计算方式", "choice", v.get("formula", "area"), list(FORMULAS.items())),
        Field("rate", "单价", default=v.get("rate", ""),
              placeholder="元：每平方米、每户或每计量单位，一个周期的金额；公摊项目不填"),
        Field("meter_kind", "计量表", "choice", v.get("meter_kind", "water"), list(METER_NAMES.items())),
        Field("count_unit", "计数单位", default=v.get("count_unit", ""), placeholder="按数量计费：辆、只、个"),
        Field("tiers", "阶梯", default=v.get("tiers", ""),
              placeholder="按表计量可选：超过数量=单价，如 10=0.80；20=1.20"),
        Field("scope", "适用范围", "choice", v.get("scope", "all"), list(SCOPES.items())),
        Field("scope_values", "适用户型/楼栋", default=v.get("scope_values", ""),
              placeholder="如 5、6（楼栋）或 洋房、高层"),
        Field("cycle", "周期", "choice", v.get("cycle", "month"), list(CYCLES.items())),
        Field("bill_month", "计收月份", default=v.get("bill_month", "1"), placeholder="按年计收的月份，1–12"),
        Field("valid_from", "起始月份", default=v.get("valid_from", ""), placeholder="如 2026-11"),
        Field("valid_to", "截止月份", default=v.get("valid_to", ""), placeholder="空：长期有效"),
        Field("due_day", "缴费截止日", default=v.get("due_day", "0"), placeholder="每月几日；0 按站点设置"),
        Field("basis", "收费依据", "multiline", v.get("basis", "")),
    ]


class ChargeItemsDialog(QDialog):
    """The list of charge items with 新增收费项目…, 修改…, 停用/启用 and 关闭."""

    def __init__(self, ctx, parent=None, on_change=None):
        super().__init__(parent)
        self.ctx = ctx
        self.on_change = on_change
        self.item_form = None
        self.setWindowTitle("收费项目")
        self.resize(900, 520)
        self.model = RowsModel(COLUMNS, parent=self)
        self.view = table_view(self.model, self, "ledger_charge_items")
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.add_button = self._button("新增收费项目…", "add", self.add, "charge_item_add")
        self.edit_button = self._button("修改…", "edit", self.edit, "charge_item_edit")
        self.toggle_button = self._button("停用", "delete", self.toggle, "charge_item_toggle")
        self.shared_button = self._button("公摊金额…", "edit", self.shared_reading, "charge_item_shared_reading")
        self.shared_button.setToolTip("录入所选公摊项目本月公摊表的用量和金额，月度计费时按面积或按户分摊")
        self.shared_form = None
        close = self._button("关闭", "ok", self.accept, "charge_items_close")
        bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.toggle_button, self.shared_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        note = QLabel("内置项目的费率在“站点设置”中修改；本处新增的项目由月度计费按其周期计收，"
                      "停用后不再计收，已计费用保留。")
        note.setWordWrap(True)
        lay.addWidget(note)
        lay.addWidget(self.view, 1)
        lay.addLayout(bar)
        self.refresh()

    def _button(self, text, purpose, slot, name) -> QPushButton:
        b = QPushButton(icon(purpose), text)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def refresh(self):
        rows = run_action(self, charge_item_edit.item_rows, self.ctx) or []
        self.model.set_rows(rows)
        self._selected()

    def current(self) -> dict | None:
        index = self.view.currentIndex()
        rows = self.view.selectionModel().selectedRows()
        if not rows or not index.isValid():
            return None
        return self.model.rows[rows[0].row()]

    def _selected(self, *_args):
        row = self.current()
        own = bool(row and row["custom"])
        self.edit_button.setEnabled(own)
        self.toggle_button.setEnabled(own)
        self.toggle_button.setText("启用" if own and not row["active"] else "停用")
        self.shared_button.setEnabled(bool(own and row.get("shared") and row["active"]))

    def shared_reading(self):
        """The common meter's month of the selected 公摊 item (app.ledger.shared_meter.record_reading)."""
        row = self.current()
        if not (row and row.get("shared")):
            return
        ctx, item_id = self.ctx, row["id"]
        fields = [Field("period", "所属月份", default=period_of(ctx.clock.today()), required=True),
                  Field("amount", "公摊金额", required=True, placeholder="元：公摊表本月的总金额"),
                  Field("usage", "用量", placeholder="度或吨，可不填"),
                  Field("note", "备注", placeholder="如 地下车库、电梯、路灯")]
        form = FormDialog(f"公摊金额：{row['name']}", fields,
                          lambda v: shared_meter.record_reading(ctx, item_id, v["period"], v["amount"], v["usage"],
                                                                v["note"]),
                          self, ctx=ctx, inline_errors=True, ok_text="保存")
        self.shared_form = form
        form.open()

    def add(self):
        self._open_form("新增收费项目", {"valid_from": period_of(self.ctx.clock.today())}, None)

    def edit(self):
        row = self.current()
        if row and row["custom"]:
            self._open_form(f"修改收费项目：{row['name']}", charge_item_edit.form_values(row["id"]), row["id"])

    def _open_form(self, title: str, values: dict, item_id):
        ctx = self.ctx
        form = FormDialog(title, item_fields(values), lambda v: charge_item_edit.save_item(ctx, v, item_id),
                          self, ctx=ctx, columns=2, inline_errors=True, ok_text="保存")
        form.finished.connect(lambda result: self._saved() if result else None)
        self.item_form = form
        form.open()

    def toggle(self):
        row = self.current()
        if row and row["custom"] and run_action(self, charge_item_edit.set_active, self.ctx, row["id"],
                                                not row["active"]) is not None:
            self._saved()

    def _saved(self):
        self.refresh()
        if self.on_change is not None:
            self.on_change()
