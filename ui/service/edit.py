"""Correct what was taken down at intake (更正受理信息) of an open request: contact, phone, room,
category, complaint class/subject/flags, description. The read-back text follows the edits and the
corrected record must be read back to the caller again (复述确认)."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.core.privacy import mask_phone
from app.service import intake, records
from models.service import KINDS
from ui.common.forms import Field, FormDialog
from ui.service.intake import COMPLAINT, complaint_box, complaint_values

OPEN_STATUS = "待派工"   # the category may change only before any work started
CONTENT_HEIGHT = 80
READ_BACK_STYLE = "background:#F5F5F5; padding:6px; border:1px solid #E0E0E0"


class EditDialog(FormDialog):
    ok_text = "保存更正"
    error_title = "未能更正"

    def __init__(self, ctx, row, parent=None):
        r = records.get(row.id)
        super().__init__(f"更正受理信息 — {r.number}", [
            Field("kind", "类别", "choice", r.kind, KINDS),
            Field("room_code", "房号", default=r.home.room_code),
            Field("caller", "报事人", default=r.caller),
            Field("phone", "联系电话", placeholder=f"不修改请留空（现为 {mask_phone(r.phone) or '未留电话'}）"),
            Field("content", "报事内容", "multiline", r.content),
        ], parent=parent, ctx=ctx,
            intro=f"{r.number}　首问责任人：{r.receiver.display_name}　受理时间：{r.received_at:%Y-%m-%d %H:%M}")
        self.row, self.request = row, r
        self.phone_on_file = intake.read_back_phone(ctx, r)   # read back in full to the caller who gave it
        self.resize(560, 640)
        self.kind = self.widget("kind")
        self.room, self.caller, self.phone = self.widget("room_code"), self.widget("caller"), self.widget("phone")
        self.content = self.widget("content")
        self.content.setFixedHeight(CONTENT_HEIGHT)
        self.kind.setEnabled(r.status == OPEN_STATUS)
        if r.status != OPEN_STATUS:
            self.kind.setToolTip("已开始处理，类别不能再更改")
        self.complaint_box = complaint_box(self, r)
        self.add_widget(self.complaint_box)
        self.note = self._build_note()
        self.read_back_text, self.read_back = self._build_read_back()
        self._connect_read_back()
        self._update()

    def _build_note(self) -> QLineEdit:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        note = self.add_field(Field("note", "更正原因", placeholder="可选：更正原因，如 房号记错"), form)
        self.add_widget(box)
        return note

    def _build_read_back(self) -> tuple[QLabel, QCheckBox]:
        self.add_widget(QLabel("复述内容："))
        text = QLabel()
        text.setWordWrap(True)
        text.setStyleSheet(READ_BACK_STYLE)
        self.add_widget(text)
        check = QCheckBox("已向报事人复述更正后的内容并确认无误")
        check.setObjectName("read_back")
        self.add_widget(check)
        return text, check

    def _connect_read_back(self):
        """The read-back text follows every edit."""
        for key in ("room_code", "caller", "phone", "subject"):
            self.widget(key).textChanged.connect(self._update)
        self.content.textChanged.connect(self._update)
        self.kind.currentTextChanged.connect(self._update)
        self.widget("complaint_class").currentTextChanged.connect(self._update)

    def _update(self, *_):
        kind = self.kind.currentText()
        complaint = kind == COMPLAINT
        self.complaint_box.setEnabled(complaint)
        typed = self.phone.text().strip()
        self.read_back_text.setText(intake.read_back_text(
            caller=self.caller.text(), room_code=self.room.text().strip().upper(), kind=kind,
            content=self.content.toPlainText(), phone_shown=typed or self.phone_on_file,
            complaint_class=self.widget("complaint_class").currentText() if complaint else "",
            subject=self.widget("subject").text().strip() if complaint else "",
            number=self.request.number, receiver=self.request.receiver.display_name))

    def values(self) -> dict:
        """What changed, as typed (the service trims and checks it)."""
        r = self.request
        v = {"read_back": self.read_back.isChecked(), "caller": self.caller.text(),
             "content": self.content.toPlainText(), "note": self.note.text()}
        if self.room.text().strip().upper() != r.home.room_code:
            v["room_code"] = self.room.text()
        if self.phone.text().strip():
            v["phone"] = self.phone.text()
        kind = self.kind.currentText()
        if kind != r.kind:
            v["kind"] = kind
        if kind == COMPLAINT:
            v.update(complaint_values(self))
        return v

    def call(self):
        return intake.edit_request(self.ctx, self.row.id, **self.values())
