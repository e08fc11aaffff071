"""Small dialogs for the steps of a request: dispatch, completion, return visit, classification,
and a text dialog (contact note, reply, report). Each calls one service through run_action and
stays open with the user's input when the service refuses."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
)

from app.core.errors import ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.service import complaints as cp
from app.service import deadlines, handling
from ui.common.forms import FormDialog
from ui.common.ops import run_action

VISIT_SCORES = ((5, "5 分 非常满意"), (4, "4 分 满意"), (3, "3 分 一般"), (2, "2 分 不满意"), (1, "1 分 很不满意"))


def request_intro(row) -> str:
    """The request a step dialog acts on, shown above its fields."""
    return f"{row.number}　{row.room_code}　{row.kind}　{row.caller}\n{row.content}"


def step_options(title: str, ctx, row, parent) -> dict:
    """The FormDialog options of a step: titled by the step and the request number, the request
    shown on top, a refusal titled 未能<step>."""
    return {"title": f"{title} — {row.number}", "parent": parent, "intro": request_intro(row), "ctx": ctx,
            "error_title": f"未能{title}"}


class DispatchDialog(FormDialog):
    title = "派工"

    def __init__(self, ctx, row, parent=None):
        super().__init__(**step_options(self.title, ctx, row, parent))
        self.row = row
        self.handler = QComboBox()
        self.handler.setEditable(True)
        self.handler.addItems(["维修部 张师傅", "维修部 李师傅", "维修部 王师傅", "保洁部", "秩序部", "绿化部"])
        self.handler.setCurrentText("")
        minutes = ctx.settings.get("request.arrival_minutes")
        self.form.addRow("处理人", self.handler)
        self.form.addRow("", QLabel(f"派工后处理人须在 {minutes} 分钟内到场"))

    def call(self):
        return handling.dispatch(self.ctx, self.row.id, self.handler.currentText())


class CompleteDialog(FormDialog):
    title = "处理完成"
    ITEMS = [("", "无有偿服务")] + list(handling.PAID_SERVICES.items()) + [("other", "其他有偿服务")]

    def __init__(self, ctx, row, parent=None):
        super().__init__(**step_options(self.title, ctx, row, parent))
        self.row = row
        self.result = QPlainTextEdit()
        self.result.setPlaceholderText("处理结果")
        self.result.setMaximumHeight(80)
        self.signed = QCheckBox("业主已在工作单上签字确认")
        self.signer = QLineEdit(row.caller)
        self.item = QComboBox()
        for key, label in self.ITEMS:
            self.item.addItem(label, key)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("元，如 30 或 30.00")
        self.memo = QLineEdit()
        self.item.currentIndexChanged.connect(self._item_changed)
        self.form.addRow("处理结果", self.result)
        if row.kind == "报修":
            self.form.addRow("", self.signed)
            self.form.addRow("签字人", self.signer)
        self.form.addRow("有偿服务", self.item)
        self.form.addRow("收费金额", self.amount)
        self.form.addRow("收费说明", self.memo)
        self._item_changed()

    def _item_changed(self, *_):
        key = self.item.currentData()
        self.amount.setEnabled(bool(key))
        if key and key != "other":
            self.amount.setText(fmt_fen(handling.paid_service_price(self.ctx, key)))
        elif not key:
            self.amount.clear()

    def call(self):
        key = self.item.currentData() or ""
        amount = parse_yuan(self.amount.text(), "收费金额") if key else None
        if key and amount == 0:
            raise ValidationError("收费金额", "应大于0")
        return handling.complete(self.ctx, self.row.id, result=self.result.toPlainText(),
                                 owner_signed=self.signed.isChecked(), signer_name=self.signer.text(),
                                 service_item=key, charge_fen=amount, charge_memo=self.memo.text())


class VisitDialog(FormDialog):
    title = "回访"

    def __init__(self, ctx, row, parent=None):
        super().__init__(**step_options(self.title, ctx, row, parent))
        self.row = row
        self.score = QComboBox()
        for s, label in VISIT_SCORES:
            self.score.addItem(label, s)
        self.method = QComboBox()
        self.method.addItems(["电话", "上门"])
        self.comment = QPlainTextEdit()
        self.comment.setMaximumHeight(70)
        now = ctx.clock.now()
        slot = deadlines.next_visit_slot(ctx, now)
        hint = "现在可以回访"
        if slot != now:
            hint = f"现在不宜回访（{deadlines.visit_rule_text(self.ctx)}），最早 {slot:%m-%d %H:%M}"
        self.hint = QLabel(hint)
        self.form.addRow("", self.hint)
        self.form.addRow("评分", self.score)
        self.form.addRow("方式", self.method)
        self.form.addRow("业主意见", self.comment)
        self.schedule_button = self.buttons.addButton("安排到可回访时间", QDialogButtonBox.ButtonRole.ActionRole)
        self.schedule_button.clicked.connect(self.schedule)

    def call(self):
        return handling.record_visit(self.ctx, self.row.id, self.score.currentData(), self.comment.toPlainText(),
                                     self.method.currentText())

    def schedule(self):
        v = run_action(self, handling.schedule_visit, self.ctx, self.row.id, title="未能安排回访")
        if v is not None:
            self.result_value = v
            self.hint.setText(f"已安排于 {v.scheduled_at:%m-%d %H:%M} 回访")


class ClassifyDialog(FormDialog):
    title = "投诉定性"

    def __init__(self, ctx, row, parent=None):
        super().__init__(**step_options(self.title, ctx, row, parent))
        self.row = row
        self.valid = QRadioButton("有效投诉")
        self.invalid = QRadioButton("无效投诉")
        self.valid.setChecked(True)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("无效投诉须填写向业主所作的解释")
        self.note.setMaximumHeight(90)
        self.form.addRow("定性", self.valid)
        self.form.addRow("", self.invalid)
        self.form.addRow("解释说明", self.note)

    def call(self):
        return cp.classify(self.ctx, self.row.id, self.valid.isChecked(), self.note.toPlainText())


class TextDialog(FormDialog):
    """Contact (联系投诉人), reply (答复) or report (上报): one text."""
    ACTIONS = {
        "contact": ("联系投诉人", "联系情况", cp.record_contact),
        "reply": ("答复投诉", "答复内容", cp.record_reply),
        "report": ("上报", "上报说明", cp.report),
    }

    def __init__(self, ctx, row, action: str, parent=None):
        self.title, label, self.fn = self.ACTIONS[action]
        super().__init__(**step_options(self.title, ctx, row, parent))
        self.row = row
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(100)
        self.form.addRow(label, self.text)

    def call(self):
        return self.fn(self.ctx, self.row.id, self.text.toPlainText())
