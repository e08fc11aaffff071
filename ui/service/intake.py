"""Intake of a service request (受理报事/投诉): the current user becomes its first receiver."""
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

from app.service import intake
from models.service import CHANNELS, COMPLAINT_CLASSES, KINDS
from ui.common.ops import run_action


class IntakeDialog(QDialog):
    def __init__(self, ctx, parent=None, room_code: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.result_request = None
        self.setWindowTitle("受理报事 / 投诉")
        self.resize(520, 560)
        who = getattr(ctx.user, "display_name", "")
        form = QFormLayout()
        self.channel = QComboBox()
        self.channel.addItems(CHANNELS)
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.room = QLineEdit(room_code)
        self.room.setPlaceholderText("如 5-203")
        self.caller = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机或固定电话（来电必填）")
        self.content = QPlainTextEdit()
        self.content.setPlaceholderText("报事人所述内容")
        self.content.setMinimumHeight(90)
        self.read_back = QCheckBox("已向报事人复述内容并确认无误")
        form.addRow("受理方式", self.channel)
        form.addRow("类别", self.kind)
        form.addRow("房号", self.room)
        form.addRow("报事人", self.caller)
        form.addRow("联系电话", self.phone)
        form.addRow("报事内容", self.content)
        form.addRow("", self.read_back)
        self.complaint_box = QGroupBox("投诉信息")
        cf = QFormLayout(self.complaint_box)
        self.complaint_class = QComboBox()
        self.complaint_class.addItems(COMPLAINT_CLASSES)
        self.subject = QLineEdit()
        self.subject.setPlaceholderText("简短主题，如 电梯故障（同类同主题用于识别重复/热点投诉）")
        self.group_size = QSpinBox()
        self.group_size.setRange(1, 999)
        self.lawsuit = QCheckBox("涉及诉讼")
        self.media = QCheckBox("媒体曝光")
        cf.addRow("投诉类别", self.complaint_class)
        cf.addRow("投诉主题", self.subject)
        cf.addRow("投诉人数", self.group_size)
        cf.addRow("", self.lawsuit)
        cf.addRow("", self.media)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("受理")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"首问责任人：{who}（受理人负责跟进至关闭）"))
        lay.addLayout(form)
        lay.addWidget(self.complaint_box)
        lay.addWidget(buttons)

    def _kind_changed(self, kind):
        self.complaint_box.setEnabled(kind == "投诉")

    def values(self) -> dict:
        v = dict(channel=self.channel.currentText(), kind=self.kind.currentText(), room_code=self.room.text(),
                 caller=self.caller.text(), phone=self.phone.text(), content=self.content.toPlainText(),
                 read_back=self.read_back.isChecked())
        if v["kind"] == "投诉":
            v.update(complaint_class=self.complaint_class.currentText(), subject=self.subject.text(),
                     group_size=self.group_size.value(), lawsuit=self.lawsuit.isChecked(), media=self.media.isChecked())
        return v

    def save(self):
        r = run_action(self, intake.intake, self.ctx, title="未能受理", **self.values())
        if r is not None:
            self.result_request = r
            self.accept()
