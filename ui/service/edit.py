"""Correct what was taken down at intake (更正受理信息) of an open request: contact, phone, room,
category, complaint class/subject/flags, description. The read-back text follows the edits and the
corrected record must be read back to the caller again (复述确认)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from app.core.privacy import mask_phone
from app.service import intake, records
from models.service import COMPLAINT_CLASSES, KINDS
from ui.common.ops import run_action


class EditDialog(QDialog):
    def __init__(self, ctx, row, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.result_value = None
        r = records.get(row.id)
        self.request = r
        self.setWindowTitle(f"更正受理信息 — {r.number}")
        self.resize(560, 640)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.kind.setCurrentText(r.kind)
        self.kind.setEnabled(r.status == "待派工")
        if r.status != "待派工":
            self.kind.setToolTip("已开始处理，类别不能再更改")
        self.room = QLineEdit(r.home.room_code)
        self.caller = QLineEdit(r.caller)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(f"不修改请留空（现为 {mask_phone(r.phone) or '未留电话'}）")
        self.content = QPlainTextEdit(r.content)
        self.content.setMinimumHeight(80)
        form.addRow("类别", self.kind)
        form.addRow("房号", self.room)
        form.addRow("报事人", self.caller)
        form.addRow("联系电话", self.phone)
        form.addRow("报事内容", self.content)
        self.complaint_box = QGroupBox("投诉信息")
        cf = QFormLayout(self.complaint_box)
        self.complaint_class = QComboBox()
        self.complaint_class.addItems(COMPLAINT_CLASSES)
        if r.complaint_class:
            self.complaint_class.setCurrentText(r.complaint_class)
        self.subject = QLineEdit(r.subject)
        self.group_size = QSpinBox()
        self.group_size.setRange(1, 999)
        self.group_size.setValue(r.group_size or 1)
        self.lawsuit = QCheckBox("涉及诉讼")
        self.lawsuit.setChecked(bool(r.lawsuit))
        self.media = QCheckBox("媒体曝光")
        self.media.setChecked(bool(r.media))
        cf.addRow("投诉类别", self.complaint_class)
        cf.addRow("投诉主题", self.subject)
        cf.addRow("投诉人数", self.group_size)
        cf.addRow("", self.lawsuit)
        cf.addRow("", self.media)
        self.note = QLineEdit()
        self.note.setPlaceholderText("可选：更正原因，如 房号记错")
        self.read_back_text = QLabel()
        self.read_back_text.setWordWrap(True)
        self.read_back_text.setStyleSheet("background:#F5F5F5; padding:6px; border:1px solid #E0E0E0")
        self.read_back = QCheckBox("已向报事人复述更正后的内容并确认无误")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存更正")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        head = QLabel(f"{r.number}　首问责任人：{r.receiver.display_name}　受理时间：{r.received_at:%Y-%m-%d %H:%M}")
        lay.addWidget(head)
        lay.addLayout(form)
        lay.addWidget(self.complaint_box)
        more = QFormLayout()
        more.addRow("更正原因", self.note)
        lay.addLayout(more)
        lay.addWidget(QLabel("复述内容："))
        lay.addWidget(self.read_back_text)
        lay.addWidget(self.read_back)
        lay.addWidget(buttons)
        for w in (self.room, self.caller, self.phone, self.subject):
            w.textChanged.connect(self._update)
        self.content.textChanged.connect(self._update)
        self.kind.currentTextChanged.connect(self._update)
        self.complaint_class.currentTextChanged.connect(self._update)
        self._update()

    def _update(self, *_):
        kind = self.kind.currentText()
        self.complaint_box.setEnabled(kind == "投诉")
        typed = self.phone.text().strip()
        self.read_back_text.setText(intake.read_back_text(
            caller=self.caller.text(), room_code=self.room.text().strip().upper(), kind=kind,
            content=self.content.toPlainText(), phone_shown=typed or mask_phone(self.request.phone),
            complaint_class=self.complaint_class.currentText() if kind == "投诉" else "",
            subject=self.subject.text().strip() if kind == "投诉" else "",
            number=self.request.number, receiver=self.request.receiver.display_name))

    def values(self) -> dict:
        r = self.request
        v = dict(read_back=self.read_back.isChecked(), caller=self.caller.text(), content=self.content.toPlainText(),
                 note=self.note.text())
        if self.room.text().strip().upper() != r.home.room_code:
            v["room_code"] = self.room.text()
        if self.phone.text().strip():
            v["phone"] = self.phone.text()
        kind = self.kind.currentText()
        if kind != r.kind:
            v["kind"] = kind
        if kind == "投诉":
            v.update(complaint_class=self.complaint_class.currentText(), subject=self.subject.text(),
                     group_size=self.group_size.value(), lawsuit=self.lawsuit.isChecked(), media=self.media.isChecked())
        return v

    def save(self):
        r = run_action(self, intake.edit_request, self.ctx, self.row.id, title="未能更正", **self.values())
        if r is not None:
            self.result_value = r
            self.accept()
