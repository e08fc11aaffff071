"""Dialogs of the key register: sign-out, return, catalogue entry, history, vacant-home inspection.

Each dialog gathers input and calls one service through ``run_action``; a refusal shows the
Chinese message and keeps the input on screen."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from app.desk import inspections, keys
from models.keys import BORROWER_KINDS, KEY_KINDS
from ui.common.dates import date_edit, datetime_edit, py_date, py_datetime
from ui.common.forms import FormDialog
from ui.common.tables import table_view
from ui.desk.keys_models import history_model, inspections_model


class KeySignOutDialog(FormDialog):
    error_title = "未保存"
    ok_text = "借出"

    def __init__(self, ctx, key_id: int, parent=None):
        super().__init__("钥匙借出登记", parent=parent, ctx=ctx)
        self.key_id = key_id
        key = keys.get_key(key_id)
        self.form.addRow("钥匙", QLabel(f"{keys.key_label(key)}　存放：{key.keeper_place}"))
        self.copy = QComboBox()
        for n in keys.free_copies(key_id):
            self.copy.addItem(f"第{n}把（共{key.copies}把）", n)
        self.form.addRow("钥匙序号", self.copy)
        self.name = QLineEdit()
        self.name.setPlaceholderText("借用人姓名")
        self.kind = QComboBox()
        self.kind.addItems(BORROWER_KINDS)
        self.company = QLineEdit()
        self.company.setPlaceholderText("施工单位须填写")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机或固定电话（员工可不填）")
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("如：水泵房检修、电梯保养")
        now = ctx.clock.now()
        self.due = datetime_edit(now + dt.timedelta(hours=int(ctx.settings.get("keys.default_hours"))))
        self.print_slip = QCheckBox("借出后打印钥匙借用单")
        self.print_slip.setChecked(True)
        for label, w in (("借用人", self.name), ("借用人类别", self.kind), ("单位名称", self.company),
                         ("联系电话", self.phone), ("借用事由", self.purpose), ("预计归还时间", self.due),
                         ("", self.print_slip)):
            self.form.addRow(label, w)
        self.resize(460, 0)

    def call(self):
        return keys.sign_out(self.ctx, self.key_id, {
            "copy_no": self.copy.currentData(), "borrower_name": self.name.text(),
            "borrower_kind": self.kind.currentText(), "company": self.company.text(), "phone": self.phone.text(),
            "purpose": self.purpose.text(), "due_at": py_datetime(self.due.dateTime())})


class KeyReturnDialog(FormDialog):
    error_title = "未保存"
    ok_text = "归还"

    def __init__(self, ctx, loan_row: dict, parent=None):
        super().__init__("钥匙归还登记", parent=parent, ctx=ctx)
        self.loan_id = loan_row["id"]
        self.form.addRow("钥匙", QLabel(f"{loan_row['area']} 第{loan_row['copy_no']}把　单号 {loan_row['number']}"))
        self.form.addRow("借用人", QLabel(f"{loan_row['borrower_name']}　应还 {loan_row['due_at']}"
                                         + (f"　{loan_row['overdue_text']}" if loan_row.get("overdue") else "")))
        self.returned_by = QLineEdit(loan_row["borrower_name"])
        self.received_by = QLineEdit(getattr(ctx.user, "display_name", "") or "")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("如：钥匙完好")
        self.form.addRow("归还人", self.returned_by)
        self.form.addRow("接收人", self.received_by)
        self.form.addRow("备注", self.notes)
        self.resize(420, 0)

    def call(self):
        return keys.return_key(self.ctx, self.loan_id, {"returned_by": self.returned_by.text(),
                                                         "received_by": self.received_by.text(),
                                                         "notes": self.notes.text()})


class KeyEditDialog(FormDialog):
    """Add a key to the catalogue, or edit one (``key_id``)."""
    error_title = "未保存"

    def __init__(self, ctx, key_id: int | None = None, parent=None):
        super().__init__("编辑钥匙" if key_id else "新增钥匙", parent=parent, ctx=ctx)
        self.key_id = key_id
        self.kind = QComboBox()
        self.kind.addItems(KEY_KINDS)
        self.area = QLineEdit()
        self.room = QLineEdit()
        self.room.setPlaceholderText("入户门钥匙填写房号，如 5-203")
        self.supply = QComboBox()
        self.supply.setEditable(True)
        self.supply.addItems(["通锁", "厂家配备", "厂家分户配备", "挂锁", "自带", "施工方配备", "开发商移交"])
        self.copies = QSpinBox()
        self.copies.setRange(1, keys.MAX_COPIES)
        self.place = QComboBox()
        self.place.setEditable(True)
        self.place.addItems(["客服前台", "监控中心", "维修办公室", "秩序办公室", "经理办公室"])
        self.person = QLineEdit()
        self.notes = QLineEdit()
        for label, w in (("钥匙类别", self.kind), ("钥匙区域", self.area), ("房号", self.room),
                         ("配备方式", self.supply), ("钥匙数量", self.copies), ("存放地点", self.place),
                         ("保管人", self.person), ("备注", self.notes)):
            self.form.addRow(label, w)
        if key_id:
            k = keys.get_key(key_id)
            self.kind.setCurrentText(k.kind)
            self.kind.setEnabled(False)
            self.area.setText(k.area)
            self.room.setText(k.home.room_code if k.home_id else "")
            self.room.setEnabled(False)
            self.supply.setCurrentText(k.supply_method)
            self.copies.setValue(k.copies)
            self.place.setCurrentText(k.keeper_place)
            self.person.setText(k.keeper_person)
            self.notes.setText(k.notes)
        else:
            self.place.setCurrentText("客服前台")
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())
        self.resize(420, 0)

    def _kind_changed(self, kind):
        if not self.key_id:
            self.room.setEnabled(kind == keys.DOOR_KIND)

    def call(self):
        data = {"kind": self.kind.currentText(), "area": self.area.text(), "supply_method": self.supply.currentText(),
                "copies": self.copies.value(), "keeper_place": self.place.currentText(),
                "keeper_person": self.person.text(), "notes": self.notes.text()}
        if self.key_id:
            return keys.update_key(self.ctx, self.key_id, data)
        if data["kind"] == keys.DOOR_KIND:
            data["room_code"] = self.room.text()
            if not data["area"].strip() and self.room.text().strip():
                data["area"] = f"入户门 {self.room.text().strip()}"
        return keys.create_key(self.ctx, data)


class KeyHistoryDialog(QDialog):
    def __init__(self, ctx, key_id: int, parent=None):
        super().__init__(parent)
        key = keys.get_key(key_id)
        self.setWindowTitle(f"钥匙历史：{keys.key_label(key)}")
        self.model = history_model(self)
        self.model.set_rows(keys.key_history(ctx, key_id))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{keys.key_label(key)}　配备方式：{key.supply_method or '—'}　数量：{key.copies}　"
                             f"存放：{key.keeper_place}　保管人：{key.keeper_person or '—'}　"
                             f"共 {len(self.model.rows)} 条记录"))
        self.view = table_view(self.model, self)
        lay.addWidget(self.view)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.resize(1000, 420)


class InspectionDialog(FormDialog):
    error_title = "未保存"
    ok_text = "登记"

    def __init__(self, ctx, row: dict, parent=None):
        super().__init__(f"空置房巡查登记：{row['room_code']}", parent=parent, ctx=ctx)
        self.home_id = row["home_id"]
        self.form.addRow("房号", QLabel(f"{row['room_code']}（{row['state']}）　应巡查：{row['next_due']}"))
        self.inspector = QLineEdit(getattr(ctx.user, "display_name", "") or "")
        self.day = date_edit(ctx.clock.today())
        self.result = QComboBox()
        self.result.addItems(inspections.INSPECTION_RESULTS)
        self.findings = QPlainTextEdit()
        self.findings.setPlaceholderText("门窗、水电、渗漏、卫生等情况；有问题时必填")
        self.findings.setFixedHeight(70)
        for label, w in (("巡查人", self.inspector), ("巡查日期", self.day), ("巡查结果", self.result),
                         ("发现问题", self.findings)):
            self.form.addRow(label, w)
        hist = inspections_model(self)
        hist.set_rows(inspections.inspection_history(ctx, self.home_id))
        self.history = table_view(hist, self)
        self.history.setMaximumHeight(140)
        self.add_widget(QLabel(f"巡查记录（{len(hist.rows)} 次）"))
        self.add_widget(self.history)
        self.resize(480, 0)

    def call(self):
        return inspections.record_inspection(self.ctx, self.home_id, {
            "inspector": self.inspector.text(), "inspected_on": py_date(self.day.date()),
            "result": self.result.currentText(), "findings": self.findings.toPlainText()})
