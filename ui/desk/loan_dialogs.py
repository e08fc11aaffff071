"""Dialogs of the loan register: lend an item, take it back, add or edit an item.

Money is typed in 元 into a QLineEdit and parsed to fen by app.core.money.parse_yuan."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox

from app.core.errors import ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.desk import loans
from models.loans import ITEM_CATEGORIES
from ui.common.dates import date_edit, py_date
from ui.common.forms import FormDialog


def _yuan(text: str, field: str) -> int:
    return 0 if not text.strip() else parse_yuan(text, field)


class LendDialog(FormDialog):
    error_title = "未保存"
    ok_text = "借出"

    def __init__(self, ctx, item_id: int | None = None, parent=None):
        super().__init__("物品借出登记", parent=parent, ctx=ctx)
        self.items = [r for r in loans.list_items(ctx)]
        self.item = QComboBox()
        for r in self.items:
            self.item.addItem(f"{r['name']}（可借 {r['available']}/{r['quantity']}）", r["id"])
        if item_id is not None:
            self.item.setCurrentIndex(max(0, self.item.findData(item_id)))
        self.quantity = QSpinBox()
        self.quantity.setRange(1, loans.MAX_QUANTITY)
        self.room = QLineEdit()
        self.room.setPlaceholderText("如 5-203")
        self.manager_note = QLabel()
        self.room.editingFinished.connect(self._room_changed)
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.id_type = QComboBox()
        self.id_type.addItems(loans.ID_TYPES)
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("轮椅等物品须登记有效证件")
        self.condition = QComboBox()
        self.condition.setEditable(True)
        self.signed = QCheckBox("借用人已当面检查物品状况并签字确认")
        self.deposit = QLineEdit()
        self.deposit.setPlaceholderText("元，不收押金留空")
        self.deposit_note = QLabel()
        self.due = date_edit(ctx.clock.today() + dt.timedelta(days=int(ctx.settings.get("keys.default_loan_days"))))
        self.notes = QLineEdit()
        self.print_slip = QCheckBox("借出后打印物品借用单（借用人签字）")
        self.print_slip.setChecked(True)
        for label, w in (("借用物品", self.item), ("借用数量", self.quantity), ("房号", self.room),
                         ("", self.manager_note), ("借用人", self.name), ("联系电话", self.phone),
                         ("证件类型", self.id_type), ("证件号码", self.id_number), ("借出时状况", self.condition),
                         ("", self.signed), ("押金（元）", self.deposit), ("", self.deposit_note),
                         ("应还日期", self.due), ("备注", self.notes), ("", self.print_slip)):
            self.form.addRow(label, w)
        self.item.currentIndexChanged.connect(self._item_changed)
        self.quantity.valueChanged.connect(self._item_changed)
        self._item_changed()
        self.resize(480, 0)

    def _room_changed(self):
        name = loans.area_manager_of(self.room.text()) if self.room.text().strip() else ""
        self.manager_note.setText(f"本楼管家：{name}（借出后请告知）" if name else "")

    def current_item(self) -> dict | None:
        i = self.item.currentIndex()
        return self.items[i] if 0 <= i < len(self.items) else None

    def _item_changed(self, *_):
        r = self.current_item()
        if r is None:
            return
        self.condition.clear()
        self.condition.addItems([r["condition"]] + [c for c in ("完好", "有轻微磨损") if c != r["condition"]])
        self.id_number.setEnabled(True)
        self.id_number.setPlaceholderText("本物品须登记有效身份证件" if r["needs_id"] else "可不填")
        self.deposit.setText(fmt_fen(r["deposit_fen"] * self.quantity.value()).replace(",", "")
                             if r["deposit_fen"] else "")
        self.deposit_note.setText("押金将由收费台账开具收据，归还时退还")

    def call(self):
        r = self.current_item()
        if r is None:
            raise ValidationError("借用物品", "请先登记物品")
        return loans.lend(self.ctx, {
            "item_id": r["id"], "quantity": self.quantity.value(), "room_code": self.room.text(),
            "borrower_name": self.name.text(), "phone": self.phone.text(), "id_type": self.id_type.currentText(),
            "id_number": self.id_number.text(), "condition_out": self.condition.currentText(),
            "borrower_signed": self.signed.isChecked(), "deposit_fen": _yuan(self.deposit.text(), "押金"),
            "due_date": py_date(self.due.date()), "notes": self.notes.text()})


class ReturnDialog(FormDialog):
    error_title = "未保存"
    ok_text = "归还"

    def __init__(self, ctx, loan_row: dict, parent=None):
        super().__init__("物品归还登记", parent=parent, ctx=ctx)
        self.loan_id = loan_row["id"]
        self.form.addRow("借用单", QLabel(f"{loan_row['number']}　{loan_row['item']} ×{loan_row['quantity']}"))
        self.form.addRow("借用人", QLabel(f"{loan_row['room_code']} {loan_row['borrower_name']}　应还 "
                                         f"{loan_row['due_date']} {loan_row['overdue_text']}"))
        self.form.addRow("借出时状况", QLabel(loan_row["condition_out"]))
        self.condition = QComboBox()
        self.condition.setEditable(True)
        self.condition.addItems(["完好", "有损坏", "部分遗失"])
        self.damage = QLineEdit()
        self.damage.setPlaceholderText("当面检查发现的损坏、遗失及赔偿")
        self.refund = QLineEdit(fmt_fen(loan_row["deposit_fen"]).replace(",", "") if loan_row["deposit_fen"] else "")
        self.refund.setEnabled(bool(loan_row["deposit_fen"]))
        self.refund.setPlaceholderText("未收押金")
        self.received_by = QLineEdit(getattr(ctx.user, "display_name", "") or "")
        self.update_item = QCheckBox("同时将物品状况更新为归还时状况")
        self.condition.currentTextChanged.connect(lambda t: self.update_item.setChecked(t != "完好"))
        for label, w in (("归还时状况", self.condition), ("损坏说明", self.damage), ("", self.update_item),
                         ("退还押金（元）", self.refund), ("接收人", self.received_by)):
            self.form.addRow(label, w)
        if loan_row["deposit_fen"]:
            receipt = f"（收据 {loan_row['deposit_receipt']}）" if loan_row["deposit_receipt"] else ""
            self.form.addRow("", QLabel(f"已收押金 {loan_row['deposit']} 元{receipt}"))
        self.deposit_fen = loan_row["deposit_fen"]
        self.resize(460, 0)

    def call(self):
        refund = _yuan(self.refund.text(), "退还押金") if self.deposit_fen else 0
        return loans.return_loan(self.ctx, self.loan_id, {
            "condition_in": self.condition.currentText(), "damage_notes": self.damage.text(),
            "refund_fen": refund, "received_by": self.received_by.text(),
            "update_item_condition": self.update_item.isChecked()})


class ItemDialog(FormDialog):
    """Add an item the desk lends, or edit one."""
    error_title = "未保存"

    def __init__(self, ctx, item_id: int | None = None, parent=None):
        super().__init__("编辑借用物品" if item_id else "新增借用物品", parent=parent, ctx=ctx)
        self.item_id = item_id
        self.name = QLineEdit()
        self.category = QComboBox()
        self.category.addItems(ITEM_CATEGORIES)
        self.quantity = QSpinBox()
        self.quantity.setRange(1, loans.MAX_QUANTITY)
        self.condition = QLineEdit("完好")
        self.needs_id = QCheckBox("借用时须登记有效身份证件")
        self.deposit = QLineEdit()
        self.deposit.setPlaceholderText("元/件，不收押金留空")
        self.place = QLineEdit("客服前台")
        self.notes = QLineEdit()
        for label, w in (("物品名称", self.name), ("类别", self.category), ("数量", self.quantity),
                         ("状况", self.condition), ("", self.needs_id), ("押金（元/件）", self.deposit),
                         ("存放地点", self.place), ("备注", self.notes)):
            self.form.addRow(label, w)
        if item_id:
            it = loans.get_item(item_id)
            self.name.setText(it.name)
            self.category.setCurrentText(it.category)
            self.quantity.setValue(it.quantity)
            self.condition.setText(it.condition)
            self.needs_id.setChecked(it.needs_id)
            self.deposit.setText(fmt_fen(it.deposit_fen).replace(",", "") if it.deposit_fen else "")
            self.place.setText(it.keeper_place)
            self.notes.setText(it.notes)
        self.resize(420, 0)

    def call(self):
        data = {"name": self.name.text(), "category": self.category.currentText(), "quantity": self.quantity.value(),
                "condition": self.condition.text(), "needs_id": self.needs_id.isChecked(),
                "deposit_fen": _yuan(self.deposit.text(), "押金"), "keeper_place": self.place.text(),
                "notes": self.notes.text()}
        if self.item_id:
            return loans.update_item(self.ctx, self.item_id, data)
        return loans.create_item(self.ctx, data)
