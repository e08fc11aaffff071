"""Intake of a service request (受理报事/投诉): the current user becomes its first receiver.

The complaint group (class, subject, head count, lawsuit, media) is shared with the correction
dialog (ui.service.edit): ``complaint_box`` builds it, ``complaint_values`` reads it."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from app.service import intake
from models.service import CHANNELS, COMPLAINT_CLASSES, KINDS
from ui.common.forms import Field, FormDialog

COMPLAINT = "投诉"
CONTENT_HEIGHT = 90
MAX_GROUP_SIZE = 999
SUBJECT_HINT = "简短主题，如 电梯故障（同类同主题用于识别重复/热点投诉）"
READ_BACK_STYLE = "background:#F5F5F5; padding:6px; border:1px solid #E0E0E0"


def complaint_box(dialog: FormDialog, request=None) -> QGroupBox:
    """The 投诉信息 group as fields of *dialog* (keys complaint_class … media), filled from *request*."""
    box = QGroupBox("投诉信息")
    form = QFormLayout(box)
    r = request
    for f in (Field("complaint_class", "投诉类别", "choice", getattr(r, "complaint_class", None) or None,
                    COMPLAINT_CLASSES),
              Field("subject", "投诉主题", default=getattr(r, "subject", ""), placeholder="" if r else SUBJECT_HINT),
              Field("group_size", "投诉人数", "int", getattr(r, "group_size", None) or 1),
              Field("lawsuit", "涉及诉讼", "check", bool(getattr(r, "lawsuit", False))),
              Field("media", "媒体曝光", "check", bool(getattr(r, "media", False)))):
        dialog.add_field(f, form)
    dialog.widget("group_size").setRange(1, MAX_GROUP_SIZE)
    return box


def complaint_values(dialog: FormDialog) -> dict:
    """The complaint fields as the services take them (the subject as typed)."""
    w = dialog.widget
    return {"complaint_class": w("complaint_class").currentText(), "subject": w("subject").text(),
            "group_size": w("group_size").value(), "lawsuit": w("lawsuit").isChecked(),
            "media": w("media").isChecked()}


class IntakeDialog(FormDialog):
    ok_text = "受理"
    error_title = "未能受理"

    def __init__(self, ctx, parent=None, room_code: str = ""):
        who = getattr(ctx.user, "display_name", "")
        super().__init__("受理报事 / 投诉", [
            Field("channel", "受理方式", "choice", None, CHANNELS),
            Field("kind", "类别", "choice", None, KINDS),
            Field("room_code", "房号", default=room_code, placeholder="如 5-203"),
            Field("caller", "报事人"),
            Field("phone", "联系电话", placeholder="手机或固定电话（来电必填）"),
            Field("content", "报事内容", "multiline", placeholder="报事人所述内容"),
            Field("read_back", "已向报事人复述内容并确认无误", "check", False),
        ], parent=parent, intro=f"首问责任人：{who}（受理人负责跟进至关闭）", ctx=ctx)
        self.resize(520, 560)
        self.channel, self.kind = self.widget("channel"), self.widget("kind")
        self.room, self.caller, self.phone = self.widget("room_code"), self.widget("caller"), self.widget("phone")
        self.content, self.read_back = self.widget("content"), self.widget("read_back")
        self.content.setFixedHeight(CONTENT_HEIGHT)
        self.complaint_box = complaint_box(self)
        self.add_widget(self.complaint_box)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())
        self.read_back_text = self._build_read_back()

    def _build_read_back(self) -> QLabel:
        """The script read back to the caller (复述), the phone as typed and in full, following every edit."""
        self.add_widget(QLabel("复述内容（向报事人读出）："))
        text = QLabel()
        text.setWordWrap(True)
        text.setStyleSheet(READ_BACK_STYLE)
        self.add_widget(text)
        for key in ("room_code", "caller", "phone", "subject"):
            self.widget(key).textChanged.connect(self._update_read_back)
        self.content.textChanged.connect(self._update_read_back)
        self.kind.currentTextChanged.connect(self._update_read_back)
        self.widget("complaint_class").currentTextChanged.connect(self._update_read_back)
        self.read_back_text = text
        self._update_read_back()
        return text

    def _update_read_back(self, *_):
        complaint = self.kind.currentText() == COMPLAINT
        self.read_back_text.setText(intake.read_back_text(
            caller=self.caller.text(), room_code=self.room.text().strip().upper(), kind=self.kind.currentText(),
            content=self.content.toPlainText(), phone_shown=" ".join(self.phone.text().split()),
            complaint_class=self.widget("complaint_class").currentText() if complaint else "",
            subject=self.widget("subject").text().strip() if complaint else ""))

    @property
    def result_request(self):
        """The request taken in (None until 受理 succeeded)."""
        return self.result_value

    def _kind_changed(self, kind):
        self.complaint_box.setEnabled(kind == COMPLAINT)

    def values(self) -> dict:
        """The fields as typed (the service trims and checks them)."""
        v = {"channel": self.channel.currentText(), "kind": self.kind.currentText(), "room_code": self.room.text(),
             "caller": self.caller.text(), "phone": self.phone.text(), "content": self.content.toPlainText(),
             "read_back": self.read_back.isChecked()}
        if v["kind"] == COMPLAINT:
            v.update(complaint_values(self))
        return v

    def call(self):
        return intake.intake(self.ctx, **self.values())
